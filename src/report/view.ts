// Turns a RunResult plus the files on disk into the plain data the template renders.
import { html as diffToHtml } from 'diff2html';
import type { EntrantResult, RunResult } from '../types.js';
import { details, type EntrantDetails } from './details.js';
import { gateView, lintCell, perfCell, scopeCell, securityCell, type Cell, type GateView } from './cells.js';
import { readBounded, resolveInRunDir, tailLines } from './files.js';
import { stripControl } from '../text/control.js';
import { formatFixed, summarizeTests, type TestSummary } from './format.js';
import { entrantJudge, JUDGE_ANCHOR, judgeView, type EntrantJudge, type JudgeView } from './judge.js';
import { rulesView, TOTAL_FORMULA, type RulesView } from './rules.js';
import { entrantEgressView, type EgressView } from './egress.js';
import { enginesView, entrantEngineView, type EnginesView, type EntrantEngineView } from './engines.js';
import { standingOf, type Standing } from './standing.js';
import { partsChart, type PartsChart } from './chart.js';
import { entrantEnvironmentView, environmentView, type EntrantEnvironmentView, type EnvironmentView } from './environment.js';
import { transcriptView, type TranscriptView } from './transcript.js';

// A log up to this size is embedded whole (so a shared report.html stands alone); a longer one by its end.
const LOG_EMBED_BYTES = 64 * 1024;
const LOG_TAIL_LINES = 200;
// Longer diffs start folded: the scorecard, not a wall of diff, is what a reader sees first.
const DIFF_OPEN_MAX_LINES = 300;
// Beyond this a diff is not reviewable in a browser anyway, and a runaway agent could produce gigabytes.
const DIFF_MAX_BYTES = 2 * 1024 * 1024;

export interface LogTail {
  title: string;
  tail: string | null;
  note: string | null;
  /** Failing (or unknown) logs start unfolded; passing ones folded. */
  open: boolean;
}

export interface EntrantView extends EntrantDetails {
  e: EntrantResult;
  /** The agent's conversation (normalised transcript), when there is one. */
  transcript: TranscriptView | null;
  anchor: string;
  isWinner: boolean;
  tests: TestSummary;
  hidden: TestSummary | null;
  gates: GateView[];
  /** Shown as text in the scorecard; the other failures are in the chips' tooltips. */
  firstFailure: GateView | null;
  scoreTotal: string | null;
  /** The branch split after each "/", so it wraps there and not mid-word. */
  branchParts: string[];
  lint: Cell;
  security: Cell;
  perf: Cell | null;
  scope: Cell;
  /** diff2html output; diff2html escapes the diff text itself (see test/report). */
  diffHtml: string | null;
  diffNote: string | null;
  /** Short diffs start unfolded. */
  diffOpen: boolean;
  logs: LogTail[];
  standing: Standing;
  judge: EntrantJudge | null;
  environment: EntrantEnvironmentView | null;
  egress: EgressView | null;
  engine: EntrantEngineView | null;
}

export interface ReportView {
  r: RunResult;
  isScore: boolean;
  isGate: boolean;
  showHidden: boolean;
  showPerf: boolean;
  entrants: EntrantView[];
  winner: EntrantView | null;
  rules: RulesView;
  totalFormula: string;
  judge: JudgeView;
  judgeAnchor: string;
  environment: EnvironmentView | null;
  engines: EnginesView | null;
  chart: PartsChart | null;
}

/** Ranked first by rank, then the unranked by score (highest first), entrants without a score last. */
export function byRank(a: EntrantResult, b: EntrantResult): number {
  if (a.rank !== null || b.rank !== null) return (a.rank ?? Number.POSITIVE_INFINITY) - (b.rank ?? Number.POSITIVE_INFINITY);
  return (b.score?.total ?? -1) - (a.score?.total ?? -1);
}

async function renderDiff(runDir: string, e: EntrantResult): Promise<{ html: string | null; note: string | null; lines: number }> {
  const file = await readBounded(resolveInRunDir(runDir, e.diffPath), DIFF_MAX_BYTES);
  if (!file) return { html: null, note: 'Diff not available.', lines: 0 };
  if (file.truncated) return { html: null, note: 'Diff too large to display; open the patch file instead.', lines: 0 };
  if (!file.text.trim()) return { html: null, note: 'No changes.', lines: 0 };
  const lines = file.text.split('\n').length;
  try {
    const html = diffToHtml(file.text, {
      outputFormat: 'line-by-line',
      drawFileList: false,
      matching: 'lines',
      diffMaxChanges: 5000,
      diffMaxLineLength: 4000,
      // Rendered unescaped by diff2html, so it must stay a fixed string.
      diffTooBigMessage: () => 'Diff too big to be displayed',
    });
    return { html, note: null, lines };
  } catch {
    return { html: null, note: 'Diff could not be parsed; open the patch file instead.', lines: 0 };
  }
}

