// The judge's evidence, pairwise: who met whom, what each judge said, and in which order it saw them.
// Everything is worded in entrant names; the calls' "A"/"B" labels are translated back here.
import type { JudgeCall, MatchResult } from '../judge/types.js';
import { formatCost, formatDuration, formatNumber, plural } from './format.js';

export type CellOutcome = 'won' | 'lost' | 'tie' | 'failed' | 'none' | 'self';

export interface MatrixCell {
  state: CellOutcome;
  text: string;
  /** A judge's verdict followed the presentation order, so it counted as a tie. */
  flipped: boolean;
  /** "1/2 agree" when the panel split; null when it agreed or there is no panel. */
  split: string | null;
  /** Fragment of the match's rationales; null when the two never met. */
  href: string | null;
  title: string;
}

export interface MatrixRow {
  name: string;
  anchor: string | null;
  cells: MatrixCell[];
}

export interface CallView {
  judge: string;
  shownA: string;
  shownB: string;
  /** The entrant the verdict named, "tie", or "no verdict". */
  verdict: string;
  state: 'named' | 'tie' | 'failed';
  confidence: string | null;
  attempts: string;
  /** Needed more than one attempt, or failed. */
  retried: boolean;
  rationale: string;
  error: string | null;
  effort: string;
}

export interface MatchView {
  id: string;
  a: string;
  b: string;
  outcome: string;
  state: 'decided' | 'tie' | 'failed';
  split: string | null;
  perJudge: { judge: string; text: string; flipped: boolean }[];
  calls: CallView[];
}

const ORDINAL_SUFFIX: Record<string, string> = { one: 'st', two: 'nd', few: 'rd', other: 'th' };
const ordinals = new Intl.PluralRules('en-US', { type: 'ordinal' });
export const ordinal = (n: number): string => `${n}${ORDINAL_SUFFIX[ordinals.select(n)] ?? 'th'}`;

function attemptsText(c: JudgeCall): string {
  if (c.verdict === null) return `failed after ${plural(c.attempts, 'attempt')}`;
  return c.attempts <= 1 ? 'answered on the first try' : `answered on the ${ordinal(c.attempts)} try`;
}

function callView(c: JudgeCall): CallView {
  const verdict = c.verdict === null ? 'no verdict' : c.verdict === 'tie' ? 'tie' : c.verdict === 'A' ? c.first : c.second;
  return {
    judge: c.judge,
    shownA: c.first,
    shownB: c.second,
    verdict,
    state: c.verdict === null ? 'failed' : c.verdict === 'tie' ? 'tie' : 'named',
    confidence: typeof c.confidence === 'number' && Number.isFinite(c.confidence) ? `${Math.round(c.confidence * 100)}% confident` : null,
    attempts: attemptsText(c),
    retried: c.attempts > 1 || c.verdict === null,
    rationale: c.rationale,
    error: c.error ?? null,
    effort: `${formatDuration(c.durationMs)} · ${formatNumber(c.tokens.input + c.tokens.output)} tokens · ${formatCost(c.costUsd)}`,
  };
}

function outcomeText(m: MatchResult, outcome: MatchResult['outcome']): string {
  if (outcome === 'a') return `${m.a} won`;
  if (outcome === 'b') return `${m.b} won`;
  return outcome === 'tie' ? 'tie' : 'failed';
}

/** "k/n agree" when the judges that answered did not all agree; "split 1–1" when a draw made it a tie. */
function splitText(m: MatchResult): string | null {
  const answered = m.perJudge.filter((j) => j.outcome !== 'failed');
  if (m.outcome === 'failed' || answered.length < 2 || m.agreement >= 1) return null;
  const agree = answered.filter((j) => j.outcome === m.outcome).length;
  if (agree > 0) return `${agree}/${answered.length} agree`;
  const votes = new Map<string, number>();
  for (const j of answered) votes.set(j.outcome, (votes.get(j.outcome) ?? 0) + 1);
  return `split ${[...votes.values()].sort((x, y) => y - x).join('–')}`;
}

function judgeText(m: MatchResult, j: MatchResult['perJudge'][number]): string {
  if (j.outcome === 'failed') return 'no result (a call failed)';
  return j.flipped ? 'tie (the verdict followed the order)' : outcomeText(m, j.outcome);
}

export function matchViews(matches: readonly MatchResult[]): MatchView[] {
  return matches.map((m, i) => ({
    // Index-based: entrant names are untrusted and stay out of id attributes.
    id: `judge-match-${i + 1}`,
    a: m.a,
    b: m.b,
    outcome: outcomeText(m, m.outcome),
    state: m.outcome === 'failed' ? 'failed' : m.outcome === 'tie' ? 'tie' : 'decided',
    split: splitText(m),
    perJudge: m.perJudge.map((j) => ({ judge: j.judge, text: judgeText(m, j), flipped: j.flipped })),
    // Grouped by judge, each judge's order with `a` shown first before the swapped one.
    calls: [...m.calls]
      .sort((x, y) => (x.judge === y.judge ? Number(x.first !== m.a) - Number(y.first !== m.a) : x.judge < y.judge ? -1 : 1))
      .map(callView),
  }));
}

const CELL_TEXT: Record<CellOutcome, string> = { won: 'won', lost: 'lost', tie: 'tie', failed: 'failed', none: 'did not meet', self: '' };

function cell(row: string, col: string, matches: readonly MatchResult[], views: readonly MatchView[]): MatrixCell {
  if (row === col) return { state: 'self', text: '', flipped: false, split: null, href: null, title: '' };
  const i = matches.findIndex((m) => (m.a === row && m.b === col) || (m.a === col && m.b === row));
  const m = matches[i];
  const v = views[i];
  if (!m || !v) return { state: 'none', text: CELL_TEXT.none, flipped: false, split: null, href: null, title: `${row} and ${col} did not meet` };
  const mine = m.a === row ? 'a' : 'b';
  const state: CellOutcome = m.outcome === 'tie' || m.outcome === 'failed' ? m.outcome : m.outcome === mine ? 'won' : 'lost';
  const judges = v.perJudge.map((j) => `${j.judge}: ${j.text}`).join('; ');
  return {
    state,
    text: CELL_TEXT[state],
    flipped: m.perJudge.some((j) => j.flipped),
    split: v.split,
    href: `#${v.id}`,
    title: `${row} vs ${col}: ${v.outcome}${v.split ? ` (${v.split})` : ''}. ${judges}`,
  };
}

/** Row vs column, from the row's point of view. */
export function matrix(names: readonly string[], anchors: ReadonlyMap<string, string>, matches: readonly MatchResult[], views: readonly MatchView[]): MatrixRow[] {
  return names.map((row) => ({ name: row, anchor: anchors.get(row) ?? null, cells: names.map((col) => cell(row, col, matches, views)) }));
}
