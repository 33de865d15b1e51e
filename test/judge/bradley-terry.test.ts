import { describe, expect, it } from 'vitest';
import { fitBradleyTerry } from '../../src/judge/bradley-terry.js';
import type { MatchResult } from '../../src/judge/types.js';
import { match, times } from './helpers.js';

/** Wins (ties ½) and games per pair, computed here without the module. */
function tally(entrants: string[], matches: MatchResult[]) {
  const wins: Record<string, number> = Object.fromEntries(entrants.map((e) => [e, 0]));
  const games = new Map<string, number>();
  for (const m of matches) {
    if (m.outcome === 'failed') continue;
    games.set(`${m.a}|${m.b}`, (games.get(`${m.a}|${m.b}`) ?? 0) + 1);
    if (m.outcome === 'a') wins[m.a]! += 1;
    else if (m.outcome === 'b') wins[m.b]! += 1;
    else {
      wins[m.a]! += 0.5;
      wins[m.b]! += 0.5;
    }
  }
  const n = (i: string, j: string) => games.get(`${i}|${j}`) ?? games.get(`${j}|${i}`) ?? 0;
  return { wins, n };
}

function logLikelihood(entrants: string[], matches: MatchResult[], p: Record<string, number>): number {
  const { wins, n } = tally(entrants, matches);
  let ll = 0;
  for (const i of entrants) {
    ll += wins[i]! * Math.log(p[i]!);
    for (const j of entrants) if (i < j) ll -= n(i, j) * Math.log(p[i]! + p[j]!);
  }
  return ll;
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((s, x) => s + x, 0);

describe('fitBradleyTerry', () => {
  it('matches the two-player closed form p1/(p1+p2) = w1/(w1+w2), ties counting half', () => {
    const matches = [...times(3, 'x', 'y', 'x'), match('x', 'y', 'y'), match('x', 'y', 'tie')];
    const r = fitBradleyTerry(['x', 'y'], matches, { prior: 0 });
    expect(r.converged).toBe(true);
    expect(r.strengths.x! / (r.strengths.x! + r.strengths.y!)).toBeCloseTo(3.5 / 5, 9);
    expect(sum(r.strengths)).toBeCloseTo(1, 12);
    // With two entrants the score is the win probability against the other one.
    expect(r.scores.x).toBeCloseTo(0.7, 9);
    expect(r.scores.y).toBeCloseTo(0.3, 9);
  });

  it('solves the MLE score equations for three players and maximises the likelihood', () => {
    const entrants = ['a', 'b', 'c'];
    const matches = [
      ...times(2, 'a', 'b', 'a'), match('a', 'b', 'b'),
      ...times(2, 'b', 'c', 'b'), match('b', 'c', 'c'), match('b', 'c', 'tie'),
      match('a', 'c', 'a'), match('a', 'c', 'c'), match('a', 'c', 'tie'),
    ];
    const r = fitBradleyTerry(entrants, matches, { prior: 0 });
    expect(r.converged).toBe(true);
    const p = r.strengths;
    const { wins, n } = tally(entrants, matches);
    for (const i of entrants) {
      const expected = entrants.filter((j) => j !== i).reduce((s, j) => s + (n(i, j) * p[i]!) / (p[i]! + p[j]!), 0);
      expect(Math.abs(expected - wins[i]!)).toBeLessThan(1e-6);
    }
    const best = logLikelihood(entrants, matches, p);
    for (const i of entrants) {
      for (const factor of [0.98, 1.02]) {
        expect(logLikelihood(entrants, matches, { ...p, [i]: p[i]! * factor })).toBeLessThan(best);
      }
    }
    expect(p.a).toBeGreaterThan(p.c!);
    expect(p.c).toBeLessThan(p.b!);
  });

  it('swaps strengths when names are swapped', () => {
    const matches = (x: string, y: string) => [...times(2, x, y, x), match(x, 'z', 'z'), match(y, 'z', 'tie')];
    const one = fitBradleyTerry(['p', 'q', 'z'], matches('p', 'q'));
    const two = fitBradleyTerry(['p', 'q', 'z'], matches('q', 'p'));
    expect(one.strengths.p).toBeCloseTo(two.strengths.q!, 12);
    expect(one.strengths.q).toBeCloseTo(two.strengths.p!, 12);
    expect(one.strengths.z).toBeCloseTo(two.strengths.z!, 12);
    expect(one.strengths.p).not.toBeCloseTo(one.strengths.q!, 3);
  });

  it('orders a perfect a > b > c with finite strengths thanks to the prior', () => {
    const r = fitBradleyTerry(['c', 'a', 'b'], [match('a', 'b', 'a'), match('b', 'c', 'b'), match('a', 'c', 'a')]);
    expect(r.converged).toBe(true);
    const { a, b, c } = r.strengths;
    expect(a).toBeGreaterThan(b!);
    expect(b).toBeGreaterThan(c!);
    expect(c).toBeGreaterThan(0.01);
    expect(r.scores.a).toBeGreaterThan(r.scores.b!);
    expect(r.scores.b).toBeGreaterThan(r.scores.c!);
    expect(r.scores.a).toBeLessThan(1);
    expect(r.scores.b).toBeCloseTo(0.5, 6);
    expect(sum(r.scores) / 3).toBeCloseTo(0.5, 12);
    expect(sum(r.strengths)).toBeCloseTo(1, 12);
  });

  it('shrinks more with a larger prior', () => {
    const matches = [match('a', 'b', 'a')];
    const weak = fitBradleyTerry(['a', 'b'], matches, { prior: 0.5 });
    const strong = fitBradleyTerry(['a', 'b'], matches, { prior: 4 });
    expect(weak.scores.a).toBeGreaterThan(strong.scores.a!);
    expect(strong.scores.a).toBeGreaterThan(0.5);
  });

  it('gives equal strengths when every match is a tie', () => {
    const r = fitBradleyTerry(['a', 'b', 'c'], [match('a', 'b', 'tie'), match('b', 'c', 'tie'), match('a', 'c', 'tie')]);
    for (const e of ['a', 'b', 'c']) {
      expect(r.strengths[e]).toBeCloseTo(1 / 3, 9);
      expect(r.scores[e]).toBeCloseTo(0.5, 9);
    }
  });

  it('ignores failed matches and scores an entrant with none left at 0.5', () => {
    const base = [match('a', 'b', 'a'), match('b', 'c', 'b')];
    const withFailed = [...base, match('a', 'b', 'failed'), match('a', 'd', 'failed'), match('c', 'd', 'failed')];
    const clean = fitBradleyTerry(['a', 'b', 'c', 'd'], base);
    const r = fitBradleyTerry(['a', 'b', 'c', 'd'], withFailed);
    expect(r).toEqual(clean);
    expect(r.scores.d).toBe(0.5);
    expect(r.strengths.d).toBeGreaterThan(0);
    expect(r.scores.a! + r.scores.b! + r.scores.c!).toBeCloseTo(1.5, 12);
  });

  it('handles fields with no usable results', () => {
    expect(fitBradleyTerry([], [])).toEqual({ method: 'bradley-terry', strengths: {}, scores: {}, iterations: 0, converged: true });
    const r = fitBradleyTerry(['a', 'b'], [match('a', 'b', 'failed')]);
    expect(r.scores).toEqual({ a: 0.5, b: 0.5 });
    expect(r.strengths).toEqual({ a: 0.5, b: 0.5 });
  });

  it('reports non-convergence when out of iterations', () => {
    const matches = [...times(5, 'a', 'b', 'a'), match('b', 'c', 'b'), match('a', 'c', 'c')];
    expect(fitBradleyTerry(['a', 'b', 'c'], matches, { maxIterations: 2 })).toMatchObject({ converged: false, iterations: 2 });
  });

  it('rejects matches between unknown entrants', () => {
    expect(() => fitBradleyTerry(['a', 'b'], [match('a', 'z', 'a')])).toThrow(/not between two entrants/);
  });
});
