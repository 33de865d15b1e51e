import { afterAll, describe, expect, it } from 'vitest';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runTournament } from '../../src/run/tournament.js';
import type { RunEvent } from '../../src/run/events.js';
import { standingOf } from '../../src/report/standing.js';
import { ensureTestImage } from '../support/docker.js';
import { lifetimeRepo } from '../support/lifetime-fixture.js';

describe('budgets that hold', () => {
  const repos: string[] = [];
  afterAll(async () => {
    for (const repo of repos) await rm(repo, { recursive: true, force: true });
  });

  it('stops an entrant at its token budget with its partial work kept, and starts no entrant once the run budget is spent', async () => {
    await ensureTestImage();
    // opencode's system prompt alone is thousands of tokens: the first model step is over 1000 by far.
    const repo = await lifetimeRepo(
      ['- { name: spender, model: scripted/spend, timeLimit: 120s, budget: { tokens: 1000 } }', '- { name: later, model: scripted/quick, timeLimit: 60s }'],
      ['maxParallel: 1'],
      // spender counts toward the run's budget up to its own 1000 (a forged report cannot count for more): 900 is spent by it.
      ['budget: { tokens: 900 }'],
    );
    repos.push(repo);
    const events: RunEvent[] = [];
    const result = await runTournament({ repoDir: repo, specPath: join(repo, 'feature.md') }, { onEvent: (event) => events.push(event) });
    const spender = result.entrants.find((e) => e.name === 'spender')!;
    const later = result.entrants.find((e) => e.name === 'later')!;
    process.stderr.write(`spender: ${spender.status} (${spender.error}), ${JSON.stringify(spender.tokens)}; later: ${later.status} (${later.error})\n`);

    expect(spender.status).toBe('budget');
    expect(spender.error).toMatch(/^stopped at its budget: used [\d,]+ tokens, budget 1,000 tokens$/);
    const patch = await readFile(join(result.runDir, spender.diffPath), 'utf8');
    // Partial: something of the first steps is kept, and the last step never ran.
    expect(patch).toContain('part-1.txt');
    expect(patch).not.toContain('part-4.txt');
    // Out on its own gate, whatever its partial work scores.
    expect(spender.eligible).toBe(false);
    expect(spender.gates.find((g) => g.gate === 'budget')).toMatchObject({ passed: false });

    expect(later.status).toBe('budget');
    expect(later.error).toMatch(/^not started: the run's budget of 900 tokens was spent/);
    expect(later.durationMs).toBeLessThan(1000);
    expect(events.some((e) => e.type === 'entrant' && e.name === 'later' && e.state === 'running')).toBe(false);
    expect(result.winner ?? null).toBeNull();
    // The report and scorecard say why, before what the partial work lacks.
    expect(standingOf(result, later).text).toMatch(/^out: over budget \(not started: the run's budget of 900 tokens was spent .*; \+1 more gate\)$/);
    expect(standingOf(result, spender).text).toMatch(/^out: over budget \(stopped at its budget: used [\d,]+ tokens, budget 1,000 tokens/);

    const saved = JSON.parse(await readFile(join(result.runDir, 'result.json'), 'utf8')) as { entrants: { name: string; status: string }[] };
    expect(saved.entrants.map((e) => e.status)).toEqual(['budget', 'budget']);
  }, 300_000);
});
