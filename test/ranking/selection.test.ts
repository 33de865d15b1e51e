import { describe, expect, it } from 'vitest';
import { scoreEntrant } from '../../src/ranking/score.js';
import { rankEntrants } from '../../src/ranking/rank.js';
import { describeSelection } from '../../src/ranking/selection.js';
import { DEFAULT_SCORING } from '../../src/config/defaults.js';
import { judgeConfidence } from '../../src/judge/confidence.js';
import type { EntrantChecks } from '../../src/checks/types.js';
import type { MatchResult, Outcome } from '../../src/judge/types.js';
import type { EntrantResult, Spec, TestCheck } from '../../src/types.js';

// Realistic candidates scored by the real scorer, then ranked: the selection must say why the leader leads.
const spec: Spec = { path: '/s.md', title: 't', body: '', sections: {}, test: 'npm test', hidden: { files: ['/h'], into: 'h', test: 'node --test h' } };
const run = (passed: number, failed = 0): TestCheck => ({ passed: failed === 0, exitCode: failed ? 1 : 0, counts: { passed, failed }, durationMs: 1, logPath: 'x' });

function checks(over: Partial<EntrantChecks> = {}): EntrantChecks {
  return {
    tests: run(4),
    hiddenTests: run(4),
    tampering: { flagged: false, findings: [] },
    lint: { ran: true, config: 'built-in', filesLinted: 1, base: { errors: 0, warnings: 0 }, head: { errors: 0, warnings: 0 }, newErrors: 0, newWarnings: 0, messages: [], sarifPath: null, durationMs: 1 },
    security: { ran: true, newFindings: [], counts: { high: 0, medium: 0, low: 0 }, baseFindings: 0, sarifPath: null, rulesApplied: 40, durationMs: 1 },
    scope: { scope: null, files: ['a.js'], outOfScope: [], additions: 10, deletions: 0, newDependencies: [] },
    injection: { flagged: false, findings: [] },
    ...over,
  };
}

function entrant(name: string, c: EntrantChecks, opts: { eligible?: boolean; lines?: number; judge?: number } = {}): EntrantResult {
  const judge = opts.judge === undefined ? undefined : { score: opts.judge, detail: 'judge' };
  return {
    name,
    eligible: opts.eligible ?? true,
    score: scoreEntrant(c, spec, DEFAULT_SCORING.weights, judge),
    diff: { files: 1, additions: opts.lines ?? 10, deletions: 0 },
    rank: null,
  } as unknown as EntrantResult;
}

const select = (entrants: EntrantResult[], minMargin: number | null = null) => describeSelection(rankEntrants(entrants).ranked, minMargin);

describe('what decided the winner', () => {
  it('none: nobody passed every gate', () => {
    const s = select([entrant('a', checks(), { eligible: false })]);
    expect(s).toMatchObject({ decidedBy: 'none', leader: null, confident: false, summary: 'no entrant passed every gate' });
  });

  it('gates: the only entrant left, whatever the minimum margin', () => {
    const s = select([entrant('a', checks()), entrant('b', checks({ hiddenTests: run(1, 3) }), { eligible: false })], 50);
    expect(s).toMatchObject({ decidedBy: 'gates', leader: 'a', runnerUp: null, margin: null, confident: true });
    expect(s.summary).toBe('the only entrant to pass every gate (1 other out on a gate)');
  });

  it('score: the lead in points, and the parts it came from, largest first', () => {
    const s = select([
      entrant('lint-clean', checks()),
      entrant('sloppy', checks({ lint: { ...checks().lint!, newErrors: 2, head: { errors: 2, warnings: 0 } }, scope: { ...checks().scope!, outOfScope: ['x.md'] } })),
    ]);
    expect(s.decidedBy).toBe('score');
    expect(s.leader).toBe('lint-clean');
    expect(s.runnerUp).toBe('sloppy');
    expect(s.decidingParts.map((p) => p.part)).toEqual(['lint', 'scope']);
    expect(s.margin).toBeCloseTo(s.decidingParts.reduce((sum, p) => sum + p.points, 0), 0);
    expect(s.summary).toMatch(/^leads sloppy by \d+(\.\d)? points \(mostly lint \+[\d.]+, scope \+[\d.]+\)$/);
  });

  it('judge: equal on every other part, ahead only by the judge\'s points', () => {
    const s = select([entrant('a', checks(), { judge: 0.3 }), entrant('b', checks(), { judge: 0.7 })]);
    expect(s).toMatchObject({ decidedBy: 'judge', leader: 'b', runnerUp: 'a' });
    expect(s.decidingParts).toEqual([{ part: 'judge', points: expect.any(Number) }]);
  });

  it('score, not judge, when the other parts alone would keep the order', () => {
    const s = select([entrant('a', checks(), { judge: 0.45 }), entrant('b', checks({ lint: { ...checks().lint!, newErrors: 3 } }), { judge: 0.55 })]);
    expect(s.decidedBy).toBe('score');
    expect(s.leader).toBe('a');
  });

  it('tie-break: equal totals, and which rule broke the tie', () => {
    expect(select([entrant('a', checks(), { lines: 12 }), entrant('b', checks(), { lines: 8 })])).toMatchObject({ decidedBy: 'tie-break', leader: 'b', margin: 0, tieBreak: 'smaller diff', confident: true });
    expect(select([entrant('b', checks()), entrant('a', checks())])).toMatchObject({ decidedBy: 'tie-break', leader: 'a', tieBreak: 'name' });
  });
});

