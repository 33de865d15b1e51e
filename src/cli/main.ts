import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { packagePath } from '../paths.js';
import { TourneyError, errorMessage } from '../errors.js';
import { parseDuration, DURATION_EXPECTED } from '../config/quantities.js';
import { MAX_ENTRANTS, MAX_TRIALS } from '../config/defaults.js';
import type { Reporter } from '../run/events.js';
import type { RunResult } from '../types.js';
import { LineReporter, silentReporter } from './reporters.js';
import { TtyReporter } from './live-view.js';
import { stripControl } from '../text/control.js';
import { addCiOutputOptions, finishCiOutputs, type CiOutputFlags } from '../outputs/cli.js';
import { addPromoteFlags, type PromoteCommandOptions, type PromoteFlags } from './promote-flags.js';
import type { PromoteMode } from '../promote/types.js';

type PromoteRunFlags = PromoteFlags & { promote?: PromoteMode };

/** `run`/`score --promote`: the promotion after the run (loaded only when asked for). */
function promoteAfter(options: PromoteRunFlags & OutputOptions): ((result: RunResult) => Promise<number | null>) | undefined {
  if (!options.promote) return undefined;
  const mode = options.promote;
  return async (result) => (await import('./promote-command.js')).promoteAfterRun(result, mode, options);
}

/** A --promote that cannot work is bad input before the run (minutes of agents), not a surprise after it. */
async function checkPromoteTarget(options: PromoteRunFlags & { repo: string }): Promise<void> {
  if (options.promote === 'pr' && !process.env.GITHUB_TOKEN && !process.env.GH_TOKEN) {
    throw new TourneyError('--promote pr: no GitHub token: set GITHUB_TOKEN or GH_TOKEN; nothing was started');
  }
  if (options.promote !== 'merge') return;
  const { openRepo, git } = await import('../git/repo.js');
  const repo = await openRepo(options.repo);
  if (options.into) {
    const exists = await git(repo.root, ['rev-parse', '--verify', '--quiet', `refs/heads/${options.into}`]);
    if (exists.exitCode !== 0) throw new TourneyError(`--into ${options.into}: no such branch in ${repo.root} (expected an existing local branch); nothing was started`);
  } else if (!repo.branch) {
    throw new TourneyError('--promote merge: HEAD is detached, so there is no branch to merge the winner into; pass --into <branch>; nothing was started');
  }
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
}

/** Exit codes, part of the CLI's contract, documented in the README; for `gate`, 0 = passed every gate and 1 = a gate failed. */
export const EXIT = { winner: 0, noWinner: 1, badInput: 2, environment: 3, internal: 4, interrupted: 130 } as const;

function entrantCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_ENTRANTS) {
    throw new InvalidArgumentError(`expected a whole number from 1 to ${MAX_ENTRANTS}, got "${value}"`);
  }
  return n;
}

function trialCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_TRIALS) {
    throw new InvalidArgumentError(`expected a whole number from 1 to ${MAX_TRIALS}, got "${value}"`);
  }
  return n;
}

function duration(value: string): number {
  const seconds = parseDuration(/^\d+(\.\d+)?$/.test(value) ? Number(value) : value);
  if (seconds === undefined) throw new InvalidArgumentError(`${DURATION_EXPECTED}, got "${value}"`);
  return seconds;
}

/** Like `duration`, plus whole days ("7d") and no upper bound: ages, not time limits. */
function durationWithDays(value: string): number {
  const days = /^(\d+)\s*d$/i.exec(value.trim());
  if (days) return Number(days[1]) * 86_400;
  const seconds = parseDuration(/^\d+(\.\d+)?$/.test(value) ? Number(value) : value, Number.POSITIVE_INFINITY);
  if (seconds === undefined) throw new InvalidArgumentError(`expected an age like "7d", "12h" or "30m", got "${value}"`);
  return seconds;
}

function modelRef(value: string): string {
  if (!/^[^\s/]+\/\S+$/.test(value)) throw new InvalidArgumentError(`expected "provider/model", e.g. "anthropic/claude-sonnet-4-5", got "${value}"`);
  return value;
}

function scorePoints(value: string): number {
  const points = Number(value);
  if (value.trim() === '' || !Number.isFinite(points) || points < 0 || points > 100) throw new InvalidArgumentError(`expected score points from 0 to 100, e.g. 2, got "${value}"`);
  return points;
}

