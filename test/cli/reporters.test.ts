import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { LineReporter, summaryTable, describe as describeEvent } from '../../src/cli/reporters.js';
import { makeRun, type Fixture } from '../report/fixture.js';

// eslint-disable-next-line no-control-regex -- the tests are about control characters
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

let fx: Fixture;
beforeAll(async () => {
  fx = await makeRun('pairwise');
});
afterAll(() => rm(fx.runDir, { recursive: true, force: true }));

describe('terminal output', () => {
  it('prints the scorecard ranked first, with failed gates named and the time of each agent', () => {
    const lines = summaryTable(fx.result).split('\n');
    expect(lines[0]).toMatch(/rank\s+entrant\s+status\s+gates\s+score\s+tests\s+diff\s+time/);
    // Only a run with another agent kind gets the agent/model column.
    const mixed = { ...fx.result, entrants: fx.result.entrants.map((e, i) => (i === 0 ? { ...e, agent: 'codex' as const } : e)) };
    expect(summaryTable(mixed).split('\n')[0]).toMatch(/rank\s+entrant\s+agent model\s+status/);
    const first = mixed.entrants[0]!;
    expect(summaryTable(mixed).split('\n').find((l) => l.includes(` ${first.name} `))).toContain(` ${first.agent} ${first.model} `);
    const ranked = lines.slice(1, 1 + fx.result.entrants.length).map((l) => l.trim().split(/\s+/).slice(0, 2).join(' '));
    const winner = fx.result.entrants.find((e) => e.rank === 1)!;
    expect(ranked[0]).toBe(`1 ${winner.name}`);
    const failing = fx.result.entrants.find((e) => e.gates.some((g) => !g.passed) && e.score)!;
    const failedNames = failing.gates.filter((g) => !g.passed).map((g) => g.gate).join(', ');
    expect(lines.find((l) => l.includes(` ${failing.name} `))).toContain(`failed: ${failedNames}`);
  });

  it('says "agent time" is not applicable when scoring candidates made elsewhere', () => {
    const table = summaryTable({ ...fx.result, mode: 'score' });
    expect(table.split('\n')[0]).toMatch(/agent time\s+perf$/);
    expect(table.split('\n')[1]!.trim().split(/\s{2,}/).at(-2)).toBe('-');
  });

  it('writes one line per event and ends with the winner and the report path', () => {
    const out: string[] = [];
    const reporter = new LineReporter((t) => out.push(t));
    reporter.onEvent({ type: 'phase-start', phase: 'referee' });
    reporter.onEvent({ type: 'entrant', name: 'quick', state: 'tested', detail: 'tests\nfailed' });
    reporter.onEvent({ type: 'image-progress', line: ' ---> Running in 1234' });
    reporter.onEvent({ type: 'judge', line: 'careful vs quick: careful' });
    reporter.onEvent({ type: 'run-end', result: fx.result });
    expect(out.slice(0, 3)).toEqual(['[referee] start\n', '[quick] tested: tests failed\n', '[judge] careful vs quick: careful\n']);
    expect(out[3]).toMatch(new RegExp(`winner: ${fx.result.winner}.*\\nreport: ${fx.result.reportPath}`, 's'));
    expect(describeEvent({ type: 'image-progress', line: 'Step 3/15 : RUN useradd' })).toBe('[image] Step 3/15 : RUN useradd');
  });

  it("strips an entrant's escape codes from activity lines, errors and commands, live and plain", () => {
    const hostile = 'bash: npm test \x1b]52;c;Y3VybCBldmlsfHNo\x07\x1b]0;winner: hasty\x07\x1b[2A\x1b[0Jtests passed\r\x9b31m';
    const events = [
      { type: 'activity', name: 'a', line: hostile },
      { type: 'entrant', name: 'a', state: 'failed', detail: hostile },
      { type: 'warning', message: hostile },
    ] as const;
    for (const event of events) {
      const line = describeEvent(event)!;
      expect(line).toContain('bash: npm test');
      expect(line).not.toMatch(CONTROL);
    }
  });

});
