import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { actionSchemaErrors, workflowSchemaErrors } from './validators.js';

const root = (rel: string) => fileURLToPath(new URL(`../../${rel}`, import.meta.url));
const load = (rel: string) => parse(readFileSync(root(rel), 'utf8')) as Record<string, unknown>;
const WORKFLOWS = ['examples/github/tourney-gate.yml', 'examples/github/tourney-run.yml'];

interface Step { uses?: string; run?: string; if?: string; env?: Record<string, string>; with?: Record<string, string> }
const actionSteps = () => (load('action.yml').runs as { steps: Step[] }).steps;
const workflowSteps = (rel: string) => Object.values(load(rel).jobs as Record<string, { steps?: Step[] }>).flatMap((j) => j.steps ?? []);
const allSteps = () => [...actionSteps(), ...WORKFLOWS.flatMap(workflowSteps)];

describe('action.yml and the example workflows', () => {
  it('action.yml is valid against SchemaStore\'s github-action schema', () => {
    expect(actionSchemaErrors(load('action.yml'))).toBe('');
  });

  it.each(WORKFLOWS)('%s is valid against SchemaStore\'s github-workflow schema', (rel) => {
    expect(workflowSchemaErrors(load(rel))).toBe('');
  });

  it('the schemas are real: a broken action and a broken workflow are refused', () => {
    expect(actionSchemaErrors({ ...load('action.yml'), runs: { using: 'composite', steps: [{ run: 'echo' }] } })).not.toBe('');
    expect(workflowSchemaErrors({ ...load(WORKFLOWS[0]!), on: 'pull_requests' })).not.toBe('');
  });

  it('no run: script contains a ${{ }} expression (inputs, github.event... reach shells through env: only)', () => {
    const runs = allSteps().filter((s) => s.run !== undefined);
    expect(runs.length).toBeGreaterThan(5);
    for (const s of runs) expect(s.run, s.run).not.toMatch(/\$\{\{/);
    // And the rule is checked where it matters: the action does take inputs and events into env.
    expect(JSON.stringify(actionSteps().map((s) => s.env))).toContain('${{ inputs.spec }}');
    expect(JSON.stringify(workflowSteps(WORKFLOWS[0]!).map((s) => s.env))).toContain('${{ github.event.pull_request.base.sha }}');
  });

  it('every third-party action is pinned to a full commit SHA', () => {
    const uses = allSteps().flatMap((s) => (s.uses ? [s.uses] : []));
    const thirdParty = uses.filter((u) => /^(actions|github)\//.test(u));
    expect(thirdParty.length).toBeGreaterThanOrEqual(4);
    for (const u of thirdParty) expect(u).toMatch(/@[0-9a-f]{40}$/);
  });

  it('every action input is passed to the tourney step, and the outputs come from it', () => {
    const action = load('action.yml') as { inputs: Record<string, unknown>; outputs: Record<string, { value: string }> };
    const env = JSON.stringify(actionSteps().map((s) => [s.env, s.with, s.if]));
    for (const input of Object.keys(action.inputs)) expect(env, input).toMatch(new RegExp(`inputs\\.${input}( }}| ==)`));
    for (const name of ['winner', 'branch', 'score', 'report', 'passed']) expect(action.outputs[name]!.value).toBe(`\${{ steps.tourney.outputs.${name} }}`);
  });
});
