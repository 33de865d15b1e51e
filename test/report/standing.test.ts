import { describe, expect, it } from 'vitest';
import { standingOf } from '../../src/report/standing.js';
import { partsChart } from '../../src/report/chart.js';
import { describeSelection } from '../../src/ranking/selection.js';
import type { EntrantResult, RunResult } from '../../src/types.js';
import { makeRun } from './fixture.js';

const byName = (r: RunResult, name: string): EntrantResult => {
  const e = r.entrants.find((x) => x.name === name);
  if (!e) throw new Error(`fixture has ${name}`);
  return e;
};

/** Makes `name` pass every gate with `judge` as its judge part, re-ranks, and re-describes the selection. */
function eligible(r: RunResult, name: string, judge: number, minMargin: number | null = null): RunResult {
  const copy = structuredClone(r);
  const e = byName(copy, name);
  e.gates = e.gates.map((g) => ({ ...g, passed: true }));
  e.eligible = true;
  for (const x of copy.entrants) {
    if (!x.score) continue;
    const parts = x.score.parts.filter((p) => p.part !== 'judge');
    const j = x.name === name ? judge : x.name === copy.winner ? 0.82 : null;
    if (j !== null) parts.push({ part: 'judge', score: j, weight: 20, points: 20 * j, detail: '' });
    x.score = { total: Math.round(parts.reduce((s, p) => s + p.points, 0) * 10) / 10, parts };
  }
  const ranked = copy.entrants.filter((x) => x.eligible).sort((a, b) => (b.score?.total ?? 0) - (a.score?.total ?? 0));
  ranked.forEach((x, i) => (x.rank = i + 1));
  copy.selection = describeSelection(copy.entrants, minMargin);
  copy.winner = copy.selection.confident ? copy.selection.leader : null;
  return copy;
}

describe('standingOf', () => {
  it('says why the winner won, from the selection', async () => {
    const { result } = await makeRun();
    const r = eligible(result, 'quick', 0.18);
    expect(standingOf(r, byName(r, 'careful'))).toEqual({ kind: 'won', text: `won: ${r.selection?.summary}` });
  });

  it('names the part a passing finalist lost on, with both part scores and totals', async () => {
    const { result } = await makeRun();
    const r = eligible(result, 'quick', 0.1);
    const s = standingOf(r, byName(r, 'quick'));
    expect(s.kind).toBe('lost');
    // quick trails on the judge (0.10 vs 0.82: 14.4 points) more than on hidden tests (5/8 vs 8/8: 13.1).
    expect(s.text).toMatch(/^lost to careful on judge 0\.10 vs 0\.82 \(\d+\.\d vs \d+\.\d\)$/);
  });

  it('names the hidden tests when those cost the most points', async () => {
    const { result } = await makeRun();
    const r = eligible(result, 'quick', 0.8);
    expect(standingOf(r, byName(r, 'quick')).text).toMatch(/^lost to careful on hidden tests 0\.63 vs 1\.00/);
  });

  it('says which gate an entrant is out on, with the reason and how many more', async () => {
    const { result } = await makeRun();
    expect(standingOf(result, byName(result, 'quick'))).toEqual({ kind: 'out', text: 'out: hidden tests failed (5 passed, 3 failed)' });
    const sneaky = standingOf(result, byName(result, 'sneaky'));
    expect(sneaky.kind).toBe('out');
    expect(sneaky.text).toMatch(/^out: tampering \(.+; \+3 more gates\)$/);
    expect(standingOf(result, byName(result, 'slowpoke')).text).toBe('out: no change to score');
  });

  it('under a minimum margin, the leader and the others are undecided, not winners or losers', async () => {
    const { result } = await makeRun();
    const r = eligible(result, 'quick', 0.82, 50);
    expect(r.winner).toBeNull();
    const leader = standingOf(r, byName(r, 'careful'));
    expect(leader.kind).toBe('undecided');
    expect(leader.text).toMatch(/^no win: .*below the minimum margin of 50 points/);
    expect(standingOf(r, byName(r, 'quick'))).toMatchObject({ kind: 'undecided' });
    expect(standingOf(r, byName(r, 'quick')).text).toMatch(/^behind careful on hidden tests/);
  });

  it('a tie says tie-break, not a part', async () => {
    const { result } = await makeRun();
    const r = eligible(result, 'quick', 0.82);
    const q = byName(r, 'quick');
    const c = byName(r, 'careful');
    q.score = structuredClone(c.score);
    r.selection = describeSelection(r.entrants, null);
    expect(standingOf(r, q).text).toMatch(/^lost to careful on the tie-break \((hidden tests|smaller diff|name)\)/);
  });
});

describe('partsChart', () => {
  it('draws one bar per scored entrant whose segments add up to its total', async () => {
    const { result } = await makeRun();
    const chart = partsChart(result.entrants);
    expect(chart).not.toBeNull();
    const scored = result.entrants.filter((e) => e.score);
    expect(chart!.rows.map((r) => r.name)).toEqual(scored.map((e) => e.name));
    for (const row of chart!.rows) {
      const e = byName(result, row.name);
      const drawn = row.segments.reduce((s, seg) => s + Number(seg.width), 0);
      expect(drawn / chart!.barWidth * 100).toBeCloseTo(e.score!.total, 0);
      expect(row.eligible).toBe(e.eligible);
      // Segments sit end to end.
      row.segments.forEach((seg, i) => {
        if (i > 0) expect(Number(seg.x)).toBeCloseTo(Number(row.segments[i - 1]!.x) + Number(row.segments[i - 1]!.width), 0);
      });
    }
    expect(chart!.legend.map((l) => l.part)).toContain('hiddenTests');
  });

  it('draws nothing for fewer than two scores', async () => {
    const { result } = await makeRun();
    expect(partsChart(result.entrants.slice(0, 1))).toBeNull();
  });
});
