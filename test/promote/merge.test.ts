import { afterEach, describe, expect, test, vi } from 'vitest';
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promote } from '../../src/promote/promote.js';
import { parseTrailers, sha256Tag } from '../../src/promote/provenance.js';
import { rerenderReport } from '../../src/cli/report-command.js';
import type { PromoteOptions } from '../../src/promote/types.js';
import { TourneyError } from '../../src/errors.js';
import { cli } from '../support/cli.js';
import { makePromoteFixture, snapshot, RUN_ID, WINNER_CHANGE, type PromoteFixture } from './fixture.js';

const fixtures: PromoteFixture[] = [];
async function fixture(options?: Parameters<typeof makePromoteFixture>[0]) {
  const fx = await makePromoteFixture(options);
  fixtures.push(fx);
  return fx;
}
afterEach(async () => {
  for (const fx of fixtures.splice(0)) await fx.cleanup();
});

const WINNER = `tourney/${RUN_ID}/winner`;
const opts = (fx: PromoteFixture, extra: Partial<PromoteOptions> = {}): PromoteOptions => ({
  repo: fx.repo, run: 'latest', mode: 'merge', remote: 'origin', draft: false, labels: [], dryRun: false, env: {}, ...extra,
});

async function refusal(p: Promise<unknown>): Promise<TourneyError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(TourneyError);
  return err as TourneyError;
}

async function tempDirsLeft(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((n) => n.startsWith('tourney-merge-'));
}

