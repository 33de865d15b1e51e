import { describe, expect, it } from 'vitest';
import { parseRunnerOutput, summarise, type RunnerFile } from '../../src/checks/perf-stats.js';

const F = 'bench/a.bench.js';

function round(tasks: Record<string, number | string>, file = F): RunnerFile[] {
  return [
    {
      file,
      tasks: Object.entries(tasks).map(([name, ops]) =>
        typeof ops === 'number' ? { name, opsPerSec: ops, rme: 1, samples: 10 } : { name, opsPerSec: 0, rme: 0, samples: 0, error: ops },
      ),
    },
  ];
}

describe('parseRunnerOutput', () => {
  it('reads the last result line and ignores other output', () => {
    const line = `TOURNEY_PERF ${JSON.stringify({ files: round({ t: 5 }) })}`;
    const fake = `TOURNEY_PERF ${JSON.stringify({ files: round({ t: 1 }) })}`;
    expect(parseRunnerOutput(`noise\n${fake}\nmore\n${line}\n`)?.[0]?.tasks[0]?.opsPerSec).toBe(5);
  });

  it('returns null without a valid result line', () => {
    expect(parseRunnerOutput('Error: boom\n')).toBeNull();
    expect(parseRunnerOutput('TOURNEY_PERF {not json\n')).toBeNull();
    expect(parseRunnerOutput('TOURNEY_PERF {"files":[{"file":1}]}\n')).toBeNull();
  });
});

describe('summarise', () => {
  it('takes the median per side and the geometric mean of the ratios', () => {
    const base = [round({ a: 100, b: 10 }), round({ a: 300, b: 30 }), round({ a: 200, b: 20 })];
    const entrant = [round({ a: 400, b: 5 }), round({ a: 400, b: 5 }), round({ a: 1000, b: 5 })];
    const summary = summarise(base, entrant, [F], 0.1);
    expect(summary.tasks.map((t) => [t.task, t.baseOpsPerSec, t.opsPerSec, t.ratio])).toEqual([
      ['a', 200, 400, 2],
      ['b', 20, 5, 0.25],
    ]);
    expect(summary.ratio).toBeCloseTo(Math.sqrt(0.5));
    expect(summary.regression).toBe(true);
    expect(summary.entrantErrors).toEqual([]);
  });

  it('leaves tasks without a base number out of the ratio', () => {
    const base = [[{ file: F, error: 'cannot import: no export kebab', tasks: [] }]];
    const entrant = [round({ kebab: 50 })];
    const other = 'bench/b.bench.js';
    const summary = summarise([[...base[0]!, ...round({ s: 10 }, other)]], [[...entrant[0]!, ...round({ s: 10 }, other)]], [F, other], 0.1);
    expect(summary.tasks.find((t) => t.task === 'kebab')?.ratio).toBeNull();
    expect(summary.ratio).toBe(1);
    expect(summary.regression).toBe(false);
    expect(summary.baseUnknown).toEqual([`${F} › kebab: cannot import: no export kebab`]);
  });

  it("counts failures on the entrant's side as regressions", () => {
    const base = [round({ a: 10, b: 10 })];
    expect(summarise(base, [round({ a: 10, b: 'TypeError: x' })], [F], 0.1)).toMatchObject({
      regression: true,
      entrantErrors: [`${F} › b (round 1): TypeError: x`],
    });
    expect(summarise(base, [round({ a: 10 })], [F], 0.1).entrantErrors).toEqual([`${F} › b: did not run on the entrant's side`]);
    const crashed = summarise(base, [{ failure: 'timed out after 60 s' }], [F], 0.1);
    expect(crashed).toMatchObject({ regression: true, ratio: null, entrantErrors: ['runner (round 1): timed out after 60 s'] });
  });
});
