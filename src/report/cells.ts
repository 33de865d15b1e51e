// Short verdicts for the scorecard's check columns: a coloured headline and a muted detail.
// Pure, so the wording can be unit-tested without rendering.
import type { LintCheck, PerfCheck, ScopeCheck, SecurityCheck } from '../checks/types.js';
import type { GateName, GateResult } from '../ranking/types.js';
import { formatRatio, plural } from './format.js';

export type CellState = 'good' | 'warn' | 'bad' | 'neutral' | 'none';

export interface Cell {
  state: CellState;
  text: string;
  detail: string;
}

export interface GateView {
  gate: GateName;
  label: string;
  /** Fits in a chip in the scorecard. */
  short: string;
  passed: boolean;
  reason: string;
}

const GATE_LABELS: Record<GateName, [label: string, short: string]> = {
  changed: ['Changed files', 'changed'],
  tests: ['Tests pass', 'tests'],
  hiddenTests: ['Hidden tests pass', 'hidden'],
  build: ['Build succeeds', 'build'],
  tampering: ['No tampering', 'tamper'],
  security: ['Security', 'security'],
  injection: ['No text aimed at the judge', 'inject'],
  performance: ['Performance', 'perf'],
  winner: ['Promoted winner', 'winner'],
  budget: ['Within budget', 'budget'],
};

export function gateView(g: GateResult): GateView {
  // A result.json from a newer tourney may name a gate this report does not know.
  const [label, short] = GATE_LABELS[g.gate] ?? [g.gate, g.gate];
  return { gate: g.gate, label, short, passed: g.passed, reason: g.reason };
}

const notRun = (error?: string): Cell => ({ state: 'none', text: 'not run', detail: error ?? '' });

export function lintCell(lint: LintCheck | undefined): Cell {
  if (!lint?.ran) return notRun(lint?.error);
  const found: string[] = [];
  if (lint.newErrors > 0) found.push(`+${plural(lint.newErrors, 'error')}`);
  if (lint.newWarnings > 0) found.push(`+${plural(lint.newWarnings, 'warning')}`);
  const detail = `${plural(lint.filesLinted, 'file')} linted`;
  if (found.length === 0) return { state: 'good', text: 'no new issues', detail };
  return { state: lint.newErrors > 0 ? 'bad' : 'warn', text: found.join(' · '), detail };
}

export function securityCell(sec: SecurityCheck | undefined): Cell {
  if (!sec?.ran) return notRun(sec?.error);
  const { high, medium, low } = sec.counts;
  const found = ([[high, 'high'], [medium, 'medium'], [low, 'low']] as const)
    .filter(([n]) => n > 0)
    .map(([n, severity]) => `${n} ${severity}`);
  const atBase = sec.baseFindings > 0 ? `${sec.baseFindings} already at base` : `${plural(sec.rulesApplied, 'rule')}`;
  if (found.length === 0) return { state: 'good', text: 'none new', detail: atBase };
  return { state: high > 0 ? 'bad' : 'warn', text: found.join(' · '), detail: 'new findings' };
}

export function perfCell(perf: PerfCheck | null | undefined): Cell {
  if (perf?.skipped) return { state: 'none', text: 'skipped', detail: perf.skipped.reason.replace(/^skipped: /, '') };
  if (perf?.ran && perf.error) return { state: 'bad', text: 'bench failed', detail: "on the entrant's side" };
  if (!perf?.ran || perf.ratio === null) return notRun(perf?.error);
  const against = perf.relativeTo === 'fastest candidate' ? 'vs fastest candidate' : perf.relativeTo === 'mixed' ? 'vs base / fastest' : 'vs base';
  if (perf.regression) {
    return { state: 'bad', text: formatRatio(perf.ratio), detail: `regression ${against}` };
  }
  return { state: perf.ratio >= 1 ? 'good' : 'neutral', text: formatRatio(perf.ratio), detail: against };
}

export function scopeCell(scope: ScopeCheck | undefined): Cell {
  if (!scope) return notRun();
  const found: string[] = [];
  if (scope.outOfScope.length > 0) found.push(`${plural(scope.outOfScope.length, 'file')} out of scope`);
  if (scope.newDependencies.length > 0) found.push(plural(scope.newDependencies.length, 'new dependency', 'new dependencies'));
  const detail = scope.scope ? '' : 'the spec sets no scope';
  if (found.length === 0) return { state: 'good', text: scope.scope ? 'in scope' : 'no new dependencies', detail };
  return { state: 'warn', text: found.join(' · '), detail };
}
