import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { pruneBranches, pruneRunDirs, runIdTime } from '../../src/run/prune.js';
import { currentOwner, ownerState, processStart } from '../../src/sandbox/owner.js';

const OLD = '20200101-000000-aaaa';
const OLD_LIVE = '20200102-000000-bbbb';
const OLD_CHECKED_OUT = '20200103-000000-cccc';
const RECENT = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15) + '-dddd';

describe('owners', () => {
  it('this process is alive; a reused pid (other start time), a dead pid are gone; other hosts are not judged', () => {
    const me = currentOwner();
    expect(me.start).toBe(processStart(process.pid));
    expect(ownerState(me)).toBe('alive');
    expect(ownerState({ ...me, start: `${me.start.split(':')[0]}:1` })).toBe('gone');
    expect(ownerState({ ...me, pid: 2 ** 22 + 7 })).toBe('gone');
    expect(ownerState({ ...me, host: `not-${me.host}` })).toBe('other-host');
  });
});

describe('pruning run dirs and tourney/* branches', () => {
  let repo: string;
  let worktree: string;
  const git = async (...args: string[]) => (await execa('git', args, { cwd: repo })).stdout;
  const branches = async () => (await git('for-each-ref', '--format=%(refname:short)', 'refs/heads/tourney/')).split('\n').filter(Boolean).sort();

  beforeAll(async () => {
    repo = await mkdtemp(join(tmpdir(), 'tourney-prune-'));
    worktree = `${repo}-wt`;
    await git('init', '-q', '-b', 'main');
    await writeFile(join(repo, 'a.txt'), 'a\n');
    await git('add', '-A');
    await git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'base');
    for (const id of [OLD, OLD_LIVE, OLD_CHECKED_OUT, RECENT]) {
      await git('branch', `tourney/${id}/tidy`);
      await mkdir(join(repo, '.tourney', 'runs', id), { recursive: true });
    }
    await git('branch', `tourney/${OLD}/winner`);
    // A live run: its owner file names this very process.
    await writeFile(join(repo, '.tourney', 'runs', OLD_LIVE, 'owner.json'), JSON.stringify(currentOwner()));
    // An ended run (a dead pid) is prunable like one without an owner file.
    await writeFile(join(repo, '.tourney', 'runs', OLD, 'owner.json'), JSON.stringify({ ...currentOwner(), pid: 2 ** 22 + 7 }));
    await git('worktree', 'add', '-q', worktree, `tourney/${OLD_CHECKED_OUT}/tidy`);
  });
  afterAll(async () => {
    await rm(worktree, { recursive: true, force: true });
    await rm(repo, { recursive: true, force: true });
  });

  it('reads a run id as its start time', () => {
    expect(runIdTime(OLD)).toBe(Date.UTC(2020, 0, 1));
    expect(runIdTime('my-run')).toBeNull();
  });

  it('--dry-run removes nothing', async () => {
    const before = await branches();
    const options = { before: Date.now() - 86_400_000, dryRun: true, liveRuns: new Set<string>() };
    const dirs = await pruneRunDirs(repo, options);
    expect(dirs.filter((d) => d.outcome === 'would remove').map((d) => d.name).sort()).toEqual([OLD, OLD_CHECKED_OUT]);
    await pruneBranches(repo, options);
    expect(await branches()).toEqual(before);
  });

  it('removes old ended runs only: never a live run, a recent one or a checked-out branch', async () => {
    const options = { before: Date.now() - 86_400_000, dryRun: false, liveRuns: new Set<string>() };
    const dirs = await pruneRunDirs(repo, options);
    const byName = Object.fromEntries(dirs.map((d) => [d.name, d.outcome]));
    expect(byName).toEqual({ [OLD]: 'removed', [OLD_LIVE]: 'live run', [OLD_CHECKED_OUT]: 'removed', [RECENT]: 'recent' });
    await expect(access(join(repo, '.tourney', 'runs', OLD))).rejects.toThrow();
    const pruned = await pruneBranches(repo, options);
    expect(pruned.find((p) => p.name === `tourney/${OLD_CHECKED_OUT}/tidy`)?.outcome).toBe('checked out');
    expect(await branches()).toEqual([`tourney/${OLD_CHECKED_OUT}/tidy`, `tourney/${OLD_LIVE}/tidy`, `tourney/${RECENT}/tidy`].sort());
  });

  it('a run the engine knows to be live keeps its branches', async () => {
    const pruned = await pruneBranches(repo, { before: Date.now() + 86_400_000, dryRun: true, liveRuns: new Set([RECENT]) });
    expect(pruned.find((p) => p.name === `tourney/${RECENT}/tidy`)?.outcome).toBe('live run');
  });
});
