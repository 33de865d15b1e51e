// One phrase per entrant saying where it stands: why it won, or why it is not the winner. Pure, so the
// wording is unit-tested without rendering; the scorecard shows it in each row.
import type { ScoreWeights, EntrantResult, RunResult } from '../types.js';
import type { GateName } from '../ranking/types.js';
import { gateView } from './cells.js';
import { formatFixed } from './format.js';
import { PART_LABELS } from './rules.js';

export type StandingKind = 'won' | 'lost' | 'out' | 'undecided';

export interface Standing {
  kind: StandingKind;
  text: string;
}

const label = (part: string): string => (PART_LABELS[part as keyof ScoreWeights] ?? part).toLowerCase();
const partOf = (e: EntrantResult, part: string) => e.score?.parts.find((p) => p.part === part);
const total = (e: EntrantResult): string => formatFixed(e.score?.total ?? 0, 1);

/** The part whose weighted points the entrant is furthest behind `leader` on. */
function biggestDeficit(e: EntrantResult, leader: EntrantResult): { part: string; mine: number; theirs: number } | null {
  let best: { part: string; mine: number; theirs: number; gap: number } | null = null;
  for (const theirs of leader.score?.parts ?? []) {
    const mine = partOf(e, theirs.part);
    const gap = theirs.points - (mine?.points ?? 0);
    if (gap > 0.05 && (!best || gap > best.gap)) best = { part: theirs.part, mine: mine?.score ?? 0, theirs: theirs.score, gap };
  }
  return best;
}

/** What failing each gate means, as the start of a phrase. */
const OUT_ON: Partial<Record<GateName, string>> = {
  changed: 'no change to score',
  tests: 'visible tests failed',
  hiddenTests: 'hidden tests failed',
  build: 'build failed',
  tampering: 'tampering',
  security: 'new security finding',
  injection: 'text aimed at the judge',
  performance: 'too slow',
  budget: 'over budget',
};

export function standingOf(r: RunResult, e: EntrantResult): Standing {
  const selection = r.selection;
  if (r.winner !== null && e.name === r.winner) return { kind: 'won', text: selection ? `won: ${selection.summary}` : 'won' };
  const failed = (e.gates ?? []).filter((g) => !g.passed).map(gateView);
  const [first] = failed;
  if (!e.eligible && first) {
    const more = failed.length > 1 ? `+${failed.length - 1} more gate${failed.length > 2 ? 's' : ''}` : '';
    // "no change to score" already says all the changed gate's reason would.
    const extras = [first.gate === 'changed' ? '' : first.reason, more].filter(Boolean).join('; ');
    return { kind: 'out', text: `out: ${OUT_ON[first.gate] ?? first.label.toLowerCase()}${extras ? ` (${extras})` : ''}` };
  }
  if (!e.eligible) return { kind: 'out', text: 'cannot win: no gate passed' };
  const leaderName = r.winner ?? selection?.leader ?? null;
  const leader = r.entrants.find((x) => x.name === leaderName);
  if (!leader || leader === e) {
    // The top eligible entrant of a run with no confident winner.
    return { kind: 'undecided', text: selection ? `no win: ${selection.summary}` : 'no win' };
  }
  const behind = `${total(e)} vs ${total(leader)}`;
  const undecided = r.winner === null;
  const prefix = undecided ? `behind ${leader.name}` : `lost to ${leader.name}`;
  if ((e.score?.total ?? 0) >= (leader.score?.total ?? 0)) {
    const rule = selection?.runnerUp === e.name && selection.tieBreak ? ` (${selection.tieBreak})` : '';
    return { kind: undecided ? 'undecided' : 'lost', text: `${prefix} on the tie-break${rule}, ${behind}` };
  }
  const deficit = biggestDeficit(e, leader);
  const on = deficit ? ` on ${label(deficit.part)} ${formatFixed(deficit.mine, 2)} vs ${formatFixed(deficit.theirs, 2)}` : '';
  return { kind: undecided ? 'undecided' : 'lost', text: `${prefix}${on} (${behind})` };
}
