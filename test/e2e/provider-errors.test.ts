import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../../src/sandbox/engine.js';
import { execa } from 'execa';
import { createDemoRepo } from '../../src/demo/demo.js';
import { runTournament } from '../../src/run/tournament.js';
import type { RunEvent } from '../../src/run/events.js';
import type { RunResult } from '../../src/types.js';
import type { AgentTranscript as Transcript } from '../../src/agents/kind.js';
import { ensureTestImage, leftoverResources } from '../support/docker.js';

// A provider that refuses the key, through the real opencode binary in Docker: the scripted model
// server answers 401 to one entrant; the other (same provider) would hang until its time limit.
const REFUSE = 'description: The provider refuses the API key\nturns:\n  - error: { status: 401, message: "invalid x-api-key" }\n';
const CONFIG = `entrants:
  - name: refused
    model: scripted/refuse-key
  - name: waiting
    model: scripted/demo-stuck
    timeLimit: 5m
scripts: [./provider-scripts]
`;

describe('a provider that rejects the API key', () => {
  let engine: Engine;
  let parent: string;
  let result: RunResult;
  const events: RunEvent[] = [];
  let elapsedMs = 0;

  beforeAll(async () => {
    engine = await ensureTestImage();
    parent = await mkdtemp(join(tmpdir(), 'tourney-e2e-provider-'));
    const repo = await createDemoRepo(join(parent, 'repo'));
    await mkdir(join(repo, 'provider-scripts'));
    await writeFile(join(repo, 'provider-scripts', 'refuse-key.yaml'), REFUSE);
    await writeFile(join(repo, 'tourney.config.yaml'), CONFIG);
    await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'add', '-A'], { cwd: repo });
    await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'scripts'], { cwd: repo });
    const started = Date.now();
    result = await runTournament({ repoDir: repo, specPath: join(repo, 'feature.md') }, { onEvent: (e) => events.push(e) });
    elapsedMs = Date.now() - started;
  }, 600_000);

  afterAll(async () => {
    if (parent) await rm(parent, { recursive: true, force: true });
  });

  it('ends the refused entrant with the cause in plain words, and keeps the raw error in its transcript', async () => {
    const refused = result.entrants.find((e) => e.name === 'refused');
    expect(refused?.status).toBe('error');
    expect(refused?.error).toBe('scripted rejected the API key (401): the script answered so');
    const transcript = JSON.parse(await readFile(join(result.runDir, 'entrants', 'refused', 'transcript.json'), 'utf8')) as Transcript;
    expect(transcript.error?.kind).toBe('auth');
    expect(transcript.error?.raw).toContain('invalid x-api-key');
    const report = await readFile(result.reportPath, 'utf8');
    expect(report).toContain('scripted rejected the API key (401)');
  });

  it('stops the same provider\'s other entrant at once instead of letting it run into its time limit', () => {
    const waiting = result.entrants.find((e) => e.name === 'waiting');
    expect(waiting?.status).toBe('error');
    expect(waiting?.error).toMatch(/^stopped early: scripted rejected the API key \(401\): the script answered so \(seen by entrant "refused"\)$/);
    expect(waiting?.durationMs).toBeLessThan(90_000);
    expect(elapsedMs).toBeLessThan(240_000);
    expect(events.some((e) => e.type === 'warning' && e.message.includes('stopping the other scripted entrants'))).toBe(true);
  });

  it('leaves no containers or networks of this run behind', async () => {
    // Other runs may share this Docker engine: only this run's resources are ours to check.
    expect((await leftoverResources(engine)).filter((name) => name.includes(result.runId))).toEqual([]);
  });
});