function portNumber(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError(`expected a port number from 0 to 65535, got "${value}"`);
  return port;
}

interface OutputOptions {
  json?: boolean;
  quiet?: boolean;
}

function pickReporter(options: OutputOptions): Reporter {
  if (options.quiet) return silentReporter;
  return process.stderr.isTTY ? new TtyReporter() : new LineReporter();
}

/** Ctrl-C cancels the run (which then removes its containers); a second Ctrl-C exits at once. */
function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  let count = 0;
  const onSigint = () => {
    count += 1;
    if (count === 1) {
      process.stderr.write('\ntourney: interrupted; stopping entrants and removing containers (Ctrl-C again to quit now)\n');
      controller.abort();
    } else {
      process.exit(EXIT.interrupted);
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
    },
  };
}

function finishRun(result: RunResult, options: OutputOptions): number {
  if (options.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  return result.winner ? EXIT.winner : EXIT.noWinner;
}

/** What happens after a run-like command has its result: a promotion, then the CI outputs. */
interface AfterRun {
  promote?: (result: RunResult) => Promise<number | null>;
  ci?: CiOutputFlags;
}

/**
 * What every run-like command shares: Ctrl-C handling, progress output, --json, the exit code,
 * `--promote`, and the CI outputs (--markdown/--junit/--sarif, $GITHUB_STEP_SUMMARY, $GITHUB_OUTPUT).
 */
async function runCommand(options: OutputOptions, work: (signal: AbortSignal, reporter: Reporter) => Promise<RunResult>, after: AfterRun = {}): Promise<number> {
  const { signal, dispose } = interruptSignal();
  const reporter = pickReporter(options);
  try {
    const result = await work(signal, reporter);
    let code = finishRun(result, options);
    if (after.promote) code = (await after.promote(result)) ?? code;
    if (!after.ci) return code;
    // The step summary opens with the PR packet's summary: who won and why, in two lines.
    const { packetSummary } = await import('../promote/packet.js');
    return await finishCiOutputs(result, code, after.ci, packetSummary(result));
  } finally {
    reporter.close?.();
    dispose();
  }
}

// Commands are imported when they run: the referee and report modules take seconds to load, and
// "tourney run" must report a missing key (the preflight) before paying for them.
const commands = {
  run: () => import('../run/tournament.js'),
  score: () => import('../score/score.js'),
  gate: () => import('../gate/gate.js'),
  demo: () => import('../demo/demo.js'),
  doctor: () => import('../doctor/doctor.js'),
  image: () => import('./image-command.js'),
  modelServer: () => import('./model-server-command.js'),
  report: () => import('./report-command.js'),
  clean: () => import('./clean-command.js'),
  runs: () => import('./runs-command.js'),
  schema: () => import('./schema-command.js'),
  init: () => import('./init-command.js'),
  validate: () => import('./validate-command.js'),
  promote: () => import('./promote-command.js'),
};

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('tourney')
    .description('Run several coding agents on one feature spec in Docker sandboxes, referee the results, keep the best.')
    .version(packageVersion())
    // The error and where to look, not the whole help: that buries the one line that matters.
    .showHelpAfterError('(see --help for usage)')
    .exitOverride();

  const run = program
    .command('run')
    .description('run a tournament on a feature spec in the current repository')
    .argument('<spec>', 'feature spec: Markdown with YAML front matter (test command, optional setup and timeLimit)')
    .option('--repo <dir>', 'repository to work on', '.')
    .option('--config <file>', 'config file (default: tourney.config.yaml/.yml/.json at the repo root)')
    .option('-n, --entrants <n>', 'number of entrants when the config lists none', entrantCount)
    .option('-m, --model <provider/model>', 'model for every entrant, e.g. anthropic/claude-sonnet-4-5', modelRef)
    .option('--time-limit <duration>', 'per-entrant time limit, e.g. 90s, 10m', duration)
    .option('--trials <k>', `runs of every entrant (1-${MAX_TRIALS}); entrants are ranked by their trials' expected score (a failed trial counts 0), and the best trial of the top entrant wins`, trialCount)
    .option('--image <tag>', 'sandbox image tag')
    .option('--judge <provider/model...>', 'judge model(s), overriding judge.models in the config', (v: string, all: string[] = []) => [...all, modelRef(v)])
    .option('--min-margin <points>', 'no winner unless it leads the runner-up by at least this many score points (a tie-break never suffices); overrides gates.minMargin', scorePoints)
    .option('--full', 'also benchmark entrants already out on a gate (skipped by default)')
    .option('--json', 'print result.json to stdout')
    .option('-q, --quiet', 'no progress output');
  addCiOutputOptions(addPromoteFlags(run, 'promote'))
    .action(async (spec: string, options: OutputOptions & CiOutputFlags & PromoteRunFlags & { repo: string; config?: string; entrants?: number; model?: string; timeLimit?: number; image?: string; judge?: string[]; minMargin?: number; full?: boolean; trials?: number }) => {
      const { runTournament } = await commands.run();
      await checkPromoteTarget(options);
      setExit(await runCommand(options, (signal, reporter) => runTournament(
        { repoDir: options.repo, specPath: spec, configPath: options.config, entrants: options.entrants, model: options.model, timeLimitSec: options.timeLimit, image: options.image, judgeModels: options.judge, minMargin: options.minMargin, full: options.full, trials: options.trials, signal },
        reporter,
      ), { promote: promoteAfter(options), ci: options }));
    });

  const score = program
    .command('score')
    .description("score existing changes (branches or patch files from any agent tool or person) with tourney's referee and report; no agents run")
    .argument('<spec>', 'feature spec the candidates were made for')
    .requiredOption('-c, --candidate <name=ref-or-patch>', 'a candidate: NAME=git ref, or NAME=path to a .patch file (repeatable)', (v: string, all: string[] = []) => [...all, v])
    .option('--base <ref>', 'commit the candidates start from (default: merge base of the candidates and HEAD)')
    .option('--repo <dir>', 'repository', '.')
    .option('--config <file>', 'config file (gates, weights, sandbox limits)')
    .option('--image <tag>', 'sandbox image tag')
    .option('--judge <provider/model...>', 'judge model(s), overriding judge.models in the config', (v: string, all: string[] = []) => [...all, modelRef(v)])
    .option('--min-margin <points>', 'no winner unless it leads the runner-up by at least this many score points; overrides gates.minMargin', scorePoints)
    .option('--full', 'also benchmark entrants already out on a gate (skipped by default)')
    .option('--json', 'print result.json to stdout')
    .option('-q, --quiet', 'no progress output');
  addCiOutputOptions(addPromoteFlags(score, 'promote'))
    .action(async (spec: string, options: OutputOptions & CiOutputFlags & PromoteRunFlags & { candidate: string[]; base?: string; repo: string; config?: string; image?: string; judge?: string[]; minMargin?: number; full?: boolean }) => {
      const { scoreCandidates } = await commands.score();
      await checkPromoteTarget(options);
      setExit(await runCommand(options, (signal, reporter) => scoreCandidates(
        { repoDir: options.repo, specPath: spec, configPath: options.config, candidates: options.candidate, base: options.base, image: options.image, judgeModels: options.judge, minMargin: options.minMargin, full: options.full, signal },
        reporter,
      ), { promote: promoteAfter(options), ci: options }));
    });

  program
    .command('resume')
    .description('go on with an interrupted run (Ctrl-C, a crash, an engine restart): entrants that had ended are kept, the others run, then the referee, judge and report')
    .argument('[run]', 'a run id, a run directory, or "latest" (the newest run with no result yet)', 'latest')
    .option('--repo <dir>', 'repository', '.')
    .option('--json', 'print result.json to stdout')
    .option('-q, --quiet', 'no progress output')
    .action(async (ref: string, options: OutputOptions & { repo: string }) => {
      const { resumeRun } = await import('../run/continue.js');
      setExit(await runCommand(options, (signal, reporter) => resumeRun(options.repo, ref, signal, reporter)));
    });

  program
    .command('rerun')
    .description('run one entrant of a saved run again, as a new run that keeps the other entrants\' outcomes and ranks them all again (the saved run is left as it was)')
    .argument('<run>', 'a run id, a run directory, or "latest"')
    .requiredOption('--entrant <name...>', 'entrant to run again (an entrant with trials: all of its trials; or one trial by its name, e.g. tidy-t2)')
    .option('--repo <dir>', 'repository', '.')
    .option('--json', 'print result.json to stdout')
    .option('-q, --quiet', 'no progress output')
    .action(async (ref: string, options: OutputOptions & { repo: string; entrant: string[] }) => {
      const { rerunEntrant } = await import('../run/continue.js');
      setExit(await runCommand(options, (signal, reporter) => rerunEntrant(options.repo, ref, options.entrant, signal, reporter)));
    });

  const promote = program
    .command('promote')
    .description("hand a run's winner over: keep its branch, merge it into a branch, or push it and open a pull request with the PR packet")
    .argument('[run]', 'a run directory, a run id or "latest"', 'latest')
    .option('--repo <dir>', 'repository', '.')
    .option('--dry-run', 'print what would be done and the PR packet; change nothing')
    .option('--json', 'print what was done as JSON');
  addPromoteFlags(promote, 'to')
    .action(async (run: string, options: PromoteCommandOptions) => {
      const { promoteCommand } = await commands.promote();
      setExit(await promoteCommand(run, options));
    });

  const gate = program
    .command('gate')
    .description('for CI: referee one commit (--head) against its base in clean containers with the spec\'s checks and gates; exit 0 only if it passes every gate')
    .argument('<spec>', 'feature spec whose checks and gates apply')
    .option('--head <ref>', 'commit to gate', 'HEAD')
    .option('--base <ref>', 'commit to compare with (default: merge base with origin/$GITHUB_BASE_REF when set, else with the default branch: origin/HEAD, main or master)')
    .option('--require-winner <run|auto>', 'also require head to be a promoted tournament winner (or one plus later commits): its Tourney trailers checked against a run dir, run id or "latest", or "auto" (the run its trailer names, in .tourney/runs/)')
    .option('--repo <dir>', 'repository', '.')
    .option('--config <file>', 'config file (gates, sandbox limits)')
    .option('--image <tag>', 'sandbox image tag')
    .option('--judge <provider/model...>', 'accepted for symmetry with score, and unused: the judge compares candidates, a gate has one', (v: string, all: string[] = []) => [...all, modelRef(v)])
    .option('--json', 'print result.json (with its "gate" verdict) to stdout; {"gate": verdict} when it failed before any container ran')
    .option('-q, --quiet', 'no progress output (the verdict lines are still printed)');
  addCiOutputOptions(gate)
    .action(async (spec: string, options: OutputOptions & CiOutputFlags & { head: string; base?: string; requireWinner?: string; repo: string; config?: string; image?: string; judge?: string[] }) => {
      const { runGate, verdictLines } = await commands.gate();
      const { signal, dispose } = interruptSignal();
      const reporter = pickReporter(options);
      try {
        const outcome = await runGate(
          { repoDir: options.repo, specPath: spec, configPath: options.config, head: options.head, base: options.base, requireWinner: options.requireWinner, image: options.image, judgeModels: options.judge, signal },
          reporter,
        );
        reporter.close?.();
        // Reasons quote entrant-made text (test names, file names): no escape codes reach the terminal.
        process.stderr.write(stripControl(verdictLines(outcome.verdict).map((l) => `tourney: ${l}\n`).join('')));
        if (options.json) process.stdout.write(JSON.stringify(outcome.result ?? { gate: outcome.verdict }, null, 2) + '\n');
        const code = outcome.verdict.passed ? EXIT.winner : EXIT.noWinner;
        // A verdict reached before any container ran has no result.json to write outputs from.
        setExit(outcome.result ? await finishCiOutputs(outcome.result, code, options) : code);
      } finally {
        reporter.close?.();
        dispose();
      }
    });

  program
    .command('demo')
    .description('offline demo: a 4-entrant tournament with scripted entrants and a scripted judge on a bundled sample project (no API key, no network)')
    .option('--dir <dir>', 'where to create the sample project (default: a new temp dir)')
    .option('--json', 'print result.json to stdout')
    .option('-q, --quiet', 'no progress output')
    .action(async (options: OutputOptions & { dir?: string }) => {
      const { runDemo } = await commands.demo();
      setExit(await runCommand(options, (signal, reporter) => runDemo({ dir: options.dir, signal }, reporter)));
    });

  program
    .command('report')
    .description("render a run's report.html again from its saved result.json (e.g. after upgrading tourney)")
    .argument('<run-dir>', 'a run directory, .tourney/runs/<run-id>')
    .action(async (runDir: string) => {
      const { rerenderReport } = await commands.report();
      process.stdout.write(`${await rerenderReport(runDir)}\n`);
    });

  const image = program.command('image').description('manage the sandbox image');
  image
    .command('build')
    .description('build the sandbox image (Node, git, the opencode binary from the installed opencode-ai package)')
    .option('--tag <tag>', 'image tag')
    .addOption(new Option('--base <image>', 'base image (default: tourney-base:bookworm when present, else node:22-bookworm-slim)').env('TOURNEY_BASE_IMAGE'))
    .action(async (options: { tag?: string; base?: string }) => {
      const { buildImageCommand } = await commands.image();
      await buildImageCommand(options);
    });
  image
    .command('ls')
    .description('list prepared environments and toolchain images: key, size, age, last use')
    .option('--json', 'print them as JSON')
    .action(async (options: { json?: boolean }) => {
      const { listImagesCommand } = await commands.image();
      await listImagesCommand(options);
    });
  image
    .command('prune')
    .description('remove prepared environments and toolchain images (all, or those unused for longer than --older-than)')
    .option('--older-than <duration>', 'keep images used more recently than this, e.g. 7d, 12h, 30m', durationWithDays)
    .addOption(new Option('--kind <kind>', 'only prepared environments or only toolchain images').choices(['environment', 'toolchain']))
    .option('--dry-run', 'say what would be removed, remove nothing')
    .action(async (options: { olderThan?: number; dryRun?: boolean; kind?: 'environment' | 'toolchain' }) => {
      const { pruneImagesCommand } = await commands.image();
      await pruneImagesCommand(options);
    });

  program
    .command('clean')
    .description('remove what ended runs left (containers, networks) and prune old run dirs and tourney/* branches; never a live run\'s')
    .option('--repo <dir>', 'repository whose run dirs and branches to prune', '.')
    .option('--older-than <duration>', 'keep run dirs and branches younger than this, e.g. 7d, 12h (default 14d)', durationWithDays)
    .option('--dry-run', 'say what would be removed, remove nothing')
    .option('--json', 'print what was removed and kept as JSON')
    .action(async (options: { repo: string; olderThan?: number; dryRun?: boolean; json?: boolean }) => {
      const { cleanCommand, DEFAULT_CLEAN_AGE_SEC } = await commands.clean();
      setExit(await cleanCommand({ ...options, olderThan: options.olderThan ?? DEFAULT_CLEAN_AGE_SEC }));
    });

  program
    .command('doctor')
    .description('check the Docker engine, the sandbox image, the opencode binary and provider credentials')
    .option('--config <file>', 'config file whose entrants to check credentials for')
    .option('--repo <dir>', 'repository whose config to read', '.')
    .option('--live', 'also send one short request per configured model from a sandbox (costs a few tokens) and report ok / auth failed / model unknown / unreachable')
    .option('--json', 'print the findings as JSON ({ ok, problems, findings: [{ ok, what, fix }] })')
    .action(async (options: { config?: string; repo: string; live?: boolean; json?: boolean }) => {
      const { runDoctor } = await commands.doctor();
      setExit(await runDoctor(options));
    });

  program
    .command('model-server')
    .description('serve the scripted model (replays scripts of tool calls and text) as OpenAI chat completions, OpenAI Responses and Anthropic Messages, e.g. as a gateway (providers.<id>.baseURL)')
    .option('--scripts <dir...>', 'directories holding <name>.yaml|.json scripts (the built-in examples are always included)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', portNumber, 0)
    .option('--api-key-env <name...>', 'require on every request the key held by this host variable (else 401, as a provider answers a wrong key)')
    .action(async (options: { scripts?: string[]; host: string; port: number; apiKeyEnv?: string[] }) => {
      const { serveScriptedModel } = await commands.modelServer();
      await serveScriptedModel(options);
    });

  program
    .command('completion')
    .description('print a shell completion script: eval "$(tourney completion bash)" (bash, zsh) or > ~/.config/fish/completions/tourney.fish')
    .argument('<shell>', 'bash, zsh or fish')
    .action(async (shell: string) => {
      const { bashCompletion, zshCompletion, fishCompletion } = await import('./completion.js');
      const make = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion }[shell];
      if (!make) throw new TourneyError(`completion: expected a shell of bash, zsh or fish, got "${shell}"`);
      process.stdout.write(make(program));
    });

  program
    .command('validate')
    .description('check a spec, the config, models and credentials, and the Docker engine as a run would, without starting anything')
    .argument('<spec>', 'feature spec')
    .option('--repo <dir>', 'repository', '.')
    .option('--config <file>', 'config file (default: tourney.config.yaml/.yml/.json at the repo root)')
    .option('-n, --entrants <n>', 'number of entrants when the config lists none (as for run)', entrantCount)
    .option('-m, --model <provider/model>', 'model for every entrant (as for run)', modelRef)
    .option('--json', 'print the checks as JSON')
    .action(async (spec: string, options: { repo: string; config?: string; entrants?: number; model?: string; json?: boolean }) => {
      const { validateCommand } = await commands.validate();
      setExit(await validateCommand(spec, options));
    });

  program
    .command('init')
    .description('write a commented tourney.config.yaml and a spec template (never overwrites a file)')
    .option('--repo <dir>', 'repository', '.')
    .option('--spec <file>', 'the spec template to write, relative to the repository', 'feature.md')
    .action(async (options: { repo: string; spec: string }) => {
      const { initCommand } = await commands.init();
      setExit(await initCommand(options));
    });

  program
    .command('schema')
    .description("print the config's JSON Schema (for editor completion; also shipped as schemas/tourney.config.schema.json)")
    .action(async () => {
      const { schemaCommand } = await commands.schema();
      schemaCommand();
    });

  program
    .command('ls')
    .description("list this repository's runs, newest first: id, start, mode, status, winner, score, spec")
    .option('--repo <dir>', 'repository', '.')
    .option('--json', 'print them as JSON')
    .action(async (options: { repo: string; json?: boolean }) => {
      const { lsCommand } = await commands.runs();
      await lsCommand(options);
    });

  program
    .command('show')
    .description("print a run's scorecard and verdict in the terminal")
    .argument('[run]', 'a run id, a run directory, or "latest"', 'latest')
    .option('--repo <dir>', 'repository', '.')
    .option('--json', 'print its result.json')
    .action(async (ref: string, options: { repo: string; json?: boolean }) => {
      const { showCommand } = await commands.runs();
      await showCommand(ref, options);
    });

  program
    .command('open')
    .description("open a run's report.html in the browser (and print its path)")
    .argument('[run]', 'a run id, a run directory, or "latest"', 'latest')
    .option('--repo <dir>', 'repository', '.')
    .option('--print', 'only print the path')
    .action(async (ref: string, options: { repo: string; print?: boolean }) => {
      const { openCommand } = await commands.runs();
      await openCommand(ref, options);
    });

  return program;
}

