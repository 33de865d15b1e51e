import { describe, expect, it } from 'vitest';
import { interleave, notRunTasks, parseRunnerOutput, perfPartScore, summariseSession, type RunnerFile, type SideRounds } from '../../src/checks/perf-stats.js';

const F = 'bench/a.bench.js';
const G = 'bench/new.bench.js';

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
const importFails = (file: string): RunnerFile[] => [{ file, error: "cannot import: SyntaxError: The requested module does not provide an export named 'kebab'", tasks: [] }];
const merge = (...parts: RunnerFile[][]): RunnerFile[] => parts.flat();

/** One candidate against base, as the single-entrant check used to be. */
function one(base: SideRounds, entrant: SideRounds, files = [F], threshold = 0.1) {
  return summariseSession({ base, candidates: { e: entrant } }, files, threshold).e!;
}

describe('parseRunnerOutput', () => {
  const nonce = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const line = (n: string, ops: number) => `TOURNEY_PERF ${n} ${JSON.stringify({ files: round({ t: ops }) })}`;

  it("reads the line that carries the run's secret and ignores other output", () => {
    expect(parseRunnerOutput(`noise\n${line(nonce, 5)}\nmore\n`, nonce)?.[0]?.tasks[0]?.opsPerSec).toBe(5);
  });

  it('refuses result lines printed by bench code that does not know the secret', () => {
    // Forged before or after the runner's own line, or instead of it (the bench then exits early).
    expect(parseRunnerOutput(`${line('0'.repeat(32), 1e12)}\n`, nonce)).toBeNull();
    expect(parseRunnerOutput(`TOURNEY_PERF ${JSON.stringify({ files: round({ t: 1e12 }) })}\n`, nonce)).toBeNull();
    // The secret shown twice: someone copied the runner's line; nothing is trusted.
    expect(parseRunnerOutput(`${line(nonce, 1e12)}\n${line(nonce, 5)}\n`, nonce)).toBeNull();
    // No secret given to the parser (the runner found no secret file): never a match.
    expect(parseRunnerOutput(`TOURNEY_PERF  ${JSON.stringify({ files: round({ t: 5 }) })}\n`, '')).toBeNull();
  });

  it('returns null without a valid result line', () => {
    expect(parseRunnerOutput('Error: boom\n', nonce)).toBeNull();
    expect(parseRunnerOutput(`TOURNEY_PERF ${nonce} {not json\n`, nonce)).toBeNull();
    expect(parseRunnerOutput(`TOURNEY_PERF ${nonce} {"files":[{"file":1}]}\n`, nonce)).toBeNull();
  });
});

describe('interleave', () => {
  it('measures every side exactly once per round (base once, not once per candidate), rotating who goes first', () => {
    for (let sides = 1; sides <= 6; sides++) {
      const names = ['base', ...Array.from({ length: sides - 1 }, (_, i) => `c${i}`)];
      for (const rounds of [1, 2, 3, 7]) {
        const schedule = interleave(names, rounds);
        expect(schedule).toHaveLength(rounds);
        for (const order of schedule) expect([...order].sort()).toEqual([...names].sort());
        // Each side goes first once in any n consecutive rounds, and no two consecutive rounds share an order.
        const firsts = schedule.slice(0, Math.min(rounds, sides)).map((o) => o[0]);
        expect(new Set(firsts).size).toBe(firsts.length);
        if (sides > 1) for (let r = 1; r < rounds; r++) expect(schedule[r]).not.toEqual(schedule[r - 1]);
        // Over n rounds every side sits at every position once.
        if (rounds >= sides) {
          for (const name of names) expect(new Set(schedule.slice(0, sides).map((o) => o.indexOf(name))).size).toBe(sides);
        }
      }
    }
  });

  it('alternates two sides as the one-entrant check did', () => {
    expect(interleave(['base', 'e'], 4)).toEqual([['base', 'e'], ['e', 'base'], ['base', 'e'], ['e', 'base']]);
  });
});

describe('perfPartScore', () => {
  it('is 0.5 at the reference speed, 1 at twice, 0 at half, clamped and increasing', () => {
    expect(perfPartScore(1)).toBe(0.5);
    expect(perfPartScore(2)).toBe(1);
    expect(perfPartScore(0.5)).toBe(0);
    expect(perfPartScore(8)).toBe(1);
    expect(perfPartScore(0.01)).toBe(0);
    const xs = [0.5, 0.6, 0.75, 0.9, 1, 1.2, 1.7, 2];
    for (let i = 1; i < xs.length; i++) expect(perfPartScore(xs[i]!)).toBeGreaterThan(perfPartScore(xs[i - 1]!));
  });
});

