import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli.js';
import { commitPatch, diffOf, gitIn, makeWinnerRun, winnerMessage } from '../support/winner-fixture.js';

// `tourney gate` refusals that need no container: bad input is exit 2 and a forged or missing
// winner is exit 1, both before Docker is touched, so no run dir is ever made for them.

let dir: string;
let repo: string;
let spec: string;
let base: string;
let change: string;
const git = (...args: string[]) => gitIn(repo, args);
const runDirs = () => readdir(join(repo, '.tourney', 'runs')).catch(() => [] as string[]);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tourney-gate-cli-'));
  repo = join(dir, 'repo');
  spec = join(dir, 'feature.md');
  await writeFile(spec, '---\ntitle: Greeting\ntest: node -e "process.exit(0)"\n---\n# Greeting\n\nSay hello.\n');
  await mkdir(repo);
  await git('init', '-q', '-b', 'main');
  await writeFile(join(repo, 'hello.txt'), 'hi\n');
  await git('add', '-A');
  await git('commit', '-qm', 'base');
  base = await git('rev-parse', 'HEAD');
  await git('checkout', '-qb', 'feature');
  await writeFile(join(repo, 'hello.txt'), 'hello\n');
  await git('commit', '-qam', 'say hello');
  change = await git('rev-parse', 'HEAD');
  await git('checkout', '-q', 'main');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const gate = (...args: string[]) => cli('gate', spec, '--repo', repo, '--quiet', ...args);

describe('tourney gate: bad input is exit 2, before Docker', () => {
  it.each([
    [['--head', 'no-such-branch'], /^tourney: --head "no-such-branch": not a commit \(branch, tag or commit id\) in /],
    [['--head', 'feature', '--base', 'v0'], /^tourney: --base "v0": not a commit/],
    [['--head', 'feature', '--require-winner', 'no-such-run'], /^tourney: --require-winner: run "no-such-run": no such directory/],
    [['--judge', 'not-a-model'], /--judge.*expected "provider\/model"/],
  ])('%j', async (args, message) => {
    const run = await gate(...args);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(await runDirs()).toEqual([]);
  });

  it('a spec that is not there', async () => {
    const run = await cli('gate', join(dir, 'missing.md'), '--repo', repo, '--head', 'feature', '-q');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('missing.md');
  });

  it('$GITHUB_BASE_REF naming a branch that was not fetched', async () => {
    process.env.GITHUB_BASE_REF = 'release';
    try {
      const run = await gate('--head', 'feature');
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^tourney: \$GITHUB_BASE_REF is "release", but neither origin\/release nor a local branch release exists/);
      expect(run.stderr).toMatch(/hint: .*--base REF/);
    } finally {
      delete process.env.GITHUB_BASE_REF;
    }
    expect(await runDirs()).toEqual([]);
  });
});

