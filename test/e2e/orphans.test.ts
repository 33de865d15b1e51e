import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dockerOf } from '../../src/sandbox/docker.js';
import type { Engine } from '../../src/sandbox/engine.js';
import { runTournament } from '../../src/run/tournament.js';
import type { RunEvent } from '../../src/run/events.js';
import { Sandbox } from '../../src/sandbox/container.js';
import { DEFAULT_IMAGE } from '../../src/config/defaults.js';
import { OWNER_LABELS } from '../../src/sandbox/owner.js';
import { cli } from '../support/cli.js';
import { ensureTestImage } from '../support/docker.js';
import { lifetimeRepo } from '../support/lifetime-fixture.js';

const CHILD = fileURLToPath(new URL('../support/tourney-child.ts', import.meta.url));
const STUCK = ['- { name: stuck, model: scripted/demo-stuck, timeLimit: 5m }'];

/** Containers and networks whose owner label is this pid. */
async function ownedBy(engine: Engine, pid: number) {
  const filters = JSON.stringify({ label: [`${OWNER_LABELS.pid}=${pid}`] });
  const containers = await dockerOf(engine).listContainers({ all: true, filters });
  const networks = await dockerOf(engine).listNetworks({ filters });
  return { containers: containers.map((c) => c.Names[0]!.slice(1)), networks: networks.map((n) => n.Name), ids: containers.map((c) => c.Id) };
}

/** `tourney run` in a process of its own, returned once its entrant's container runs. */
async function startRun(engine: Engine, repo: string): Promise<ChildProcess & { pid: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, 'run', join(repo, 'feature.md'), '--repo', repo, '--quiet'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`tourney run exited early (${child.exitCode}): ${stderr}`);
    if (Date.now() > deadline) throw new Error(`no entrant container after 120 s: ${stderr}`);
    const owned = await ownedBy(engine, child.pid!);
    if (owned.containers.some((n) => n.endsWith('-stuck')) && owned.networks.length > 0) return child as ChildProcess & { pid: number };
    await new Promise((r) => setTimeout(r, 300));
  }
}

const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

describe('orphans of a SIGKILLed tourney', () => {
  const repos: string[] = [];
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const repo of repos) await rm(repo, { recursive: true, force: true });
  });

  it('are left by kill -9, then removed by "tourney clean" and by the next run, never touching a live run', async () => {
    const engine = await ensureTestImage();
    const [deadRepo, liveRepo, nextRepo] = await Promise.all([lifetimeRepo(STUCK), lifetimeRepo(STUCK), lifetimeRepo(['- { name: quick, model: scripted/quick, timeLimit: 1m }'])]);
    repos.push(deadRepo, liveRepo, nextRepo);

    const live = await startRun(engine, liveRepo);
    children.push(live);
    const dead = await startRun(engine, deadRepo);
    children.push(dead);
    // Its entrant container ends by itself even if nobody removes it: timeout as its entrypoint, limit + grace.
    const entrant = (await ownedBy(engine, dead.pid)).ids[0]!;
    const entrypoint = (await dockerOf(engine).getContainer(entrant).inspect()).Config.Entrypoint;
    expect(entrypoint).toEqual(['timeout', '-s', 'KILL', '358s']);
    dead.kill('SIGKILL');
    await exited(dead);
    await new Promise((r) => setTimeout(r, 1000));
    const left = await ownedBy(engine, dead.pid);
    expect(left.containers.length).toBeGreaterThan(0);
    expect(left.networks.length).toBeGreaterThan(0);
    const liveBefore = await ownedBy(engine, live.pid);

    const dry = await cli('clean', '--repo', deadRepo, '--dry-run', '--json');
    expect(dry.code).toBe(0);
    expect(await ownedBy(engine, dead.pid)).toEqual(left);

    const cleaned = await cli('clean', '--repo', deadRepo, '--json');
    expect(cleaned.code).toBe(0);
    const report = JSON.parse(cleaned.stdout) as { engine: { removed: { name: string; kind: string }[] } };
    const removedNames = report.engine.removed.map((r) => r.name);
    expect(removedNames).toEqual(expect.arrayContaining([...left.containers, ...left.networks]));
    for (const name of [...liveBefore.containers, ...liveBefore.networks]) expect(removedNames).not.toContain(name);
    expect(await ownedBy(engine, dead.pid)).toEqual({ containers: [], networks: [], ids: [] });
    expect(await ownedBy(engine, live.pid)).toEqual(liveBefore);

    // Again, and this time the next run (in this process) is what removes them.
    const dead2 = await startRun(engine, deadRepo);
    children.push(dead2);
    dead2.kill('SIGKILL');
    await exited(dead2);
    const left2 = await ownedBy(engine, dead2.pid);
    expect(left2.containers.length).toBeGreaterThan(0);
    const notes: string[] = [];
    const result = await runTournament({ repoDir: nextRepo, specPath: join(nextRepo, 'feature.md') }, {
      onEvent: (e: RunEvent) => {
        if (e.type === 'note') notes.push(e.message);
      },
    });
    // (Whether its entrant finishes in time on a loaded machine is not the point here.)
    expect(result.entrants.map((e) => e.name)).toEqual(['quick']);
    expect(notes.some((n) => /removed what \d+ ended run\(s\) left behind/.test(n))).toBe(true);
    expect(await ownedBy(engine, dead2.pid)).toEqual({ containers: [], networks: [], ids: [] });
    expect(await ownedBy(engine, live.pid)).toEqual(liveBefore);

    // The live run, stopped as a user would, removes its own.
    live.kill('SIGINT');
    await exited(live);
    expect(await ownedBy(engine, live.pid)).toEqual({ containers: [], networks: [], ids: [] });
  }, 600_000);

  it('a container ends at its hard lifetime with nobody to stop it, processes ignoring SIGTERM included', async () => {
    const engine = await ensureTestImage();
    const sandbox = await Sandbox.create(engine, {
      image: DEFAULT_IMAGE,
      runId: `lifetime-${process.pid}`,
      role: 'test',
      name: `tourney-lifetime-${process.pid}`,
      limits: { cpus: 0.5, memoryMb: 128, pids: 32 },
      network: 'none',
      lifetimeSec: 4,
    });
    const started = Date.now();
    const spawned = await sandbox.exec(['sh', '-c', `setsid sh -c 'trap "" TERM INT HUP; while :; do sleep 1; done' > /dev/null 2>&1 < /dev/null & echo ok`]);
    expect(spawned.stdout.trim()).toBe('ok');
    // Nobody removes it: it must go by itself (and, auto-removed, leave nothing).
    for (;;) {
      const exists = (await dockerOf(engine).listContainers({ all: true, filters: JSON.stringify({ id: [sandbox.id] }) })).length > 0;
      if (!exists) break;
      expect(Date.now() - started).toBeLessThan(12_000);
      await new Promise((r) => setTimeout(r, 250));
    }
    process.stderr.write(`hard lifetime 4 s: container gone after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }, 60_000);
});
