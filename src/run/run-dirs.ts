import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { TourneyError, errorMessage } from '../errors.js';
import { readInputBytes } from '../config/input-file.js';
import { formatZodIssues } from '../config/zod-errors.js';
import { consistencyIssues, runResultSchema } from './result-schema.js';
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

/**
 * result.json is data tourney wrote, but it may have been copied, edited or truncated since: 32 MB is
 * far above any real run (lint messages and findings are capped) and keeps a stray file from filling memory.
 */
export const MAX_RESULT_BYTES = 32 * 1024 * 1024;

/** A run dir's result.json bytes, bounded (a FIFO or a directory in its place fails at once). */
export async function readRunResultBytes(runDir: string): Promise<Buffer> {
  const file = join(runDir, 'result.json');
  try {
    return await readInputBytes(file, file, 'run result', MAX_RESULT_BYTES);
  } catch (err) {
    if (err instanceof TourneyError && /: no such file/.test(err.message)) {
      throw new TourneyError(`${file}: no such file (expected a tourney run directory, e.g. .tourney/runs/<run-id>, of a finished run)`, { cause: err });
    }
    throw err;
  }
}

/** A run dir's result.json, checked against the whole RunResult shape: later code can trust every key. */
export async function loadRunResult(runDir: string): Promise<RunResult> {
  return parseRunResult(await readRunResultBytes(runDir), join(runDir, 'result.json'));
}

/** result.json's bytes as a RunResult, or a TourneyError naming the file, the key, what was expected and what was found. */
export function parseRunResult(bytes: Buffer, file: string): RunResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new TourneyError(`${file}: not valid JSON (${errorMessage(err).replace(/\s+/g, ' ').slice(0, 120)})`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TourneyError(`${file}: expected a JSON object (a tourney result), got ${parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : typeof parsed}`);
  const version = (parsed as { schemaVersion?: unknown }).schemaVersion;
  // Another version's file would fail on every renamed key: say which version wrote it instead.
  if (version !== RESULT_SCHEMA_VERSION) {
    throw new TourneyError(`${file}: key "schemaVersion": expected ${RESULT_SCHEMA_VERSION}, got ${JSON.stringify(version) ?? 'nothing'} (written by another tourney version)`);
  }
  const checked = runResultSchema.safeParse(parsed, { reportInput: true });
  const issues = checked.success ? consistencyIssues(checked.data) : checked.error.issues;
  if (issues.length > 0) throw new TourneyError(`${file}: not a valid tourney result (corrupt, or edited by hand):\n${formatZodIssues(issues, file, 'key', 'null')}`);
  return checked.data!;
}

async function isDir(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}
