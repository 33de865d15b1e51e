// The PR packet: what a reviewer reads in a minute before accepting the winner. Pure functions of
// RunResult; every piece of entrant-controlled text goes through mdText (src/text/markdown.ts).
import { relative } from 'node:path';
import { formatMs } from '../format.js';
import type { CommandCheck } from '../checks/types.js';
import type { EntrantResult, RunResult } from '../types.js';
import type { JudgeCall } from '../judge/types.js';
import { stripControl } from '../text/control.js';
import { mdCode, mdInline as mdText } from '../text/markdown.js';

export interface PacketOptions {
  /** Where the reader finds the full report; default result.reportPath. */
  reportPath?: string;
  /** Paths are shown relative to this directory when inside it (e.g. the repository root). */
  relativeTo?: string;
}

const PART_LABEL: Record<string, string> = {
  tests: 'tests', hiddenTests: 'hidden tests', lint: 'lint', security: 'security', performance: 'performance', scope: 'scope', judge: 'judge',
};
const label = (part: string) => PART_LABEL[part] ?? part;
const n1 = (x: number) => x.toFixed(1);

function winnerOf(result: RunResult): EntrantResult | undefined {
  return result.entrants.find((e) => e.name === result.winner);
}

/** Plain one-line text (commit subjects, PR titles): control characters and newlines gone. */
function plain(text: string, max = 120): string {
  const s = stripControl(text).replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1).trimEnd()}…` : s;
}

/** The PR title / commit subject: plain text, one line. */
export function packetTitle(result: RunResult): string {
  const w = winnerOf(result);
  const spec = plain(result.spec.title, 80);
  return w ? `${spec} (tourney winner: ${plain(w.name, 40)})` : `${spec} (tourney: no winner)`;
}

/**
 * A title line and a short paragraph: the top of the packet, of the CI step summary and of the
 * merge commit message. `markdown: false` gives plain text (commit messages are not rendered).
 */
export function packetSummary(result: RunResult, options: { markdown?: boolean } = {}): string {
  const md = options.markdown ?? true;
  const t = (s: string, max?: number) => (md ? mdText(s, max) : plain(s, max));
  const b = (s: string) => (md ? `**${s}**` : s);
  const w = winnerOf(result);
  const sel = result.selection;
  const passed = result.entrants.filter((e) => e.eligible).length;
  const field = `${passed} of ${result.entrants.length} entrant${result.entrants.length === 1 ? '' : 's'} passed every gate`;
  const title = md ? `### ${t(packetTitle(result), 160)}` : packetTitle(result);
  if (!w) return `${title}\n\nNo winner: ${t(sel?.summary ?? 'no entrant passed every gate')}. ${field}.`;
  const score = w.score ? `, score ${n1(w.score.total)}/100` : '';
  const lead = sel?.runnerUp && sel.margin !== null
    ? `, ${n1(sel.margin)} points ahead of ${b(t(sel.runnerUp, 60))}${sel.decidingParts.length ? ` (${sel.decidingParts.slice(0, 3).map((p) => `${label(p.part)} +${n1(p.points)}`).join(', ')})` : ''}`
    : '';
  const tests = testLine(w.checks.tests, t);
  const hidden = w.checks.hiddenTests ? `, hidden tests ${testLine(w.checks.hiddenTests, t)}` : '';
  return `${title}\n\n${b(t(w.name, 60))} (${t(w.model, 80)}) won "${t(result.spec.title, 120)}"${score}${lead}; decided by ${sel?.decidedBy ?? 'score'}. ${field}; tests ${tests}${hidden}. Run ${md ? mdCode(result.runId) : plain(result.runId, 40)}.`;
}

function testLine(check: CommandCheck | null | undefined, t: (s: string, max?: number) => string = mdText): string {
  if (!check) return 'not run';
  const c = check.counts;
  const counts = c ? ` ${c.passed}/${c.passed + c.failed}` : '';
  if (check.passed === true) return `passed${counts}`;
  if (check.passed === false) return `failed${counts}`;
  return check.error ? `did not run (${t(check.error, 100)})` : 'did not run';
}

function shortPath(path: string, options: PacketOptions): string {
  if (options.relativeTo) {
    const rel = relative(options.relativeTo, path);
    if (rel && !rel.startsWith('..')) return rel;
  }
  return path;
}

