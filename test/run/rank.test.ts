import { describe, expect, it } from 'vitest';
import { rankEntrants } from '../../src/run/rank.js';
import { emptyTokens, type EntrantResult } from '../../src/types.js';

function entrant(name: string, passed: boolean | null, additions: number, files = 1): EntrantResult {
  return {
    name, agent: 'opencode', model: 'scripted/x', status: 'finished',
    diff: { files, additions, deletions: 0 }, tokens: emptyTokens(), costUsd: 0, durationMs: 0, branch: null,
    diffPath: '', transcriptPath: null, rank: null,
    checks: { tests: passed === null ? null : { passed, exitCode: passed ? 0 : 1, counts: null, durationMs: 0, logPath: '' } },
  };
}

describe('rankEntrants', () => {
  it('ranks passing entrants by smallest diff and leaves the rest unranked', () => {
    const { ranked, winner } = rankEntrants([entrant('big', true, 50), entrant('broken', false, 2), entrant('small', true, 10), entrant('none', null, 0, 0)]);
    expect(winner).toBe('small');
    expect(Object.fromEntries(ranked.map((e) => [e.name, e.rank]))).toEqual({ big: 2, broken: null, small: 1, none: null });
  });

  it('breaks ties by files changed, then by name, whatever the input order', () => {
    const a = [entrant('b', true, 10, 1), entrant('a', true, 10, 1), entrant('c', true, 10, 2)];
    expect(rankEntrants(a).winner).toBe('a');
    expect(rankEntrants([...a].reverse()).ranked.map((e) => e.rank)).toEqual([3, 1, 2]);
  });

  it('has no winner when nobody passes', () => {
    expect(rankEntrants([entrant('x', false, 1)]).winner).toBeNull();
  });
});
