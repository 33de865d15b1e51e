import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { createDemoRepo } from '../../src/demo/demo.js';
import { runTournament, newRunId } from '../../src/run/tournament.js';
import type { RunEvent } from '../../src/run/events.js';
import type { RunResult } from '../../src/types.js';
import { LABELS } from '../../src/sandbox/labels.js';
import { DEFAULT_IMAGE } from '../../src/config/defaults.js';
import { parseRunResult, readRunResultBytes } from '../../src/run/run-dirs.js';
import { ensureTestImage } from '../support/docker.js';
import { startSecondEngine, type SecondEngine } from '../support/second-engine.js';

const git = async (cwd: string, ...args: string[]) => (await execa('git', args, { cwd })).stdout;
const VICTIM = fileURLToPath(new URL('../fixtures/hostile-scripts/victim.yaml', import.meta.url));

/** Containers of run `runId` on the engine at `host` (by the Docker CLI: the test's own view, not tourney's). */
async function runContainers(host: string, runId: string): Promise<string[]> {
  const out = await execa('docker', ['-H', host, 'ps', '-a', '--filter', `label=${LABELS.run}=${runId}`, '--format', '{{.Names}}'], { reject: false });
  return out.stdout.split('\n').filter(Boolean);
}

async function repoWith(config: string[], scripts?: string): Promise<string> {
  const repo = await createDemoRepo(await mkdtemp(join(tmpdir(), 'tourney-engines-')));
  if (scripts) {
    await mkdir(join(repo, 'scripts-slow'));
    await copyFile(scripts, join(repo, 'scripts-slow', 'slow.yaml'));
  }
  await writeFile(join(repo, 'tourney.config.yaml'), config.join('\n') + '\n');
  await git(repo, 'add', '-A');
  await git(repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'two engines');
  return repo;
}

