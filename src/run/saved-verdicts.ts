// What the referee, the benchmarks and the judge decided, saved in the run dir as soon as each is known,
// beside the key of everything it depends on. A resumed run (and a rerun, for the entrants it keeps) reads a
// decision back instead of making it again, and only when its key is the key it would be made with now:
// a patch changed on disk, another spec, hidden tests, config, base commit, environment image or tourney
// version all give another key, and the work is done again.
import { lstat, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import type { RefereeVerdict } from '../referee/referee.js';
import type { PerfCheck } from '../checks/types.js';
import type { JudgeResult } from '../judge/judge.js';
import type { EntrantChecks } from '../checks/types.js';
import type { Spec, TourneyConfig } from '../types.js';
import { packagePath } from '../paths.js';
import { configDigest, sha256 } from './resume.js';
import { entrantChecksSchema, perfCheckSchema } from './result-schema-checks.js';
import { entrantEnvironment, judgeRan } from './result-schema.js';

export const VERDICT_FILE = 'verdict.json';
export const PERFORMANCE_FILE = 'performance.json';
export const JUDGE_FILE = 'judge.json';

/** What every referee verdict of a run depends on besides the candidate's patch. */
export interface RefereeBasis {
  tourney: string;
  baseCommit: string;
  specSha256: string;
  /** The hidden tests live outside the repository and the spec: their bytes count too. */
  hiddenSha256: string | null;
  configSha256: string;
  /** The prepared environment every referee container starts from (an image id, not a tag). */
  environmentImageId: string;
}

export async function refereeBasis(input: { spec: Spec; config: TourneyConfig; baseCommit: string; environmentImageId: string }): Promise<RefereeBasis> {
  const { spec } = input;
  return {
    tourney: (JSON.parse(await readFile(packagePath('package.json'), 'utf8')) as { version: string }).version,
    baseCommit: input.baseCommit,
    specSha256: sha256(await readFile(spec.path)),
    hiddenSha256: spec.hidden ? sha256((await Promise.all(spec.hidden.files.map((f) => treeDigest(f)))).join('\n')) : null,
    configSha256: configDigest(input.config),
    environmentImageId: input.environmentImageId,
  };
}

/** A file's or a folder's paths and bytes as one digest. */
async function treeDigest(path: string): Promise<string> {
  const info = await lstat(path).catch(() => null);
  if (!info) return sha256(`missing ${path}`);
  if (!info.isDirectory()) return sha256(`${path}\n${info.isSymbolicLink() ? 'link' : sha256(await readFile(path))}`);
  const names = (await readdir(path)).sort();
  return sha256(`${path}/\n${(await Promise.all(names.map((n) => treeDigest(join(path, n))))).join('\n')}`);
}

export const verdictKey = (basis: RefereeBasis, patch: string) => ({ ...basis, patchSha256: sha256(patch) });

export interface PerfKeyEntry {
  name: string;
  patch: string;
  /** The gate it is already out on, or null: it decides whether it is measured, and which candidates set the bar. */
  outOn: string | null;
  benchImage: string | null | undefined;
}

/** The benchmarks compare every candidate in one session: the key is the whole set, in order. */
export const performanceKey = (basis: RefereeBasis, entries: PerfKeyEntry[], full: boolean) => ({
  ...basis,
  full,
  entries: entries.map((e) => ({ name: e.name, patchSha256: sha256(e.patch), outOn: e.outOn, benchImage: e.benchImage ?? null })),
});

/** The judge reads the finalists' patches and checks: the key is all of them, in order. */
export const judgeKey = (basis: RefereeBasis, finalists: { name: string; patch: string; checks: EntrantChecks }[]) => ({
  ...basis,
  finalists: finalists.map((f) => ({ name: f.name, patchSha256: sha256(f.patch), checksSha256: sha256(canonical(f.checks)) })),
});

/** JSON with every object's keys sorted: two keys built in another order still compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const fileChange = z.object({ path: z.string(), status: z.enum(['added', 'modified', 'deleted']), additions: z.number().int().nonnegative(), deletions: z.number().int().nonnegative() });
const verdictSchema = z.object({
  checks: entrantChecksSchema,
  changes: z.array(fileChange),
  environment: entrantEnvironment.optional(),
  bench: z.object({ image: z.string().nullable(), error: z.string().optional() }).optional(),
});

async function save(file: string, schema: string, key: unknown, value: unknown): Promise<void> {
  // Written whole or not at all: a crash mid-write leaves no file, and the work is done again on resume.
  await writeFile(`${file}.tmp`, JSON.stringify({ schema, key, keyDigest: sha256(canonical(key)), value }, null, 2) + '\n');
  await rename(`${file}.tmp`, file);
}

/** The saved value, or null when there is none, it is unreadable or not of this shape, or it was made under another key. */
async function load<S extends z.ZodType>(file: string, schema: string, key: unknown, valueSchema: S): Promise<z.output<S> | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const saved = z.object({ schema: z.literal(schema), key: z.unknown(), value: z.unknown() }).safeParse(parsed);
  // The key itself, not the digest saved beside it: a file edited to claim another key's digest gains nothing.
  if (!saved.success || canonical(saved.data.key) !== canonical(key)) return null;
  const value = valueSchema.safeParse(saved.data.value);
  return value.success ? value.data : null;
}

export interface SavedVerdict {
  verdict: RefereeVerdict;
  /** The engine it was refereed on. */
  engine?: string;
}

const entrantFile = (runDir: string, name: string) => join(runDir, 'entrants', name, VERDICT_FILE);

/** Saved as soon as the referee has decided, before the benchmarks (which are saved on their own). */
export async function saveVerdict(runDir: string, name: string, key: ReturnType<typeof verdictKey>, saved: SavedVerdict): Promise<void> {
  await mkdir(join(runDir, 'entrants', name), { recursive: true });
  // Without the benchmarks' part: that depends on the other candidates too (performance.json).
  const { performance: _performance, ...checks } = saved.verdict.checks;
  void _performance;
  await save(entrantFile(runDir, name), 'tourney-verdict/1', key, { verdict: { ...saved.verdict, checks }, ...(saved.engine !== undefined && { engine: saved.engine }) });
}

export async function loadVerdict(runDir: string, name: string, key: ReturnType<typeof verdictKey>): Promise<SavedVerdict | null> {
  const value = await load(entrantFile(runDir, name), 'tourney-verdict/1', key, z.object({ verdict: verdictSchema, engine: z.string().optional() }));
  if (!value) return null;
  return { verdict: value.verdict, ...(value.engine !== undefined && { engine: value.engine }) };
}

export async function savePerformance(runDir: string, key: ReturnType<typeof performanceKey>, checks: Map<string, PerfCheck>): Promise<void> {
  await save(join(runDir, PERFORMANCE_FILE), 'tourney-performance/1', key, Object.fromEntries(checks));
}

export async function loadPerformance(runDir: string, key: ReturnType<typeof performanceKey>): Promise<Map<string, PerfCheck> | null> {
  const value = await load(join(runDir, PERFORMANCE_FILE), 'tourney-performance/1', key, z.record(z.string(), perfCheckSchema));
  return value ? new Map(Object.entries(value)) : null;
}

export async function saveJudge(runDir: string, key: ReturnType<typeof judgeKey>, result: JudgeResult): Promise<void> {
  await save(join(runDir, JUDGE_FILE), 'tourney-judge/1', key, result);
}

export async function loadJudge(runDir: string, key: ReturnType<typeof judgeKey>): Promise<JudgeResult | null> {
  return load(join(runDir, JUDGE_FILE), 'tourney-judge/1', key, judgeRan);
}
