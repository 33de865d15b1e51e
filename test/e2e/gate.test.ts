import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Engine } from '../../src/sandbox/engine.js';
import { cli } from '../support/cli.js';
import type { RunResult } from '../../src/types.js';
import { ensureTestImage, leftoverResources } from '../support/docker.js';
import { makeScoreFixture, type ScoreFixture } from '../support/score-fixture.js';
import { commitPatch, diffOf, gitIn, makeWinnerRun, winnerMessage, type WinnerRun } from '../support/winner-fixture.js';

// Two real gates on the score fixture, both on a promoted winner (the correct wordCount) with one
// later commit: one that adds a passing test, one that breaks capitalize. The whole head is
// refereed, so the later commit decides: the first passes every gate, the second fails on tests.

describe('tourney gate: a promoted winner plus a later commit, refereed for real', () => {
  let engine: Engine;
  let fixture: ScoreFixture;
  let run: WinnerRun;
  let winnerCommit: string;
  let good: { code: number; stderr: string; result: RunResult };
  let bad: { code: number; stderr: string; result: RunResult };
  const git = (...args: string[]) => gitIn(fixture.repo, args);

  async function later(name: string, files: Record<string, string>): Promise<string> {
    await git('checkout', '-q', '-b', name, winnerCommit);
    for (const [path, content] of Object.entries(files)) await writeFile(join(fixture.repo, path), content);
    await git('add', '-A', 'src', 'test');
    await git('commit', '-qm', name);
    await git('checkout', '-q', 'main');
    return git('rev-parse', name);
  }

  const gate = async (...args: string[]) => {
    const r = await cli('gate', fixture.spec, '--repo', fixture.repo, '--json', '--quiet', ...args);
    return { code: r.code, stderr: r.stderr, result: JSON.parse(r.stdout) as RunResult };
  };

  beforeAll(async () => {
    engine = await ensureTestImage();
    fixture = await makeScoreFixture();
    const base = await git('rev-parse', 'main');
    const patch = await diffOf(fixture.repo, base, 'cand/correct');
    run = await makeWinnerRun(fixture.repo, { runId: '20261202-015000-9a7e', base, patch, specPath: fixture.spec, winner: 'correct' });
    winnerCommit = await commitPatch(fixture.repo, { base, patch, message: winnerMessage('Count words separated by any whitespace', run.provenance) });
    await later('more-tests', { 'test/extra.test.js': "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { wordCount } from '../src/text.js';\n\ntest('one word', () => assert.equal(wordCount('word'), 1));\n" });
    const text = await git('show', `${winnerCommit}:src/text.js`);
    await later('breaks-capitalize', { 'src/text.js': text.replace('text[0].toUpperCase() + text.slice(1)', 'text') });
    // Default base (the merge base with main) and the run found by the trailer (auto)...
    good = await gate('--head', 'more-tests', '--require-winner', 'auto');
    // ...and an explicit base and run dir.
    bad = await gate('--head', 'breaks-capitalize', '--base', 'main', '--require-winner', run.runDir, '--junit', join(fixture.repo, '..', 'gate.junit.xml'));
  }, 900_000);

  afterAll(async () => {
    await fixture?.cleanup();
  });

  it('passes the winner plus a commit that passes too: exit 0, every gate listed as passed', async () => {
    expect(good.code).toBe(0);
    expect(good.stderr).toContain(`tourney: gate passed: head ${(await git('rev-parse', 'more-tests')).slice(0, 12)} passed every gate`);
    const r = good.result;
    expect(r.mode).toBe('gate');
    expect(r.entrants.map((e) => e.name)).toEqual(['head']);
    const head = r.entrants[0]!;
    expect(head.eligible).toBe(true);
    expect(head.gates.map((g) => g.gate)).toEqual(['changed', 'tests', 'hiddenTests', 'tampering', 'security', 'injection', 'winner']);
    expect(head.gates.every((g) => g.passed)).toBe(true);
    expect(head.checks.tests?.counts?.passed).toBe(5);
    expect(r.gate).toMatchObject({ passed: true, failures: [], failedFast: false, baseSource: 'merge base with main (the default branch)' });
    expect(r.gate?.provenance).toMatchObject({ passed: true, commit: winnerCommit, runId: run.runId, winner: 'correct', laterCommits: 1 });
  });

  it('fails the winner plus a commit that breaks a test: exit 1, the tests gate named with its reason', () => {
    expect(bad.code).toBe(1);
    const r = bad.result;
    expect(r.gate?.passed).toBe(false);
    expect(r.gate?.baseSource).toBe('--base main');
    expect(r.gate?.failures).toEqual([{ gate: 'tests', reason: '3 passed, 1 failed' }]);
    // One line per failed gate, each with its reason.
    for (const f of r.gate!.failures) expect(bad.stderr).toContain(`tourney: gate failed: ${f.gate}: ${f.reason}\n`);
    // Still the winner, by its trailers: the later commit is what failed.
    expect(r.entrants[0]!.gates.find((g) => g.gate === 'winner')).toMatchObject({ passed: true });
  });

  it('writes --junit for the gated head: the failed gate a failure, the winner check a passed case', async () => {
    const xml = await readFile(join(fixture.repo, '..', 'gate.junit.xml'), 'utf8');
    expect(xml).toMatch(/<testcase name="tests"[^>]*>\s*<failure message="3 passed, 1 failed" type="gate">/);
    expect(xml).toMatch(/<testcase name="winner"[^>]*\/>/);
  });

  it('keeps no branch, runs no judge (saying why), and writes result.json and a gate report', async () => {
    for (const r of [good.result, bad.result]) {
      expect(r.winnerBranch).toBeNull();
      expect(r.judge).toEqual({ ran: false, reason: expect.stringMatching(/^a gate has one candidate.*pairwise needs 2/) });
      const saved = JSON.parse(await readFile(join(r.runDir, 'result.json'), 'utf8')) as RunResult;
      expect(saved.gate).toEqual(r.gate);
      const html = await readFile(r.reportPath, 'utf8');
      expect(html).toContain('tourney scorecard · gate');
      expect(html).toContain(r.gate!.passed ? 'Gate passed' : 'Gate failed:');
      expect(html).toContain('Promoted winner');
    }
    expect(await git('for-each-ref', '--format=%(refname)', 'refs/heads/tourney/')).toBe('');
    // Docker is shared: only these two runs' containers and networks must be gone.
    const ours = (await leftoverResources(engine)).filter((name) => [good.result.runId, bad.result.runId].some((id) => name.includes(id)));
    expect(ours).toEqual([]);
  });
});
