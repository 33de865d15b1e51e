import type { MatchResult } from './types.js';
import { orderPair } from './verdicts.js';

/** Two entrants, ordered as in MatchResult (a < b). */
export type Pair = [string, string];

export interface ScheduleOptions {
  /** Up to this many entrants every pair meets; beyond it, Swiss rounds. Default 6. */
  maxAllPairs?: number;
  /** Swiss rounds; default ceil(log2(n)) + 1. */
  rounds?: number;
}

/** Same loop for both kinds of schedule: ask for a round, judge it, pass every result so far back in. */
export interface MatchScheduler {
  /** The next round's pairs given every result so far; empty once the schedule is done. */
  nextRound(results: readonly MatchResult[]): Pair[];
  /** Upper bound on the matches this scheduler will ever hand out. */
  readonly maxMatches: number;
}

export const DEFAULT_MAX_ALL_PAIRS = 6;

export function defaultSwissRounds(n: number): number {
  return n < 2 ? 0 : Math.ceil(Math.log2(n)) + 1;
}

const pairKey = (x: string, y: string): string => orderPair(x, y).join('\u0000');

function checkEntrants(entrants: readonly string[]): void {
  if (new Set(entrants).size !== entrants.length) throw new Error(`schedule: duplicate entrant names in ${entrants.join(', ')}`);
}

export function allPairs(entrants: readonly string[]): Pair[] {
  checkEntrants(entrants);
  const pairs: Pair[] = [];
  for (let i = 0; i < entrants.length; i++) {
    for (let j = i + 1; j < entrants.length; j++) pairs.push(orderPair(entrants[i]!, entrants[j]!));
  }
  return pairs;
}

/**
 * Every pair, n(n−1)/2 matches, for fields up to maxAllPairs. Larger fields need results between
 * rounds, so this throws rather than hand back a partial schedule: use createScheduler.
 */
export function schedulePairs(entrants: readonly string[], opts: Pick<ScheduleOptions, 'maxAllPairs'> = {}): Pair[] {
  const max = opts.maxAllPairs ?? DEFAULT_MAX_ALL_PAIRS;
  if (entrants.length > max) {
    throw new RangeError(`schedulePairs: ${entrants.length} entrants exceed maxAllPairs (${max}); use createScheduler for a Swiss schedule`);
  }
  return allPairs(entrants);
}

/** Round robin (one round holding every pair) up to maxAllPairs entrants, Swiss beyond. */
export function createScheduler(entrants: readonly string[], opts: ScheduleOptions = {}): MatchScheduler {
  if (entrants.length > (opts.maxAllPairs ?? DEFAULT_MAX_ALL_PAIRS)) return new SwissScheduler(entrants, opts.rounds);
  const pairs = allPairs(entrants);
  let handedOut = false;
  return {
    maxMatches: pairs.length,
    nextRound: () => {
      if (handedOut) return [];
      handedOut = true;
      return pairs.slice();
    },
  };
}

/**
 * Swiss rounds: entrants sorted by standing (win 1, tie ½; a failed match counts ½ each so a
 * judge outage does not sink both) with ties broken by entrant order, then paired top-down with
 * the nearest entrant they have not met. At most rounds × floor(n/2) matches.
 * With an odd field the lowest-standing entrant without a bye sits out (no points: a bye says
 * nothing about quality). If no bye choice admits a pairing without a rematch, the schedule ends
 * early. Deterministic: no randomness, only entrant order and results.
 */
export class SwissScheduler implements MatchScheduler {
  readonly entrants: readonly string[];
  readonly rounds: number;
  readonly maxMatches: number;
  /** Who sat out each round so far (null: nobody). */
  readonly byeHistory: (string | null)[] = [];
  private played = 0;
  private readonly met = new Set<string>();

  constructor(entrants: readonly string[], rounds: number = defaultSwissRounds(entrants.length)) {
    checkEntrants(entrants);
    if (!Number.isInteger(rounds) || rounds < 0) throw new RangeError(`SwissScheduler: rounds must be a non-negative integer, got ${rounds}`);
    this.entrants = [...entrants];
    this.rounds = entrants.length < 2 ? 0 : rounds;
    this.maxMatches = this.rounds * Math.floor(entrants.length / 2);
  }

  get done(): boolean {
    return this.played >= this.rounds;
  }

  nextRound(results: readonly MatchResult[]): Pair[] {
    if (this.done) return [];
    const seed = new Map(this.entrants.map((e, i) => [e, i]));
    const points = new Map(this.entrants.map((e) => [e, 0]));
    for (const r of results) {
      if (!seed.has(r.a) || !seed.has(r.b)) continue;
      this.met.add(pairKey(r.a, r.b));
      const [pa, pb] = r.outcome === 'a' ? [1, 0] : r.outcome === 'b' ? [0, 1] : [0.5, 0.5];
      points.set(r.a, points.get(r.a)! + pa);
      points.set(r.b, points.get(r.b)! + pb);
    }
    const order = [...this.entrants].sort((x, y) => points.get(y)! - points.get(x)! || seed.get(x)! - seed.get(y)!);
    const byes = (e: string): number => this.byeHistory.filter((b) => b === e).length;
    // Weakest first, preferring those who have not sat out yet (sort is stable).
    const byeCandidates: (string | null)[] = order.length % 2 === 0 ? [null] : [...order].reverse().sort((x, y) => byes(x) - byes(y));
    for (const bye of byeCandidates) {
      const pairs = this.pair(order.filter((e) => e !== bye));
      if (!pairs) continue;
      for (const [x, y] of pairs) this.met.add(pairKey(x, y));
      this.byeHistory.push(bye);
      this.played += 1;
      return pairs;
    }
    this.played = this.rounds;
    return [];
  }

  /** Backtracking, top-down; the step budget keeps a pathological field from hanging the run. */
  private pair(pool: readonly string[]): Pair[] | null {
    const used = pool.map(() => false);
    const out: Pair[] = [];
    let budget = 100_000;
    const go = (): boolean => {
      const i = used.indexOf(false);
      if (i < 0) return true;
      used[i] = true;
      for (let j = i + 1; j < pool.length && budget > 0; j++) {
        if (used[j] || this.met.has(pairKey(pool[i]!, pool[j]!))) continue;
        budget -= 1;
        used[j] = true;
        out.push(orderPair(pool[i]!, pool[j]!));
        if (go()) return true;
        used[j] = false;
        out.pop();
      }
      used[i] = false;
      return false;
    };
    return go() ? out : null;
  }
}
