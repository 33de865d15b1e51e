import { afterAll, describe, expect, it } from 'vitest';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { runTournament } from '../../src/run/tournament.js';
import { loadRunResult } from '../../src/run/run-dirs.js';
import { ensureTestImage } from '../support/docker.js';
import { lifetimeRepo } from '../support/lifetime-fixture.js';

const git = async (cwd: string, ...args: string[]) => (await execa('git', args, { cwd })).stdout.trim();

describe('trials', () => {
  const repos: string[] = [];
  afterAll(async () => {
    for (const repo of repos) await rm(repo, { recursive: true, force: true });
  });

  it('runs each entrant K times, ranks entrants by their trials and promotes the best trial of the winner', async () => {
    await ensureTestImage();
    // tidy implements the feature; hasty's rewrite fails a visible test: every trial of it is out on a gate.
    const repo = await lifetimeRepo([
      '- { name: tidy, model: scripted/demo-slugify-tidy, trials: 2 }',
      '- { name: hasty, model: scripted/demo-slugify-hasty }',
    ], ['maxParallel: 2']);
    repos.push(repo);
    const before = await git(repo, 'rev-parse', 'HEAD');
    const result = await runTournament({ repoDir: repo, specPath: join(repo, 'feature.md'), trials: 2 }, { onEvent: () => undefined });

    // --trials 2 applies to every entrant: four runs, each refereed on its own.
    expect(result.entrants.map((e) => [e.name, e.trialOf, e.trial]).sort()).toEqual([
      ['hasty-t1', 'hasty', 1], ['hasty-t2', 'hasty', 2], ['tidy-t1', 'tidy', 1], ['tidy-t2', 'tidy', 2],
    ]);
    const tidy = result.trials?.find((t) => t.entrant === 'tidy');
    const hasty = result.trials?.find((t) => t.entrant === 'hasty');
    expect(tidy).toMatchObject({ trials: 2, passed: 2, passRate: 1, rank: 1, names: ['tidy-t1', 'tidy-t2'] });
    expect(tidy?.meanScore).toBeGreaterThan(50);
    expect(tidy?.expectedScore).toBe(tidy?.meanScore);
    expect(hasty?.expectedScore).toBe(0);
    expect(tidy?.spread?.min).toBeLessThanOrEqual(tidy?.spread?.max ?? -1);
    expect(hasty).toMatchObject({ trials: 2, passed: 0, passRate: 0, meanScore: null, best: null, rank: null });
    for (const e of result.entrants.filter((x) => x.trialOf === 'hasty')) expect(e.eligible).toBe(false);

    // The winner is tidy's best trial, and that trial is what the winner branch holds.
    expect(result.winner).toBe(tidy?.best);
    expect(['tidy-t1', 'tidy-t2']).toContain(result.winner);
    expect(result.selection?.summary).toContain('tidy (expected');
    expect(result.rankingRule).toContain('ranked by their expected score');
    expect(result.winnerBranch).toBe(`tourney/${result.runId}/winner`);
    expect(await git(repo, 'rev-parse', `tourney/${result.runId}/winner^{tree}`)).toBe(await git(repo, 'rev-parse', `tourney/${result.runId}/${result.winner}^{tree}`));
    expect(await git(repo, 'rev-parse', 'HEAD')).toBe(before);

    // Saved and read back through the result schema; the report shows the trials table.
    const saved = await loadRunResult(result.runDir);
    expect(saved.trials).toEqual(result.trials);
    const html = await readFile(join(result.runDir, 'report.html'), 'utf8');
    expect(html).toContain('data-trials-entrant="tidy"');
    expect(html).toMatch(/<td class="num">2 \/ 2<\/td>/);
    expect(html).toMatch(/<td class="num">0 \/ 2<\/td>/);
  }, 900_000);
});