describe('a minimum margin', () => {
  const close = () => [entrant('a', checks()), entrant('b', checks({ lint: { ...checks().lint!, newWarnings: 1 } }))];

  it('refuses a lead below it, and says by how much the leader led', () => {
    const s = select(close(), 5);
    expect(s.margin).toBeGreaterThan(0);
    expect(s.margin).toBeLessThan(5);
    expect(s.confident).toBe(false);
    expect(s.summary).toMatch(/^a leads b by [\d.]+ points \(mostly lint \+[\d.]+\): below the minimum margin of 5 points$/);
  });

  it('accepts a lead at or above it', () => {
    const margin = select(close()).margin!;
    expect(select(close(), margin).confident).toBe(true);
    expect(select(close(), margin + 0.1).confident).toBe(false);
  });

  it('never accepts a tie-break win, even with a minimum of 0', () => {
    const s = select([entrant('a', checks(), { lines: 5 }), entrant('b', checks(), { lines: 9 })], 0);
    expect(s).toMatchObject({ decidedBy: 'tie-break', confident: false });
    expect(s.summary).toContain('a tie-break is no win under the minimum margin of 0 points');
  });
});

describe('judge confidence', () => {
  const match = (a: string, b: string, outcome: Outcome, flipped = false, judge = 'j1'): MatchResult => ({
    a, b, calls: [], perJudge: [{ judge, outcome: flipped ? 'tie' : outcome, flipped }], outcome: flipped ? 'tie' : outcome, agreement: 1,
  });

  it('counts verdicts that flipped with the order, per judge, over the decided matches only', () => {
    const c = judgeConfidence(['x', 'y', 'z'], ['j1'], [match('x', 'y', 'a'), match('x', 'z', 'a', true), match('y', 'z', 'failed'), match('y', 'z', 'b')]);
    expect(c.flipRate.j1).toEqual({ flipped: 1, decided: 3, rate: 1 / 3 });
    expect(c.panelAgreement).toBeNull();
  });

  it('gives each strength a bootstrap interval around the fit, reproducibly, and wider with fewer matches', () => {
    const many = Array.from({ length: 6 }, () => [match('x', 'y', 'a'), match('x', 'z', 'a'), match('y', 'z', 'a')]).flat();
    const c = judgeConfidence(['x', 'y', 'z'], ['j1'], many, 300);
    const [lo, hi] = c.strengthIntervals.x!;
    expect(lo).toBeLessThanOrEqual(hi);
    expect(c.strengthIntervals.x![0]).toBeGreaterThan(c.strengthIntervals.z![1]);
    expect(judgeConfidence(['x', 'y', 'z'], ['j1'], many, 300)).toEqual(c);
    const few = judgeConfidence(['x', 'y', 'z'], ['j1'], many.slice(0, 3), 300);
    const width = (r: [number, number]) => r[1] - r[0];
    // One match resampled is always the same match: no interval rather than a falsely certain one.
    expect(judgeConfidence(['x', 'y'], ['j1'], [match('x', 'y', 'a')], 300).strengthIntervals).toEqual({});
    expect(width(few.strengthIntervals.y!)).toBeGreaterThan(width(c.strengthIntervals.y!));
  });
});
