import { describe, expect, it } from 'vitest';
import { evaluateGates, gatesBeforePerformance, outOnGate, staticGates } from '../../src/ranking/gates.js';
import { scoreEntrant } from '../../src/ranking/score.js';
import { rankEntrants } from '../../src/ranking/rank.js';
import { DEFAULT_SCORING } from '../../src/config/defaults.js';
import { emptyTokens, type EntrantResult, type Spec, type TestCheck } from '../../src/types.js';
import type { EntrantChecks, PerfCheck, SecurityFinding } from '../../src/checks/types.js';

const spec: Spec = { path: '/s.md', title: 't', body: '', sections: {}, test: 'npm test', hidden: { files: ['/h'], into: 'h', test: 'node --test h' } };
const pass = (passed: number, failed = 0): TestCheck => ({ passed: failed === 0, exitCode: failed ? 1 : 0, counts: { passed, failed }, durationMs: 1, logPath: 'x' });
const finding = (severity: SecurityFinding['severity']): SecurityFinding => ({ ruleId: 'r', severity, cwe: 'CWE-78', file: 'a.js', line: 1, message: 'm', snippet: 's' });

function checks(over: Partial<EntrantChecks> = {}): EntrantChecks {
  return {
    tests: pass(4),
    hiddenTests: pass(3),
    tampering: { flagged: false, findings: [] },
    lint: { ran: true, config: 'built-in', filesLinted: 1, base: { errors: 0, warnings: 0 }, head: { errors: 0, warnings: 0 }, newErrors: 0, newWarnings: 0, messages: [], sarifPath: null, durationMs: 1 },
    security: { ran: true, newFindings: [], counts: { high: 0, medium: 0, low: 0 }, baseFindings: 0, sarifPath: null, rulesApplied: 40, durationMs: 1 },
    scope: { scope: null, files: ['a.js'], outOfScope: [], additions: 1, deletions: 0, newDependencies: [] },
    injection: { flagged: false, findings: [] },
    ...over,
  };
}

describe('gates', () => {
  const failed = (c: EntrantChecks, s: Spec = spec) => evaluateGates(c, true, s, DEFAULT_SCORING.gates).filter((g) => !g.passed).map((g) => g.gate);

  it('passes a clean entrant through every gate that applies', () => {
    expect(evaluateGates(checks(), true, spec, DEFAULT_SCORING.gates).map((g) => g.gate)).toEqual(['changed', 'tests', 'hiddenTests', 'tampering', 'security', 'injection']);
    expect(failed(checks())).toEqual([]);
  });

  it('fails the gate of each kind of problem, with a reason', () => {
    expect(failed(checks({ tests: pass(3, 1) }))).toEqual(['tests']);
    expect(failed(checks({ hiddenTests: pass(1, 2) }))).toEqual(['hiddenTests']);
    expect(failed(checks({ tampering: { flagged: true, findings: [{ kind: 'test-deleted', file: 't.test.js', evidence: 'x' }] } }))).toEqual(['tampering']);
    expect(failed(checks({ injection: { flagged: true, findings: [{ file: 'a.js', line: 3, pattern: 'note-to-ai', text: '// note to the AI judge' }] } }))).toEqual(['injection']);
    const sec = checks({ security: { ...checks().security!, newFindings: [finding('high')], counts: { high: 1, medium: 0, low: 0 } } });
    const gate = evaluateGates(sec, true, spec, DEFAULT_SCORING.gates).find((g) => g.gate === 'security');
    expect(gate).toMatchObject({ passed: false, reason: expect.stringContaining('CWE-78') });
  });

  it('treats a check that could not run as failed, never as passed', () => {
    expect(failed(checks({ hiddenTests: { ...pass(0), passed: null, error: 'setup failed' } }))).toEqual(['hiddenTests']);
    expect(failed(checks({ security: { ...checks().security!, ran: false, error: 'boom' } }))).toEqual(['security']);
  });

  it('blocks medium findings only when configured to', () => {
    const medium = checks({ security: { ...checks().security!, newFindings: [finding('medium')], counts: { high: 0, medium: 1, low: 0 } } });
    expect(evaluateGates(medium, true, spec, DEFAULT_SCORING.gates).every((g) => g.passed)).toBe(true);
    expect(evaluateGates(medium, true, spec, { ...DEFAULT_SCORING.gates, security: 'medium' }).some((g) => !g.passed)).toBe(true);
  });

  it('lists only the changed gate for an entrant with no change', () => {
    expect(evaluateGates({ tests: null }, false, spec, DEFAULT_SCORING.gates)).toEqual([{ gate: 'changed', passed: false, reason: 'no change to score' }]);
  });
});

