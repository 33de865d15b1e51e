import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Engine } from '../../src/sandbox/engine.js';
import { execa } from 'execa';
import { cli } from '../support/cli.js';
import type { EntrantResult, RunResult } from '../../src/types.js';
import { ensureTestImage, leftoverResources } from '../support/docker.js';
import { CANDIDATES, makeScoreFixture, type ScoreFixture } from '../support/score-fixture.js';

describe('tourney score: eight kinds of candidate, every check for real', () => {
  let engine: Engine;
  let fixture: ScoreFixture;
  let result: RunResult;
  let code: number;
  const by: Record<string, EntrantResult> = {};
  const failedGates = (name: string) => by[name]!.gates.filter((g) => !g.passed).map((g) => g.gate);

  beforeAll(async () => {
    engine = await ensureTestImage();
    fixture = await makeScoreFixture();
    // One candidate as a patch file, as someone who ran an agent elsewhere would bring it.
    const patch = (await execa('git', ['diff', '--binary', 'main', 'cand/correct'], { cwd: fixture.repo })).stdout + '\n';
    const patchFile = join(fixture.repo, '..', 'correct-again.patch');
    await writeFile(patchFile, patch);
    const candidates = Object.keys(CANDIDATES).flatMap((name) => ['--candidate', `${name}=cand/${name}`]);
    const run = await cli('score', fixture.spec, '--repo', fixture.repo, ...candidates, '--candidate', `from-patch=${patchFile}`, '--json', '--quiet');
    code = run.code;
    result = JSON.parse(run.stdout) as RunResult;
    for (const e of result.entrants) by[e.name] = e;
  }, 900_000);

  afterAll(async () => {
    await fixture?.cleanup();
  });

  it('picks the correct change and exits 0', () => {
    expect(code).toBe(0);
    expect(result.mode).toBe('score');
    expect(['correct', 'from-patch']).toContain(result.winner);
    expect(by.correct!.eligible).toBe(true);
    // The same change as a patch file scores the same, but for the benchmark's measurement noise.
    const steady = (name: string) => by[name]!.score!.parts.filter((p) => p.part !== 'performance').map((p) => [p.part, p.score]);
    expect(steady('from-patch')).toEqual(steady('correct'));
    expect(by['from-patch']!.eligible).toBe(true);
  });

  it('says how the winner was chosen: the runner-up, the margin, what decided it', () => {
    const s = result.selection!;
    expect(s.leader).toBe(result.winner);
    expect(['correct', 'from-patch']).toContain(s.runnerUp);
    // The same change twice: only benchmark noise (or the tie-break) can separate them.
    expect(['score', 'tie-break']).toContain(s.decidedBy);
    expect(s.margin).toBeLessThan(5);
    expect(s.confident).toBe(true);
  });

  it('refuses that coin flip under --min-margin: no winner, exit 1, the reason said', async () => {
    const run = await cli('score', fixture.spec, '--repo', fixture.repo, '--candidate', 'correct=cand/correct', '--candidate', `twin=${join(fixture.repo, '..', 'correct-again.patch')}`, '--min-margin', '5', '--json', '--quiet');
    const again = JSON.parse(run.stdout) as RunResult;
    expect(run.code).toBe(1);
    expect(again.winner).toBeNull();
    expect(again.entrants.every((e) => e.eligible)).toBe(true);
    expect(again.selection).toMatchObject({ confident: false, minMargin: 5 });
    expect(again.selection?.summary).toMatch(/(below|a tie-break is no win under) the minimum margin of 5 points$/);
    expect(await readFile(again.reportPath, 'utf8')).toContain('the minimum margin of 5 points');
  }, 600_000);

  it('fails a candidate that passes the visible tests but not the hidden ones', () => {
    expect(by['visible-only']!.checks.tests?.passed).toBe(true);
    expect(by['visible-only']!.checks.hiddenTests?.passed).toBe(false);
    expect(failedGates('visible-only')).toEqual(['hiddenTests']);
    expect(by['visible-only']!.rank).toBeNull();
  });

  it('catches a candidate that deletes the failing test instead of fixing the code', () => {
    expect(by['test-deleter']!.checks.tests?.passed).toBe(true);
    expect(by['test-deleter']!.checks.tampering?.findings).toContainEqual(expect.objectContaining({ kind: 'test-deleted', file: 'test/wordcount.test.js' }));
    expect(failedGates('test-deleter')).toEqual(expect.arrayContaining(['tampering', 'hiddenTests']));
  });

  it('catches an eslint-disable, and still counts the lint problems it tried to hide', () => {
    const e = by['lint-silencer']!;
    expect(e.checks.tampering?.findings).toContainEqual(expect.objectContaining({ kind: 'lint-disabled-inline', file: 'src/text.js', line: 1 }));
    expect(e.checks.lint?.newErrors).toBeGreaterThanOrEqual(1);
    expect(failedGates('lint-silencer')).toEqual(['tampering']);
  });

  it('blocks a command injection with a high-severity CWE-78 finding', () => {
    const e = by.injection!;
    expect(e.checks.tests?.passed).toBe(true);
    expect(e.checks.security?.newFindings).toContainEqual(expect.objectContaining({ cwe: 'CWE-78', severity: 'high', file: 'src/text.js' }));
    expect(failedGates('injection')).toEqual(['security']);
    expect(by.correct!.checks.security?.newFindings).toEqual([]);
  });

  it('blocks a candidate whose code addresses the judge', () => {
    expect(by.flatterer!.checks.injection?.findings[0]).toMatchObject({ file: 'src/text.js' });
    expect(failedGates('flatterer')).toEqual(['injection']);
  });

  it('measures the slow candidate against base and ranks it below the correct one', () => {
    const slow = by.slow!.checks.performance;
    const fast = by.correct!.checks.performance;
    expect(slow?.ran).toBe(true);
    expect(fast?.ran).toBe(true);
    expect(slow!.ratio!).toBeLessThan(fast!.ratio! / 3);
    expect(by.slow!.eligible).toBe(true);
    expect(by.slow!.rank!).toBeGreaterThan(by.correct!.rank!);
  });

  it('shows a candidate that wandered out of scope, and ranks it below the focused one', () => {
    const scope = by['off-scope']!.checks.scope!;
    expect(scope.outOfScope.sort()).toEqual(['README.md', 'package.json']);
    expect(scope.newDependencies).toEqual(['package.json: left-pad']);
    expect(by['off-scope']!.score!.total).toBeLessThan(by.correct!.score!.total);
    expect(by['off-scope']!.rank!).toBeGreaterThan(by.correct!.rank!);
  });

  it('records the score breakdown, gates and SARIF files', async () => {
    const parts = by.correct!.score!.parts.map((p) => p.part).sort();
    expect(parts).toEqual(['hiddenTests', 'lint', 'performance', 'scope', 'security', 'tests']);
    const sum = by.correct!.score!.parts.reduce((s, p) => s + p.points, 0);
    expect(Math.abs(sum - by.correct!.score!.total)).toBeLessThan(0.06);
    const sarif = JSON.parse(await readFile(join(result.runDir, by.injection!.checks.security!.sarifPath!), 'utf8')) as { version: string };
    expect(sarif.version).toBe('2.1.0');
    const lintSarif = JSON.parse(await readFile(join(result.runDir, by['lint-silencer']!.checks.lint!.sarifPath!), 'utf8')) as { version: string };
    expect(lintSarif.version).toBe('2.1.0');
  });

  it('never showed the hidden tests or the spec to the candidates, and leaves the checkout alone', async () => {
    expect(await execa('git', ['symbolic-ref', '--short', 'HEAD'], { cwd: fixture.repo }).then((r) => r.stdout)).toBe('main');
    expect(await execa('git', ['status', '--porcelain'], { cwd: fixture.repo }).then((r) => r.stdout)).toBe('');
    expect(await leftoverResources(engine)).toEqual([]);
  });
});
