import type { EntrantChecks, SecurityCheck, TamperCheck } from '../checks/types.js';
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
  if (gates.performance && spec.bench?.length) {
    const p = checks.performance;
    results.push(
      !p?.ran ? { gate: 'performance', passed: false, reason: p?.error ?? 'did not run' }
        : { gate: 'performance', passed: !p.regression, reason: p.regression ? `slower than base by more than ${Math.round(p.threshold * 100)}%` : `ratio ${p.ratio?.toFixed(2) ?? 'n/a'} vs base` },
    );
  }
  return results;
}