async function logTail(runDir: string, title: string, logPath: string | undefined, passed: boolean | null | undefined): Promise<LogTail> {
  const open = passed !== true;
  const file = await readBounded(resolveInRunDir(runDir, logPath), LOG_EMBED_BYTES, true);
  if (!file) return { title, tail: null, note: `${title} not available.`, open };
  // Test runners colour their output and entrants' tests can print anything: the page shows text only.
  const { text, omitted } = file.truncated ? tailLines(stripControl(file.text), LOG_TAIL_LINES) : tailLines(stripControl(file.text), Number.MAX_SAFE_INTEGER);
  if (!text) return { title, tail: null, note: `${title} is empty.`, open };
  const note = file.truncated || omitted > 0 ? `last ${LOG_TAIL_LINES} lines; the whole log is in the run directory` : 'whole log';
  return { title, tail: text, note, open };
}

// Index-based so untrusted names never end up in id attributes or fragment links.
const anchorOf = (index: number): string => `entrant-${index + 1}`;

async function entrantView(runDir: string, r: RunResult, e: EntrantResult, index: number, judge: JudgeView): Promise<EntrantView> {
  const showHidden = Boolean(r.spec.hiddenTest);
  const [diff, testLog, hiddenLog, extra, environment, transcript] = await Promise.all([
    renderDiff(runDir, e),
    logTail(runDir, 'Test log', e.checks.tests?.logPath, e.checks.tests?.passed),
    showHidden ? logTail(runDir, 'Hidden test log', e.checks.hiddenTests?.logPath, e.checks.hiddenTests?.passed) : null,
    details(runDir, e),
    entrantEnvironmentView(runDir, e),
    transcriptView(runDir, e.transcriptPath),
  ]);
  const gates = (e.gates ?? []).map(gateView);
  return {
    ...extra,
    e,
    anchor: anchorOf(index),
    isWinner: r.winner !== null && e.name === r.winner,
    tests: summarizeTests(e.checks.tests),
    hidden: showHidden ? summarizeTests(e.checks.hiddenTests ?? null) : null,
    gates,
    firstFailure: gates.find((g) => !g.passed) ?? null,
    scoreTotal: e.score ? formatFixed(e.score.total, 1) : null,
    branchParts: e.branch ? e.branch.split(/(?<=\/)/) : [],
    lint: lintCell(e.checks.lint),
    security: securityCell(e.checks.security),
    perf: r.spec.bench?.length ? perfCell(e.checks.performance) : null,
    scope: scopeCell(e.checks.scope),
    diffHtml: diff.html,
    diffNote: diff.note,
    diffOpen: diff.lines <= DIFF_OPEN_MAX_LINES,
    standing: standingOf(r, e),
    logs: hiddenLog ? [testLog, hiddenLog] : [testLog],
    judge: entrantJudge(judge, e.name),
    environment,
    egress: entrantEgressView(e),
    engine: entrantEngineView(r, e),
    transcript,
  };
}

export async function buildView(r: RunResult, runDir: string): Promise<ReportView> {
  const sorted = [...r.entrants].sort(byRank);
  const judge = judgeView(r.judge, new Map(sorted.map((e, i) => [e.name, anchorOf(i)])));
  const entrants = await Promise.all(sorted.map((e, i) => entrantView(runDir, r, e, i, judge)));
  return {
    r,
    // A gate's one candidate is a given commit, as in score: no agent ran.
    isScore: r.mode !== 'run',
    isGate: r.mode === 'gate',
    showHidden: Boolean(r.spec.hiddenTest),
    showPerf: Boolean(r.spec.bench?.length),
    entrants,
    winner: entrants.find((v) => v.isWinner) ?? null,
    rules: rulesView(r),
    totalFormula: TOTAL_FORMULA,
    judge,
    judgeAnchor: JUDGE_ANCHOR,
    environment: await environmentView(r, runDir),
    engines: enginesView(r),
    chart: partsChart(sorted),
  };
}
