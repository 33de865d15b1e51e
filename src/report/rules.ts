// "How the winner was chosen": the gates and weights in force, from the run's own configuration.
import type { ScoreWeights, RunResult } from '../types.js';
import { formatCost } from './format.js';

export interface RuleGate {
  label: string;
  on: boolean;
  /** Why it is off, when it is. */
  note: string;
}

export interface RuleWeight {
  label: string;
  weight: number;
  formula: string;
  used: boolean;
  note: string;
}

export interface RulesView {
  gates: RuleGate[];
  weights: RuleWeight[];
  /** One line about the AI judge: who judged and how, or why it did not run. */
  judge: string;
}

export const PART_LABELS: Record<keyof ScoreWeights, string> = {
  tests: 'Tests',
  hiddenTests: 'Hidden tests',
  lint: 'Lint',
  security: 'Security',
  performance: 'Performance',
  scope: 'Scope',
  judge: 'Judge',
};

const FORMULAS: Record<keyof ScoreWeights, string> = {
  tests: 'share of visible tests passing',
  hiddenTests: 'share of hidden tests passing',
  lint: '1 − 0.2 · new errors − 0.05 · new warnings',
  security: '1 − 0.5 · high − 0.25 · medium − 0.1 · low (new findings)',
  performance: '0.5 + 0.5 · log₂(ops/s ratio vs base, or vs the fastest candidate where base cannot run the task)',
  scope: '1 − 0.25 · (files out of scope + new dependencies)',
  judge: "the AI judge's score for a finalist (0.5 = average)",
};

export const TOTAL_FORMULA =
  'Each part is clamped to 0..1. Total = 100 · Σ(weight · part) / Σ weight, over the parts that apply to this spec.';

function judgeLine(j: RunResult['judge']): string {
  if (!j.ran) return `The AI judge did not run: ${j.reason}.`;
  const failed = j.failedCalls > 0 ? `, ${j.failedCalls} failed` : '';
  return `The AI judge (${j.mode}; ${j.models.join(', ')}) scored the finalists in ${j.calls} calls${failed}, costing ${formatCost(j.costUsd)}.`;
}

export function rulesView(r: RunResult): RulesView {
  const g = r.gatesConfig;
  const hasHidden = Boolean(r.spec.hiddenTest);
  const hasBuild = Boolean(r.spec.build);
  const hasBench = Boolean(r.spec.bench?.length);
  // The threshold lives in the scoring config, which result.json only records per performance check.
  const threshold = r.entrants.find((e) => e.checks.performance)?.checks.performance?.threshold;
  const slower = threshold === undefined ? 'the configured threshold' : `${Math.round(threshold * 100)}%`;
  const gate = (label: string, enabled: boolean, applies: boolean, missing: string): RuleGate => ({
    label,
    on: enabled && applies,
    note: !enabled ? 'off in the configuration' : applies ? '' : missing,
  });
  const security = g.security === 'off'
    ? 'No new security finding'
    : `No new security finding of ${g.security} severity${g.security === 'high' ? '' : ' or higher'}`;
  const gates: RuleGate[] = [
    gate('The entrant changed files', true, true, ''),
    gate('Visible tests pass', g.tests, true, ''),
    gate('Hidden tests pass', g.hiddenTests, hasHidden, 'the spec has no hidden tests'),
    gate('Build command succeeds', g.build, hasBuild, 'the spec has no build command'),
    gate('No tampering with tests, lint, CI or protected paths', g.tampering, true, ''),
    gate(security, g.security !== 'off', true, ''),
    gate('No added text that addresses the judge or overrides instructions', g.injection, true, ''),
    gate(`No benchmark task slower than base (or, where base cannot run it, the fastest candidate) by more than ${slower}`, g.performance, hasBench, 'the spec names no benchmarks'),
  ];
  const applies: Record<keyof ScoreWeights, [boolean, string]> = {
    tests: [true, ''],
    hiddenTests: [hasHidden, 'the spec has no hidden tests'],
    lint: [true, ''],
    security: [true, ''],
    performance: [hasBench, 'the spec names no benchmarks'],
    scope: [true, ''],
    judge: [r.judge.ran, 'no judge ran'],
  };
  const weights = (Object.keys(PART_LABELS) as (keyof ScoreWeights)[]).map((part) => ({
    label: PART_LABELS[part],
    weight: r.weights[part],
    formula: FORMULAS[part],
    used: applies[part][0],
    note: applies[part][0] ? '' : applies[part][1],
  }));
  return { gates, weights, judge: judgeLine(r.judge) };
}
