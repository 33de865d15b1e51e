// Trials: each entrant run K times, so one lucky or unlucky run does not decide. The trials are
// refereed and scored like entrants of their own; this ranks the entrants behind them.
import type { EntrantResult } from '../types.js';
import type { Selection } from './selection.js';

export const TRIALS_RULE =
  'With trials, entrants are ranked by their expected score: the mean total score over all their trials, a trial that failed a gate counting 0 ' +
  '(so one lucky pass among failures does not beat an entrant that passes every time); ' +
  'ties go to the higher pass rate (trials passing every gate / trials run), then the better best trial (by the per-trial ranking: score, hidden tests, smaller diff), then the name. ' +
  'An entrant with no passing trial is not ranked. The winner is the best trial of the top entrant, and that trial is promoted.';

export interface TrialSummary {
  entrant: string;
  trials: number;
  /** Trials that passed every gate. */
  passed: number;
  passRate: number;
  /** Over the passing trials; null when none passed. */
  meanScore: number | null;
  /** What the entrants are ranked by: the mean over every trial, a trial out on a gate counting 0. */
  expectedScore: number;
  /** Population standard deviation and range of the passing trials' scores. */
  spread: { stdev: number; min: number; max: number } | null;
  /** The best trial by the per-trial ranking (a trial's name), or null when none passed. */
  best: string | null;
  rank: number | null;
  /** Every trial's name, in trial order. */
  names: string[];
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** The entrant a result belongs to: its own name unless it is one trial of several. */
export const entrantOf = (e: Pick<EntrantResult, 'name' | 'trialOf'>): string => e.trialOf ?? e.name;

/** Whether a run had trials at all (some entrant ran more than once). */
export function hasTrials(entrants: readonly EntrantResult[]): boolean {
  return entrants.some((e) => e.trialOf !== undefined);
}

/** `ranked`: the trials, each with its per-trial rank (rankEntrants). */
export function summarizeTrials(ranked: readonly EntrantResult[]): { summaries: TrialSummary[]; winner: string | null } {
  const groups = new Map<string, EntrantResult[]>();
  for (const e of ranked) groups.set(entrantOf(e), [...(groups.get(entrantOf(e)) ?? []), e]);
  // Each summary with the unrounded keys it is ranked by, so rounding makes no ties for the tie-breaks to settle.
  const entries = [...groups].map(([entrant, trials]) => {
    const passing = trials.filter((t) => t.eligible && t.rank !== null && t.score).sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
    const scores = passing.map((t) => t.score?.total ?? 0);
    const sum = scores.reduce((a, b) => a + b, 0);
    const mean = scores.length ? sum / scores.length : null;
    const summary: TrialSummary = {
      entrant,
      trials: trials.length,
      passed: passing.length,
      passRate: round3(passing.length / trials.length),
      meanScore: mean === null ? null : round1(mean),
      expectedScore: round1(sum / trials.length),
      spread: mean === null
        ? null
        : { stdev: round1(Math.sqrt(scores.reduce((s, x) => s + (x - mean) ** 2, 0) / scores.length)), min: round1(Math.min(...scores)), max: round1(Math.max(...scores)) },
      best: passing[0]?.name ?? null,
      rank: null,
      names: [...trials].sort((a, b) => (a.trial ?? 0) - (b.trial ?? 0)).map((t) => t.name),
    };
    // The best trial's place in the per-trial ranking (score, then hidden tests, then the smaller diff).
    return { summary, expected: sum / trials.length, passRate: passing.length / trials.length, bestRank: passing[0]?.rank ?? Infinity };
  });
  const order = entries
    .filter((e) => e.summary.best !== null)
    .sort((a, b) => b.expected - a.expected || b.passRate - a.passRate || a.bestRank - b.bestRank || a.summary.entrant.localeCompare(b.summary.entrant))
    .map((e) => e.summary);
  order.forEach((s, i) => { s.rank = i + 1; });
  const summaries = entries.map((e) => e.summary).sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.entrant.localeCompare(b.entrant));
  return { summaries, winner: order[0]?.best ?? null };
}

/** The selection between entrants (not single trials): the lead is in expected score. */
export function trialSelection(summaries: readonly TrialSummary[], minMargin: number | null): Selection {
  const order = summaries.filter((s) => s.rank !== null);
  const [leader, runnerUp] = order;
  const base = { minMargin, decidingParts: [], tieBreak: null, margin: null, runnerUp: null };
  if (!leader?.best) return { ...base, decidedBy: 'none', leader: null, confident: false, summary: 'no trial of any entrant passed every gate' };
  const of = (s: TrialSummary) => `${s.entrant} (expected ${s.expectedScore}: ${s.passed} of ${s.trials} trial${s.trials === 1 ? '' : 's'} passed, mean ${s.meanScore ?? 0})`;
  if (!runnerUp) {
    return { ...base, decidedBy: 'gates', leader: leader.best, confident: true, summary: `${of(leader)}: the only entrant with a trial that passed every gate; its best trial is ${leader.best}` };
  }
  const margin = round1(leader.expectedScore - runnerUp.expectedScore);
  const tie = margin <= 0;
  const confident = minMargin === null || (!tie && margin >= minMargin);
  const said = tie
    ? `${of(leader)} ties ${of(runnerUp)} on expected score and is ahead on the tie-break (pass rate, then its best trial by the per-trial ranking)`
    : `${of(leader)} leads ${of(runnerUp)} by ${margin} points of expected score`;
  return {
    decidedBy: tie ? 'tie-break' : 'score',
    leader: leader.best,
    runnerUp: runnerUp.best,
    margin,
    decidingParts: [],
    tieBreak: null,
    minMargin,
    confident,
    summary: confident ? `${said}; best trial ${leader.best}` : `${said}: ${tie ? 'a tie-break is no win under' : 'below'} the minimum margin of ${minMargin} points`,
  };
}
