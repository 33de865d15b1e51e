import { describe, expect, it } from 'vitest';
import { evaluateGates } from '../../src/ranking/gates.js';
import { scoreEntrant } from '../../src/ranking/score.js';
import { DEFAULT_SCORING } from '../../src/config/defaults.js';
import type { Spec } from '../../src/types.js';
import type { EntrantChecks, TamperCheck, TamperFinding } from '../../src/checks/types.js';

const spec: Spec = { path: '/s.md', title: 't', body: '', sections: {}, test: 'npm test' };
const low: TamperFinding = { kind: 'test-edit-ambiguous', severity: 'low', file: 'test/a.test.js', evidence: 'x' };
const gate: TamperFinding = { kind: 'assertion-loosened', severity: 'gate', file: 'test/a.test.js', evidence: 'y' };

function checks(tampering: TamperCheck): EntrantChecks {
  return {
    tests: { passed: true, exitCode: 0, counts: { passed: 10, failed: 0 }, durationMs: 1, logPath: 'x' },
    tampering,
    lint: { ran: true, config: 'built-in', filesLinted: 1, base: { errors: 0, warnings: 0 }, head: { errors: 0, warnings: 0 }, newErrors: 0, newWarnings: 0, messages: [], sarifPath: null, durationMs: 1 },
    security: { ran: true, newFindings: [], counts: { high: 0, medium: 0, low: 0 }, baseFindings: 0, sarifPath: null, rulesApplied: 40, durationMs: 1 },
    scope: { scope: null, files: ['a.js'], outOfScope: [], additions: 1, deletions: 0, newDependencies: [] },
    injection: { flagged: false, findings: [] },
  };
}
const tamperGate = (t: TamperCheck) => evaluateGates(checks(t), true, spec, DEFAULT_SCORING.gates).find((g) => g.gate === 'tampering');
const testsPart = (t: TamperCheck) => scoreEntrant(checks(t), spec, DEFAULT_SCORING.weights).parts.find((p) => p.part === 'tests');

describe('tampering severities in gates and score', () => {
  it('low findings pass the gate but lower the tests part by a tenth each', () => {
    const t: TamperCheck = { flagged: false, findings: [low, low], strengthened: [] };
    expect(tamperGate(t)).toMatchObject({ passed: true, reason: expect.stringMatching(/2 ambiguous/) });
    expect(testsPart(t)?.score).toBeCloseTo(0.8, 10);
    expect(testsPart({ flagged: false, findings: [], strengthened: [] })?.score).toBe(1);
  });

  it('a gate finding fails the gate and its reason names only gate findings', () => {
    const t: TamperCheck = { flagged: true, findings: [low, gate], strengthened: [] };
    expect(tamperGate(t)).toEqual({ gate: 'tampering', passed: false, reason: 'assertion-loosened: test/a.test.js' });
  });

  it('never takes the tests part below zero', () => {
    expect(testsPart({ flagged: false, findings: Array.from({ length: 15 }, () => low) })?.score).toBe(0);
  });

  it('treats findings saved without a severity (older results) as gating', () => {
    const old: TamperCheck = { flagged: true, findings: [{ kind: 'test-modified', file: 't.test.js', evidence: 'x' }] };
    expect(tamperGate(old)?.passed).toBe(false);
    expect(testsPart(old)?.score).toBe(1);
  });
});
