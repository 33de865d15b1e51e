// The CI output flags, shared by run, score and gate: addCiOutputOptions adds them to a commander
// command (and checks the paths before the command's action starts any work); finishCiOutputs
// writes them once the command has its result.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { TourneyError } from '../errors.js';
import { stripControl } from '../text/control.js';
import type { RunResult } from '../types.js';
import type { CiOutputOptions } from './write.js';

export interface CiOutputFlags {
  markdown?: string;
  junit?: string;
  sarif?: string;
}

const FLAGS = ['markdown', 'junit', 'sarif'] as const;

/** Bad paths are bad input (exit 2), found before a run that may take an hour. */
export function checkCiOutputPaths(flags: CiOutputFlags): void {
  for (const flag of FLAGS) {
    const path = flags[flag];
    if (path === undefined) continue;
    if (path.trim() === '') throw new TourneyError(`--${flag}: expected a file path, got an empty string`);
    let isDir = false;
    try {
      isDir = statSync(resolve(path)).isDirectory();
    } catch {
      // Absent: it will be created (and its folders).
    }
    if (isDir) throw new TourneyError(`--${flag} ${path}: is a directory, expected a file path`);
  }
}

export function addCiOutputOptions(command: Command): Command {
  return command
    .option('--markdown <file>', 'write the scorecard as Markdown (also appended to $GITHUB_STEP_SUMMARY when that is set)')
    .option('--junit <file>', 'write JUnit XML: one testsuite per entrant, one testcase per gate')
    .option('--sarif <file>', "write the winner's (or the only candidate's) new lint and security findings as one SARIF 2.1.0 log")
    .hook('preAction', (_command, action) => checkCiOutputPaths(action.opts<CiOutputFlags>()));
}

export function ciOutputOptions(flags: CiOutputFlags, top?: string): CiOutputOptions {
  return { markdown: flags.markdown, junit: flags.junit, sarif: flags.sarif, top };
}

/**
 * After a run-like command has its result: writes the outputs asked for (and the GitHub ones when
 * their variables are set) and returns the exit code. When an output cannot be written the message
 * says so and what the run itself decided, and the code becomes 3 unless the run's own code was
 * already an error code of its own (2, 3, 130): see combineExitCodes.
 */
export async function finishCiOutputs(result: RunResult, runCode: number, flags: CiOutputFlags, top?: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  // Loaded here: the CLI's startup stays light (see `commands` in main.ts).
  const { writeCiOutputs, combineExitCodes } = await import('./write.js');
  try {
    await writeCiOutputs(result, ciOutputOptions(flags, top), env);
    return runCode;
  } catch (err) {
    if (!(err instanceof TourneyError)) throw err;
    const verdict = result.winner ? `winner ${result.winner}` : 'no winner';
    process.stderr.write(stripControl(`tourney: ${err.message}\nhint: the run itself finished (${verdict}, exit code ${runCode}); result.json and the report are in ${result.runDir}\n`));
    return combineExitCodes(runCode, true);
  }
}
