import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { git } from '../git/repo.js';
import { runIsLive } from './leftovers.js';

export interface Pruned {
  /** A run id (run dirs) or a branch name. */
  name: string;
  /** Removed, or why it was kept. */
  outcome: 'removed' | 'would remove' | 'live run' | 'checked out' | 'recent' | 'failed';
  detail?: string;
}

/** When a run started, from its id (`20261121-061503-a1b2`); null for ids chosen by hand. */
export function runIdTime(runId: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})/.exec(runId);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

export interface PruneOptions {
  /** Only runs that started before this (ms since epoch). */
  before: number;
  dryRun: boolean;
  /** Runs known to be live from the engine (their containers' owners run). */
  liveRuns: ReadonlySet<string>;
}

/** Removes `.tourney/runs/<id>/` of ended runs older than the cutoff. */
export async function pruneRunDirs(repoRoot: string, options: PruneOptions): Promise<Pruned[]> {
  const runsDir = join(repoRoot, '.tourney', 'runs');
  const entries = await readdir(runsDir, { withFileTypes: true }).catch(() => []);
  const out: Pruned[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const dir = join(runsDir, entry.name);
    const started = runIdTime(entry.name) ?? (await stat(dir)).mtimeMs;
    if (options.liveRuns.has(entry.name) || (await runIsLive(dir))) out.push({ name: entry.name, outcome: 'live run' });
    else if (started >= options.before) out.push({ name: entry.name, outcome: 'recent' });
    else if (options.dryRun) out.push({ name: entry.name, outcome: 'would remove' });
    else {
      await rm(dir, { recursive: true, force: true });
      out.push({ name: entry.name, outcome: 'removed' });
    }
  }
  return out;
}

/**
 * Deletes `tourney/<run>/<entrant>` branches of ended runs older than the cutoff. Never a branch that is
 * checked out in any worktree of the repository, never one of a live run.
 */
export async function pruneBranches(repoRoot: string, options: PruneOptions): Promise<Pruned[]> {
  const refs = await git(repoRoot, ['for-each-ref', '--format=%(refname:short)%00%(committerdate:unix)', 'refs/heads/tourney/']);
  if (refs.exitCode !== 0) throw new Error(`git for-each-ref failed: ${refs.stderr}`);
  const worktrees = await git(repoRoot, ['worktree', 'list', '--porcelain']);
  const checkedOut = new Set(
    worktrees.stdout.split('\n').filter((l) => l.startsWith('branch refs/heads/')).map((l) => l.slice('branch refs/heads/'.length)),
  );
  const out: Pruned[] = [];
  for (const line of refs.stdout.split('\n').filter(Boolean)) {
    const [branch = '', committed = '0'] = line.split('\0');
    const runId = branch.split('/')[1] ?? '';
    const started = runIdTime(runId) ?? Number(committed) * 1000;
    const runDir = join(repoRoot, '.tourney', 'runs', runId);
    if (checkedOut.has(branch)) out.push({ name: branch, outcome: 'checked out' });
    else if (options.liveRuns.has(runId) || (runId && (await runIsLive(runDir)))) out.push({ name: branch, outcome: 'live run' });
    else if (started >= options.before) out.push({ name: branch, outcome: 'recent' });
    else if (options.dryRun) out.push({ name: branch, outcome: 'would remove' });
    else {
      const deleted = await git(repoRoot, ['branch', '-D', branch]);
      out.push(deleted.exitCode === 0 ? { name: branch, outcome: 'removed' } : { name: branch, outcome: 'failed', detail: deleted.stderr.trim() });
    }
  }
  return out;
}