describe('tourney gate: verdicts that need no container are exit 1', () => {
  it('head is the base: nothing to gate, said in one line; --json gives the verdict', async () => {
    const run = await gate('--json');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`tourney: gate failed: changed: head is the base commit (${base.slice(0, 12)}): nothing to gate`);
    const out = JSON.parse(run.stdout) as { gate: { passed: boolean; failedFast: boolean; head: string; base: string; failures: { gate: string }[] } };
    expect(out.gate).toMatchObject({ passed: false, failedFast: true, head: base, base, failures: [{ gate: 'changed' }] });
    expect(await runDirs()).toEqual([]);
  });

  it('a head that only adds its spec (inside the repo): nothing to gate, the spec is not code', async () => {
    await git('checkout', '-qb', 'only-spec', 'main');
    await mkdir(join(repo, 'specs'));
    await writeFile(join(repo, 'specs', 'greet.md'), '---\ntitle: Greeting\ntest: node -e "process.exit(0)"\n---\n# Greeting\n');
    await git('add', '-A', 'specs');
    await git('commit', '-qm', 'spec only');
    // Still checked out: the spec is read from the working tree.
    const run = await cli('gate', join(repo, 'specs', 'greet.md'), '--repo', repo, '--head', 'only-spec', '--base', 'main', '-q');
    await git('checkout', '-q', 'main');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('gate failed: changed: head changes nothing but the spec and its hidden tests, if anything');
    expect(await runDirs()).toEqual([]);
  });

  it('--require-winner on a head with no trailers', async () => {
    const run = await gate('--head', 'feature', '--require-winner', 'auto');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/tourney: gate failed: winner: no commit in [0-9a-f]{12}\.\.[0-9a-f]{12} \(1 commit\) carries the trailers Tourney-Run, Tourney-Spec and Tourney-Result/);
    expect(await runDirs()).toEqual([]);
  });

  it('--require-winner on forged trailers (a genuine run\'s, on another tree)', async () => {
    const patch = await diffOf(repo, base, change);
    const run = await makeWinnerRun(repo, { runId: '20261202-014500-abcd', base, patch, specPath: spec });
    const forged = await commitPatch(repo, { base, patch: patch.replace('+hello', '+hello, and something else'), message: winnerMessage('Say hello', run.provenance) });
    const result = await gate('--head', forged, '--require-winner', 'auto', '--json');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`tourney: gate failed: winner: commit ${forged.slice(0, 12)}: its tree [0-9a-f]{12} is not the run's base plus alpha's diff`));
    expect((JSON.parse(result.stdout) as { gate: { provenance: { passed: boolean; runId: string } } }).gate.provenance).toMatchObject({ passed: false, runId: run.runId });
    // Only the hand-made run dir: the gate made none.
    expect(await runDirs()).toEqual([run.runId]);
  });
});

describe('tourney gate: a change may not move its own bar', () => {
  it.each([
    ['weakens the hidden tests the spec names', 'acceptance/hello.test.js', 'assert.ok(true);\n'],
    ['rewrites the spec it is gated by', 'specs/greeting.md', '---\ntest: "true"\n---\n# Greeting\n'],
    ['adds files under .tourney/ (where --require-winner looks for run dirs)', '.tourney/runs/20261202-000000-aaaa/result.json', '{}\n'],
  ])('refused (exit 1, before Docker) when it %s', async (_what, path, content) => {
    const local = await mkdtemp(join(tmpdir(), 'tourney-gate-bar-'));
    try {
      const g = (...args: string[]) => gitIn(local, args);
      await g('init', '-q', '-b', 'main');
      await mkdir(join(local, 'specs'));
      await mkdir(join(local, 'acceptance'));
      await writeFile(join(local, 'specs', 'greeting.md'), '---\ntest: node -e "process.exit(0)"\nhidden: { files: ../acceptance/, test: node --test tourney-hidden/ }\n---\n# Greeting\n');
      await writeFile(join(local, 'acceptance', 'hello.test.js'), "import assert from 'node:assert';\nassert.equal(1, 1);\n");
      await writeFile(join(local, 'hello.txt'), 'hi\n');
      await g('add', '-A');
      await g('commit', '-qm', 'base with spec and hidden tests');
      await g('checkout', '-qb', 'pr');
      await writeFile(join(local, 'hello.txt'), 'hello\n');
      await mkdir(join(local, path, '..'), { recursive: true });
      await writeFile(join(local, path), content);
      await g('add', '-A', '-f');
      await g('commit', '-qm', 'the change');
      const run = await cli('gate', join(local, 'specs', 'greeting.md'), '--repo', local, '--base', 'main', '-q');
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/gate failed: tampering: the change edits what it is gated by, as the base has it: /);
      expect(run.stderr).toContain(path);
      // No run dir was made (the one committed by the change aside).
      expect((await readdir(join(local, '.tourney', 'runs')).catch(() => [] as string[])).filter((n) => n !== '20261202-000000-aaaa')).toEqual([]);
    } finally {
      await rm(local, { recursive: true, force: true });
    }
  });
});
