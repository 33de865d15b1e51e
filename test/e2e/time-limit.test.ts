import { afterAll, describe, expect, it } from 'vitest';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runTournament } from '../../src/run/tournament.js';
import type { RunEvent } from '../../src/run/events.js';
import type { RunResult } from '../../src/types.js';
import { ensureTestImage } from '../support/docker.js';
import { lifetimeRepo } from '../support/lifetime-fixture.js';

// The agent must reach its tool call within the limit: about 3 s on an idle 2-core machine, a minute or more when
// other suites load it; TOURNEY_TEST_LIMIT_S raises it there.
const LIMIT_S = Number(process.env.TOURNEY_TEST_LIMIT_S ?? 30);

/** Runs a tournament and notes when each event happened on the host clock. */
async function timedRun(repo: string): Promise<{ result: RunResult; events: { at: number; event: RunEvent }[] }> {
  const events: { at: number; event: RunEvent }[] = [];
  const result = await runTournament({ repoDir: repo, specPath: join(repo, 'feature.md') }, { onEvent: (event) => events.push({ at: Date.now(), event }) });
  return { result, events };
}

const at = (events: { at: number; event: RunEvent }[], name: string, states: string[]) =>
  events.find(({ event }) => event.type === 'entrant' && event.name === name && states.includes(event.state))?.at ?? NaN;

describe('time limits that hold', () => {
  const repos: string[] = [];
  afterAll(async () => {
    for (const repo of repos) await rm(repo, { recursive: true, force: true });
  });

  it('stops a writer that ignores SIGTERM at the limit, diff extraction included', async () => {
    await ensureTestImage();
    // On a loaded machine the agent may not reach its tool call within 30 s: then the same attack again with
    // twice the limit (the bounds below are relative to the limit either way).
    for (let limit = LIMIT_S; ; limit *= 2) {
      const repo = await lifetimeRepo([`- { name: flood, model: scripted/flood, timeLimit: ${limit}s }`]);
      repos.push(repo);
      const { result, events } = await timedRun(repo);
      const flood = result.entrants.find((e) => e.name === 'flood')!;
      const patch = await readFile(join(result.runDir, flood.diffPath), 'utf8').catch(() => '');
      const stamps = [...patch.matchAll(/^\+(\d{13})$/gm)].map((m) => Number(m[1]));
      if (stamps.length === 0 && limit < 4 * LIMIT_S) {
        process.stderr.write(`time limit ${limit} s: the agent never reached its tool call (${flood.status}: ${flood.error}); again with ${2 * limit} s\n`);
        continue;
      }
      expect(flood.status).toBe('timeout');
      expect(stamps.length).toBeGreaterThan(0);
      const started = at(events, 'flood', ['starting']);
      const ended = at(events, 'flood', ['timeout', 'error', 'failed', 'finished']);
      const lastWriteS = (Math.max(...stamps) - started) / 1000;
      const endedS = (ended - started) / 1000;
      process.stderr.write(`time limit ${limit} s: writer stopped ${lastWriteS.toFixed(1)} s after start, entrant done (diff read) at ${endedS.toFixed(1)} s; ${JSON.stringify(flood.timings)}\n`);
      // The writer really ran until the limit (so the test can fail)...
      expect(lastWriteS).toBeGreaterThan(limit - 2);
      // ...and nothing of it ran, nor did the entrant's lifecycle last, more than a few seconds past it.
      expect(lastWriteS).toBeLessThan(limit + 6);
      expect(endedS).toBeLessThan(limit + 10);
      expect(flood.durationMs).toBeLessThan((limit + 10) * 1000);
      return;
    }
  }, 600_000);

  it('with sandbox.maxParallel 1, runs entrants one at a time and charges no queued time', async () => {
    await ensureTestImage();
    const repo = await lifetimeRepo(
      ['- { name: slow, model: scripted/demo-stuck, timeLimit: 20s }', '- { name: quick, model: scripted/quick, timeLimit: 15s }'],
      ['maxParallel: 1'],
    );
    repos.push(repo);
    const { result, events } = await timedRun(repo);
    const slow = result.entrants.find((e) => e.name === 'slow')!;
    const quick = result.entrants.find((e) => e.name === 'quick')!;
    expect(events.some(({ event }) => event.type === 'entrant' && event.name === 'quick' && event.state === 'queued')).toBe(true);
    // One at a time: quick starts only after slow has ended.
    expect(at(events, 'quick', ['starting'])).toBeGreaterThanOrEqual(at(events, 'slow', ['timeout', 'error', 'failed', 'finished']));
    expect(slow.status).toBe('timeout');
    // Queued longer than its own limit, and still given all of it: it finished, or ran out of time only
    // after its whole limit (charged with the queue, it would have had none).
    expect(quick.timings?.queuedMs).toBeGreaterThan(15_000);
    if (quick.status !== 'finished') {
      expect(quick.status).toBe('timeout');
      expect(quick.durationMs).toBeGreaterThan(15_000);
    }
    expect(quick.durationMs).toBeLessThan(15_000 + 30_000);
    expect(slow.timings?.queuedMs).toBeLessThan(2_000);
  }, 240_000);
});