describe('an engine pool: two Docker engines share one tournament', () => {
  let second: SecondEngine;
  const repos: string[] = [];

  beforeAll(async () => {
    await ensureTestImage();
    second = await startSecondEngine();
  }, 300_000);

  afterAll(async () => {
    await second?.remove();
    for (const repo of repos) await rm(repo, { recursive: true, force: true });
  }, 120_000);

  describe('both engines up (the second reached through the exec tunnel)', () => {
    let result: RunResult;
    const events: RunEvent[] = [];
    let repo: string;
    beforeAll(async () => {
      repo = await repoWith([
        'entrants:',
        '  - { name: tidy, model: scripted/demo-slugify-tidy }',
        '  - { name: terse, model: scripted/demo-slugify-terse }',
        'engines:',
        '  - { host: "unix:///var/run/docker.sock", slots: 1 }',
        // As an engine on another machine is reached: the agent server through the exec tunnel, not its address.
        `  - { host: "${second.host}", name: e2, slots: 1, reach: tunnel }`,
        'sandbox: { cpus: 1, memory: 1g, timeLimit: 3m }',
      ]);
      repos.push(repo);
      result = await runTournament({ repoDir: repo, specPath: join(repo, 'feature.md'), runId: newRunId(new Date()) }, { onEvent: (e) => events.push(e) });
    }, 900_000);

    it('the image went to the second engine, and the entrants ran one on each', async () => {
      expect(events.some((e) => e.type === 'note' && /image tourney-sandbox:\S+ copied to engine e2/.test(e.message))).toBe(true);
      const onSecond = await execa('docker', ['-H', second.host, 'image', 'inspect', DEFAULT_IMAGE, '--format', '{{.Id}}']);
      const onFirst = await execa('docker', ['image', 'inspect', DEFAULT_IMAGE, '--format', '{{.Id}}']);
      expect(onSecond.stdout).toBe(onFirst.stdout);
      expect(result.engines).toEqual([
        { name: 'local', host: 'unix:///var/run/docker.sock', slots: 1 },
        { name: 'e2', host: second.host, slots: 1 },
      ]);
      expect(result.entrants.map((e) => e.engine).sort()).toEqual(['e2', 'local']);
      for (const e of result.entrants) {
        expect(e.status).toBe('finished');
        expect(['local', 'e2']).toContain(e.refereeEngine);
        expect(e.retried).toBeUndefined();
      }
      expect(new Set(result.entrants.map((e) => e.refereeEngine)).size).toBe(2);
      expect(result.winner).not.toBeNull();
    });

    it('result.json records the engines and reads back through the schema; nothing is left on either engine', async () => {
      const saved = parseRunResult(await readRunResultBytes(result.runDir), join(result.runDir, 'result.json'));
      expect(saved.engines?.map((e) => e.name)).toEqual(['local', 'e2']);
      expect(saved.entrants.map((e) => e.engine).sort()).toEqual(['e2', 'local']);
      expect(await runContainers(second.host, result.runId)).toEqual([]);
      expect(await runContainers('unix:///var/run/docker.sock', result.runId)).toEqual([]);
    });
  });

  describe('the second engine crashes mid-run', () => {
    let result: RunResult;
    const events: RunEvent[] = [];
    let sawOnSecond: string[] = [];
    beforeAll(async () => {
      // Both entrants wait 25 s before working, so the one placed on e2 is surely running when e2 goes.
      const repo = await repoWith([
        'entrants:',
        '  - { name: first, model: scripted/slow }',
        '  - { name: second, model: scripted/slow }',
        'scripts: [./scripts-slow]',
        'engines:',
        '  - { host: "unix:///var/run/docker.sock", name: local, slots: 1 }',
        `  - { host: "${second.host}", name: e2, slots: 1 }`,
        'sandbox: { cpus: 1, memory: 1g, timeLimit: 3m }',
      ], VICTIM);
      repos.push(repo);
      const runId = newRunId(new Date());
      const crash = (async () => {
        for (let i = 0; i < 240; i++) {
          const names = await runContainers(second.host, runId);
          if (names.some((n) => /-(first|second)$/.test(n))) {
            sawOnSecond = names;
            await new Promise((r) => setTimeout(r, 3000));
            await second.crash();
            return;
          }
          await new Promise((r) => setTimeout(r, 500));
        }
      })();
      result = await runTournament({ repoDir: repo, specPath: join(repo, 'feature.md'), runId }, { onEvent: (e) => events.push(e) });
      await crash;
    }, 900_000);

    it('the entrant on the lost engine ran again on the other one, and the run said so', () => {
      expect(sawOnSecond.length).toBeGreaterThan(0);
      const moved = result.entrants.filter((e) => e.retried);
      expect(moved).toHaveLength(1);
      expect(moved[0]!.retried).toEqual({ engine: 'e2', reason: expect.stringMatching(/stopped answering/) });
      expect(moved[0]!.engine).toBe('local');
      for (const e of result.entrants) {
        expect(e.status).toBe('finished');
        expect(e.engine).toBe('local');
        expect(e.refereeEngine).toBe('local');
        expect(e.checks.tests?.passed).toBe(true);
      }
      expect(result.engines?.find((e) => e.name === 'e2')?.lost).toMatch(/stopped answering/);
      expect(events.some((e) => e.type === 'warning' && /engine e2 \(unix:\/\/.*\) is lost/.test(e.message))).toBe(true);
      expect(events.some((e) => e.type === 'note' && e.message.includes(`${moved[0]!.name}: its engine e2 was lost mid-run; running it again on another engine`))).toBe(true);
      expect(result.winner).not.toBeNull();
    });

    it('the report names each entrant\'s engine and the lost one', async () => {
      const report = await readFile(result.reportPath, 'utf8');
      const moved = result.entrants.find((e) => e.retried)!;
      expect(report).toContain('Ran again on local: its first engine e2 was lost mid-run: it stopped answering');
      expect(report).toMatch(/<code>e2<\/code> <span class="muted">\(unix:\/\/[^)]+, 1 slot\(s\)\)<\/span> <span class="badge badge-fail">lost<\/span>/);
      expect(moved.name).toMatch(/^(first|second)$/);
    });
  });
});
