import { openRepo } from '../git/repo.js';
import { connectEngine } from '../sandbox/docker.js';
import { sweepOrphans, type ManagedResource } from '../sandbox/orphans.js';
import { pruneBranches, pruneRunDirs, type Pruned } from '../run/prune.js';
import { errorMessage } from '../errors.js';
import { formatSeconds } from '../format.js';

const ageText = (sec: number) => (sec >= 2 * 86_400 ? `${Math.round(sec / 86_400)} days` : formatSeconds(sec));

export interface CleanOptions {
  repo: string;
  /** Seconds; run dirs and branches younger than this stay (so do unowned engine resources). */
  olderThan: number;
  dryRun?: boolean;
  json?: boolean;
}

export const DEFAULT_CLEAN_AGE_SEC = 14 * 86_400;

/**
 * `tourney clean`: what ended runs left on the engine (containers, networks, snapshot images whose
 * owner process is gone), then old run dirs and `tourney/*` branches. Never a live run's, never another
 * host's, never a checked-out branch.
 */
export async function cleanCommand(options: CleanOptions): Promise<number> {
  const before = Date.now() - options.olderThan * 1000;
  const dryRun = options.dryRun ?? false;
  let engine: { removed: ManagedResource[]; kept: ManagedResource[] } | { error: string };
  try {
    engine = await sweepOrphans(await connectEngine(), { dryRun, unownedBefore: before });
  } catch (err) {
    engine = { error: errorMessage(err) };
  }
  const liveRuns = new Set('kept' in engine ? engine.kept.filter((r) => r.state === 'alive' || r.state === 'other-host').map((r) => r.runId) : []);
  let runDirs: Pruned[] = [];
  let branches: Pruned[] = [];
  let repoError: string | undefined;
  try {
    const { root } = await openRepo(options.repo);
    runDirs = await pruneRunDirs(root, { before, dryRun, liveRuns });
    branches = await pruneBranches(root, { before, dryRun, liveRuns });
  } catch (err) {
    repoError = errorMessage(err);
  }

  if (options.json) {
    const resource = (r: ManagedResource) => ({ kind: r.kind, name: r.name, runId: r.runId, owner: r.owner, state: r.state });
    process.stdout.write(JSON.stringify({
      dryRun,
      olderThanSec: options.olderThan,
      engine: 'error' in engine ? { error: engine.error } : { removed: engine.removed.map(resource), kept: engine.kept.map(resource) },
      runDirs,
      branches,
      ...(repoError ? { repoError } : {}),
    }, null, 2) + '\n');
  } else {
    const say = (line: string) => process.stdout.write(`${line}\n`);
    const verb = dryRun ? 'would remove' : 'removed';
    if ('error' in engine) say(`engine: not checked (${engine.error})`);
    else {
      for (const r of engine.removed) say(`${verb} ${r.kind} ${r.name} (run ${r.runId || '?'}, ${r.owner ? `its tourney process ${r.owner.pid} has ended` : 'unowned and old'})`);
      const live = engine.kept.filter((r) => r.state === 'alive').length;
      const other = engine.kept.filter((r) => r.state === 'other-host').length;
      const unowned = engine.kept.filter((r) => r.state === 'unowned').length;
      if (live) say(`kept ${live} resource(s) of live runs`);
      if (other) say(`kept ${other} resource(s) of runs on other hosts`);
      if (unowned) say(`kept ${unowned} unowned resource(s) younger than ${ageText(options.olderThan)} (made without owner labels)`);
    }
    if (repoError) say(`run dirs and branches: not checked (${repoError})`);
    for (const p of [...runDirs.map((d) => ({ ...d, what: 'run dir' })), ...branches.map((b) => ({ ...b, what: 'branch' }))]) {
      if (p.outcome === 'removed' || p.outcome === 'would remove') say(`${p.outcome} ${p.what} ${p.name}`);
      else if (p.outcome === 'live run' || p.outcome === 'checked out' || p.outcome === 'failed') say(`kept ${p.what} ${p.name}: ${p.outcome}${p.detail ? ` (${p.detail})` : ''}`);
    }
    const recent = [...runDirs, ...branches].filter((p) => p.outcome === 'recent').length;
    if (recent) say(`kept ${recent} run dir(s) and branch(es) younger than ${ageText(options.olderThan)}`);
  }
  return 0;
}
