// Turns a RunResult plus the files on disk into the plain data the template renders.
import { html as diffToHtml } from 'diff2html';
import type { EntrantResult, RunResult } from '../types.js';
import { existingHref, readBounded, resolveInRunDir, tailLines } from './files.js';
import { summarizeTests, type TestSummary } from './format.js';

const LOG_TAIL_LINES = 40;
const LOG_TAIL_BYTES = 64 * 1024;
// Beyond this a diff is not reviewable in a browser anyway, and a runaway agent could produce gigabytes.
const DIFF_MAX_BYTES = 2 * 1024 * 1024;

export interface EntrantView {
  e: EntrantResult;
  anchor: string;
  isWinner: boolean;
  tests: TestSummary;
  /** diff2html output; diff2html escapes the diff text itself (see test/report). */
  diffHtml: string | null;
  diffNote: string | null;
  diffHref: string | null;
  logHref: string | null;
  transcriptHref: string | null;
  logTail: string | null;
  logNote: string | null;
}

export interface ReportView {
  r: RunResult;
  entrants: EntrantView[];
  winner: EntrantView | null;
}

/** Rank ascending, unranked last, ties keep the result's order. */
export function byRank(a: EntrantResult, b: EntrantResult): number {
  return (a.rank ?? Number.POSITIVE_INFINITY) - (b.rank ?? Number.POSITIVE_INFINITY);
}

async function renderDiff(runDir: string, e: EntrantResult): Promise<{ html: string | null; note: string | null }> {
  const file = await readBounded(resolveInRunDir(runDir, e.diffPath), DIFF_MAX_BYTES);
  if (!file) return { html: null, note: 'Diff not available.' };
  if (file.truncated) return { html: null, note: 'Diff too large to display; open the patch file instead.' };
  if (!file.text.trim()) return { html: null, note: 'No changes.' };
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
    return { html, note: null };
  } catch {
    return { html: null, note: 'Diff could not be parsed; open the patch file instead.' };
  }
}

async function logTail(runDir: string, logPath: string | undefined): Promise<{ tail: string | null; note: string | null }> {
  const file = await readBounded(resolveInRunDir(runDir, logPath), LOG_TAIL_BYTES, true);
  if (!file) return { tail: null, note: 'Test log not available.' };
  const { text, omitted } = tailLines(file.text, LOG_TAIL_LINES);
  if (!text) return { tail: null, note: 'Test log is empty.' };
  const note = file.truncated || omitted > 0 ? `Last ${LOG_TAIL_LINES} lines.` : null;
  return { tail: text, note };
}

async function entrantView(runDir: string, r: RunResult, e: EntrantResult, index: number): Promise<EntrantView> {
  const logPath = e.checks.tests?.logPath;
  const [diff, log, diffHref, logHref, transcriptHref] = await Promise.all([
    renderDiff(runDir, e),
    logTail(runDir, logPath),
    existingHref(runDir, e.diffPath),
    existingHref(runDir, logPath),
    existingHref(runDir, e.transcriptPath),
  ]);
  return {
    e,
    // Index-based so untrusted names never end up in id attributes or fragment links.
    anchor: `entrant-${index + 1}`,
    isWinner: r.winner !== null && e.name === r.winner,
    tests: summarizeTests(e.checks.tests),
    diffHtml: diff.html,
    diffNote: diff.note,
    diffHref,
    logHref,
    transcriptHref,
    logTail: log.tail,
    logNote: log.note,
  };
}

export async function buildView(r: RunResult, runDir: string): Promise<ReportView> {
  const sorted = [...r.entrants].sort(byRank);
  const entrants = await Promise.all(sorted.map((e, i) => entrantView(runDir, r, e, i)));
  return { r, entrants, winner: entrants.find((v) => v.isWinner) ?? null };
}
