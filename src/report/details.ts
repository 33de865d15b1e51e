// The per-entrant detail section: score breakdown, findings, and links to every artifact.
import type { EntrantResult } from '../types.js';
import { existingHref } from './files.js';
import { formatFixed, formatNumber, formatRatio } from './format.js';
import { PART_LABELS } from './rules.js';

const LINT_MESSAGES_SHOWN = 20;

export interface PartView {
  label: string;
  score: string;
  /** 0..1 for the <meter>. */
  value: number;
  weight: number;
  points: string;
  detail: string;
  /** A part left out of the weighting because the entrant was already out on a gate: no score or points shown. */
  skipped?: boolean;
}

export interface LinkView {
  label: string;
  path: string;
  href: string | null;
}

export interface EntrantDetails {
  /** False when nothing was checked (no change, or the diff did not apply). */
  refereed: boolean;
  parts: PartView[];
  tamper: { kind: string; where: string; evidence: string; low: boolean }[];
  strengthened: { kind: string; where: string; evidence: string }[];
  injection: { pattern: string; where: string; text: string }[];
  findings: { ruleId: string; cwe: string; severity: string; where: string; message: string; snippet: string }[];
  lintMessages: { where: string; rule: string; severity: string; message: string }[];
  lintMore: number;
  perfTasks: { file: string; task: string; base: string; head: string; ratio: string; against: string; state: string; detail: string; slower: boolean }[];
  /** What the performance ratio compares with, in words (base, the fastest candidate, or both). */
  perfAgainst: string;
  links: LinkView[];
}

const where = (file: string, line?: number, column?: number): string =>
  [file, line, column].filter((x) => x !== undefined).join(':');

const ops = (n: number, rme: number): string => `${formatNumber(n)} ± ${formatFixed(rme, 1)}%`;

async function links(runDir: string, e: EntrantResult): Promise<LinkView[]> {
  const c = e.checks;
  const wanted: [string, string | null | undefined][] = [
    ['Patch', e.diffPath],
    ['Transcript', e.transcriptPath],
    ['Test log', c.tests?.logPath],
    ['Hidden test log', c.hiddenTests?.logPath],
    ['Build log', c.build?.logPath],
    ['Install log (its own environment)', e.environment?.logPath],
    ['Benchmark log', c.performance?.logPath],
    ['Lint SARIF', c.lint?.sarifPath],
    ['Security SARIF', c.security?.sarifPath],
  ];
  const present = wanted.filter((w): w is [string, string] => typeof w[1] === 'string' && w[1].length > 0);
  return Promise.all(present.map(async ([label, path]) => ({ label, path, href: await existingHref(runDir, path) })));
}

export async function details(runDir: string, e: EntrantResult): Promise<EntrantDetails> {
  const c = e.checks;
  const perf = c.performance;
  return {
    refereed: Boolean(c.tests || c.lint || c.security || c.tampering || c.scope),
    parts: (e.score?.parts ?? []).map((p) => ({
      label: PART_LABELS[p.part] ?? p.part,
      score: formatFixed(p.score, 2),
      value: Number.isFinite(p.score) ? p.score : 0,
      weight: p.weight,
      points: formatFixed(p.points, 1),
      detail: p.detail,
    })).concat((e.score?.skipped ?? []).map((p) => ({
      label: PART_LABELS[p.part] ?? p.part, score: '—', value: 0, weight: 0, points: '—', detail: p.detail, skipped: true,
    }))),
    // Low findings lower the tests part; the others block. Findings saved before severities existed blocked.
    tamper: (c.tampering?.findings ?? []).map((f) => ({ kind: f.kind, where: where(f.file, f.line), evidence: f.evidence, low: f.severity === 'low' })),
    strengthened: (c.tampering?.strengthened ?? []).map((s) => ({ kind: s.kind, where: where(s.file, s.line), evidence: s.evidence })),
    injection: (c.injection?.findings ?? []).map((f) => ({ pattern: f.pattern, where: where(f.file, f.line), text: f.text })),
    findings: (c.security?.newFindings ?? []).map((f) => ({
      ruleId: f.ruleId, cwe: f.cwe, severity: f.severity, where: where(f.file, f.line), message: f.message, snippet: f.snippet,
    })),
    lintMessages: (c.lint?.messages ?? []).slice(0, LINT_MESSAGES_SHOWN).map((m) => ({
      where: where(m.file, m.line, m.column), rule: m.ruleId ?? '', severity: m.severity, message: m.message,
    })),
    lintMore: Math.max(0, (c.lint?.messages.length ?? 0) - LINT_MESSAGES_SHOWN),
    perfTasks: (perf?.tasks ?? []).map((t) => ({
      file: t.file,
      task: t.task,
      base: ops(t.baseOpsPerSec, t.baseRme),
      head: ops(t.opsPerSec, t.rme),
      ratio: formatRatio(t.ratio),
      // Results saved before candidates were compared with each other always compared with base.
      against: t.ratio === null ? '' : t.relativeTo === 'fastest candidate' ? `fastest candidate${t.reference ? ` (${t.reference.name})` : ''}` : 'base',
      state: t.state ?? (t.ratio === null ? 'base failed' : 'measured'),
      detail: t.detail ?? '',
      slower: perf !== null && perf !== undefined && t.ratio !== null && t.ratio < 1 - perf.threshold,
    })),
    perfAgainst: perf?.relativeTo === 'fastest candidate' ? 'the fastest candidate' : perf?.relativeTo === 'mixed' ? 'base (or, where base cannot run a task, the fastest candidate)' : 'base',
    links: await links(runDir, e),
  };
}
