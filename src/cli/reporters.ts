import type { Reporter, RunEvent } from '../run/events.js';
import type { RunResult } from '../types.js';
import type { PerfCheck } from '../checks/types.js';
import { formatMs } from '../format.js';
import { stripControl, terminalLine } from '../text/control.js';
import { standingOf } from '../report/standing.js';

type Write = (text: string) => void;

/** One readable line per event: for logs, CI and anything that is not a terminal. */
export class LineReporter implements Reporter {
  constructor(private readonly write: Write = (t) => process.stderr.write(t)) {}

  onEvent(event: RunEvent): void {
    const line = describe(event);
    if (line) this.write(`${line}\n`);
  }
}

/** The line for an event, with control characters removed: much of it is written by entrants. */
export function describe(event: RunEvent): string | null {
  const line = describeRaw(event);
  return line === null ? null : stripControl(line);
}

function describeRaw(event: RunEvent): string | null {
  switch (event.type) {
    case 'run-start':
      return `tourney: run ${event.runId}: "${event.specTitle}" with ${event.entrants.length} entrants (${event.entrants.map((e) => `${e.name}=${e.model}`).join(', ')})`;
    case 'phase-start':
      return `[${event.phase}] start${event.detail ? `: ${event.detail}` : ''}`;
    case 'phase-end':
      return `[${event.phase}] done in ${formatMs(event.ms)}`;
    case 'image-progress':
      // The builder's bookkeeping lines (layer ids, intermediate containers) say nothing to a user.
      return /^(-+>|Removing intermediate|Running in)/.test(event.line.trim()) ? null : `[image] ${oneLine(event.line)}`;
    case 'prepare':
      return /^(-+>|Removing intermediate|Running in)/.test(event.line.trim()) ? null : `[prepare] ${oneLine(event.line)}`;
    case 'entrant':
      return `[${event.name}] ${event.state}${event.detail ? `: ${oneLine(event.detail)}` : ''}`;
    case 'activity':
      return `[${event.name}]   ${oneLine(event.line)}`;
    case 'step':
      // Turns already show as activity lines; the other steps mark where time goes.
      if (event.step.step === 'agent-start') return `[${event.name}]   agent starting`;
      if (event.step.step === 'extracting') return `[${event.name}]   reading its changes`;
      return null;
    case 'warning':
      return `warning: ${event.message}`;
    case 'note':
      return `tourney: ${event.message}`;
    case 'judge':
      return `[judge] ${oneLine(event.line)}`;
    case 'judge-call':
      // Decided calls are told by `judge` lines; the live view alone shows calls in flight.
      return null;
    case 'run-end': {
      const r = event.result;
      // The gate command prints its own verdict, one line per failed gate.
      if (r.mode === 'gate') return `${summaryTable(r)}\nreport: ${r.reportPath}`;
      const why = r.selection?.summary;
      const verdict = r.winner
        ? `winner: ${r.winner} (branch ${r.winnerBranch})${why ? `, ${why}` : ''}`
        : `no winner: ${why ?? 'no entrant passed every gate'}`;
      return `${summaryTable(r)}\n${verdict}\nreport: ${r.reportPath}`;
    }
  }
}

