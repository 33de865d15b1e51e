// Every run saves what it was asked (run.json) and, as each entrant ends, that entrant's outcome
// (entrants/<name>/outcome.json beside its diff.patch): an interrupted run can go on from there, and
// a finished one can run one entrant again, without redoing the entrants already done.
import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { TourneyError, errorMessage } from '../errors.js';
import { formatZodIssues } from '../config/zod-errors.js';
import { entrantOutcomeSchema } from './result-schema.js';
import type { EntrantConfig, TourneyConfig } from '../types.js';
import type { Candidate } from './settle.js';

export const RUN_INPUTS_FILE = 'run.json';
const OUTCOME_FILE = 'outcome.json';

const runInputsSchema = z.object({
  schema: z.literal('tourney-run-inputs/1'),
  repoDir: z.string(),
  specPath: z.string(),
  configPath: z.string().optional(),
  overrides: z.object({
    entrants: z.number().int().positive().optional(),
    model: z.string().optional(),
    timeLimitSec: z.number().positive().optional(),
    judgeModels: z.array(z.string()).optional(),
    minMargin: z.number().optional(),
    trials: z.number().int().positive().optional(),
    full: z.boolean().optional(),
    image: z.string().optional(),
  }).strict(),
  baseCommit: z.string().regex(/^[0-9a-f]{40,64}$/),
  /** The spec's bytes and the resolved config as they were: a resume refuses either changed. */
  specSha256: z.string().regex(/^[0-9a-f]{64}$/),
  configSha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** The runs (entrants times trials) as resolved at the start: a resume refuses a config that changed them. */
  runs: z.array(z.object({ name: z.string(), agent: z.string(), model: z.string(), trialOf: z.string().optional() }).strict()),
}).strict();

export type RunInputs = z.output<typeof runInputsSchema>;

/** run.json from what a run was asked: flags not given are left out, the runs kept as their signature. */
export async function saveRunInputs(
  runDir: string,
  inputs: Omit<RunInputs, 'schema' | 'runs' | 'overrides'> & { overrides: { [K in keyof RunInputs['overrides']]: RunInputs['overrides'][K] | undefined }; runs: readonly EntrantConfig[] },
): Promise<void> {
  const overrides = Object.fromEntries(Object.entries(inputs.overrides).filter(([, v]) => v !== undefined)) as RunInputs['overrides'];
  const saved: RunInputs = { schema: 'tourney-run-inputs/1', ...inputs, overrides, runs: runSignature(inputs.runs) };
  await writeFile(join(runDir, RUN_INPUTS_FILE), JSON.stringify(saved, null, 2) + '\n');
}

export async function loadRunInputs(runDir: string): Promise<RunInputs> {
  const file = join(runDir, RUN_INPUTS_FILE);
  const text = await readFile(file, 'utf8').catch((err: unknown) => {
    throw new TourneyError(`${file}: cannot read it (${errorMessage(err)}); expected the inputs tourney saves when a run starts (runs from before resume existed have none)`);
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new TourneyError(`${file}: not valid JSON (expected the inputs tourney saved when the run started)`);
  }
  const checked = runInputsSchema.safeParse(parsed);
  if (!checked.success) throw new TourneyError(`${file}: not valid run inputs (corrupt, or edited by hand):\n${formatZodIssues(checked.error.issues, file, 'key', 'null')}`);
  return checked.data;
}

export const runSignature = (runs: readonly EntrantConfig[]) => runs.map((r) => ({ name: r.name, agent: r.agent, model: r.model, ...(r.trialOf !== undefined && { trialOf: r.trialOf }) }));

export const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** The resolved config as a digest: the same config, however it was written, gives the same one. */
// Not the engines: where work runs is not what it is compared on, and a resume after losing an engine may drop it.
export const configDigest = (config: TourneyConfig) => sha256(JSON.stringify({ ...config, source: undefined, engines: undefined }));

/**
 * What a resumed run starts from now must be what the saved run started with: the same runs, spec and config.
 * Kept entrants ran against the saved ones; ranking them with entrants run against others would compare unlike work.
 */
export function checkSameInputs(saved: RunInputs, now: { runs: readonly EntrantConfig[]; specSha256: string; configSha256: string; specPath: string; configPath: string | undefined }, runDir: string): void {
  const file = join(runDir, RUN_INPUTS_FILE);
  const a = JSON.stringify(saved.runs);
  const b = JSON.stringify(runSignature(now.runs));
  if (a !== b) {
    const names = (list: { name: string; model: string }[]) => list.map((r) => `${r.name} (${r.model})`).join(', ');
    throw new TourneyError(`${file}: the run started with entrants ${names(saved.runs)}, but the config now gives ${names(runSignature(now.runs))}; restore the config, or start a new run`, { exitCode: 2 });
  }
  if (saved.specSha256 !== now.specSha256) {
    throw new TourneyError(`${file}: key "specSha256": the spec ${now.specPath} changed since the run started (sha256 ${saved.specSha256.slice(0, 12)}…, now ${now.specSha256.slice(0, 12)}…); restore it, or start a new run`, { exitCode: 2 });
  }
  if (saved.configSha256 !== now.configSha256) {
    throw new TourneyError(`${file}: key "configSha256": the config${now.configPath ? ` ${now.configPath}` : ''} resolves to other settings than when the run started (limits, gates, weights, judge or entrants' approaches); restore it, or start a new run`, { exitCode: 2 });
  }
}

/** Saved once the entrant's run has ended (its diff.patch is already written). */
export async function saveOutcome(runDir: string, candidate: Candidate): Promise<void> {
  const { patch: _patch, ...outcome } = candidate;
  void _patch;
  const dir = join(runDir, 'entrants', candidate.name);
  await mkdir(dir, { recursive: true });
  // Written whole or not at all: a crash mid-write leaves no outcome, and the entrant runs again on resume.
  await writeFile(join(dir, 'diff.patch'), candidate.patch);
  await writeFile(join(dir, `${OUTCOME_FILE}.tmp`), JSON.stringify(outcome, null, 2) + '\n');
  await rename(join(dir, `${OUTCOME_FILE}.tmp`), join(dir, OUTCOME_FILE));
}

/** An entrant's saved outcome with its patch, or null when it had not ended (or its files are unreadable, or not this run's). */
export async function loadOutcome(runDir: string, name: string, expected?: { agent: string; model: string; trialOf?: string }): Promise<Candidate | null> {
  const dir = join(runDir, 'entrants', name);
  const [text, patch] = await Promise.all([readFile(join(dir, OUTCOME_FILE), 'utf8').catch(() => null), readFile(join(dir, 'diff.patch'), 'utf8').catch(() => null)]);
  if (text === null || patch === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const checked = entrantOutcomeSchema.safeParse(parsed);
  if (!checked.success || checked.data.name !== name) return null;
  if (expected && (checked.data.agent !== expected.agent || checked.data.model !== expected.model || checked.data.trialOf !== expected.trialOf)) return null;
  return { ...checked.data, patch };
}

/**
 * Copies a saved entrant's files into another run (a rerun keeps the others' outcomes, in its own directory): all of
 * them, so that its saved referee verdict (verdict.json, see saved-verdicts.ts) comes along with the logs it names.
 */
export async function copyOutcome(fromRunDir: string, toRunDir: string, name: string): Promise<void> {
  const from = join(fromRunDir, 'entrants', name);
  const to = join(toRunDir, 'entrants', name);
  await mkdir(to, { recursive: true });
  // Files tourney wrote itself; a symlink among them is copied as a link, never followed.
  await cp(from, to, { recursive: true, verbatimSymlinks: true, errorOnExist: false, force: true });
}
