// Writes the CI outputs a command was asked for, after the run has produced result.json: the
// Markdown scorecard (to --markdown and, under GitHub Actions, appended to $GITHUB_STEP_SUMMARY),
// JUnit XML, one SARIF log, and the step outputs ($GITHUB_OUTPUT, appended).
// Every output is attempted even if an earlier one failed; the failures are reported together as
// one TourneyError with exit code 3 (environment), and the caller decides how it combines with the
// run's own exit code (see combineExitCodes).

import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { TourneyError, errorMessage } from '../errors.js';
import type { RunResult } from '../types.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { buildCiSarif } from './sarif.js';
import { formatStepOutputs, stepOutputs } from './github-output.js';

export interface CiOutputOptions {
  /** Write the Markdown scorecard here. */
  markdown?: string;
  junit?: string;
  sarif?: string;
  /** Markdown placed under the scorecard's title (the PR packet's summary). */
  top?: string;
}

/** What was written, by kind, as absolute paths. */
export type CiOutputsWritten = Partial<Record<'markdown' | 'stepSummary' | 'junit' | 'sarif' | 'stepOutputs', string>>;

export const ENVIRONMENT_EXIT = 3;

async function write(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

export async function writeCiOutputs(result: RunResult, options: CiOutputOptions, env: NodeJS.ProcessEnv = process.env): Promise<CiOutputsWritten> {
  const written: CiOutputsWritten = {};
  const failures: string[] = [];
  const attempt = async (kind: keyof CiOutputsWritten, what: string, path: string, work: (abs: string) => Promise<void>) => {
    const abs = resolve(path);
    try {
      await work(abs);
      written[kind] = abs;
    } catch (err) {
      failures.push(`${what} ${abs}: ${errorMessage(err)}`);
    }
  };
  const summary = env.GITHUB_STEP_SUMMARY;
  const markdown = options.markdown !== undefined || summary ? renderMarkdown(result, { top: options.top }) : '';
  if (options.markdown !== undefined) await attempt('markdown', 'could not write --markdown', options.markdown, (p) => write(p, markdown));
  // GitHub expects the summary file appended to: other steps of the job write to it too.
  if (summary) await attempt('stepSummary', 'could not append to $GITHUB_STEP_SUMMARY', summary, (p) => appendFile(p, `${markdown}\n`));
  if (options.junit !== undefined) await attempt('junit', 'could not write --junit', options.junit, (p) => write(p, renderJunit(result)));
  if (options.sarif !== undefined) {
    const sarif = options.sarif;
    await attempt('sarif', 'could not write --sarif', sarif, async (p) => write(p, `${JSON.stringify(await buildCiSarif(result), null, 2)}\n`));
  }
  const output = env.GITHUB_OUTPUT;
  if (output) await attempt('stepOutputs', 'could not append to $GITHUB_OUTPUT', output, (p) => appendFile(p, formatStepOutputs({ ...stepOutputs(result) })));
  if (failures.length > 0) {
    throw new TourneyError(failures.join('; '), {
      exitCode: ENVIRONMENT_EXIT,
      hint: 'the run itself finished: its result.json and report are in the run directory',
    });
  }
  return written;
}

/**
 * The exit code when the outputs could not be written: 3, unless the run itself already failed
 * for a reason of its own (bad input 2, environment 3, interrupted 130), which is kept. A run with
 * no winner (1) becomes 3, so a CI job never reads "gate failed" when the real problem is the disk;
 * the run's own verdict is still in the message and in result.json.
 */
export function combineExitCodes(runCode: number, outputsFailed: boolean): number {
  if (!outputsFailed) return runCode;
  return runCode === 0 || runCode === 1 ? ENVIRONMENT_EXIT : runCode;
}
