import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Engine } from '../../src/sandbox/engine.js';
import { cliResult } from '../support/cli.js';
import type { EntrantResult, RunResult } from '../../src/types.js';
import { summaryTable } from '../../src/cli/reporters.js';
import { ensureTestImage, leftoverResources } from '../support/docker.js';
import { makeScoreFixture, type ScoreFixture } from '../support/score-fixture.js';

// Cheap checks first: a candidate out on a static gate (it deleted the failing test) still has its tests
// run, but gets no benchmark unless --full asks for one. Two candidates, one round: the point is what
// runs, not the numbers.
describe('tourney score: benchmarks are skipped for an entrant already out on a gate, unless --full', () => {
  let engine: Engine;
  let fixture: ScoreFixture;
  let lean: RunResult;
  let full: RunResult;
  let progress: string[];
  const of = (r: RunResult, name: string): EntrantResult => r.entrants.find((e) => e.name === name)!;

  beforeAll(async () => {
    engine = await ensureTestImage();
    fixture = await makeScoreFixture();
    const config = join(fixture.repo, '..', 'tourney.config.yaml');
    await writeFile(config, 'performance: { threshold: 0.5, rounds: 1 }\n');
    const args = ['score', fixture.spec, '--repo', fixture.repo, '--config', config, '--candidate', 'correct=cand/correct', '--candidate', 'test-deleter=cand/test-deleter', '--json', '--quiet'];
    // The first run without --quiet: its progress lines (stderr) show when each gate became known.
    const a = await cliResult(...args.filter((x) => x !== '--quiet'));
    const b = await cliResult(...args, '--full');
    expect([a.code, b.code, b.stderr]).toEqual([0, 0, '']);
    progress = a.stderr.split('\n');
    lean = a.result!;
    full = b.result!;
  }, 600_000);

  afterAll(async () => {
    await fixture?.cleanup();
  });

  it('knows the static gate before the tests run', () => {
    const out = progress.findIndex((l) => l.startsWith('tourney: test-deleter is out on gate tampering: test-deleted'));
    const tested = progress.findIndex((l) => l.startsWith('[test-deleter] tested'));
    expect(out).toBeGreaterThan(-1);
    expect(tested).toBeGreaterThan(out);
    expect(progress.some((l) => l.startsWith('tourney: correct is out on'))).toBe(false);
    // Its containerised steps are told as they start, after the static gate is known.
    const tests = progress.findIndex((l) => l.startsWith('[test-deleter] refereeing: tests'));
    expect(tests).toBeGreaterThan(out);
  });

  it('still runs the tests of the entrant out on the tampering gate', () => {
    const cheat = of(lean, 'test-deleter');
    expect(cheat.gates.find((g) => g.gate === 'tampering')?.passed).toBe(false);
    expect(cheat.checks.tests?.passed).toBe(true);
    expect(cheat.checks.hiddenTests?.passed).toBe(false);
  });

  it('skips its benchmark: a reason, no number, no gate, no score part', async () => {
    const cheat = of(lean, 'test-deleter');
    const perf = cheat.checks.performance!;
    expect(perf).toMatchObject({ ran: false, ratio: null, skipped: { gate: 'tampering', reason: 'skipped: out on gate tampering' } });
    expect(perf.tasks).toEqual([expect.objectContaining({ task: 'wordCount 1k words', state: 'not run', ratio: null, detail: 'skipped: out on gate tampering' })]);
    expect(cheat.gates.map((g) => g.gate)).not.toContain('performance');
    expect(cheat.score!.parts.map((p) => p.part)).not.toContain('performance');
    expect(cheat.score!.skipped).toEqual(expect.arrayContaining([{ part: 'performance', detail: 'skipped: out on gate tampering' }]));
    const session = await readFile(join(lean.runDir, 'perf-session.log'), 'utf8');
    expect(session).toContain('entrant correct: ');
    expect(session).not.toContain('test-deleter');
    expect(await readFile(join(lean.runDir, perf.logPath!), 'utf8')).toMatch(/not run: skipped: out on gate tampering/);
  });

  it('measures the entrant still in the running against base', () => {
    expect(of(lean, 'correct').checks.performance).toMatchObject({ ran: true, relativeTo: 'base', sessionLogPath: 'perf-session.log' });
    expect(lean.winner).toBe('correct');
    expect(lean.timings.refereeMs).toBeGreaterThan(of(lean, 'correct').checks.performance!.durationMs);
  });

  it('says "skipped" in the terminal scorecard and the HTML report instead of a number', async () => {
    const row = summaryTable(lean).split('\n').find((l) => l.includes(' test-deleter '))!;
    expect(row).toMatch(/skipped: out on gate tampering$/);
    const html = await readFile(lean.reportPath, 'utf8');
    expect(html).toContain('skipped: out on gate tampering: not measured, and left out of the score');
    expect(html).toMatch(/<tr class="skipped"><td>Performance<\/td>/);
  });

  it('measures it with --full, without changing who may win', () => {
    const cheat = of(full, 'test-deleter');
    expect(cheat.checks.performance).toMatchObject({ ran: true, relativeTo: 'base' });
    expect(cheat.checks.performance!.skipped).toBeUndefined();
    expect(cheat.checks.performance!.ratio).toBeGreaterThan(0);
    expect(cheat.score!.parts.map((p) => p.part)).toContain('performance');
    expect(cheat.eligible).toBe(false);
    expect(full.winner).toBe('correct');
  });

  it('leaves nothing behind', async () => {
    expect(await leftoverResources(engine)).toEqual([]);
  });
});