/** The whole packet, Markdown, for a PR body and pr.md. */
export function renderPrPacket(result: RunResult, options: PacketOptions = {}): string {
  const w = winnerOf(result);
  const out: string[] = [packetSummary(result), ''];
  out.push(`**Spec:** ${mdText(result.spec.title, 160)} (${mdCode(shortPath(result.spec.path, options))}), base ${mdCode(result.baseCommit.slice(0, 12))}`, '');
  if (w) out.push(...whyWon(result, w), '');
  out.push(...others(result, w), '');
  if (w) out.push(...testPlan(result, w), '', ...risks(w), '');
  out.push(...costs(result, w), '');
  out.push(`Full report: ${mdCode(shortPath(options.reportPath ?? result.reportPath, options))}`);
  return out.join('\n').replace(/\n{3,}/g, '\n\n') + '\n';
}

function whyWon(result: RunResult, w: EntrantResult): string[] {
  const lines = ['#### Why it won'];
  lines.push(`- Gates: ${w.gates.length ? `all ${w.gates.length} passed (${w.gates.map((g) => label(g.gate)).join(', ')})` : 'none applied'}`);
  if (w.score) {
    lines.push(`- Score ${n1(w.score.total)} = ${w.score.parts.filter((p) => p.weight > 0).map((p) => `${label(p.part)} ${n1(p.points)}`).join(' + ')}`);
  }
  const sel = result.selection;
  if (sel) lines.push(`- Selection: ${mdText(sel.summary, 240)} (decided by ${sel.decidedBy}${sel.margin !== null ? `, margin ${n1(sel.margin)}` : ''}${sel.minMargin !== null ? `, minimum ${sel.minMargin}` : ''})`);
  lines.push(...judgeLines(result, w));
  return lines;
}

function verdictName(call: JudgeCall): string {
  if (call.verdict === null) return `failed${call.error ? ` (${mdText(call.error, 80)})` : ''}`;
  if (call.verdict === 'tie') return 'tie';
  return mdText(call.verdict === 'A' ? call.first : call.second, 40);
}

/** The judge's reasons for the winner's closest match, in both presentation orders. */
function judgeLines(result: RunResult, w: EntrantResult): string[] {
  const judge = result.judge;
  if (!judge.ran) return [`- Judge: not run (${mdText(judge.reason, 160)})`];
  if (judge.mode === 'rubric') {
    const mine = judge.rubric.filter((r) => r.entrant === w.name).slice(0, 2);
    return [`- Judge (rubric, ${judge.models.map((m) => mdText(m, 60)).join(', ')}): ${n1((judge.scores[w.name] ?? 0) * 100)}/100`, ...mine.map((r) => `  - ${mdText(r.judge, 60)}: ${mdText(r.rationale, 200)}`)];
  }
  const runnerUp = result.selection?.runnerUp;
  const matches = judge.matches.filter((m) => m.a === w.name || m.b === w.name);
  const match = matches.find((m) => m.a === runnerUp || m.b === runnerUp) ?? matches[0];
  const head = `- Judge (pairwise, ${judge.models.map((m) => mdText(m, 60)).join(', ')}): ${n1((judge.scores[w.name] ?? 0) * 100)}/100`;
  if (!match) return [head];
  const other = match.a === w.name ? match.b : match.a;
  const lines = [`${head}; against ${mdText(other, 60)}: ${match.outcome === 'tie' || match.outcome === 'failed' ? match.outcome : `${mdText(match.outcome === 'a' ? match.a : match.b, 60)} won`}, agreement ${Math.round(match.agreement * 100)}%`];
  for (const call of match.calls.slice(0, 4)) {
    lines.push(`  - ${mdText(call.judge, 60)}, ${mdText(call.first, 40)} shown first: ${verdictName(call)}. ${mdText(call.rationale, 200)}`);
  }
  return lines;
}

function whyLost(result: RunResult, e: EntrantResult, w: EntrantResult | undefined): string {
  if (e.status !== 'finished' && e.diff.files === 0) return `${e.status}${e.error ? `: ${mdText(e.error, 120)}` : ''}`;
  if (e.diff.files === 0) return 'changed nothing';
  const failed = e.gates.filter((g) => !g.passed);
  if (failed.length) return `out on ${failed.map((g) => `${label(g.gate)} (${mdText(g.reason, 80)})`).slice(0, 2).join(', ')}`;
  if (!w) return `ranked ${e.rank ?? '-'}${e.score ? `, score ${n1(e.score.total)}` : ''}`;
  const behind = w.score && e.score ? w.score.total - e.score.total : null;
  const worst = w.score && e.score
    ? e.score.parts.map((p) => ({ part: p.part, d: (w.score!.parts.find((q) => q.part === p.part)?.points ?? 0) - p.points })).filter((x) => x.d > 0.05).sort((a, b) => b.d - a.d)[0]
    : undefined;
  return `rank ${e.rank ?? '-'}, score ${e.score ? n1(e.score.total) : '-'}${behind !== null ? `, ${n1(behind)} behind` : ''}${worst ? ` (mostly ${label(worst.part)} -${n1(worst.d)})` : ''}`;
}

