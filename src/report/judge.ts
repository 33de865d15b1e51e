// The "Judge" section: what the AI judge cost, how it ranked the finalists, and its evidence.
import type { JudgeResult } from '../judge/judge.js';
import type { RunResult } from '../types.js';
import { formatCost, formatDuration, formatFixed, formatNumber, plural } from './format.js';
import { matchViews, matrix, ordinal, type MatchView, type MatrixRow } from './judge-matches.js';

export const JUDGE_ANCHOR = 'judge';

export interface Fact {
  label: string;
  value: string;
  bad: boolean;
}

export interface RankingRow {
  place: number;
  name: string;
  anchor: string | null;
  strength: string;
  score: string;
  /** 0..1 for the <meter>. */
  value: number;
}

export interface RubricRow {
  judge: string;
  scores: string[];
  mean: string;
  rationale: string;
  error: string | null;
}

export interface RubricGroup {
  entrant: string;
  anchor: string | null;
  score: string;
  rows: RubricRow[];
}

export interface JudgeView {
  ran: boolean;
  reason: string;
  pairwise: boolean;
  models: string[];
  panel: boolean;
  facts: Fact[];
  method: string;
  /** Column headings of the match matrix, in ranking order. */
  columns: string[];
  matrix: MatrixRow[];
  ranking: RankingRow[];
  matches: MatchView[];
  criteria: string[];
  rubric: RubricGroup[];
}

/** The judge's line in an entrant's own section. */
export interface EntrantJudge {
  judged: boolean;
  score: string;
  value: number;
  place: string;
}

const finite = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);

/** Finalists by judge score, best first; strength then name break ties so the order is stable. */
function finalists(j: JudgeResult): string[] {
  const names = new Set([...Object.keys(j.scores), ...Object.keys(j.ranking?.strengths ?? {})]);
  for (const m of j.matches) names.add(m.a).add(m.b);
  for (const r of j.rubric) names.add(r.entrant);
  const key = (n: string): [number, number] => [j.scores[n] ?? -1, j.ranking?.strengths[n] ?? -1];
  return [...names].sort((x, y) => {
    const [sx, px] = key(x);
    const [sy, py] = key(y);
    return sy - sx || py - px || (x < y ? -1 : x > y ? 1 : 0);
  });
}

function method(j: JudgeResult): string {
  if (j.mode === 'rubric') return 'Mean of the criteria (1–5) over the judges, scaled to a judge score of 0..1.';
  if (!j.ranking) return 'No ranking was fitted.';
  const rated = j.matches.filter((m) => m.outcome !== 'failed').length;
  const left = j.matches.length - rated;
  const fit = j.ranking.converged ? `converged in ${plural(j.ranking.iterations, 'iteration')}` : `did not converge in ${plural(j.ranking.iterations, 'iteration')}`;
  return `Bradley–Terry fitted to ${plural(rated, 'match', 'matches')}${left > 0 ? ` (${left} failed, left out)` : ''}; ${fit}.`;
}

/** " (0.21–0.48)": the 95% bootstrap interval, when the run computed one. */
function interval(range: readonly [number, number] | undefined): string {
  return range ? ` (${formatFixed(range[0], 2)}–${formatFixed(range[1], 2)})` : '';
}

function facts(j: JudgeResult): Fact[] {
  return [
    { label: 'Mode', value: j.mode === 'pairwise' ? 'pairwise, each pair judged in both orders' : 'rubric, each finalist scored on its own', bad: false },
    { label: 'Calls', value: formatNumber(j.calls), bad: false },
    { label: 'Failed calls', value: formatNumber(j.failedCalls), bad: j.failedCalls > 0 },
    { label: 'Time', value: formatDuration(j.durationMs), bad: false },
    { label: 'Tokens', value: `${formatNumber(j.tokens.input)} in · ${formatNumber(j.tokens.output)} out`, bad: false },
    { label: 'Cost', value: formatCost(j.costUsd), bad: false },
    // How far to trust the verdicts: position bias per judge, and whether a panel agreed.
    ...Object.entries(j.confidence?.flipRate ?? {}).map(([model, f]) => ({
      label: j.models.length > 1 ? `Position bias (${model})` : 'Position bias',
      value: `${f.flipped} of ${f.decided} decided matches flipped with the order (${Math.round(100 * f.rate)}%)`,
      bad: f.rate > 0.25,
    })),
    ...(j.confidence?.panelAgreement != null ? [{ label: 'Panel agreement', value: `${Math.round(100 * j.confidence.panelAgreement)}% on average`, bad: j.confidence.panelAgreement < 0.67 }] : []),
  ];
}

function rubricGroups(j: JudgeResult, names: string[], criteria: string[], anchors: ReadonlyMap<string, string>): RubricGroup[] {
  return names.map((entrant) => ({
    entrant,
    anchor: anchors.get(entrant) ?? null,
    score: formatFixed(j.scores[entrant], 2),
    rows: j.rubric.filter((r) => r.entrant === entrant).map((r) => {
      const values = criteria.map((c) => r.scores?.[c]);
      const given = values.filter(finite);
      return {
        judge: r.judge,
        scores: values.map((v) => (finite(v) ? String(v) : '—')),
        mean: given.length ? formatFixed(given.reduce((s, v) => s + v, 0) / given.length, 1) : '—',
        rationale: r.rationale,
        error: r.error ?? null,
      };
    }),
  })).filter((g) => g.rows.length > 0);
}

const NOT_RUN: Omit<JudgeView, 'reason'> = {
  ran: false, pairwise: false, models: [], panel: false, facts: [], method: '', columns: [], matrix: [], ranking: [], matches: [], criteria: [], rubric: [],
};

/** `anchors` maps entrant names to their section ids, so the judge's tables can link to them. */
export function judgeView(judge: RunResult['judge'], anchors: ReadonlyMap<string, string>): JudgeView {
  if (!judge.ran) return { ...NOT_RUN, reason: judge.reason };
  const names = finalists(judge);
  const matches = matchViews(judge.matches);
  // Criteria come from the answers themselves, so a result.json from another version still renders.
  const criteria = [...new Set(judge.rubric.flatMap((r) => Object.keys(r.scores ?? {})))];
  const pairwise = judge.mode === 'pairwise';
  return {
    ran: true,
    reason: '',
    pairwise,
    models: judge.models,
    panel: judge.models.length > 1,
    facts: facts(judge),
    method: method(judge),
    columns: pairwise ? names : [],
    matrix: pairwise ? matrix(names, anchors, judge.matches, matches) : [],
    ranking: names.map((name, i) => ({
      place: i + 1,
      name,
      anchor: anchors.get(name) ?? null,
      strength: formatFixed(judge.ranking?.strengths[name], 3) + interval(judge.confidence?.strengthIntervals[name]),
      score: formatFixed(judge.scores[name], 2),
      value: judge.scores[name] ?? 0,
    })),
    matches,
    criteria,
    rubric: pairwise ? [] : rubricGroups(judge, names, criteria, anchors),
  };
}

/** Null when no judge ran; "not judged" for an entrant that was not a finalist. */
export function entrantJudge(view: JudgeView, name: string): EntrantJudge | null {
  if (!view.ran) return null;
  const row = view.ranking.find((r) => r.name === name);
  if (!row) return { judged: false, score: '', value: 0, place: '' };
  return { judged: true, score: row.score, value: row.value, place: `${ordinal(row.place)} of ${view.ranking.length} finalists` };
}