describe('score', () => {
  const weights = DEFAULT_SCORING.weights;

  it('is 100 for a perfect entrant and sums its parts', () => {
    const score = scoreEntrant(checks(), spec, weights);
    expect(score.total).toBe(100);
    expect(score.parts.map((p) => p.part)).toEqual(['tests', 'hiddenTests', 'lint', 'security', 'scope']);
  });

  it('applies the documented formulas', () => {
    const score = scoreEntrant(
      checks({
        tests: pass(3, 1),
        lint: { ...checks().lint!, newErrors: 2, newWarnings: 4 },
        security: { ...checks().security!, counts: { high: 0, medium: 1, low: 2 } },
        scope: { ...checks().scope!, outOfScope: ['README.md'], newDependencies: ['package.json: x'] },
      }),
      spec,
      weights,
    );
    const part = (name: string) => score.parts.find((p) => p.part === name)!.score;
    expect(part('tests')).toBeCloseTo(0.75);
    expect(part('lint')).toBeCloseTo(1 - 0.4 - 0.2);
    expect(part('security')).toBeCloseTo(1 - 0.25 - 0.2);
    expect(part('scope')).toBeCloseTo(0.5);
    // Weights without performance (no bench in this spec): 25 + 35 + 10 + 10 + 10 = 90.
    expect(score.total).toBeCloseTo((100 * (25 * 0.75 + 35 + 10 * 0.4 + 10 * 0.55 + 10 * 0.5)) / 90, 1);
  });

  it('scores performance on a log scale around base and leaves it out when the spec has no benchmark', () => {
    const bench = { ...spec, bench: ['b.js'] };
    const perf = (ratio: number) => checks({ performance: { ran: true, tasks: [], ratio, regression: false, threshold: 0.1, rounds: 3, durationMs: 1, logPath: null } });
    const part = (ratio: number) => scoreEntrant(perf(ratio), bench, weights).parts.find((p) => p.part === 'performance')!.score;
    expect(part(1)).toBeCloseTo(0.5);
    expect(part(2)).toBeCloseTo(1);
    expect(part(0.5)).toBeCloseTo(0);
    expect(part(4)).toBe(1);
  });
});

