// How sure the selection is: who was runner-up, by how much the winner led and what decided it, and
// (with a minimum margin) whether the lead is enough to call a winner at all.
import type { EntrantResult } from '../types.js';

export type DecidedBy = 'none' | 'gates' | 'score' | 'judge' | 'tie-break';

export interface Selection {
  /** none: nobody passed every gate; gates: one entrant did; score/judge: the lead came from the score
   *  parts or only from the judge's part; tie-break: equal totals, settled by the tie-break rules. */
  decidedBy: DecidedBy;
  /** The top-ranked eligible entrant, whether or not it is confident enough to win. */
  leader: string | null;
  runnerUp: string | null;
  /** Leader's total minus the runner-up's, in score points (one decimal); null without a runner-up. */
  margin: number | null;
  /** Score parts in which the leader out-scored the runner-up, largest first (points, one decimal). */
  decidingParts: { part: string; points: number }[];
  tieBreak: 'hidden tests' | 'smaller diff' | 'name' | null;
  minMargin: number | null;
  /** False when a minimum margin is set and the lead is below it, or came from a tie-break. */
  confident: boolean;
  /** One sentence for the terminal and the report. */
  summary: string;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const points = (e: EntrantResult, part: string) => e.score?.parts.find((p) => p.part === part)?.points ?? 0;
const hiddenShare = (e: EntrantResult) => e.score?.parts.find((p) => p.part === 'hiddenTests')?.score ?? 0;
const size = (e: EntrantResult) => e.diff.additions + e.diff.deletions;

/** `ranked`: entrants with their ranks (rank 1 = leader). */
export function describeSelection(ranked: readonly EntrantResult[], minMargin: number | null): Selection {
  const order = ranked.filter((e) => e.rank !== null).sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
  const [leader, runnerUp] = order;
  const base = { minMargin, decidingParts: [], tieBreak: null, margin: null, runnerUp: null };
  if (!leader) return { ...base, decidedBy: 'none', leader: null, confident: false, summary: 'no entrant passed every gate' };
  if (!runnerUp) {
    const others = ranked.length - 1;
    return { ...base, decidedBy: 'gates', leader: leader.name, confident: true, summary: others > 0 ? `the only entrant to pass every gate (${others} other${others > 1 ? 's' : ''} out on a gate)` : 'the only entrant' };
  }
  // Totals are kept to one decimal, so their difference is exact to one decimal too: rounding only
  // removes float noise (2.0000000001), and the margin compared is the one the report shows.
  const lead = round1((leader.score?.total ?? 0) - (runnerUp.score?.total ?? 0));
  const margin = lead;
  const decidingParts = (leader.score?.parts ?? [])
    .map((p) => ({ part: p.part, points: round1(p.points - points(runnerUp, p.part)) }))
    .filter((p) => p.points > 0)
    .sort((a, b) => b.points - a.points);
  let decidedBy: DecidedBy = 'score';
  let tieBreak: Selection['tieBreak'] = null;
  if (lead <= 0) {
    decidedBy = 'tie-break';
    tieBreak = hiddenShare(leader) !== hiddenShare(runnerUp) ? 'hidden tests' : size(leader) !== size(runnerUp) ? 'smaller diff' : 'name';
  } else if (points(leader, 'judge') - points(runnerUp, 'judge') >= lead) {
    // Without the judge's points the leader would not be ahead: the judge decided.
    decidedBy = 'judge';
  }
  const confident = minMargin === null || (decidedBy !== 'tie-break' && lead >= minMargin);
  const said = decidedBy === 'tie-break'
    ? `tied with ${runnerUp.name} at ${leader.score?.total ?? 0} points, ahead on the tie-break (${tieBreak})`
    : `leads ${runnerUp.name} by ${margin} points (${decidedBy === 'judge' ? 'decided by the judge' : `mostly ${decidingParts.slice(0, 2).map((p) => `${p.part} +${p.points}`).join(', ')}`})`;
  const summary = confident ? said : `${leader.name} ${said}: ${decidedBy === 'tie-break' ? 'a tie-break is no win under' : 'below'} the minimum margin of ${minMargin} points`;
  return { decidedBy, leader: leader.name, runnerUp: runnerUp.name, margin, decidingParts, tieBreak, minMargin, confident, summary };
}
