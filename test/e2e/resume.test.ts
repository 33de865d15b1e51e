import { afterAll, describe, expect, it } from 'vitest';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { currentOwner } from '../../src/sandbox/owner.js';
import { runTournament } from '../../src/run/tournament.js';
import { rerunEntrant, resumeRun } from '../../src/run/continue.js';
import type { RunEvent } from '../../src/run/events.js';
import { ensureTestImage } from '../support/docker.js';
import { lifetimeRepo } from '../support/lifetime-fixture.js';

const notes = (events: RunEvent[]) => events.flatMap((e) => (e.type === 'note' ? [e.message] : []));
const entrantEvents = (events: RunEvent[], name: string) =>
  events.flatMap((e) => (e.type === 'entrant' && e.name === name ? [`${e.state}${e.detail ? `: ${e.detail}` : ''}`] : []));

describe('resume and rerun', () => {
  const repos: string[] = [];
  afterAll(async () => {
    for (const repo of repos) await rm(repo, { recursive: true, force: true });
  });

  it('goes on with an interrupted run, keeping the entrant that had ended, then reruns one entrant as a new run', async () => {
    await ensureTestImage();
    const repo = await lifetimeRepo([
      '- { name: tidy, model: scripted/demo-slugify-tidy }',
      '- { name: terse, model: scripted/demo-slugify-terse }',
    ], ['maxParallel: 1']);
    repos.push(repo);
    const runId = '20261202-000000-a3f0';

    // Interrupted (as by Ctrl-C) as soon as the first entrant has ended: the second never finishes.
    const stop = new AbortController();
    const first: RunEvent[] = [];
    const interrupted = await runTournament({ repoDir: repo, specPath: join(repo, 'feature.md'), runId, signal: stop.signal }, {
      onEvent: (event) => {
        first.push(event);
        if (event.type === 'entrant' && event.name === 'tidy' && event.state === 'finished') stop.abort();
      },
    }).then(() => null, (err: unknown) => err);
    expect(interrupted).toMatchObject({ exitCode: 130 });
    const runDir = join(repo, '.tourney', 'runs', runId);
    await expect(stat(join(runDir, 'result.json'))).rejects.toThrow();
    await expect(stat(join(runDir, 'entrants', 'tidy', 'outcome.json'))).resolves.toBeTruthy();
    await expect(stat(join(runDir, 'entrants', 'terse', 'outcome.json'))).rejects.toThrow();
    const tidyTranscript = await readFile(join(runDir, 'entrants', 'tidy', 'transcript.json'), 'utf8');

    // A run another live tourney process holds is refused (before any work); one whose process is gone is taken over.
    const lockFile = join(runDir, 'tourney.lock');
    const me = currentOwner();
    await writeFile(lockFile, JSON.stringify({ pid: me.pid, host: hostname(), start: me.start, startedAt: new Date().toISOString() }));
    await expect(resumeRun(repo, runId, new AbortController().signal, { onEvent: () => undefined })).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining(`${lockFile}: the run is in use by tourney pid ${me.pid}`) });
    await writeFile(lockFile, JSON.stringify({ pid: me.pid, host: hostname(), start: 'another-boot:1', startedAt: new Date().toISOString() }));

    // resume: tidy is kept (not run again), terse runs, then the referee; interrupted again once tidy's verdict is in.
    const stopAgain = new AbortController();
    const events: RunEvent[] = [];
    const cut = await resumeRun(repo, runId, stopAgain.signal, {
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'entrant' && e.name === 'tidy' && e.state === 'tested') stopAgain.abort();
      },
    }).then(() => null, (err: unknown) => err);
    expect(cut).toMatchObject({ exitCode: 130 });
    expect(notes(events).some((m) => m.startsWith(`took over the stale lock ${lockFile}`))).toBe(true);
    expect(entrantEvents(events, 'tidy')).toContain('finished: kept from before the interruption');
    expect(entrantEvents(events, 'tidy')).not.toContain('starting');
    expect(entrantEvents(events, 'terse')).toContain('starting');
    // Released on the way out, Ctrl-C included.
    await expect(stat(lockFile)).rejects.toThrow();
    const tidyLog = join(runDir, 'entrants', 'tidy', 'test.log');
    const tidyLogTime = (await stat(tidyLog)).mtimeMs;
    const tidyVerdict = await readFile(join(runDir, 'entrants', 'tidy', 'verdict.json'), 'utf8');

    // resume again: both entrants kept; tidy's saved verdict is used, no referee container started for it.
    const last: RunEvent[] = [];
    const resumed = await resumeRun(repo, runId, new AbortController().signal, { onEvent: (e) => last.push(e) });
    expect(resumed.runId).toBe(runId);
    expect(notes(last)).toContain("kept tidy's referee verdict (same patch, spec, config and environment)");
    expect(entrantEvents(last, 'tidy').filter((s) => s.startsWith('refereeing'))).toEqual([]);
    expect(entrantEvents(last, 'terse')).toContain('finished: kept from before the interruption');
    expect((await stat(tidyLog)).mtimeMs).toBe(tidyLogTime);
    expect(await readFile(join(runDir, 'entrants', 'tidy', 'verdict.json'), 'utf8')).toBe(tidyVerdict);
    const tidyChecks = resumed.entrants.find((e) => e.name === 'tidy')!.checks;
    expect(tidyChecks.tests?.passed).toBe(true);
    expect(tidyChecks.hiddenTests?.passed).toBe(true);
    expect(resumed.entrants.map((e) => [e.name, e.status, e.eligible]).sort()).toEqual([['terse', 'finished', true], ['tidy', 'finished', true]]);
    expect(await readFile(join(runDir, 'entrants', 'tidy', 'transcript.json'), 'utf8')).toBe(tidyTranscript);
    expect(resumed.winner).not.toBeNull();
    // A finished run has nothing to resume.
    await expect(resumeRun(repo, runId, new AbortController().signal, { onEvent: () => undefined })).rejects.toThrow(/finished .*nothing to resume; "tourney rerun/);

    // rerun: a new run, terse again, tidy kept from the saved run, which stays as it was.
    const savedResult = await readFile(join(runDir, 'result.json'), 'utf8');
    const again: RunEvent[] = [];
    const rerun = await rerunEntrant(repo, runId, ['terse'], new AbortController().signal, { onEvent: (e) => again.push(e) });
    expect(rerun.runId).not.toBe(runId);
    expect(entrantEvents(again, 'tidy')).toContain(`finished: kept from run ${runId}`);
    expect(entrantEvents(again, 'tidy')).not.toContain('starting');
    expect(entrantEvents(again, 'terse')).toContain('starting');
    // tidy's verdict came along with its outcome: not refereed again, the same checks; terse, run again, is refereed.
    expect(notes(again)).toContain("kept tidy's referee verdict (same patch, spec, config and environment)");
    expect(notes(again)).not.toContain("kept terse's referee verdict (same patch, spec, config and environment)");
    expect(entrantEvents(again, 'tidy').filter((s) => s.startsWith('refereeing'))).toEqual([]);
    expect(entrantEvents(again, 'terse')).toContain('refereeing: static checks');
    expect(rerun.entrants.find((e) => e.name === 'tidy')!.checks).toEqual(tidyChecks);
    expect(rerun.entrants.map((e) => e.name).sort()).toEqual(['terse', 'tidy']);
    expect(await readFile(join(rerun.runDir, 'entrants', 'tidy', 'transcript.json'), 'utf8')).toBe(tidyTranscript);
    expect(await readFile(join(runDir, 'result.json'), 'utf8')).toBe(savedResult);
    await expect(rerunEntrant(repo, runId, ['nobody'], new AbortController().signal, { onEvent: () => undefined })).rejects.toThrow(/--entrant nobody: no such entrant in run .* \(expected one of tidy, terse\)/);
  }, 900_000);
});