/** The scorecard in plain text, for the terminal. */
export function summaryTable(result: RunResult): string {
  const withPerf = Boolean(result.spec.bench?.length);
  // Which agent ran which model, when any is not opencode (the run-start line names every model already, and a
  // plain opencode run keeps the table within 100 columns); scored candidates name their source in their own row.
  const withAgent = result.mode === 'run' && result.entrants.some((e) => e.agent !== undefined && e.agent !== 'opencode');
  const rows = [...result.entrants]
    .sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || (b.score?.total ?? -1) - (a.score?.total ?? -1) || a.name.localeCompare(b.name))
    .map((e) => {
      const t = e.checks.tests;
      const counts = t?.counts ? ` ${t.counts.passed}/${t.counts.passed + t.counts.failed}` : '';
      const tests = !t ? 'not run' : t.passed === true ? `passed${counts}` : t.passed === false ? `failed${counts}` : 'error';
      const failed = e.gates.filter((g) => !g.passed).map((g) => g.gate);
      return [
        e.rank === null ? '-' : String(e.rank),
        e.name,
        ...(withAgent ? [`${e.agent} ${e.model}`] : []),
        e.status,
        failed.length === 0 ? 'all passed' : `failed: ${failed.join(', ')}`,
        e.score ? e.score.total.toFixed(1) : '-',
        tests,
        e.diff.files === 0 ? 'no diff' : `${e.diff.files} file${e.diff.files === 1 ? '' : 's'} +${e.diff.additions} -${e.diff.deletions}`,
        // Scored candidates were made elsewhere: there is no agent time to show.
        result.mode !== 'run' ? '-' : formatMs(e.durationMs),
        ...(withPerf ? [perfText(e.checks.performance)] : []),
      ];
    });
  const table = [['rank', 'entrant', ...(withAgent ? ['agent model'] : []), 'status', 'gates', 'score', 'tests', 'diff', result.mode !== 'run' ? 'agent time' : 'time', ...(withPerf ? ['perf'] : [])], ...rows];
  const widths = table[0]!.map((_, col) => Math.max(...table.map((row) => row[col]!.length)));
  const lines = table.map((row) => '  ' + row.map((cell, col) => cell.padEnd(widths[col]!)).join('  ').trimEnd());
  return [...lines, ...trialLines(result), ...standingLines(result)].join('\n');
}

/** Per entrant with trials: its pass rate, mean and spread, and best trial (the ranking that picks the winner). */
function trialLines(result: RunResult): string[] {
  if (!result.trials?.length) return [];
  return [
    '  trials (ranked by expected score: mean over all trials, a failed one counting 0; then pass rate):',
    ...result.trials.map((t) => fitLine(
      `    ${t.rank ?? '-'}  ${terminalText(t.entrant)}  passed ${t.passed}/${t.trials}` +
        (t.spread ? `  expected ${t.expectedScore}  mean ${t.meanScore} ±${t.spread.stdev} (${t.spread.min}-${t.spread.max})  best ${terminalText(t.best ?? '-')}` : '  no trial passed every gate'),
      STANDING_WIDTH,
    )),
  ];
}

/** The scorecard's why-not lines fit a 100-column terminal, whatever the entrants' names and reasons. */
export const STANDING_WIDTH = 100;

/**
 * One line per entrant that did not win, saying why (the report's per-row phrase, src/report/standing.ts),
 * under the table rather than in it: a column would push four entrants past 100 columns. Gate runs print
 * their own verdict.
 */
function standingLines(result: RunResult): string[] {
  if (result.mode === 'gate') return [];
  const losers = result.entrants.filter((e) => e.name !== result.winner);
  if (losers.length === 0) return [];
  const order = [...losers].sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || (b.score?.total ?? -1) - (a.score?.total ?? -1) || a.name.localeCompare(b.name));
  const nameWidth = Math.min(24, Math.max(...order.map((e) => terminalText(e.name).length)));
  return [
    result.winner ? '  why not the winner:' : '  why no winner:',
    ...order.map((e) => fitLine(`    ${fitName(terminalText(e.name), nameWidth)}  ${terminalText(standingOf(result, e).text)}`, STANDING_WIDTH)),
  ];
}

const terminalText = terminalLine;

function fitName(name: string, width: number): string {
  return (name.length > width ? `${name.slice(0, width - 1)}…` : name).padEnd(width);
}

function fitLine(line: string, width: number): string {
  const chars = [...line];
  return chars.length > width ? `${chars.slice(0, width - 1).join('')}…` : line;
}

/** The performance column: the ratio and what it compares with, or why there is none (never a made-up number). */
export function perfText(p: PerfCheck | null | undefined): string {
  if (p?.skipped) return p.skipped.reason;
  if (!p?.ran) return 'not run';
  if (p.error) return 'bench failed';
  if (p.ratio === null) return 'no ratio';
  const against = p.relativeTo === 'fastest candidate' ? 'fastest' : p.relativeTo === 'mixed' ? 'base/fastest' : 'base';
  return `${p.ratio.toFixed(2)}x ${against}${p.regression ? ' (slower)' : ''}`;
}

function oneLine(text: string, max = 160): string {
  const flat = terminalLine(text);
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Nothing on stderr (for --quiet). */
export const silentReporter: Reporter = { onEvent: () => undefined };
