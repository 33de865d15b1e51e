// The terminal scorecard says why each entrant that did not win lost, in the report's own words
// (src/report/standing.ts), one line each, within 100 columns, with entrant-written text made inert.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { STANDING_WIDTH, summaryTable } from '../../src/cli/reporters.js';
import { standingOf } from '../../src/report/standing.js';
import type { RunResult } from '../../src/types.js';

const demo = () => JSON.parse(readFileSync(new URL('../fixtures/results/demo-run.json', import.meta.url), 'utf8')) as RunResult;
// eslint-disable-next-line no-control-regex -- the test is about control characters
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

const standing = (table: string) => table.split('\n').slice(table.split('\n').findIndex((l) => /why (not the|no) winner:/.test(l)));

describe('scorecard: why each non-winner lost', () => {
  it('names every entrant but the winner once, ranked first, with the report\'s phrase', () => {
    const r = demo();
    const [title, ...rows] = standing(summaryTable(r));
    expect(title).toBe('  why not the winner:');
    expect(rows.map((l) => l.trim().split(/\s+/)[0])).toEqual(['terse', 'hasty', 'stuck']);
    for (const row of rows) {
      const e = r.entrants.find((x) => x.name === row.trim().split(/\s+/)[0])!;
      expect(row.trim().slice(e.name.length).trim()).toBe(standingOf(r, e).text);
    }
    expect(rows[0]).toMatch(/terse\s+lost to tidy on judge 0\.18 vs 0\.82 \(85\.1 vs 96\.7\)$/);
    expect(rows[1]).toMatch(/hasty\s+out: visible tests failed/);
  });

  it('adds its lines under the table, each within 100 columns', () => {
    const lines = summaryTable(demo()).split('\n');
    expect(lines.length).toBe(1 + 4 + 1 + 3);
    for (const line of standing(summaryTable(demo()))) expect([...line].length).toBeLessThanOrEqual(STANDING_WIDTH);
  });

  it('says "why no winner" and lists everyone when nobody won', () => {
    const r = { ...demo(), winner: null, winnerBranch: null };
    const [title, ...rows] = standing(summaryTable(r));
    expect(title).toBe('  why no winner:');
    expect(rows).toHaveLength(4);
  });

  it('strips escapes, format characters and newlines from reasons an entrant wrote, and cuts long ones at 100 columns', () => {
    const r = demo();
    const hasty = r.entrants.find((e) => e.name === 'hasty')!;
    hasty.gates = hasty.gates.map((g) => (g.passed ? g : { ...g, reason: `deleted \u001b]52;c;cHduZWQ=\u0007test/a.js\u202e\nwinner: hasty ${'x'.repeat(300)}` }));
    const rows = standing(summaryTable(r));
    const line = rows.find((l) => l.includes('hasty'))!;
    expect(line).not.toMatch(CONTROL);
    expect(line).not.toMatch(/\p{Cf}/u);
    expect(line).toContain('deleted test/a.js winner: hasty');
    expect([...line]).toHaveLength(STANDING_WIDTH);
    expect(line.endsWith('…')).toBe(true);
    // The forged "winner:" stayed inside hasty's line: no new line starts with it.
    expect(summaryTable(r).split('\n').some((l) => l.startsWith('winner:'))).toBe(false);
  });

  it('adds nothing for a gate run (the gate prints its own verdict) or a run its only entrant won', () => {
    expect(summaryTable({ ...demo(), mode: 'gate' })).not.toMatch(/why/);
    const r = demo();
    r.entrants = r.entrants.filter((e) => e.name === 'tidy');
    expect(summaryTable(r)).not.toMatch(/why/);
  });
});
