// `tourney resume RUN` and `tourney rerun RUN --entrant NAME`: a tournament started again from a saved
// run's inputs, keeping the entrants it already has (see resume.ts for what is saved).
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { TourneyError } from '../errors.js';
import { openRepo } from '../git/repo.js';
import type { RunResult } from '../types.js';
import type { Reporter } from './events.js';
import { listRunIds, resolveRunDir, runsDir } from './run-dirs.js';
import { loadRunInputs, RUN_INPUTS_FILE, type RunInputs } from './resume.js';
import { runTournament } from './tournament.js';

const exists = (path: string) => stat(path).then(() => true, () => false);

/** The run `ref` names; "latest" is the newest run that has saved inputs and, for resume, no result yet. */
async function runDirOf(repoRoot: string, ref: string, unfinished: boolean): Promise<string> {
  if (ref !== 'latest') return resolveRunDir(repoRoot, ref);
  for (const id of (await listRunIds(repoRoot)).reverse()) {
    const dir = join(runsDir(repoRoot), id);
    if (!(await exists(join(dir, RUN_INPUTS_FILE)))) continue;
    if (unfinished && (await exists(join(dir, 'result.json')))) continue;
    return dir;
  }
  throw new TourneyError(`${runsDir(repoRoot)}: no ${unfinished ? 'interrupted ' : ''}run to ${unfinished ? 'resume' : 'rerun'} (expected a run directory holding ${RUN_INPUTS_FILE}${unfinished ? ' and no result.json' : ''})`);
}

const fromInputs = (inputs: RunInputs) => ({
  repoDir: inputs.repoDir,
  specPath: inputs.specPath,
  ...(inputs.configPath !== undefined && { configPath: inputs.configPath }),
  ...inputs.overrides,
});

/** Goes on with an interrupted run in its own directory: entrants that ended are kept, the rest run. */
export async function resumeRun(repoDir: string, ref: string, signal: AbortSignal, reporter: Reporter): Promise<RunResult> {
  const repo = await openRepo(repoDir);
  const dir = await runDirOf(repo.root, ref, true);
  if (await exists(join(dir, 'result.json'))) {
    throw new TourneyError(`run ${basename(dir)} finished (${join(dir, 'result.json')} exists): nothing to resume; "tourney rerun ${basename(dir)} --entrant NAME" runs one entrant again`);
  }
  const inputs = await loadRunInputs(dir);
  return runTournament({ ...fromInputs(inputs), runId: basename(dir), signal, continueFrom: { runDir: dir, baseCommit: inputs.baseCommit, again: [] } }, reporter);
}

/**
 * Runs the named entrant (all its trials, or one trial by its own name) again as a new run that keeps the
 * other entrants' saved outcomes, and ranks them all again. The saved run is left as it was.
 */
export async function rerunEntrant(repoDir: string, ref: string, names: string[], signal: AbortSignal, reporter: Reporter): Promise<RunResult> {
  const repo = await openRepo(repoDir);
  const dir = await runDirOf(repo.root, ref, false);
  const inputs = await loadRunInputs(dir);
  const again = names.flatMap((name) => {
    const runs = inputs.runs.filter((r) => r.name === name || r.trialOf === name);
    if (runs.length === 0) {
      throw new TourneyError(`--entrant ${name}: no such entrant in run ${basename(dir)} (expected one of ${inputs.runs.map((r) => r.name).join(', ')})`, { exitCode: 2 });
    }
    return runs.map((r) => r.name);
  });
  return runTournament({ ...fromInputs(inputs), signal, continueFrom: { runDir: dir, baseCommit: inputs.baseCommit, again } }, reporter);
}
