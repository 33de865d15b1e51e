import type { EntrantChecks } from '../checks/types.js';
import type { ScoreWeights, Spec, TestCheck } from '../types.js';
import type { Score, ScorePart } from './types.js';
import { perfPartScore } from '../checks/perf-stats.js';

/** Share of the tests part lost per ambiguous (low-severity) tampering finding. */
export const AMBIGUOUS_TEST_EDIT_PENALTY = 0.1;

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** Share of tests passing; a run without counts is all or nothing; a run that never happened is 0. */
function testShare(check: TestCheck | null | undefined): { score: number; detail: string } {
  if (!check || check.passed === null) return { score: 0, detail: check?.error ?? 'not run' };
  if (check.counts && check.counts.passed + check.counts.failed > 0) {
    const { passed, failed } = check.counts;
    return { score: passed / (passed + failed), detail: `${passed}/${passed + failed} passed` };
  }
  return { score: check.passed ? 1 : 0, detail: check.passed ? 'passed' : `failed (exit ${check.exitCode})` };
}

/**
 * The weighted score, 0-100. Each part is 0..1 (formulas in the README, "Gates, score, ranking");
 * parts that do not apply to this spec (hidden tests, performance) or entrant (the judge, which only
 * sees finalists) are left out of the weighting,
 * so the total stays comparable between entrants of the same run.
 */
export function scoreEntrant(checks: EntrantChecks, spec: Spec, weights: ScoreWeights, judge?: { score: number; detail: string }): Score {
  const raw: Omit<ScorePart, 'points'>[] = [];
  const add = (part: keyof ScoreWeights, score: number, detail: string) => raw.push({ part, score: clamp01(score), weight: weights[part], detail });

  const tests = testShare(checks.tests);
  // Ambiguous edits to existing tests (low tampering findings) make a pass worth less, by a tenth each:
  // the visible tests are what such edits could have bent. Hidden tests are out of the entrant's reach.
  const ambiguous = checks.tampering?.findings.filter((f) => f.severity === 'low').length ?? 0;
  const trust = Math.max(0, 1 - AMBIGUOUS_TEST_EDIT_PENALTY * ambiguous);
  add('tests', tests.score * trust, ambiguous > 0 ? `${tests.detail}; ×${trust.toFixed(1)} for ${ambiguous} ambiguous test edit(s)` : tests.detail);
  if (spec.hidden) {
    const hidden = testShare(checks.hiddenTests);
    add('hiddenTests', hidden.score, hidden.detail);
  }
  const lint = checks.lint;
  if (lint?.ran) add('lint', 1 - 0.2 * lint.newErrors - 0.05 * lint.newWarnings, `${lint.newErrors} new errors, ${lint.newWarnings} new warnings`);
  else add('lint', 0, lint?.error ?? 'not run');
  const sec = checks.security;
  if (sec?.ran) add('security', 1 - 0.5 * sec.counts.high - 0.25 * sec.counts.medium - 0.1 * sec.counts.low, `${sec.counts.high} high, ${sec.counts.medium} medium, ${sec.counts.low} low new findings`);
  else add('security', 0, sec?.error ?? 'not run');
  const skipped: NonNullable<Score['skipped']> = [];
  if (spec.bench?.length) {
    const perf = checks.performance;
    const against = perf?.relativeTo === 'fastest candidate' ? 'the fastest candidate' : perf?.relativeTo === 'mixed' ? 'base / the fastest candidate' : 'base';
    // Not run because the entrant was already out on a gate: no number at all, rather than a made-up 0.
    if (perf?.skipped) skipped.push({ part: 'performance', detail: perf.skipped.reason });
    // A benchmark that broke on the entrant's side measures nothing good: it earns nothing.
    else if (perf?.ran && perf.error) add('performance', 0, perf.error);
    else if (perf?.ran && perf.ratio !== null) add('performance', perfPartScore(perf.ratio), `${perf.ratio.toFixed(2)}x ${against} ops/s`);
    else add('performance', 0, perf?.error ?? 'not run');
  }
  const scope = checks.scope;
  if (scope) {
    add('scope', 1 - 0.25 * scope.outOfScope.length - 0.25 * scope.newDependencies.length,
      `${scope.outOfScope.length} files out of scope, ${scope.newDependencies.length} new dependencies`);
  } else add('scope', 0, 'not run');
  if (judge) add('judge', judge.score, judge.detail);

  const totalWeight = raw.reduce((sum, p) => sum + p.weight, 0);
  const parts = raw.map((p) => ({ ...p, points: totalWeight > 0 ? (100 * p.weight * p.score) / totalWeight : 0 }));
  const total = Math.round(parts.reduce((sum, p) => sum + p.points, 0) * 10) / 10;
  return { total, parts, ...(skipped.length > 0 ? { skipped } : {}) };
}
