import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { archiveCommit } from '../../src/git/repo.js';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'tourney-archive-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

const git = (...args: string[]) => execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir });

describe('archiveCommit', () => {
  it('archives a repository that holds only the (excluded) spec as an empty tree, for entrants to fill', async () => {
    await git('init', '-q');
    await writeFile(join(dir, 'feature.md'), '---\ntest: npm test\n---\n');
    await git('add', '.');
    await git('commit', '-qm', 'spec only');
    const out = join(dir, 'base.tar');
    await archiveCommit(dir, 'HEAD', out, ['feature.md']);
    expect((await stat(out)).size).toBe(1024);
    expect((await execa('tar', ['-tf', out])).stdout).toBe('');
  });

  it('archives an empty commit', async () => {
    await git('init', '-q');
    await git('commit', '-q', '--allow-empty', '-m', 'empty');
    const out = join(dir, 'base.tar');
    await archiveCommit(dir, 'HEAD', out);
    expect((await execa('tar', ['-tf', out])).stdout).toBe('');
  });

  it('still fails on a commit that does not exist', async () => {
    await git('init', '-q');
    await git('commit', '-q', '--allow-empty', '-m', 'empty');
    await expect(archiveCommit(dir, 'deadbeef', join(dir, 'x.tar'))).rejects.toThrow(/git archive deadbeef failed/);
  });
});