function others(result: RunResult, w: EntrantResult | undefined): string[] {
  const rest = result.entrants.filter((e) => e !== w);
  if (rest.length === 0) return [];
  return [w ? '#### The others' : '#### Entrants', ...rest.map((e) => `- ${mdText(e.name, 60)} (${mdText(e.model, 60)}): ${whyLost(result, e, w)}`)];
}

function testPlan(result: RunResult, w: EntrantResult): string[] {
  const row = (what: string, command: string | undefined, check: CommandCheck | null | undefined) =>
    `| ${what} | ${command ? mdText(command, 80) : '-'} | ${testLine(check)}${check?.durationMs ? `, ${formatMs(check.durationMs)}` : ''} |`;
  const rows = ['#### Test plan (run in clean containers)', '| check | command | result |', '| --- | --- | --- |', row('visible tests', result.spec.test, w.checks.tests)];
  if (result.spec.hiddenTest) rows.push(row('hidden tests', result.spec.hiddenTest, w.checks.hiddenTests));
  if (result.spec.build) rows.push(row('build', result.spec.build, w.checks.build));
  const perf = w.checks.performance;
  if (result.spec.bench?.length) {
    const text = !perf?.ran ? `not run${perf?.error ? ` (${mdText(perf.error, 80)})` : ''}` : `${perf.ratio !== null ? `${perf.ratio.toFixed(2)}x base speed` : 'measured'}${perf.regression ? ', regression' : ', no regression'} (threshold ${perf.threshold})`;
    rows.push(`| benchmarks | ${mdText(result.spec.bench.join(' '), 80)} | ${text} |`);
  }
  return rows;
}

function risks(w: EntrantResult): string[] {
  const c = w.checks;
  const lines = ['#### Risks'];
  const lint = c.lint;
  lines.push(`- Lint: ${!lint?.ran ? 'not run' : `${lint.newErrors} new error${lint.newErrors === 1 ? '' : 's'}, ${lint.newWarnings} new warning${lint.newWarnings === 1 ? '' : 's'}`}`);
  const sec = c.security;
  if (!sec?.ran) lines.push('- Security: not run');
  else if (sec.newFindings.length === 0) lines.push('- Security: no new findings');
  else lines.push(`- Security: ${sec.newFindings.length} new: ${sec.newFindings.slice(0, 3).map((f) => `${f.severity} ${mdText(f.ruleId, 60)} at ${mdText(`${f.file}:${f.line}`, 80)}`).join('; ')}`);
  const scope = c.scope;
  lines.push(`- Scope: ${w.diff.files} file${w.diff.files === 1 ? '' : 's'}, +${w.diff.additions} -${w.diff.deletions}${scope?.outOfScope.length ? `; outside the spec's scope: ${scope.outOfScope.slice(0, 5).map((f) => mdText(f, 80)).join(', ')}` : scope?.scope ? '; all within scope' : ''}`);
  lines.push(`- New dependencies: ${scope?.newDependencies.length ? scope.newDependencies.slice(0, 8).map((d) => mdText(d, 80)).join(', ') : 'none'}`);
  if (c.tampering?.findings.length) lines.push(`- Test edits noted: ${c.tampering.findings.length} (none blocking)`);
  return lines;
}

function costs(result: RunResult, w: EntrantResult | undefined): string[] {
  const tk = result.totals.tokens;
  const total = `${(tk.input + tk.cacheRead).toLocaleString('en-US')} in / ${tk.output.toLocaleString('en-US')} out tokens, $${result.totals.costUsd.toFixed(2)}, ${formatMs(result.timings.totalMs)} in all`;
  const mine = w ? `; winner ${(w.tokens.input + w.tokens.cacheRead).toLocaleString('en-US')} in / ${w.tokens.output.toLocaleString('en-US')} out, $${w.costUsd.toFixed(2)}${result.mode === 'run' ? `, ${formatMs(w.durationMs)}` : ''}` : '';
  return [`**Cost:** ${total}${mine}.`];
}
