import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { candidatePatch, parseCandidates, resolveBase } from '../../src/score/candidates.js';

let repo: string;
let base: string;
const git = async (...a: string[]) => (await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...a], { cwd: repo })).stdout;

beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), 'tourney-cand-'));
  await git('init', '-q', '-b', 'main');
  await writeFile(join(repo, 'a.txt'), 'a\n');
  await git('add', '-A');
  await git('commit', '-qm', 'base');
  base = await git('rev-parse', 'HEAD');
  await git('checkout', '-qb', 'feat');
  await writeFile(join(repo, 'a.txt'), 'a\nb\n');
  await git('commit', '-qam', 'feat');
  await git('checkout', '-q', 'main');
  await writeFile(join(repo, 'a.txt'), 'a\nmain moved on\n');
  await git('commit', '-qam', 'main moves');
  await writeFile(join(repo, 'fix.patch'), 'diff --git a/a.txt b/a.txt\n');
});
afterAll(() => rm(repo, { recursive: true, force: true }));

describe('--candidate', () => {
  it('leaves excluded paths (the gate\'s spec) out of a ref\'s diff', async () => {
    await git('checkout', '-qb', 'with-spec', base);
    await writeFile(join(repo, 'a.txt'), 'a\nc\n');
    await writeFile(join(repo, 'spec.md'), '# spec\n');
    await git('add', 'a.txt', 'spec.md');
    await git('commit', '-qm', 'code and spec');
    await git('checkout', '-q', 'main');
    const [c] = await parseCandidates(repo, ['s=with-spec']);
    expect(await candidatePatch(repo, base, c!)).toContain('spec.md');
    const patch = await candidatePatch(repo, base, c!, Infinity, ['spec.md']);
    expect(patch).toContain('+c');
    expect(patch).not.toContain('spec.md');
  });

  it('takes refs and patch files, and bases refs on their merge base with HEAD', async () => {
    const c = await parseCandidates(repo, ['x=feat', `y=${join(repo, 'fix.patch')}`]);
    expect(c.map((s) => [s.name, s.kind])).toEqual([['x', 'ref'], ['y', 'patch']]);
    const head = await git('rev-parse', 'HEAD');
    expect(await resolveBase(repo, head, c)).toBe(base);
    const patch = await candidatePatch(repo, base, c[0]!);
    expect(patch).toContain('+b');
    expect(patch).not.toContain('main moved on');
  });

  it.each([
    [[], /--candidate: expected at least one/],
    [['feat'], /--candidate "feat": expected NAME=REF_OR_PATCH/],
    [['X=feat'], /expected a name of 1-40 lower-case/],
    [['x=feat', 'x=main'], /the name "x" is used by another candidate/],
    [['winner=feat'], /expected a name other than "winner": tourney keeps the winner's branch as tourney\/<run>\/winner/],
    [['x=nope'], /"nope" is neither a patch file nor a git ref/],
  ])('rejects %j', async (values, message) => {
    await expect(parseCandidates(repo, values)).rejects.toThrow(message);
  });

  it('rejects a --base that is not a ref', async () => {
    await expect(resolveBase(repo, base, [], 'nope')).rejects.toThrow(/--base "nope": not a git ref/);
  });
});
