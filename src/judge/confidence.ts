// How much to trust the judge: how often a verdict followed the presentation order (position bias),
// how often a panel agreed, and how wide each Bradley–Terry strength is under resampling of the matches.
import { fitBradleyTerry } from './bradley-terry.js';
import type { MatchResult } from './types.js';

export interface JudgeConfidence {
  /** Per judge model: share of its decided matches (both orders answered) whose verdict flipped with the order. */
  flipRate: Record<string, { flipped: number; decided: number; rate: number }>;
  /** Mean agreement of the panel over matches at least one judge decided; null with a single judge. */
  panelAgreement: number | null;
  /** Per finalist: 95% percentile interval of its strength over bootstrap resamples of the matches. */
  strengthIntervals: Record<string, [number, number]>;
  bootstrap: { resamples: number; seed: number };
}

export const BOOTSTRAP_RESAMPLES = 500;
export const MIN_MATCHES_FOR_INTERVALS = 3;
// Fixed, so a run's intervals are reproducible from its saved matches.
const SEED = 0x7031;

export function judgeConfidence(finalists: readonly string[], models: readonly string[], matches: readonly MatchResult[], resamples = BOOTSTRAP_RESAMPLES): JudgeConfidence {
  const flipRate: JudgeConfidence['flipRate'] = {};
  for (const model of models) {
    const outcomes = matches.flatMap((m) => m.perJudge.filter((j) => j.judge === model && j.outcome !== 'failed'));
    const flipped = outcomes.filter((o) => o.flipped).length;
    flipRate[model] = { flipped, decided: outcomes.length, rate: outcomes.length ? flipped / outcomes.length : 0 };
  }
  const decided = matches.filter((m) => m.outcome !== 'failed');
  const panelAgreement = models.length > 1 && decided.length > 0 ? decided.reduce((s, m) => s + m.agreement, 0) / decided.length : null;

  const strengthIntervals: JudgeConfidence['strengthIntervals'] = {};
  // Resampling one or two matches gives a zero-width interval that looks certain: none is given then.
  if (decided.length >= MIN_MATCHES_FOR_INTERVALS && finalists.length > 1) {
    const random = mulberry32(SEED);
    const samples = new Map<string, number[]>(finalists.map((f) => [f, []]));
    for (let r = 0; r < resamples; r++) {
      const resample = decided.map(() => decided[Math.floor(random() * decided.length)]!);
      const fit = fitBradleyTerry(finalists, resample);
      for (const f of finalists) samples.get(f)!.push(fit.strengths[f] ?? 0);
    }
    for (const [f, xs] of samples) {
      xs.sort((a, b) => a - b);
      strengthIntervals[f] = [quantile(xs, 0.025), quantile(xs, 0.975)];
    }
  }
  return { flipRate, panelAgreement, strengthIntervals, bootstrap: { resamples, seed: SEED } };
}

function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return (sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo));
}

/** A small seeded PRNG (Mulberry32): uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