describe('provenance', () => {
  test('the winner commit carries the run id, the spec hash and the hash of result.json as written', async () => {
    const fx = await fixture();
    const message = await fx.git('log', '-1', '--format=%B', WINNER);
    const p = parseTrailers(message);
    expect(p).toEqual({
      runId: RUN_ID,
      spec: sha256Tag(await readFile(fx.specPath)),
      result: sha256Tag(await readFile(path.join(fx.runDir, 'result.json'))),
    });
    expect(await fx.git('rev-parse', `${WINNER}^`)).toBe(fx.base);
    // Same tree as the winner entrant's own branch: the trailers are the only difference.
    expect(await fx.git('rev-parse', `${WINNER}^{tree}`)).toBe(await fx.git('rev-parse', `tourney/${RUN_ID}/careful^{tree}`));
    const json = JSON.parse(await readFile(path.join(fx.runDir, 'result.json'), 'utf8'));
    expect(json.winnerBranch).toBe(WINNER);
    expect(json.startBranch).toBe('main');
    expect(json.entrants.find((e: { name: string }) => e.name === 'careful').branch).toBe(`tourney/${RUN_ID}/careful`);
    expect(await readFile(path.join(fx.runDir, 'pr.md'), 'utf8')).toMatch(/^### Add a slugify helper/);
  });

  test('tourney report does not rewrite result.json (the hash keeps matching)', async () => {
    const fx = await fixture();
    const before = await readFile(path.join(fx.runDir, 'result.json'));
    await rerenderReport(fx.runDir);
    expect(await readFile(path.join(fx.runDir, 'result.json'))).toEqual(before);
    await expect(promote(opts(fx, { mode: 'branch' }))).resolves.toBeTruthy();
  });

  test('a changed result.json, a missing or moved winner branch or no winner is refused', async () => {
    const fx = await fixture();
    const file = path.join(fx.runDir, 'result.json');
    const original = await readFile(file, 'utf8');
    await writeFile(file, original.replace('"winner": "careful"', '"winner": "careful" '));
    expect((await refusal(promote(opts(fx)))).message).toMatch(/result\.json: does not match the winner commit's Tourney-Result trailer/);
    await writeFile(file, original);
    // The winner branch moved to a commit with the same message and parent but another tree: the
    // trailers can be copied, the tree cannot be forged.
    const winnerCommit = await fx.git('rev-parse', WINNER);
    const message = await fx.git('log', '-1', '--format=%B', WINNER);
    const base = await fx.git('rev-parse', `${WINNER}^1`);
    const forged = await fx.git('commit-tree', `${base}^{tree}`, '-p', base, '-m', message);
    await fx.git('branch', '-f', WINNER, forged);
    expect((await refusal(promote(opts(fx)))).message).toMatch(/its tree [0-9a-f]{12} is not the run's base plus careful's diff/);
    await fx.git('branch', '-f', WINNER, winnerCommit);
    await fx.git('branch', '-f', WINNER, `tourney/${RUN_ID}/careful`);
    expect((await refusal(promote(opts(fx)))).message).toMatch(/no Tourney-Run\/Tourney-Spec\/Tourney-Result trailers/);
    await fx.git('branch', '-D', WINNER);
    const missing = await refusal(promote(opts(fx)));
    expect(missing.exitCode).toBe(2);
    expect(missing.message).toMatch(new RegExp(`branch ${WINNER} .* does not exist`));

    const none = await fixture({ winner: null });
    const noWinner = await refusal(promote(opts(none)));
    expect(noWinner.exitCode).toBe(1);
    expect(noWinner.message).toMatch(/no winner \(no entrant passed every gate\); nothing to promote/);
  });
});

describe('promote --to branch', () => {
  test('says where the branch is, changes nothing, and can be repeated', async () => {
    const fx = await fixture();
    const before = await snapshot(fx.repo);
    for (let i = 0; i < 2; i++) {
      const { code, stdout } = await cli('promote', '--repo', fx.repo);
      expect(code).toBe(0);
      expect(stdout).toContain(`on branch ${WINNER} at `);
    }
    const after = await snapshot(fx.repo);
    // Only promote.json is new.
    expect(after).toContain('promote.json');
    expect(after.split('\n').filter((l) => !l.includes('/promote.json')).join('\n')).toBe(before);
    expect(JSON.parse(await readFile(path.join(fx.runDir, 'promote.json'), 'utf8'))).toMatchObject({ mode: 'branch', action: 'kept', winnerBranch: WINNER });
  });
});

describe('promote --to merge', () => {
  test('fast-forwards the checked-out start branch when it is still at the base', async () => {
    const fx = await fixture();
    const winner = await fx.git('rev-parse', WINNER);
    const { code, stdout, stderr } = await cli('promote', RUN_ID, '--repo', fx.repo, '--to', 'merge');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/fast-forward main/);
    expect(await fx.git('rev-parse', 'main')).toBe(winner);
    // The user's checkout moved with it, cleanly.
    expect(await readFile(path.join(fx.repo, 'src/slug.js'), 'utf8')).toBe(WINNER_CHANGE['src/slug.js']);
    expect(await fx.git('status', '--porcelain')).toBe('');
    const record = JSON.parse(await readFile(path.join(fx.runDir, 'promote.json'), 'utf8'));
    expect(record).toMatchObject({ mode: 'merge', action: 'fast-forward', target: 'main', oldSha: fx.base, newSha: winner });
    // Again: nothing to do.
    const again = await cli('promote', RUN_ID, '--repo', fx.repo, '--to', 'merge');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already contains/);
  });

  test('a target that moved gets a real merge commit (packet summary + trailers), made off to the side', async () => {
    const fx = await fixture();
    await writeFile(path.join(fx.repo, 'README.md'), '# slugs\n\nnow with docs\n');
    await fx.git('commit', '-qam', 'docs');
    const moved = await fx.git('rev-parse', 'main');
    const winner = await fx.git('rev-parse', WINNER);
    const { record } = await promote(opts(fx));
    expect(record.action).toBe('merge');
    const head = await fx.git('rev-parse', 'main');
    expect(await fx.git('rev-list', '--parents', '-n', '1', head)).toBe(`${head} ${moved} ${winner}`);
    const message = await fx.git('log', '-1', '--format=%B', head);
    expect(message.split('\n')[0]).toBe('Add a slugify helper (tourney winner: careful)');
    expect(message).toMatch(/careful \(anthropic\/claude-sonnet-4-5\) won "Add a slugify helper"/);
    expect(parseTrailers(message)).toEqual(parseTrailers(await fx.git('log', '-1', '--format=%B', winner)));
    expect(await fx.git('log', '-1', '--format=%an <%ae>', head)).toBe('Dev <dev@example.com>');
    expect(await readFile(path.join(fx.repo, 'src/new.js'), 'utf8')).toBe(WINNER_CHANGE['src/new.js']);
    expect(await readFile(path.join(fx.repo, 'README.md'), 'utf8')).toContain('now with docs');
    expect(await fx.git('status', '--porcelain')).toBe('');
    expect(await fx.git('worktree', 'list')).not.toMatch(/tourney-merge-/);
  });

  test('a conflict is refused with the paths; the target is untouched and the temp worktree gone', async () => {
    const fx = await fixture();
    await writeFile(path.join(fx.repo, 'src/slug.js'), 'export const slug = (s) => s.toUpperCase();\n');
    await fx.git('commit', '-qam', 'conflicting change');
    const dirsBefore = await tempDirsLeft();
    const before = await snapshot(fx.repo);
    const dry = await cli('promote', '--repo', fx.repo, '--to', 'merge', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/would conflict in src\/slug\.js/);
    const err = await refusal(promote(opts(fx)));
    expect(err.exitCode).toBe(1);
    expect(err.message).toMatch(/cannot merge .* into main: conflict in src\/slug\.js; main was not changed/);
    expect(await snapshot(fx.repo)).toBe(before);
    expect(await tempDirsLeft()).toEqual(dirsBefore);
  });

  const dirty: [string, (fx: PromoteFixture) => Promise<void>, RegExp][] = [
    ['a modified tracked file', async (fx) => writeFile(path.join(fx.repo, 'src/slug.js'), 'my unsaved work\n'), /uncommitted changes .* src\/slug\.js/],
    ['a staged change', async (fx) => { await writeFile(path.join(fx.repo, 'README.md'), 'staged\n'); await fx.git('add', 'README.md'); }, /uncommitted changes .* README\.md/],
    ['an untracked file in the way', async (fx) => writeFile(path.join(fx.repo, 'src/new.js'), 'mine, not committed\n'), /untracked files would be overwritten: src\/new\.js/],
    ['an ignored file in the way', async (fx) => { await writeFile(path.join(fx.repo, '.git/info/exclude'), 'src/new.js\n', { flag: 'a' }); await writeFile(path.join(fx.repo, 'src/new.js'), 'ignored but mine\n'); }, /untracked files would be overwritten: src\/new\.js/],
  ];
  test.each(dirty)('the checked-out target with %s is refused and nothing is lost', async (_what, make, why) => {
    for (const moved of [false, true]) {
      const fx = await fixture();
      if (moved) {
        await writeFile(path.join(fx.repo, 'docs.md'), 'docs\n');
        await fx.git('add', 'docs.md');
        await fx.git('commit', '-qm', 'docs');
      }
      await make(fx);
      const before = await snapshot(fx.repo);
      const err = await refusal(promote(opts(fx)));
      expect(err.exitCode).toBe(1);
      expect(err.message).toMatch(why);
      expect(err.message).toMatch(/nothing was changed/);
      expect(await snapshot(fx.repo)).toBe(before);
    }
  });

  test('a target that is not checked out is moved by compare-and-swap; the checkout is left alone', async () => {
    const fx = await fixture();
    await fx.git('branch', 'release', fx.base);
    await writeFile(path.join(fx.repo, 'src/slug.js'), 'work in progress on main\n');
    const { record } = await promote(opts(fx, { into: 'release' }));
    expect(record).toMatchObject({ action: 'fast-forward', target: 'release', worktree: null });
    expect(await fx.git('rev-parse', 'release')).toBe(await fx.git('rev-parse', WINNER));
    expect(await fx.git('rev-parse', 'main')).toBe(fx.base);
    expect(await readFile(path.join(fx.repo, 'src/slug.js'), 'utf8')).toBe('work in progress on main\n');
    expect(await fx.git('reflog', '-1', '--format=%gs', 'release')).toBe(`tourney promote ${RUN_ID}`);
  });

  test('a target checked out in another worktree is advanced there, and refused there when dirty', async () => {
    const fx = await fixture();
    const other = path.join(fx.repo, '..', `${path.basename(fx.repo)}-wt`);
    await fx.git('worktree', 'add', '-q', '-b', 'feature', other, fx.base);
    await mkdir(path.join(other, 'src'), { recursive: true });
    await writeFile(path.join(other, 'src/slug.js'), 'dirty in the other worktree\n');
    const err = await refusal(promote(opts(fx, { into: 'feature' })));
    expect(err.message).toContain(`checked out in ${other}`);
    expect(await fx.git('rev-parse', 'feature')).toBe(fx.base);
    await fx.git('-C', other, 'checkout', '--', 'src/slug.js');
    const { record } = await promote(opts(fx, { into: 'feature' }));
    expect(record).toMatchObject({ action: 'fast-forward', worktree: other });
    expect(await readFile(path.join(other, 'src/new.js'), 'utf8')).toBe(WINNER_CHANGE['src/new.js']);
    await fx.git('worktree', 'remove', '--force', other);
  });

  test('--dry-run changes nothing (refs, index, files, worktrees) and prints the plan and the packet', async () => {
    const fx = await fixture();
    await writeFile(path.join(fx.repo, 'README.md'), '# moved\n');
    await fx.git('commit', '-qam', 'moved');
    const before = await snapshot(fx.repo);
    for (const to of ['branch', 'merge', 'pr']) {
      if (to === 'pr') await fx.git('remote', 'add', 'origin', 'https://github.com/octo-org/slugs.git');
      const snap = await snapshot(fx.repo);
      const { code, stdout } = await cli('promote', 'latest', '--repo', fx.repo, '--to', to, '--dry-run');
      expect(code).toBe(0);
      expect(stdout).toMatch(/^dry run, nothing changed; would /);
      expect(stdout).toContain('--- PR packet ---\n### Add a slugify helper');
      if (to === 'merge') expect(stdout).toMatch(/would merge tourney\/.*\/winner .* into main/);
      if (to === 'pr') expect(stdout).toMatch(/would open a pull request on octo-org\/slugs .*-> main/);
      expect(await snapshot(fx.repo)).toBe(snap);
    }
    expect(before).toBeTruthy();
  });

  test('bad input: unknown target branch, detached start without --into, bad mode', async () => {
    const fx = await fixture();
    const unknown = await cli('promote', '--repo', fx.repo, '--to', 'merge', '--into', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--into nope: no such branch/);
    const detached = await fixture({ startBranch: null });
    const d = await cli('promote', '--repo', detached.repo, '--to', 'merge');
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/detached HEAD.*pass --into <branch>/);
    const mode = await cli('promote', '--repo', fx.repo, '--to', 'rebase');
    expect(mode.code).toBe(2);
    expect(mode.stderr).toMatch(/expected one of branch, merge, pr, got "rebase"/);
    const none = await fixture({ winner: null });
    const n = await cli('promote', '--repo', none.repo, '--to', 'merge');
    expect(n.code).toBe(1);
    expect(n.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('run/score --promote', () => {
  test('a --promote that cannot work fails as bad input before any run starts', async () => {
    const fx = await fixture();
    const into = await cli('score', fx.specPath, '--repo', fx.repo, '--candidate', 'a=main', '--promote', 'merge', '--into', 'nope');
    expect(into.code).toBe(2);
    expect(into.stderr).toMatch(/--into nope: no such branch .*nothing was started/);
    const saved = { GITHUB_TOKEN: process.env.GITHUB_TOKEN, GH_TOKEN: process.env.GH_TOKEN };
    delete process.env.GITHUB_TOKEN;
    delete process.env.GH_TOKEN;
    try {
      const pr = await cli('run', fx.specPath, '--repo', fx.repo, '--promote', 'pr');
      expect(pr.code).toBe(2);
      expect(pr.stderr).toMatch(/--promote pr: no GitHub token: set GITHUB_TOKEN or GH_TOKEN; nothing was started/);
    } finally {
      Object.assign(process.env, Object.fromEntries(Object.entries(saved).filter(([, v]) => v !== undefined)));
    }
    await fx.git('checkout', '-q', '--detach');
    const detached = await cli('score', fx.specPath, '--repo', fx.repo, '--candidate', 'a=main', '--promote', 'merge');
    expect(detached.code).toBe(2);
    expect(detached.stderr).toMatch(/HEAD is detached.*pass --into <branch>/);
    // No run started: the only run dir and tourney branches are the fixture's.
    expect(await readdir(path.join(fx.repo, '.tourney', 'runs'))).toEqual([RUN_ID]);
    for (const ref of (await fx.git('for-each-ref', '--format=%(refname)', 'refs/heads/tourney/')).split('\n')) expect(ref).toContain(`/${RUN_ID}/`);
  });

  test('after a run: promotes a winner (output to stderr under --json), and leaves a run without one alone', async () => {
    const { promoteAfterRun } = await import('../../src/cli/promote-command.js');
    const fx = await fixture();
    let err = '';
    let out = '';
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((err += String(c)), true));
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((out += String(c)), true));
    try {
      expect(await promoteAfterRun(fx.result, 'merge', { remote: 'origin', json: true })).toBeNull();
      expect(err).toMatch(/promote: fast-forward main/);
      expect(out).toBe('');
      expect(await fx.git('rev-parse', 'main')).toBe(await fx.git('rev-parse', WINNER));
      err = '';
      expect(await promoteAfterRun({ ...fx.result, winner: null }, 'merge', { remote: 'origin' })).toBeNull();
      expect(err).toMatch(/--promote merge: no winner, nothing promoted/);
      // A refusal becomes promote's exit code, after the run's own output.
      await writeFile(path.join(fx.repo, 'README.md'), 'dirty\n');
      await fx.git('reset', '-q', '--hard', fx.base);
      await writeFile(path.join(fx.repo, 'README.md'), 'dirty\n');
      err = '';
      expect(await promoteAfterRun(fx.result, 'merge', { remote: 'origin' })).toBe(1);
      expect(err).toMatch(/--promote merge: cannot promote into main: .*uncommitted changes.*README\.md/);
    } finally {
      e.mockRestore();
      o.mockRestore();
    }
  });
});
