import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { TourneyError } from '../errors.js';
import { RESULT_SCHEMA_VERSION, type RunResult } from '../types.js';

/** Where a repository keeps its runs. */
export function runsDir(repoRoot: string): string {
  return join(repoRoot, '.tourney', 'runs');
}

const RUN_ID = /^\d{8}-\d{6}-[0-9a-f]{1,8}$/;

/**
 * A run named the way users name one: a run directory (path), a run id, or `latest` (the newest
 * run dir that holds a result.json). Bad references fail with the reference and what was expected.
 */
export async function resolveRunDir(repoRoot: string, ref: string): Promise<string> {
  if (ref === 'latest') {
    const ids = await listRunIds(repoRoot);
    for (const id of ids.reverse()) {
      const dir = join(runsDir(repoRoot), id);
      if (await isFile(join(dir, 'result.json'))) return dir;
    }
    throw new TourneyError(`${runsDir(repoRoot)}: no finished run (expected a run directory holding result.json; run "tourney run SPEC" first)`);
  }
  if (RUN_ID.test(ref) && !ref.includes('/')) {
    const dir = join(runsDir(repoRoot), ref);
    if (await isDir(dir)) return dir;
    if (!(await isDir(resolve(ref)))) throw new TourneyError(`run "${ref}": no such run in ${runsDir(repoRoot)} (expected a run id, a run directory or "latest")`);
  }
  const dir = isAbsolute(ref) ? ref : resolve(ref);
  if (!(await isDir(dir))) throw new TourneyError(`run "${ref}": no such directory (expected a run id, a run directory such as .tourney/runs/<run-id>, or "latest")`);
  return dir;
}

/** Run ids in a repository, oldest first (ids start with their UTC start time). */
export async function listRunIds(repoRoot: string): Promise<string[]> {
  try {
    const names = await readdir(runsDir(repoRoot));
    return names.filter((n) => RUN_ID.test(n)).sort();
  } catch {
    return [];
  }
}

/** A run dir's result.json, checked enough that later code can trust its shape's top level. */
export async function loadRunResult(runDir: string): Promise<RunResult> {
  const file = join(runDir, 'result.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TourneyError(code === 'ENOENT' ? `${file}: no such file (expected a tourney run directory, e.g. .tourney/runs/<run-id>, of a finished run)` : `${file}: not valid JSON`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TourneyError(`${file}: expected a JSON object (a tourney result), got ${parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : typeof parsed}`);
  const result = parsed as Partial<RunResult>;
  if (result.schemaVersion !== RESULT_SCHEMA_VERSION) {
    throw new TourneyError(`${file}: key "schemaVersion": expected ${RESULT_SCHEMA_VERSION}, got ${JSON.stringify(result.schemaVersion)} (written by another tourney version)`);
  }
  if (!Array.isArray(result.entrants)) throw new TourneyError(`${file}: key "entrants": expected an array of entrant results`);
  if (typeof result.runId !== 'string' || typeof result.baseCommit !== 'string') throw new TourneyError(`${file}: keys "runId" and "baseCommit": expected strings`);
  return result as RunResult;
}

async function isDir(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}
