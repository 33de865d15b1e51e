import { describe, expect, it } from 'vitest';
import { createScheduler, defaultSwissRounds, schedulePairs, SwissScheduler, type Pair } from '../../src/judge/schedule.js';
import type { MatchResult } from '../../src/judge/types.js';
import { match } from './helpers.js';

const names = (n: number) => Array.from({ length: n }, (_, i) => `e${String(i).padStart(2, '0')}`);
const key = ([x, y]: Pair) => `${x}|${y}`;

/** Plays a whole Swiss schedule; the hidden strength decides each match (equal strength → tie). */
function play(entrants: string[], strength: (e: string) => number, rounds?: number) {
  const s = new SwissScheduler(entrants, rounds);
  const results: MatchResult[] = [];
  const played: Pair[][] = [];
  for (let pairs = s.nextRound(results); pairs.length; pairs = s.nextRound(results)) {
    played.push(pairs);
    for (const [x, y] of pairs) {
      const d = strength(x) - strength(y);
      results.push(match(x, y, d > 0 ? x : d < 0 ? y : 'tie'));
    }
  }
  return { scheduler: s, played, results };
}

// A strength unrelated to entrant order, so pairings are not trivially by seed.
const scrambled = (e: string) => (Number(e.slice(1)) * 7) % 11;

describe('schedulePairs', () => {
  it('has every pair meet in small fields', () => {
    expect(schedulePairs(['c', 'a', 'b'])).toEqual([['a', 'c'], ['b', 'c'], ['a', 'b']]);
    const six = schedulePairs(names(6));
    expect(six).toHaveLength(15);
    expect(new Set(six.map(key)).size).toBe(15);
    expect(six.every(([x, y]) => x < y)).toBe(true);
    expect(schedulePairs(['solo'])).toEqual([]);
  });

  it('refuses fields above maxAllPairs, which need results between rounds', () => {
    expect(() => schedulePairs(names(7))).toThrow(/createScheduler/);
    expect(schedulePairs(names(7), { maxAllPairs: 7 })).toHaveLength(21);
    expect(() => schedulePairs(['a', 'a'])).toThrow(/duplicate/);
  });
});

describe('createScheduler', () => {
  it('hands out the round robin once for small fields and Swiss beyond', () => {
    const rr = createScheduler(names(4));
    expect(rr.maxMatches).toBe(6);
    expect(rr.nextRound([])).toHaveLength(6);
    expect(rr.nextRound([])).toEqual([]);
    const swiss = createScheduler(names(7));
    expect(swiss).toBeInstanceOf(SwissScheduler);
    expect(swiss.maxMatches).toBe(4 * 3);
    expect(createScheduler(names(7), { maxAllPairs: 8 }).nextRound([])).toHaveLength(21);
  });
});

describe('SwissScheduler', () => {
  it('defaults to ceil(log2 n) + 1 rounds', () => {
    expect([1, 2, 7, 8, 9, 10, 16].map(defaultSwissRounds)).toEqual([0, 2, 4, 4, 5, 5, 5]);
  });

  it('plays 10 entrants in bounded rounds: everyone every round, no rematch', () => {
    const { scheduler, played } = play(names(10), scrambled);
    expect(played).toHaveLength(5);
    expect(scheduler.maxMatches).toBe(25);
    const all = played.flat();
    expect(all.length).toBeLessThanOrEqual(5 * 5);
    expect(new Set(all.map(key)).size).toBe(all.length);
    for (const round of played) expect(round.flat().sort()).toEqual(names(10));
    expect(scheduler.byeHistory).toEqual([null, null, null, null, null]);
    expect(scheduler.nextRound([])).toEqual([]);
  });

  it('gives each bye once, to the lowest standing entrant, in odd fields', () => {
    const entrants = names(9);
    const { scheduler, played, results } = play(entrants, scrambled);
    expect(played).toHaveLength(5);
    const byes = scheduler.byeHistory;
    expect(new Set(byes).size).toBe(5);
    played.forEach((round, r) => {
      expect(round).toHaveLength(4);
      expect([...round.flat(), byes[r]].sort()).toEqual(entrants);
    });
    expect(new Set(played.flat().map(key)).size).toBe(20);
    // Round 2's bye went to someone who lost round 1 (seed order breaks the tie among losers: last first).
    const round1 = results.slice(0, 4);
    const losers = round1.map((m) => (m.outcome === 'a' ? m.b : m.a));
    expect(losers).toContain(byes[1]);
    expect(byes[1]).toBe(losers.sort().at(-1));
  });

  it('pairs entrants of equal standing', () => {
    const { played, results } = play(names(8), scrambled);
    const winners = new Set(results.slice(0, 4).map((m) => (m.outcome === 'a' ? m.a : m.b)));
    for (const [x, y] of played[1]!) expect(winners.has(x)).toBe(winners.has(y));
  });

  it('is deterministic and depends on the results', () => {
    const one = play(names(11), scrambled).played;
    expect(play(names(11), scrambled).played).toEqual(one);
    expect(play(names(11), (e) => -scrambled(e)).played).not.toEqual(one);
  });

  it('treats ties and failures as half a point and still never repeats a pair', () => {
    const s = new SwissScheduler(names(8), 6);
    const results: MatchResult[] = [];
    const seen = new Set<string>();
    let i = 0;
    for (let pairs = s.nextRound(results); pairs.length; pairs = s.nextRound(results)) {
      for (const p of pairs) {
        expect(seen.has(key(p))).toBe(false);
        seen.add(key(p));
        results.push(match(p[0], p[1], ['tie', 'failed', p[0]][i++ % 3]!));
      }
    }
    expect(seen.size).toBe(6 * 4);
  });

  it('ends early rather than arrange a rematch', () => {
    const { played } = play(names(4), scrambled, 10);
    expect(played).toHaveLength(3);
    expect(new Set(played.flat().map(key)).size).toBe(6);
  });

  it('schedules nothing for fewer than two entrants', () => {
    expect(new SwissScheduler(['solo']).nextRound([])).toEqual([]);
    expect(new SwissScheduler([]).maxMatches).toBe(0);
    expect(() => new SwissScheduler(names(3), -1)).toThrow(/rounds/);
  });
});
