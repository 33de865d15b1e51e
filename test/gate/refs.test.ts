import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { resolveGateRefs, changesAnything } from '../../src/gate/refs.js';
import { TourneyError } from '../../src/errors.js';
import { gitIn } from '../support/winner-fixture.js';

// History:  root - m1 (main) - m2 (main moved on)
//                \- d1 (dev, local)        origin/dev = d2, one commit ahead of root on its own line
//           feature = m1 - f1 - f2
let dir: string;
let repo: string;
const c = {} as Record<'root' | 'm1' | 'm2' | 'd1' | 'd2' | 'f1' | 'f2', string>;
const git = (...args: string[]) => gitIn(repo, args);

async function commit(name: string, parent: string): Promise<string> {
  const tree = await git('rev-parse', `${parent}^{tree}`);
  await writeFile(join(dir, 'blob'), name);
  const blob = await git('hash-object', '-w', join(dir, 'blob'));
  // A distinct tree per commit: the parent's tree plus a file named after the commit.
  const entries = await git('ls-tree', tree);
  const newTree = await execa('git', ['mktree'], { cwd: repo, input: `${entries}\n100644 blob ${blob}\t${name}.txt\n` });
  return git('commit-tree', newTree.stdout, '-p', parent, '-m', name);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tourney-gate-refs-'));
  repo = join(dir, 'repo');
  await mkdir(repo);
  await git('init', '-q', '-b', 'main');
  await writeFile(join(repo, 'a.txt'), 'a\n');
  await git('add', '-A');
  await git('commit', '-qm', 'root');
  c.root = await git('rev-parse', 'HEAD');
  c.m1 = await commit('m1', c.root);
  c.m2 = await commit('m2', c.m1);
  c.d1 = await commit('d1', c.root);
  c.d2 = await commit('d2', c.m1);
  c.f1 = await commit('f1', c.m1);
  c.f2 = await commit('f2', c.f1);
  await git('update-ref', 'refs/heads/main', c.m2);
  await git('update-ref', 'refs/heads/dev', c.d1);
  await git('update-ref', 'refs/remotes/origin/dev', c.d2);
  await git('update-ref', 'refs/heads/feature', c.f2);
  await git('update-ref', 'refs/heads/lonely', await git('commit-tree', `${c.root}^{tree}`, '-m', 'unrelated root'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const resolve = (o: { head?: string; base?: string; env?: NodeJS.ProcessEnv }) => resolveGateRefs(repo, { env: {}, ...o });

describe('resolveGateRefs', () => {
  it('--base wins over everything, and head defaults to HEAD', async () => {
    expect(await resolve({ base: c.root, env: { GITHUB_BASE_REF: 'dev' } })).toEqual({ head: c.m2, base: c.root, baseSource: `--base ${c.root}` });
  });

  it('$GITHUB_BASE_REF: the merge base with origin/<ref>, before a local branch of that name', async () => {
    const r = await resolve({ head: 'feature', env: { GITHUB_BASE_REF: 'dev' } });
    expect(r).toEqual({ head: c.f2, base: c.m1, baseSource: 'merge base with origin/dev ($GITHUB_BASE_REF)' });
    await git('update-ref', '-d', 'refs/remotes/origin/dev');
    try {
      expect(await resolve({ head: 'feature', env: { GITHUB_BASE_REF: 'dev' } })).toEqual({ head: c.f2, base: c.root, baseSource: 'merge base with dev ($GITHUB_BASE_REF)' });
    } finally {
      await git('update-ref', 'refs/remotes/origin/dev', c.d2);
    }
  });

  it('$GITHUB_BASE_REF naming nothing: bad input that says to fetch or pass --base', async () => {
    const err = await resolve({ env: { GITHUB_BASE_REF: 'release' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TourneyError);
    expect((err as TourneyError).message).toBe(`$GITHUB_BASE_REF is "release", but neither origin/release nor a local branch release exists in ${repo}`);
    expect((err as TourneyError).hint).toMatch(/fetch-depth: 0.*--base REF/);
    expect((err as TourneyError).exitCode).toBe(2);
  });

  it('without it: origin/HEAD first, then main, then master', async () => {
    await git('update-ref', 'refs/remotes/origin/trunk', c.m1);
    await git('symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/trunk');
    try {
      expect(await resolve({ head: 'feature' })).toEqual({ head: c.f2, base: c.m1, baseSource: 'merge base with origin/HEAD (the default branch)' });
    } finally {
      await git('symbolic-ref', '--delete', 'refs/remotes/origin/HEAD');
    }
    expect(await resolve({ head: 'dev' })).toEqual({ head: c.d1, base: c.root, baseSource: 'merge base with main (the default branch)' });
    await git('branch', '-q', '-m', 'main', 'master');
    try {
      expect(await resolve({ head: 'feature' })).toMatchObject({ base: c.m1, baseSource: 'merge base with master (the default branch)' });
      await git('branch', '-q', '-m', 'master', 'elsewhere');
      await expect(resolve({ head: 'feature' })).rejects.toThrow(/^cannot tell which commit to gate against in .*: no --base, no \$GITHUB_BASE_REF, and none of origin\/HEAD, main or master exists; pass --base REF$/);
    } finally {
      await git('branch', '-q', '-m', (await git('branch', '--list', 'master')) ? 'master' : 'elsewhere', 'main');
    }
  });

  it.each([
    [{ head: 'no-such-branch' }, /^--head "no-such-branch": not a commit/],
    [{ head: '--output=x' }, /^--head "--output=x": not a commit/],
    [{ base: 'v9.9' }, /^--base "v9.9": not a commit/],
    [{ base: `${'f'.repeat(40)}` }, /^--base "f{40}": not a commit/],
    [{ head: 'lonely' }, /^head [0-9a-f]{12} shares no history with main; pass --base REF/],
  ])('refuses %j with a one-line error', async (o, message) => {
    const err = await resolve(o).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TourneyError);
    expect((err as Error).message).toMatch(message);
  });

  it('changesAnything: not the same commit, another commit of the same tree, or one changing only excluded paths', async () => {
    expect(await changesAnything(repo, c.m1, c.m1)).toBe(false);
    const twin = await git('commit-tree', `${c.m1}^{tree}`, '-p', c.m1, '-m', 'empty');
    expect(await changesAnything(repo, c.m1, twin)).toBe(false);
    expect(await changesAnything(repo, c.m1, c.m2)).toBe(true);
    // m2 adds only m2.txt; f2 adds f1.txt and f2.txt.
    expect(await changesAnything(repo, c.m1, c.m2, ['m2.txt'])).toBe(false);
    expect(await changesAnything(repo, c.m1, c.f2, ['f1.txt'])).toBe(true);
    expect(await changesAnything(repo, c.m1, c.f2, ['f1.txt', 'f2.txt'])).toBe(false);
  });
});
