import { describe, expect, it } from 'vitest';
import { rankEntrants } from '../../src/ranking/rank.js';
import { summarizeTrials, trialSelection } from '../../src/ranking/trials.js';
import { expandTrials, trialNames } from '../../src/config/trials.js';
import { emptyTokens, type EntrantResult } from '../../src/types.js';

/** One trial of `of`, with a total score, eligible or out on a gate. */
function trial(of: string, k: number, total: number | null, eligible = true): EntrantResult {
  return {
    name: `${of}-t${k}`, agent: 'opencode', model: 'scripted/x', status: 'finished',
    diff: { files: 1, additions: 10 - k, deletions: 0 }, tokens: emptyTokens(), costUsd: 0, durationMs: 1,
    branch: null, diffPath: 'd', transcriptPath: null, checks: { tests: null },
    gates: [{ gate: 'tests', passed: eligible, reason: eligible ? 'ok' : 'failed' }], eligible,
    score: total === null ? null : { total, parts: [] }, rank: null, trialOf: of, trial: k,
  };
}

const ranked = (entrants: EntrantResult[]) => rankEntrants(entrants).ranked;

describe('trials', () => {
  it('ranks entrants by expected score, so one lucky pass among failures does not beat consistency', () => {
    // lucky has the best single trial (99) but fails two of three; steady passes all three at ~90.
    const { summaries, winner } = summarizeTrials(ranked([
      trial('lucky', 1, 99), trial('lucky', 2, 40, false), trial('lucky', 3, 30, false),
      trial('steady', 1, 90), trial('steady', 2, 88), trial('steady', 3, 92),
    ]));
    const steady = summaries.find((s) => s.entrant === 'steady')!;
    const lucky = summaries.find((s) => s.entrant === 'lucky')!;
    expect(steady).toMatchObject({ trials: 3, passed: 3, passRate: 1, meanScore: 90, expectedScore: 90, rank: 1, best: 'steady-t3', spread: { min: 88, max: 92 } });
    expect(steady.spread?.stdev).toBeCloseTo(1.6, 1);
    // Its mean over passing trials is 99, but a failed trial counts 0: expected 33.
    expect(lucky).toMatchObject({ passed: 1, passRate: 0.333, meanScore: 99, expectedScore: 33, rank: 2, best: 'lucky-t1' });
    expect(winner).toBe('steady-t3');
    // The per-trial ranking alone would have promoted lucky's one pass.
    expect(rankEntrants([trial('lucky', 1, 99), trial('steady', 3, 92)]).winner).toBe('lucky-t1');
  });

  it('ranks a gambler that passes 1 of 10 at 95 below one that passes 6 of 6 at 90', () => {
    const gambler = Array.from({ length: 10 }, (_, i) => trial('gambler', i + 1, i === 0 ? 95 : 20, i === 0));
    const steady = Array.from({ length: 6 }, (_, i) => trial('steady', i + 1, 90));
    const { summaries, winner } = summarizeTrials(ranked([...gambler, ...steady]));
    expect(summaries.map((s) => [s.entrant, s.rank, s.expectedScore])).toEqual([['steady', 1, 90], ['gambler', 2, 9.5]]);
    expect(winner?.startsWith('steady-')).toBe(true);
  });

  it('breaks a tie in expected score by pass rate, and the winner is the best trial of the top entrant', () => {
    const { summaries, winner } = summarizeTrials(ranked([
      trial('a', 1, 80), trial('a', 2, 80), trial('a', 3, 0, false), trial('a', 4, 0, false),
      trial('b', 1, 40), trial('b', 2, 40), trial('b', 3, 40), trial('b', 4, 40),
    ]));
    expect(summaries.map((s) => [s.entrant, s.rank, s.expectedScore, s.passRate])).toEqual([['b', 1, 40, 1], ['a', 2, 40, 0.5]]);
    expect(winner).toBe('b-t4');
  });

  it('leaves an entrant with no passing trial unranked, and has no winner when none passed', () => {
    const { summaries, winner } = summarizeTrials(ranked([trial('x', 1, 50, false), trial('x', 2, null, false)]));
    expect(summaries).toEqual([expect.objectContaining({ entrant: 'x', passed: 0, meanScore: null, spread: null, best: null, rank: null, names: ['x-t1', 'x-t2'] })]);
    expect(winner).toBeNull();
    expect(trialSelection(summaries, null)).toMatchObject({ decidedBy: 'none', leader: null, confident: false });
  });

  it('states the lead in expected score and applies the minimum margin to it', () => {
    const { summaries } = summarizeTrials(ranked([trial('a', 1, 90), trial('a', 2, 86), trial('b', 1, 85), trial('b', 2, 85)]));
    const sure = trialSelection(summaries, null);
    expect(sure).toMatchObject({ decidedBy: 'score', leader: 'a-t1', runnerUp: 'b-t2', margin: 3, confident: true });
    expect(sure.summary).toContain('leads b');
    expect(trialSelection(summaries, 5)).toMatchObject({ confident: false, leader: 'a-t1' });
    expect(trialSelection(summaries, 5).summary).toContain('below the minimum margin of 5 points');
  });

  it('names each trial after its entrant and keeps one run as it was', () => {
    expect(trialNames({ name: 'tidy' })).toEqual(['tidy']);
    expect(trialNames({ name: 'tidy', trials: 3 })).toEqual(['tidy-t1', 'tidy-t2', 'tidy-t3']);
    const runs = expandTrials([{ name: 'a', agent: 'opencode', model: 'm/x', trials: 2 }, { name: 'b', agent: 'opencode', model: 'm/x' }]);
    expect(runs.map((r) => [r.name, r.trialOf, r.trial])).toEqual([['a-t1', 'a', 1], ['a-t2', 'a', 2], ['b', undefined, undefined]]);
  });
});

describe('trials ranking with means that differ from the best single trial', () => {
  it('prefers the entrant whose passing trials are better on average over one with a single better trial', () => {
    const { summaries, winner } = summarizeTrials(rankEntrants([
      trial('spiky', 1, 95), trial('spiky', 2, 60),
      trial('even', 1, 85), trial('even', 2, 84),
    ]).ranked);
    expect(summaries.map((s) => [s.entrant, s.meanScore, s.expectedScore])).toEqual([['even', 84.5, 84.5], ['spiky', 77.5, 77.5]]);
    // The per-trial ranking alone would have picked spiky-t1 (95).
    expect(rankEntrants([trial('spiky', 1, 95), trial('even', 1, 85)]).winner).toBe('spiky-t1');
    expect(winner).toBe('even-t1');
  });
});

describe('trials tie-break', () => {
  it('breaks equal means and pass rates by the better best trial in the per-trial ranking (smaller diff), not by name', () => {
    const small = (of: string, k: number) => ({ ...trial(of, k, 100), diff: { files: 1, additions: 2, deletions: 0 } });
    const { summaries, winner } = summarizeTrials(rankEntrants([trial('alpha', 1, 100), trial('alpha', 2, 100), small('zulu', 1), small('zulu', 2)]).ranked);
    expect(summaries.map((s) => s.entrant)).toEqual(['zulu', 'alpha']);
    expect(winner).toBe('zulu-t1');
    expect(trialSelection(summaries, null)).toMatchObject({ decidedBy: 'tie-break', leader: 'zulu-t1' });
  });
});
