import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dockerOf } from '../../src/sandbox/docker.js';
import type { Engine } from '../../src/sandbox/engine.js';
import { execa } from 'execa';
import { createDemoRepo } from '../../src/demo/demo.js';
import { runTournament, newRunId } from '../../src/run/tournament.js';
import type { RunResult } from '../../src/types.js';
import { LABELS } from '../../src/sandbox/labels.js';
import { ensureTestImage } from '../support/docker.js';

const git = async (cwd: string, ...args: string[]) => (await execa('git', args, { cwd })).stdout;
const FIXTURES = fileURLToPath(new URL('../fixtures/hostile-scripts', import.meta.url));

interface Probe {
  own: string;
  scanned: string[];
  /** Agent ports that answered, other than its own and its own proxy's. */
  reachable: string[];
  /** Its own proxy's addresses where a connection opened (the agent forward, which must hang up on it). */
  ownProxy: string[];
  api: { target: string; auth: boolean; status: number | string }[];
  hostTries: { host: string; port: number; direct: string }[];
  proxied: { how: string; host: string; answer: string }[];
  internet: string;
}

/**
 * A tournament with a well-behaved entrant ("victim", the demo's tidy after a 25 s wait so it is alive while probed)
 * and a hostile one ("prober", test/fixtures/hostile-scripts/peer-probe.yaml) that hunts for the victim's agent server.
 */
async function hostileRun(engine: Engine, network: string, deniedPort: number) {
  const repo = await createDemoRepo(await mkdtemp(join(tmpdir(), 'tourney-contain-')));
  const runId = newRunId(new Date());
  const scripts = join(repo, 'hostile-scripts');
  await mkdir(scripts);
  for (const file of await readdir(FIXTURES)) {
    const text = await readFile(join(FIXTURES, file), 'utf8');
    await writeFile(join(scripts, file), text.replaceAll('__VICTIM__', `tourney-${runId}-victim`).replaceAll('__DENIED_PORT__', String(deniedPort)));
  }
  const allow = network === 'allowlist' ? '\n  allow: ["allowed.invalid:9"]' : '';
  await writeFile(
    join(repo, 'tourney.config.yaml'),
    [
      'entrants:',
      '  - name: victim',
      '    model: scripted/victim',
      '  - name: prober',
      '    model: scripted/peer-probe',
      'scripts: [./hostile-scripts]',
      'sandbox:',
      '  memory: 1g',
      '  timeLimit: 5m',
      `  network: ${network}${allow}`,
      '',
    ].join('\n'),
  );
  await git(repo, 'add', '-A');
  await git(repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'hostile entrants');

  // Where the victim lives, seen from Docker while the run goes on: the prober's scan must cover it.
  const victimAddresses = new Set<string>();
  const watch = setInterval(() => {
    void dockerOf(engine).listContainers({ filters: JSON.stringify({ label: [`${LABELS.run}=${runId}`, `${LABELS.role}=victim`] }) }).then((list) => {
      for (const c of list) for (const n of Object.values(c.NetworkSettings?.Networks ?? {})) if (n.IPAddress) victimAddresses.add(n.IPAddress);
    }, () => undefined);
  }, 500);
  let result: RunResult;
  try {
    result = await runTournament({ repoDir: repo, specPath: join(repo, 'feature.md'), runId }, { onEvent: () => undefined });
  } finally {
    clearInterval(watch);
  }
  const shown = await git(repo, 'show', `tourney/${runId}/prober:probe.json`).catch(() => null);
  if (shown === null) {
    const prober = result.entrants.find((e) => e.name === 'prober');
    // What the prober's own commands printed says why (the probe script failed, a tool timed out...).
    const transcript = await readFile(join(repo, '.tourney', 'runs', runId, 'entrants', 'prober', 'transcript.json'), 'utf8').catch(() => '{"messages":[]}');
    const tools = (JSON.parse(transcript) as { messages: { parts: { type: string; name?: string; status?: string; output?: string }[] }[] }).messages
      .flatMap((m) => m.parts)
      .filter((p) => p.type === 'tool')
      .map((p) => `${p.name} ${p.status}: ${(p.output ?? '').slice(0, 1500)}`);
    const stderr = await git(repo, 'show', `tourney/${runId}/prober:probe.err`).catch(() => '(no probe.err)');
    throw new Error(`the prober left no probe.json: status ${prober?.status}, ${prober?.error ?? 'no error'}; its tools said:\n${tools.join('\n')}\nprobe.err: ${stderr.slice(0, 1500)}`);
  }
  const probe = JSON.parse(shown) as Probe;
  const report = await readFile(join(repo, '.tourney', 'runs', runId, 'report.html'), 'utf8');
  return { repo, result, probe, victimAddresses: [...victimAddresses], report };
}

