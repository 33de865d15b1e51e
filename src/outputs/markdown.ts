// The scorecard as GitHub-flavoured Markdown, for `--markdown FILE` and the job's step summary.
// Names, models, errors and gate reasons come from entrants: every such text goes through `md()`
// (src/text/markdown.ts), which makes it inert.

import type { EntrantResult, RunResult } from '../types.js';
import type { CommandCheck } from '../checks/types.js';
import { formatMs } from '../format.js';
import { mdInline } from '../text/markdown.js';

export interface MarkdownOptions {
  /** A Markdown block placed under the title (the PR packet's summary), trusted: written by tourney. */
  top?: string;
}

/** Entrant-written text is cut to this many characters per cell: a summary must stay short (GitHub caps it at 1 MiB). */
const CELL_MAX = 160;

const md = (text: string, max = CELL_MAX): string => mdInline(text, max);

const tests = (c: CommandCheck | null | undefined): string => {
  if (!c) return '–';
  if (c.counts) return `${c.counts.passed}/${c.counts.passed + c.counts.failed}${c.passed ? '' : ' ✗'}`;
  return c.passed === null ? 'not run' : c.passed ? 'pass' : 'fail';
};

function gates(e: EntrantResult): string {
  const failed = e.gates.filter((g) => !g.passed).map((g) => g.gate);
  if (e.gates.length === 0) return '–';
  return failed.length === 0 ? `✅ ${e.gates.length}/${e.gates.length}` : `❌ ${failed.join(', ')}`;
}

function lint(e: EntrantResult): string {
  const l = e.checks.lint;
  if (!l) return '–';
  if (!l.ran) return 'not run';
  return `${l.newErrors} E, ${l.newWarnings} W`;
}

function security(e: EntrantResult): string {
  const s = e.checks.security;
  if (!s) return '–';
  if (!s.ran) return 'not run';
  const { high, medium, low } = s.counts;
  return high + medium + low === 0 ? '0' : `${high} high, ${medium} med, ${low} low`;
}

const cost = (usd: number) => (usd === 0 ? '$0' : usd < 0.01 ? '<$0.01' : `$${usd.toFixed(2)}`);

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;

function verdict(result: RunResult): string[] {
  const s = result.selection;
  if (result.winner) {
    const lines = [`**Winner: ${md(result.winner)}**${s ? ` (${md(s.summary, 400)})` : ''}`];
    if (result.winnerBranch) lines.push(`Branch: ${md(result.winnerBranch)}`);
    if (s) lines.push(`Decided by: ${s.decidedBy}${s.margin !== null ? `, margin ${s.margin} points over ${md(s.runnerUp ?? '')}` : ''}${s.confident ? '' : ' (not confident)'}`);
    return lines;
  }
  const lines = [`**No winner**${s ? `: ${md(s.summary, 400)}` : ''}`];
  if (s?.leader) lines.push(`Leader: ${md(s.leader)}, decided by ${s.decidedBy}${s.margin !== null ? `, margin ${s.margin} points` : ''}`);
  return lines;
}

/** Why each entrant that failed a gate or did not finish is out: one line each. */
function outs(result: RunResult): string[] {
  const lines: string[] = [];
  for (const e of result.entrants) {
    const why = e.gates.filter((g) => !g.passed).map((g) => `${g.gate} (${md(g.reason, 200)})`);
    if (e.status !== 'finished') why.unshift(`${e.status}${e.error ? ` (${md(e.error, 200)})` : ''}`);
    if (why.length > 0) lines.push(`- ${md(e.name)}: ${why.join('; ')}`);
  }
  return lines;
}

export function renderMarkdown(result: RunResult, options: MarkdownOptions = {}): string {
  const order = [...result.entrants].sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || (b.score?.total ?? -1) - (a.score?.total ?? -1));
  const lines = [`## tourney: ${md(result.spec.title, 200)}`, ''];
  if (options.top?.trim()) lines.push(options.top.trim(), '');
  lines.push(...verdict(result).flatMap((l) => [l, '']));
  lines.push(
    row(['Rank', 'Entrant', 'Model', 'Status', 'Gates', 'Score', 'Tests', 'Hidden', 'Lint new', 'Security new', 'Diff', 'Time', 'Cost']),
    row(['---:', '---', '---', '---', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
  );
  for (const e of order) {
    lines.push(row([
      e.rank === null ? '–' : String(e.rank),
      md(e.name),
      `${md(e.agent)} · ${md(e.model)}`,
      e.status,
      gates(e),
      e.score ? e.score.total.toFixed(1) : '–',
      tests(e.checks.tests),
      tests(e.checks.hiddenTests),
      lint(e),
      security(e),
      `${e.diff.files} files, +${e.diff.additions} −${e.diff.deletions}`,
      formatMs(e.durationMs),
      cost(e.costUsd),
    ]));
  }
  const out = outs(result);
  if (out.length > 0) lines.push('', '**Out:**', '', ...out);
  lines.push('', `Total cost ${cost(result.totals.costUsd)}, time ${formatMs(result.timings.totalMs)}. Run ${md(result.runId)}; full report: ${md(result.reportPath, 1000)}`, '');
  return lines.join('\n');
}