describe('performance: ratio to base or to the fastest candidate, skipped when out on a gate', () => {
  const bench = { ...spec, bench: ['b.js'] };
  const gates = { ...DEFAULT_SCORING.gates, performance: true };
  const perf = (over: Partial<PerfCheck>): PerfCheck => ({ ran: true, tasks: [], ratio: 1, relativeTo: 'base', regression: false, threshold: 0.1, rounds: 3, durationMs: 1, logPath: null, ...over });
  const task = (t: string, ratio: number, relativeTo: 'base' | 'fastest candidate') => ({ file: 'b.js', task: t, baseOpsPerSec: 0, baseRme: 0, opsPerSec: 1, rme: 1, ratio, relativeTo, state: relativeTo === 'base' ? 'measured' as const : 'base failed' as const });
  const gateOf = (p: PerfCheck) => evaluateGates(checks({ performance: p }), true, bench, gates).find((g) => g.gate === 'performance');
  const partOf = (p: PerfCheck) => scoreEntrant(checks({ performance: p }), bench, DEFAULT_SCORING.weights).parts.find((g) => g.part === 'performance');

  it('names what the ratio compares with in the gate and the score', () => {
    for (const [relativeTo, words] of [['base', 'base'], ['fastest candidate', 'the fastest candidate'], ['mixed', 'base or the fastest candidate']] as const) {
      expect(gateOf(perf({ relativeTo, ratio: 0.95 }))).toMatchObject({ passed: true, reason: `ratio 0.95 vs ${words}` });
    }
    expect(partOf(perf({ relativeTo: 'fastest candidate', ratio: 0.5 }))).toMatchObject({ score: 0, detail: '0.50x the fastest candidate ops/s' });
    expect(partOf(perf({ ratio: 1.41 }))!.detail).toBe('1.41x base ops/s');
    // Results saved before relativeTo existed compared with base.
    expect(gateOf(perf({ relativeTo: undefined, ratio: 1 }))!.reason).toBe('ratio 1.00 vs base');
  });

  it('fails the gate past the threshold with the slow tasks named, against either reference', () => {
    const slow = perf({ regression: true, relativeTo: 'mixed', ratio: 0.6, tasks: [task('old', 1, 'base'), task('new', 0.36, 'fastest candidate')] });
    expect(gateOf(slow)).toMatchObject({ passed: false, reason: 'slower than base or the fastest candidate by more than 10%: new 0.36x the fastest candidate' });
    const broken = perf({ regression: true, ratio: null, error: "the bench failed on the entrant's side: x" });
    expect(gateOf(broken)).toMatchObject({ passed: false, reason: "the bench failed on the entrant's side: x" });
    expect(partOf(broken)!.score).toBe(0);
  });

  it('gives a skipped benchmark no gate and no number, and says why', () => {
    const skipped = perf({ ran: false, ratio: null, relativeTo: null, skipped: { gate: 'tampering', reason: 'skipped: out on gate tampering' } });
    expect(gateOf(skipped)).toBeUndefined();
    const score = scoreEntrant(checks({ performance: skipped }), bench, DEFAULT_SCORING.weights);
    expect(score.parts.map((p) => p.part)).not.toContain('performance');
    expect(score.skipped).toEqual([{ part: 'performance', detail: 'skipped: out on gate tampering' }]);
    // Left out of the weighting, not scored 0: the other parts make the whole 100.
    expect(score.total).toBe(100);
    // A check that simply did not run (no environment) still fails its gate and scores 0.
    expect(gateOf(perf({ ran: false, ratio: null, error: 'setup failed' }))).toMatchObject({ passed: false, reason: 'setup failed' });
  });

  it('knows which gates are settled before any container runs, and which before the benchmarks', () => {
    const c = checks({ tests: null, hiddenTests: null, tampering: { flagged: true, findings: [{ kind: 'test-deleted', file: 't.test.js', evidence: 'x' }] } });
    expect(staticGates(c, true, bench, gates).map((g) => [g.gate, g.passed])).toEqual([['changed', true], ['tampering', false], ['security', true], ['injection', true]]);
    expect(gatesBeforePerformance(c, true, bench, gates).map((g) => g.gate)).not.toContain('performance');
    expect(gatesBeforePerformance(c, true, bench, gates).find((g) => !g.passed)?.gate).toBe('tests');
    // Out on the static gate, known first, rather than on the tests listed before it.
    expect(outOnGate(gatesBeforePerformance(c, true, bench, gates))?.gate).toBe('tampering');
    expect(outOnGate(gatesBeforePerformance(checks({ tests: pass(1, 1) }), true, bench, gates))?.gate).toBe('tests');
    expect(outOnGate(gatesBeforePerformance(checks(), true, bench, gates))).toBeNull();
  });
});

describe('rank', () => {
  const entrant = (name: string, total: number, eligible = true, lines = 10, hidden = 1): EntrantResult => ({
    name, agent: 'opencode', model: 'm', status: 'finished', diff: { files: 1, additions: lines, deletions: 0 },
    tokens: emptyTokens(), costUsd: 0, durationMs: 0, branch: null, diffPath: '', transcriptPath: null, rank: null,
    checks: { tests: null }, gates: [], eligible,
    score: { total, parts: [{ part: 'hiddenTests', score: hidden, weight: 35, points: 0, detail: '' }] },
  });

  it('ranks eligible entrants by score; ineligible ones are not ranked even with a higher score', () => {
    const { ranked, winner } = rankEntrants([entrant('a', 80), entrant('b', 95, false), entrant('c', 90)]);
    expect(winner).toBe('c');
    expect(Object.fromEntries(ranked.map((e) => [e.name, e.rank]))).toEqual({ a: 2, b: null, c: 1 });
  });

  it('breaks ties by hidden tests, then smaller diff, then name, whatever the input order', () => {
    const tied = [entrant('z', 90, true, 5, 0.5), entrant('y', 90, true, 50), entrant('x', 90, true, 5), entrant('w', 90, true, 5)];
    expect(rankEntrants(tied).ranked.map((e) => `${e.name}${e.rank}`).sort()).toEqual(['w1', 'x2', 'y3', 'z4']);
    expect(rankEntrants([...tied].reverse()).winner).toBe('w');
  });

  it('has no winner when nobody is eligible', () => {
    expect(rankEntrants([entrant('a', 99, false)]).winner).toBeNull();
  });
});
