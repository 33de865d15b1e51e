import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyWinner, resolveWinnerSource, type WinnerSource } from '../../src/gate/winner.js';
import { TourneyError } from '../../src/errors.js';
import { formatTrailers } from '../../src/promote/provenance.js';
import { createWinnerCommit } from '../../src/run/branches.js';
import type { RunResult } from '../../src/types.js';
import { commitPatch, diffOf, gitIn, makeWinnerRun, winnerMessage, type WinnerRun } from '../support/winner-fixture.js';

// Provenance checks on real repositories: every value in a trailer block is someone's claim, and
// each kind of false claim must fail on its own check, with a reason that names it.

let dir: string;
let repo: string;
let spec: string;
let base: string;
let patch: string;
let counter = 0;
const git = (...args: string[]) => gitIn(repo, args);
const auto: WinnerSource = { kind: 'auto' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tourney-gate-winner-'));
  repo = join(dir, 'repo');
  spec = join(dir, 'feature.md');
  await writeFile(spec, '---\ntitle: Win\ntest: "true"\n---\n# Win\n');
  await mkdir(repo);
  await git('init', '-q', '-b', 'main');
  await writeFile(join(repo, 'a.txt'), 'a\n');
  await writeFile(join(repo, 'b.txt'), 'b\n');
  await git('add', '-A');
  await git('commit', '-qm', 'base');
  base = await git('rev-parse', 'HEAD');
  // The winner's change, as git diffs it: one file changed, one added.
  await git('checkout', '-qb', 'work');
  await writeFile(join(repo, 'a.txt'), 'a\nwinning change\n');
  await writeFile(join(repo, 'new.txt'), 'added\n');
  await git('add', '-A');
  await git('commit', '-qm', 'work');
  patch = await diffOf(repo, base, 'work');
  await git('checkout', '-q', 'main');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A fresh run (its own id) and its winner commit on base. */
async function winnerCommit(over: { result?: Record<string, unknown>; trailers?: (run: WinnerRun) => WinnerRun['provenance'] } = {}): Promise<{ run: WinnerRun; commit: string }> {
  counter += 1;
  const run = await makeWinnerRun(repo, { runId: `20261202-0100${String(counter).padStart(2, '0')}-ab${counter}`, base, patch, specPath: spec, ...(over.result && { result: over.result }) });
  const commit = await commitPatch(repo, { base, patch, message: winnerMessage('Win', over.trailers?.(run) ?? run.provenance) });
  return { run, commit };
}

const check = (head: string, source: WinnerSource = auto, specPath = spec) => verifyWinner({ root: repo, base, head, specPath, source });

describe('verifyWinner: a genuine winner', () => {
  it('passes the winner commit itself, naming the run and the winner', async () => {
    const { run, commit } = await winnerCommit();
    const v = await check(commit);
    expect(v).toMatchObject({ passed: true, commit, runId: run.runId, winner: 'alpha', laterCommits: 0, runDir: run.runDir });
    expect(v.reason).toContain(`the winner of run ${run.runId}`);
  });

  it('passes the winner commit tourney itself makes (createWinnerCommit, the promote path)', async () => {
    const run = await makeWinnerRun(repo, { runId: '20261202-013333-cafe', base, patch, specPath: spec });
    const result = { runId: run.runId, runDir: run.runDir, repo, baseCommit: base, winner: 'alpha', winnerBranch: `tourney/${run.runId}/winner`, spec: { title: 'Win' }, entrants: [{ name: 'alpha', model: 'scripted/x', diffPath: 'entrants/alpha/diff.patch' }] } as unknown as RunResult;
    const commit = await createWinnerCommit(result, { path: spec });
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    expect(await check(commit!)).toMatchObject({ passed: true, commit, runId: run.runId, winner: 'alpha' });
  });

  it('passes the winner plus later commits, and counts them', async () => {
    const { run, commit } = await winnerCommit();
    const later1 = await gitIn(repo, ['commit-tree', `${commit}^{tree}`, '-p', commit, '-m', 'later 1']);
    const later2 = await gitIn(repo, ['commit-tree', `${commit}^{tree}`, '-p', later1, '-m', 'later 2: mentions Tourney-Run: x in its body']);
    const v = await check(later2, { kind: 'run', ref: run.runDir, runDir: run.runDir });
    expect(v).toMatchObject({ passed: true, commit, laterCommits: 2 });
    expect(v.reason).toContain('2 later commits');
  });

  it('finds a winner reached through a merge parent', async () => {
    const { commit } = await winnerCommit();
    const side = await gitIn(repo, ['commit-tree', `${base}^{tree}`, '-p', base, '-m', 'unrelated work']);
    const merged = await commitPatch(repo, { base, patch, parent: side, message: 'merge' });
    const merge = await gitIn(repo, ['commit-tree', `${merged}^{tree}`, '-p', side, '-p', commit, '-m', 'Merge the winner']);
    expect(await check(merge)).toMatchObject({ passed: true, commit });
  });

  it('passes over promote --to merge\'s merge commit (same trailers) to the winner commit, its second parent', async () => {
    const { run, commit } = await winnerCommit();
    const moved = await gitIn(repo, ['commit-tree', `${base}^{tree}`, '-p', base, '-m', 'main moved on']);
    const merged = await commitPatch(repo, { base, patch, parent: moved, message: 'x' });
    const merge = await gitIn(repo, ['commit-tree', `${merged}^{tree}`, '-p', moved, '-p', commit, '-m', winnerMessage('Merge the winner', run.provenance)]);
    expect(await check(merge)).toMatchObject({ passed: true, commit, laterCommits: 2 });
    // A merge commit alone proves nothing, whatever it claims.
    const lonely = await gitIn(repo, ['commit-tree', `${merged}^{tree}`, '-p', moved, '-p', merged, '-m', winnerMessage('Merge', run.provenance)]);
    expect((await check(lonely)).reason).toMatch(/^no commit in .* carries the trailers .* \(merge commits aside\)/);
  });

  it('never touches the user\'s index or working tree', async () => {
    const { commit } = await winnerCommit();
    await writeFile(join(repo, 'b.txt'), 'b\nstaged\n');
    await git('add', 'b.txt');
    await writeFile(join(repo, 'a.txt'), 'a\nunstaged\n');
    const before = await git('status', '--porcelain');
    const diffBefore = await git('diff', '--cached');
    expect((await check(commit)).passed).toBe(true);
    expect(await git('status', '--porcelain')).toBe(before);
    expect(await git('diff', '--cached')).toBe(diffBefore);
    await git('checkout', '-q', 'HEAD', '--', 'a.txt', 'b.txt');
  });
});

describe('verifyWinner: false claims fail, each on its own check', () => {
  it('a run dir the gated head carries itself (its author wrote result.json and the trailers together)', async () => {
    // The reward hacker's way: trailers naming a run dir that the change itself adds under .tourney/.
    const { run, commit } = await winnerCommit();
    const scratch = await mkdtemp(join(tmpdir(), 'carried-'));
    try {
      const env = { GIT_INDEX_FILE: join(scratch, 'index') };
      await gitIn(repo, ['read-tree', commit], env);
      await gitIn(repo, ['add', '-f', join('.tourney', 'runs', run.runId)], env);
      const tree = await gitIn(repo, ['write-tree'], env);
      const carried = await gitIn(repo, ['commit-tree', tree, '-p', commit, '-m', 'add the proof'], env);
      const v = await check(carried);
      expect(v.passed).toBe(false);
      expect(v.reason).toMatch(/the run dir .* is part of the gated head \(committed with the change\), so it cannot vouch for it/);
      // The same run dir, not committed, still vouches for the same winner commit.
      expect((await check(commit)).passed).toBe(true);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it('a head with no trailers', async () => {
    const plain = await commitPatch(repo, { base, patch, message: 'just a change\n\nTourney-Run: 20261202-010000-ab1\n' });
    const v = await check(plain);
    expect(v.passed).toBe(false);
    expect(v.commit).toBeUndefined();
    expect(v.reason).toMatch(/^no commit in [0-9a-f]{12}\.\.[0-9a-f]{12} \(1 commit\) carries the trailers Tourney-Run, Tourney-Spec and Tourney-Result/);
  });

  it('forged trailers on a different tree (the run\'s own hashes, another change)', async () => {
    const { run } = await winnerCommit();
    const other = patch.replace('+winning change', '+something else');
    const forged = await commitPatch(repo, { base, patch: other, message: winnerMessage('Win', run.provenance) });
    const v = await check(forged);
    expect(v).toMatchObject({ passed: false, commit: forged, runId: run.runId });
    expect(v.reason).toMatch(/its tree [0-9a-f]{12} is not the run's base plus alpha's diff/);
  });

  it('a result.json changed after the promotion (or another run\'s)', async () => {
    const { run, commit } = await winnerCommit();
    await appendFile(join(run.runDir, 'result.json'), ' ');
    const v = await check(commit);
    expect(v.passed).toBe(false);
    expect(v.reason).toContain(`Tourney-Result is ${run.provenance.result}, but ${join(run.runDir, 'result.json')} hashes to sha256:`);
  });

  it('another spec than the one the run was for', async () => {
    const { run, commit } = await winnerCommit();
    const otherSpec = join(dir, 'other.md');
    await writeFile(otherSpec, '---\ntitle: Other\ntest: "true"\n---\n# Other\n');
    const v = await check(commit, auto, otherSpec);
    expect(v.passed).toBe(false);
    expect(v.reason).toContain(`Tourney-Spec is ${run.provenance.spec}, but the spec ${otherSpec} hashes to sha256:`);
  });

  it('a run id that is not the run dir\'s', async () => {
    const { run: real } = await winnerCommit();
    // The trailer claims run X, but RUN given to --require-winner is another run whose hash it copied.
    const claimed = { ...real.provenance, runId: '20261202-019999-ffff' };
    const commit = await commitPatch(repo, { base, patch, message: winnerMessage('Win', claimed) });
    const v = await check(commit, { kind: 'run', ref: real.runDir, runDir: real.runDir });
    expect(v.passed).toBe(false);
    expect(v.reason).toContain(`Tourney-Run is 20261202-019999-ffff, but ${join(real.runDir, 'result.json')} is of run ${real.runId}`);
  });

  it('auto, when the run dir the trailer names is not there', async () => {
    const { run, commit } = await winnerCommit();
    await rm(run.runDir, { recursive: true });
    const v = await check(commit);
    expect(v.passed).toBe(false);
    expect(v.reason).toContain(`names run ${run.runId}, but ${run.runDir} does not exist`);
    expect(v.reason).toContain('download');
  });

  it('a run with no winner, or a winner it was not confident about', async () => {
    const none = await winnerCommit({ result: { winner: null } });
    expect((await check(none.commit)).reason).toMatch(/has no winner/);
    const unsure = await winnerCommit({ result: { selection: { decidedBy: 'score', leader: 'alpha', runnerUp: 'beta', margin: 0.5, decidingParts: [], tieBreak: null, minMargin: 2, confident: false, summary: 'alpha leads beta by 0.5 points: below the minimum margin of 2 points' } } });
    expect((await check(unsure.commit)).reason).toMatch(/not confident: alpha leads beta by 0\.5 points/);
  });

  it('a result.json that the trailers vouch for but that is no tourney result (hand-edited before the promotion)', async () => {
    const edited = await winnerCommit({ result: { entrants: [{ name: '../../alpha' }] } });
    const v = await check(edited.commit);
    expect(v.passed).toBe(false);
    expect(v.reason).toMatch(/result\.json: key "entrants\[0\]\.name": expected a name of 1-40 lower-case letters.*got "\.\.\/\.\.\/alpha"/);
  });

  it('a winner commit that is not on the run\'s base', async () => {
    const { run } = await winnerCommit();
    const elsewhere = await gitIn(repo, ['commit-tree', `${base}^{tree}`, '-p', base, '-m', 'elsewhere']);
    const commit = await commitPatch(repo, { base, patch, parent: elsewhere, message: winnerMessage('Win', run.provenance) });
    const v = await check(commit);
    expect(v.passed).toBe(false);
    expect(v.reason).toMatch(/has parent [0-9a-f]{12}, but run .* started from [0-9a-f]{12}/);
  });

  it('a half-written trailer block proves nothing', async () => {
    const { run } = await winnerCommit();
    const half = formatTrailers(run.provenance).split('\n').slice(0, 2).join('\n');
    const commit = await commitPatch(repo, { base, patch, message: `Win\n\n${half}\n` });
    expect((await check(commit)).reason).toMatch(/^no commit in/);
  });
});

describe('resolveWinnerSource', () => {
  it('takes auto, a run dir or a run id, and refuses anything else as bad input', async () => {
    const { run } = await winnerCommit();
    expect(await resolveWinnerSource(repo, 'auto')).toEqual({ kind: 'auto' });
    expect(await resolveWinnerSource(repo, run.runId)).toMatchObject({ kind: 'run', runDir: run.runDir });
    await expect(resolveWinnerSource(repo, join(dir, 'nope'))).rejects.toThrow(TourneyError);
    await expect(resolveWinnerSource(repo, join(dir, 'nope'))).rejects.toThrow(/^--require-winner: run ".*nope": no such directory/);
  });
});