describe('summariseSession', () => {
  it('takes the median per side and the geometric mean of the ratios to base', () => {
    const base = [round({ a: 100, b: 10 }), round({ a: 300, b: 30 }), round({ a: 200, b: 20 })];
    const entrant = [round({ a: 400, b: 5 }), round({ a: 400, b: 5 }), round({ a: 1000, b: 5 })];
    const summary = one(base, entrant);
    expect(summary.tasks.map((t) => [t.task, t.baseOpsPerSec, t.opsPerSec, t.ratio, t.relativeTo, t.state])).toEqual([
      ['a', 200, 400, 2, 'base', 'measured'],
      ['b', 20, 5, 0.25, 'base', 'measured'],
    ]);
    expect(summary.ratio).toBeCloseTo(Math.sqrt(0.5));
    expect(summary.relativeTo).toBe('base');
    expect(summary.regression).toBe(true);
    expect(summary.entrantErrors).toEqual([]);
  });

  it('compares every candidate with the same base numbers', () => {
    const base = [round({ a: 100 }), round({ a: 100 })];
    const s = summariseSession({ base, candidates: { fast: [round({ a: 150 }), round({ a: 150 })], same: [round({ a: 100 }), round({ a: 100 })], slow: [round({ a: 50 }), round({ a: 50 })] } }, [F], 0.1);
    expect([s.fast!.ratio, s.same!.ratio, s.slow!.ratio]).toEqual([1.5, 1, 0.5]);
    expect([s.fast!.regression, s.same!.regression, s.slow!.regression]).toEqual([false, false, true]);
    expect(s.fast!.tasks[0]!.baseOpsPerSec).toBe(s.slow!.tasks[0]!.baseOpsPerSec);
  });

  it('compares candidates with the fastest of them when base cannot run a task (a new feature)', () => {
    const base = [importFails(G), importFails(G)];
    const s = summariseSession(
      { base, candidates: { fast: [round({ kebab: 1000 }, G), round({ kebab: 1200 }, G)], mid: [round({ kebab: 950 }, G), round({ kebab: 950 }, G)], slow: [round({ kebab: 200 }, G), round({ kebab: 240 }, G)] } },
      [G], 0.1,
    );
    const kebab = (n: string) => s[n]!.tasks[0]!;
    expect(kebab('fast')).toMatchObject({ ratio: 1, relativeTo: 'fastest candidate', state: 'base failed', reference: { name: 'fast', opsPerSec: 1100 } });
    expect(kebab('fast').detail).toMatch(/base could not run it \(cannot import.*kebab.*\); the fastest candidate$/);
    expect(kebab('mid').ratio).toBeCloseTo(950 / 1100);
    expect(kebab('slow').ratio).toBeCloseTo(220 / 1100);
    expect(kebab('slow').detail).toMatch(/0\.20x the fastest candidate \(fast\)/);
    expect(s.slow!).toMatchObject({ relativeTo: 'fastest candidate', regression: true });
    expect(s.mid!.regression).toBe(true); // 0.86x: more than 10% slower than the fastest
    expect(perfPartScore(s.slow!.ratio!)).toBeLessThan(perfPartScore(s.fast!.ratio!));
    expect(s.fast!.baseFailed).toHaveLength(1);
  });

  it('applies the threshold to ratios to the fastest candidate like to base', () => {
    const base = [importFails(G)];
    const at = (ops: number, threshold: number) => summariseSession({ base, candidates: { best: [round({ t: 100 }, G)], other: [round({ t: ops }, G)] } }, [G], threshold).other!.regression;
    expect(at(91, 0.1)).toBe(false);
    expect(at(89, 0.1)).toBe(true);
    expect(at(60, 0.5)).toBe(false);
    expect(at(40, 0.5)).toBe(true);
  });

  it("says 'mixed' when some tasks compare with base and others with the fastest candidate", () => {
    const base = [merge(round({ old: 100 }), importFails(G))];
    const s = summariseSession({ base, candidates: { a: [merge(round({ old: 100 }), round({ kebab: 50 }, G))], b: [merge(round({ old: 200 }), round({ kebab: 100 }, G))] } }, [F, G], 0.1);
    expect(s.a!.relativeTo).toBe('mixed');
    expect(s.a!.tasks.map((t) => t.relativeTo)).toEqual(['base', 'fastest candidate']);
    expect(s.a!.ratio).toBeCloseTo(Math.sqrt(1 * 0.5));
    expect(s.b!.ratio).toBeCloseTo(Math.sqrt(2 * 1));
  });

  it('takes the reference from the candidates in the running, falling back to all when none of them measured the task', () => {
    const base = [importFails(G)];
    const candidates = { cheat: [round({ t: 1000 }, G)], honest: [round({ t: 100 }, G)], broken: [round({ t: 'Error: no' }, G)] };
    const pooled = summariseSession({ base, candidates }, [G], 0.1, ['honest', 'broken']);
    expect(pooled.honest!.tasks[0]).toMatchObject({ ratio: 1, reference: { name: 'honest' } });
    expect(pooled.cheat!.tasks[0]!.ratio).toBe(10);
    const fallback = summariseSession({ base, candidates }, [G], 0.1, ['broken']);
    expect(fallback.honest!.tasks[0]).toMatchObject({ ratio: 0.1, reference: { name: 'cheat' } });
  });

  it('never takes a candidate that failed the task as the reference', () => {
    const base = [importFails(G), importFails(G)];
    // "flaky" is fastest in one round but throws in the other: not a clean measurement.
    const s = summariseSession({ base, candidates: { flaky: [round({ t: 900 }, G), round({ t: 'RangeError: x' }, G)], steady: [round({ t: 100 }, G), round({ t: 100 }, G)] } }, [G], 0.1);
    expect(s.steady!.tasks[0]).toMatchObject({ ratio: 1, reference: { name: 'steady' } });
    expect(s.flaky!.tasks[0]).toMatchObject({ ratio: null, state: 'entrant failed' });
    expect(s.flaky!.regression).toBe(true);
  });

  it("marks failures on the entrant's side, with no ratio, as regressions", () => {
    const base = [round({ a: 10, b: 10 })];
    const thrown = one(base, [round({ a: 10, b: 'TypeError: x' })]);
    expect(thrown).toMatchObject({ regression: true, entrantErrors: [`${F} › b (round 1): TypeError: x`] });
    expect(thrown.tasks[1]).toMatchObject({ task: 'b', ratio: null, state: 'entrant failed', detail: "failed on this candidate's side: TypeError: x" });
    expect(thrown.ratio).toBe(1); // the task that ran still counts
    expect(one(base, [round({ a: 10 })]).entrantErrors).toEqual([`${F} › b: did not run on the entrant's side`]);
    const crashed = one(base, [[{ file: F, error: 'timed out after 60 s', tasks: [] }]]);
    expect(crashed).toMatchObject({ regression: true, ratio: null, entrantErrors: [`${F} (round 1): timed out after 60 s`] });
    expect(crashed.tasks.map((t) => t.state)).toEqual(['entrant failed', 'entrant failed']);
    const whole = one(base, [{ failure: 'runner exited' }]);
    expect(whole.entrantErrors).toEqual(['runner (round 1): runner exited']);
  });

  it('has no reference when no candidate measured a task base cannot run', () => {
    const s = one([importFails(G)], [round({ t: 'Error: x' }, G)], [G]);
    expect(s.tasks[0]).toMatchObject({ state: 'entrant failed', ratio: null });
    expect(s.ratio).toBeNull();
    expect(s.relativeTo).toBeNull();
  });

  it('ignores files that are not the spec\'s benches', () => {
    const s = one([merge(round({ a: 10 }), round({ x: 1 }, 'bench/other.js'))], [merge(round({ a: 10 }), round({ x: 100 }, 'bench/other.js'))]);
    expect(s.tasks.map((t) => t.task)).toEqual(['a']);
  });
});

describe('notRunTasks', () => {
  it('lists each task with the reason and no numbers', () => {
    expect(notRunTasks([{ file: F, task: 'a' }], 'skipped: out on gate tampering')).toEqual([
      { file: F, task: 'a', baseOpsPerSec: 0, baseRme: 0, opsPerSec: 0, rme: 0, ratio: null, relativeTo: null, state: 'not run', detail: 'skipped: out on gate tampering' },
    ]);
  });
});