describe('containment: a hostile entrant cannot reach another entrant', () => {
  let engine: Engine;
  let listener: Server;
  let deniedPort: number;
  /** Connections that reached the host listener nobody allowed. */
  let arrivals = 0;
  const repos: string[] = [];

  beforeAll(async () => {
    engine = await ensureTestImage();
    listener = createServer((s) => {
      arrivals += 1;
      s.on('error', () => undefined);
      s.end('should never be reached through the proxy\n');
    });
    await new Promise<void>((resolve) => listener.listen(0, '0.0.0.0', resolve));
    deniedPort = (listener.address() as { port: number }).port;
  }, 300_000);

  afterAll(async () => {
    listener?.close();
    for (const repo of repos) await rm(repo, { recursive: true, force: true });
  });

  describe('network auto (scripted models: one internal network per entrant)', () => {
    let run: Awaited<ReturnType<typeof hostileRun>>;
    beforeAll(async () => {
      run = await hostileRun(engine, 'auto', deniedPort);
      repos.push(run.repo);
    }, 900_000);

    it('the prober scanned where the victim was, and reached no agent server', () => {
      expect(run.victimAddresses.length).toBeGreaterThan(0);
      for (const ip of run.victimAddresses) expect(run.probe.scanned).toContain(ip);
      expect(run.probe.scanned).toContain(`tourney-${run.result.runId}-victim`);
      expect(run.probe.reachable).toEqual([]);
      expect(run.probe.api).toEqual([]);
      expect(run.probe.internet).not.toBe('open');
    });

    it('the well-behaved entrant still wins', () => {
      expect(run.result.winner).toBe('victim');
      expect(run.result.entrants.find((e) => e.name === 'victim')?.checks.tests?.passed).toBe(true);
    });
  });

  describe('network allowlist (sealed network per entrant, egress proxy sidecar)', () => {
    let run: Awaited<ReturnType<typeof hostileRun>>;
    let arrivalsBefore: number;
    beforeAll(async () => {
      arrivalsBefore = arrivals;
      run = await hostileRun(engine, 'allowlist', deniedPort);
      repos.push(run.repo);
    }, 900_000);

    it('the prober reached no agent server, no host port and nothing outside, directly or through its proxy', () => {
      for (const ip of run.victimAddresses) expect(run.probe.scanned).toContain(ip);
      expect(run.probe.reachable).toEqual([]);
      // Its own proxy's agent forward serves the host only: it hangs up on the entrant, with or without a password.
      expect(run.probe.ownProxy.length).toBeGreaterThan(0);
      for (const a of run.probe.api) {
        expect(run.probe.ownProxy).toContain(a.target);
        expect(typeof a.status, JSON.stringify(a)).toBe('string');
      }
      expect(run.probe.hostTries.length).toBeGreaterThan(0);
      for (const t of run.probe.hostTries) expect(t.direct).not.toBe('open');
      expect(run.probe.proxied.length).toBeGreaterThanOrEqual(3);
      for (const p of run.probe.proxied) expect(p.answer, `${p.how} ${p.host}`).toMatch(/^HTTP\/1\.1 403/);
      expect(run.probe.internet).not.toBe('open');
      // Refused means never connected: the listener saw nothing from this run.
      expect(arrivals - arrivalsBefore).toBe(0);
    });

    it('records every refused attempt per entrant in result.json and shows them in the report', () => {
      const prober = run.result.entrants.find((e) => e.name === 'prober');
      expect(prober?.egress?.denied).toBeGreaterThanOrEqual(run.probe.proxied.length);
      const denied = prober?.egress?.deniedAttempts.map((a) => `${a.how} ${a.host}:${a.port}`) ?? [];
      expect(denied).toContain(`CONNECT example.com:${deniedPort}`);
      expect(denied.some((d) => d.startsWith('GET ') && d.endsWith(`:${deniedPort}`))).toBe(true);
      expect(run.report).toContain(`CONNECT example.com:${deniedPort}`);
      expect(run.report).toMatch(/Egress allowlist \(allowed\.invalid:9, [^)]+\): \d+ connection\(s\) allowed, \d+ refused/);
    });

    it('lets the model through: the well-behaved entrant talks to its scripted model, refuses nothing, and wins', () => {
      const victim = run.result.entrants.find((e) => e.name === 'victim');
      expect(victim?.egress?.allowed).toBeGreaterThan(0);
      expect(victim?.egress?.deniedAttempts).toEqual([]);
      expect(run.result.winner).toBe('victim');
    });
  });
});
