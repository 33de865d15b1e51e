// The promote flags, kept apart from promote-command.ts so that main.ts can declare them without
// loading the GitHub client.
import { type Command, InvalidArgumentError, Option } from 'commander';
import { PROMOTE_MODES, type PromoteMode } from '../promote/types.js';

/** Flags shared by `tourney promote` and `run`/`score --promote`. */
export interface PromoteFlags {
  into?: string;
  remote: string;
  draft?: boolean;
  label?: string[];
  githubRepo?: string;
}

export interface PromoteCommandOptions extends PromoteFlags {
  repo: string;
  to: PromoteMode;
  dryRun?: boolean;
  json?: boolean;
}

function mode(value: string): PromoteMode {
  if (!(PROMOTE_MODES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${PROMOTE_MODES.join(', ')}, got "${value}"`);
  return value as PromoteMode;
}

function labelName(value: string, all: string[] = []): string[] {
  if (value.trim() === '' || value.length > 50) throw new InvalidArgumentError(`expected a label name of 1 to 50 characters, got "${value}"`);
  return [...all, value];
}

/** The pass-through flags, added to `promote`, `run` and `score` alike. */
export function addPromoteFlags(cmd: Command, withMode: 'to' | 'promote'): Command {
  if (withMode === 'to') cmd.addOption(new Option('--to <mode>', 'branch (keep the winner branch), merge (into --into) or pr (push and open a pull request)').argParser(mode).default('branch'));
  else cmd.addOption(new Option('--promote <mode>', 'after a run with a confident winner: branch, merge or pr (see "tourney promote")').argParser(mode));
  return cmd
    .option('--into <branch>', 'target branch for merge/pr (default: the branch that was current when the run started)')
    .option('--remote <name>', 'remote to push the winner branch to (pr)', 'origin')
    .option('--github-repo <owner/name>', 'GitHub repository for the pull request (default: $GITHUB_REPOSITORY, else from the remote URL)')
    .option('--draft', 'open the pull request as a draft')
    .option('--label <name>', 'label for the pull request (repeatable)', labelName);
}

