import type { EntrantChecks, PerfCheck, SecurityCheck, TamperCheck } from '../checks/types.js';
import type { GateConfig, SecurityGate, Spec, TestCheck } from '../types.js';
import type { GateResult } from './types.js';

const SEVERITY_ORDER = ['low', 'medium', 'high'] as const;

function commandGate(gate: GateResult['gate'], check: TestCheck | null | undefined): GateResult {
  if (!check) return { gate, passed: false, reason: 'did not run' };
  if (check.passed === null) return { gate, passed: false, reason: check.error ?? 'could not run' };
  const counts = check.counts ? `${check.counts.passed} passed, ${check.counts.failed} failed` : `exit code ${check.exitCode}`;
  return { gate, passed: check.passed, reason: check.error ? `${check.error}; ${counts}` : counts };
}

function securityGate(check: SecurityCheck | undefined, level: SecurityGate): GateResult {
  if (!check?.ran) return { gate: 'security', passed: false, reason: check?.error ?? 'did not run' };
  const blocking = SEVERITY_ORDER.slice(SEVERITY_ORDER.indexOf(level as (typeof SEVERITY_ORDER)[number]));
  const hits = check.newFindings.filter((f) => blocking.includes(f.severity));
  return hits.length === 0
    ? { gate: 'security', passed: true, reason: `no new ${level}${level === 'high' ? '' : '+'} severity finding` }
    : { gate: 'security', passed: false, reason: hits.slice(0, 3).map((f) => `${f.ruleId} (${f.cwe}) at ${f.file}:${f.line}`).join('; ') };
}

/** Low findings (ambiguous test edits) do not gate; they lower the tests part of the score (score.ts). */
function tamperPassReason(t: TamperCheck): string {
  const low = t.findings.filter((f) => f.severity === 'low').length;
  return low === 0 ? 'no tampering found' : `no tampering found; ${low} ambiguous test edit(s) lower the score`;
}

/** The gates an entrant must pass to be allowed to win. Only gates that apply to this spec are listed. */
export function evaluateGates(checks: EntrantChecks, hasChange: boolean, spec: Spec, gates: GateConfig): GateResult[] {
  const results: GateResult[] = [{ gate: 'changed', passed: hasChange, reason: hasChange ? 'the entrant changed files' : 'no change to score' }];
  if (!hasChange) return results;
  if (gates.tests) results.push(commandGate('tests', checks.tests));
  if (gates.hiddenTests && spec.hidden) results.push(commandGate('hiddenTests', checks.hiddenTests));
  if (gates.build && spec.build) results.push(commandGate('build', checks.build));
  if (gates.tampering) {
    const t = checks.tampering;
    results.push(
      !t ? { gate: 'tampering', passed: false, reason: 'did not run' }
        : { gate: 'tampering', passed: !t.flagged, reason: t.flagged ? t.findings.filter((f) => f.severity !== 'low').slice(0, 3).map((f) => `${f.kind}: ${f.file}`).join('; ') : tamperPassReason(t) },
    );
  }
  if (gates.security !== 'off') results.push(securityGate(checks.security, gates.security));
  if (gates.injection) {
    const i = checks.injection;
    results.push(
      !i ? { gate: 'injection', passed: false, reason: 'did not run' }
        : { gate: 'injection', passed: !i.flagged, reason: i.flagged ? i.findings.slice(0, 2).map((f) => `${f.file}:${f.line}: ${f.text}`).join('; ') : 'no text addressing the judge' },
    );
  }
  // A check skipped because the entrant was already out on another gate has no gate of its own.
  if (gates.performance && spec.bench?.length && !checks.performance?.skipped) results.push(performanceGate(checks.performance));
  return results;
}

/** The gates that only need the checks that read code (known before any container runs). */
const STATIC_GATES: readonly GateResult['gate'][] = ['changed', 'tampering', 'security', 'injection'];

export function staticGates(checks: EntrantChecks, hasChange: boolean, spec: Spec, gates: GateConfig): GateResult[] {
  return evaluateGates(checks, hasChange, spec, gates).filter((g) => STATIC_GATES.includes(g.gate));
}

/** The gate an entrant is out on: the first failed static gate (known first), else the first failed gate; null if none failed. */
export function outOnGate(results: GateResult[]): GateResult | null {
  const failed = results.filter((g) => !g.passed);
  return failed.find((g) => STATIC_GATES.includes(g.gate)) ?? failed[0] ?? null;
}

/** Every gate but performance: whether an entrant is still in the running when the benchmarks start. */
export function gatesBeforePerformance(checks: EntrantChecks, hasChange: boolean, spec: Spec, gates: GateConfig): GateResult[] {
  return evaluateGates(checks, hasChange, spec, { ...gates, performance: false });
}

function performanceGate(p: PerfCheck | null | undefined): GateResult {
  if (!p?.ran) return { gate: 'performance', passed: false, reason: p?.error ?? 'did not run' };
  const against = p.relativeTo === 'fastest candidate' ? 'the fastest candidate' : p.relativeTo === 'mixed' ? 'base or the fastest candidate' : 'base';
  if (!p.regression) return { gate: 'performance', passed: true, reason: `ratio ${p.ratio?.toFixed(2) ?? 'n/a'} vs ${against}` };
  if (p.error) return { gate: 'performance', passed: false, reason: p.error };
  const slow = p.tasks.filter((t) => t.ratio !== null && t.ratio < 1 - p.threshold).map((t) => `${t.task} ${t.ratio!.toFixed(2)}x ${t.relativeTo === 'fastest candidate' ? 'the fastest candidate' : 'base'}`);
  return { gate: 'performance', passed: false, reason: `slower than ${against} by more than ${Math.round(p.threshold * 100)}%${slow.length ? `: ${slow.slice(0, 3).join('; ')}` : ''}` };
}
