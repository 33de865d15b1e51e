import type { JudgeRanking, MatchResult } from './types.js';

export interface BradleyTerryOptions {
  /**
   * Virtual games each rated entrant plays against one virtual opponent V, all scored as ties
   * (½ win each way). Default 1; 0 disables it (plain maximum likelihood, which diverges for an
   * entrant who won or lost everything).
   */
  prior?: number;
  /** Stop when no strength (normalised to sum 1) moves more than this in one iteration. Default 1e-9. */
  tolerance?: number;
  /** Default 10 000. */
  maxIterations?: number;
}

/**
 * Bradley–Terry, P(i beats j) = p_i / (p_i + p_j), fitted by Hunter's (2004) MM iteration
 *   p_i ← W_i / Σ_j n_ij / (p_i + p_j),  then normalised to Σ p = 1,
 * where W_i counts wins (a tie is ½ to each side) and n_ij games; failed matches are left out.
 *
 * Regulariser: V joins the fit as an ordinary player whose strength is estimated too, and every
 * rated entrant gets `prior` tied games against it. That links every entrant to every other in both
 * directions, so the likelihood has a unique finite maximum for any results, pulls entrants with
 * few games toward the middle, and weighs the same per entrant whatever the schedule (unlike a
 * per-pair prior, which would grow with n² under round robin and vanish under Swiss).
 *
 * Scores: score_i = mean over the other rated entrants j of p_i / (p_i + p_j), the modelled chance
 * of beating a finalist picked at random. It is 0..1, does not depend on how strengths are scaled,
 * and averages exactly ½ over the field, so the judge part moves entrants apart without shifting
 * totals. Entrants with no non-failed match ("unrated") score ½ and get the geometric mean of the
 * rated strengths (the log-scale average) as a placeholder; they take no part in the fit.
 */
export function fitBradleyTerry(entrants: readonly string[], matches: readonly MatchResult[], opts: BradleyTerryOptions = {}): JudgeRanking {
  const prior = opts.prior ?? 1;
  const tolerance = opts.tolerance ?? 1e-9;
  const maxIterations = opts.maxIterations ?? 10_000;
  if (!(prior >= 0)) throw new RangeError(`fitBradleyTerry: prior must be >= 0, got ${prior}`);
  const index = new Map(entrants.map((e, i) => [e, i]));
  if (index.size !== entrants.length) throw new Error(`fitBradleyTerry: duplicate entrant names in ${entrants.join(', ')}`);

  const n = entrants.length;
  const games = entrants.map(() => new Array<number>(n).fill(0));
  const wins = new Array<number>(n).fill(0);
  for (const m of matches) {
    if (m.outcome === 'failed') continue;
    const ia = index.get(m.a);
    const ib = index.get(m.b);
    if (ia === undefined || ib === undefined || ia === ib) throw new Error(`fitBradleyTerry: match ${m.a}/${m.b} is not between two entrants`);
    games[ia]![ib]! += 1;
    games[ib]![ia]! += 1;
    if (m.outcome === 'a') wins[ia]! += 1;
    else if (m.outcome === 'b') wins[ib]! += 1;
    else {
      wins[ia]! += 0.5;
      wins[ib]! += 0.5;
    }
  }

  const rated = entrants.map((_, i) => i).filter((i) => games[i]!.some((g) => g > 0));
  const fit = fitMM(
    rated.map((i) => rated.map((j) => games[i]![j]!)),
    rated.map((i) => wins[i]!),
    prior,
    tolerance,
    maxIterations,
  );

  const p = new Array<number>(n).fill(rated.length ? geometricMean(fit.p) : 1);
  rated.forEach((i, k) => (p[i] = fit.p[k]!));
  const total = p.reduce((s, x) => s + x, 0);
  const strengths: Record<string, number> = {};
  const scores: Record<string, number> = {};
  entrants.forEach((e, i) => {
    strengths[e] = total > 0 ? p[i]! / total : 1 / n;
    scores[e] = 0.5;
  });
  if (rated.length > 1) {
    for (const i of rated) {
      const others = rated.filter((j) => j !== i);
      scores[entrants[i]!] = others.reduce((s, j) => s + winProbability(p[i]!, p[j]!), 0) / others.length;
    }
  }
  return { method: 'bradley-terry', strengths, scores, iterations: fit.iterations, converged: fit.converged };
}

function winProbability(pi: number, pj: number): number {
  return pi + pj > 0 ? pi / (pi + pj) : 0.5;
}

function geometricMean(xs: readonly number[]): number {
  return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
}

/** MM on a games matrix and win vector; returns the real players' strengths (V dropped), Σ over all players incl. V = 1. */
function fitMM(games: number[][], wins: number[], prior: number, tolerance: number, maxIterations: number) {
  const k = wins.length;
  if (k === 0) return { p: [], iterations: 0, converged: true };
  if (prior > 0) {
    games.forEach((row) => row.push(prior));
    games.push(new Array<number>(k).fill(prior).concat(0));
    wins = wins.map((w) => w + prior / 2).concat((k * prior) / 2);
  }
  const m = wins.length;
  let p = new Array<number>(m).fill(1 / m);
  for (let it = 1; it <= maxIterations; it++) {
    const next = p.map((pi, i) => {
      let denom = 0;
      games[i]!.forEach((g, j) => {
        const sum = pi + p[j]!;
        if (g > 0 && sum > 0) denom += g / sum;
      });
      return denom > 0 ? wins[i]! / denom : pi;
    });
    const total = next.reduce((s, x) => s + x, 0);
    const normalised = next.map((x) => x / total);
    const delta = Math.max(...normalised.map((x, i) => Math.abs(x - p[i]!)));
    p = normalised;
    if (delta < tolerance) return { p: p.slice(0, k), iterations: it, converged: true };
  }
  return { p: p.slice(0, k), iterations: maxIterations, converged: false };
}
