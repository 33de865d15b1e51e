import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { mdInline as mdText } from '../../src/text/markdown.js';
import { unsafeToAdvance } from '../../src/promote/worktrees.js';

describe('mdText', () => {
  it('drops bidi overrides and other format characters, which would reorder a file name in review', () => {
    const shown = mdText('saved x\u202Egnp.exe and a\u2066hidden\u2069 b\u200dc');
    expect(shown).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200d]/u);
    expect(shown).toContain('xgnp.exe');
  });
});

describe('unsafeToAdvance', () => {
  let repo: string;
  const git = (...args: string[]) => execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo }).then((r) => r.stdout);
  beforeEach(async () => {
    repo = await mkdtemp(join(tmpdir(), 'tourney-advance-'));
    await git('init', '-q', '-b', 'main');
    await writeFile(join(repo, 'a.txt'), 'a\n');
    await git('add', '-A');
    await git('commit', '-qm', 'base');
  });
  afterEach(() => rm(repo, { recursive: true, force: true }));

  it('refuses when the new commit adds dir/file where an ignored file named "dir" sits (git would replace it)', async () => {
    const from = await git('rev-parse', 'HEAD');
    await git('checkout', '-qb', 'winner');
    await mkdir(join(repo, 'notes'));
    await writeFile(join(repo, 'notes', 'plan.md'), 'plan\n');
    await git('add', '-A');
    await git('commit', '-qm', 'adds notes/plan.md');
    const to = await git('rev-parse', 'HEAD');
    await git('checkout', '-q', 'main');
    await writeFile(join(repo, '.git', 'info', 'exclude'), 'notes\n');
    await writeFile(join(repo, 'notes'), 'my private notes, ignored by git\n');
    expect(await unsafeToAdvance(repo, from, to)).toMatch(/untracked files would be overwritten: notes;/);
    await rm(join(repo, 'notes'));
    expect(await unsafeToAdvance(repo, from, to)).toBeNull();
  });
});