/** With --json, a failure is also an object on stdout, so a script never parses an error message. */
function jsonError(argv: string[], code: string, message: string, exitCode: number): void {
  if (!argv.slice(2).includes('--json')) return;
  process.stdout.write(JSON.stringify({ error: { code, message, exitCode } }, null, 2) + '\n');
}

const ERROR_CODES: Record<number, string> = { [EXIT.badInput]: 'bad-input', [EXIT.environment]: 'environment', [EXIT.noWinner]: 'no-winner' };

/** A bug: the stack goes to a log file, the user gets one line saying so and where the log is. */
async function reportInternalError(argv: string[], err: unknown): Promise<string | null> {
  try {
    const { writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const file = join(tmpdir(), `tourney-crash-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.log`);
    const stack = err instanceof Error && err.stack ? err.stack : String(err);
    // The command line without its values: flags may carry paths or tokens a user would not paste into a report.
    const command = argv.slice(2).map((a) => (a.startsWith('-') ? a : '…')).join(' ');
    await writeFile(file, `tourney ${packageVersion()} on node ${process.version} (${process.platform}-${process.arch})\ncommand: tourney ${command}\n\n${stack}\n`, { mode: 0o600 });
    return file;
  } catch {
    return null;
  }
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has already printed the message (and a pointer to --help for usage errors).
      if (err.exitCode === 0) return 0;
      jsonError(argv, 'usage', err.message.replace(/^error: /, ''), EXIT.badInput);
      return EXIT.badInput;
    }
    if (err instanceof TourneyError) {
      // Messages quote user and entrant input (YAML excerpts, commands): no escape codes reach the terminal.
      process.stderr.write(stripControl(`tourney: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`));
      jsonError(argv, ERROR_CODES[err.exitCode] ?? 'error', stripControl(err.message), err.exitCode);
      return err.exitCode;
    }
    const log = await reportInternalError(argv, err);
    process.stderr.write(stripControl(`tourney: internal error: ${errorMessage(err)}\n`));
    process.stderr.write(`This is a bug in tourney, not in your input: please report it${log ? ` with the log ${log}` : ''}.\n`);
    jsonError(argv, 'internal', stripControl(errorMessage(err)), EXIT.internal);
    return EXIT.internal;
  }
}
