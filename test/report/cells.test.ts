import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { lintCell, perfCell, scopeCell, securityCell } from '../../src/report/cells.js';
import { byRank } from '../../src/report/view.js';
import { makeRun } from './fixture.js';

describe('scorecard cells', () => {
  const lint = { ran: true, config: 'repository' as const, filesLinted: 3, base: { errors: 0, warnings: 0 }, head: { errors: 2, warnings: 1 },
    newErrors: 2, newWarnings: 1, messages: [], sarifPath: null, durationMs: 1 };

  it('summarises lint and security by what is new', () => {
    expect(lintCell(lint)).toEqual({ state: 'bad', text: '+2 errors · +1 warning', detail: '3 files linted' });
    expect(lintCell({ ...lint, newErrors: 0, newWarnings: 0 }).text).toBe('no new issues');
    expect(lintCell({ ...lint, ran: false, error: 'eslint crashed' })).toEqual({ state: 'none', text: 'not run', detail: 'eslint crashed' });
    const sec = { ran: true, newFindings: [], counts: { high: 0, medium: 2, low: 1 }, baseFindings: 0, sarifPath: null, rulesApplied: 40, durationMs: 1 };
    expect(securityCell(sec)).toMatchObject({ state: 'warn', text: '2 medium · 1 low' });
    expect(securityCell({ ...sec, counts: { high: 0, medium: 0, low: 0 }, baseFindings: 2 })).toMatchObject({ state: 'good', detail: '2 already at base' });
  });

  it('summarises performance and scope', () => {
    const perf = { ran: true, tasks: [], ratio: 0.7, regression: true, threshold: 0.1, rounds: 3, durationMs: 1, logPath: null };
    // Saved before candidates were compared with each other: the ratio is to base.
    expect(perfCell(perf)).toEqual({ state: 'bad', text: '0.70×', detail: 'regression vs base' });
    expect(perfCell({ ...perf, relativeTo: 'fastest candidate' })).toEqual({ state: 'bad', text: '0.70×', detail: 'regression vs fastest candidate' });
    expect(perfCell({ ...perf, ratio: 1.2, regression: false }).state).toBe('good');
    expect(perfCell(null).text).toBe('not run');
    // Skipped for an entrant already out on a gate: no number, the reason instead.
    const skipped = { ...perf, ran: false, ratio: null, regression: false, skipped: { gate: 'tampering', reason: 'skipped: out on gate tampering' } };
    expect(perfCell(skipped)).toEqual({ state: 'none', text: 'skipped', detail: 'out on gate tampering' });
    expect(perfCell({ ...perf, error: "the bench failed on the entrant's side: x" })).toMatchObject({ state: 'bad', text: 'bench failed' });
    const scope = { scope: ['src/**'], files: ['a'], outOfScope: ['a'], additions: 1, deletions: 0, newDependencies: ['package.json: x', 'package.json: y'] };
    expect(scopeCell(scope).text).toBe('1 file out of scope · 2 new dependencies');
    expect(scopeCell({ ...scope, scope: null, outOfScope: [], newDependencies: [] })).toEqual({ state: 'good', text: 'no new dependencies', detail: 'the spec sets no scope' });
  });

  it('orders by rank, then the unranked by score, unscored last', async () => {
    const { result, runDir } = await makeRun();
    await rm(runDir, { recursive: true, force: true });
    expect([...result.entrants].sort(byRank).map((e) => e.name)).toEqual(['careful', 'quick', 'sneaky', 'slowpoke']);
  });
});
