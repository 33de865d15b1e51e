import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { runDoctor } from '../../src/doctor/doctor.js';
import { DockerEngine, dockerOf } from '../../src/sandbox/docker.js';
import { ensureTestImage } from '../support/docker.js';
import { LABELS } from '../../src/sandbox/labels.js';
import { currentOwner, OWNER_LABELS } from '../../src/sandbox/owner.js';

let repo: string;
let out: string;

beforeAll(async () => {
  await ensureTestImage();
}, 600_000);

beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), 'tourney-doctor-'));
  await execa('git', ['init', '-q'], { cwd: repo });
  await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'i'], { cwd: repo });
  out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.stubEnv('ANTHROPIC_API_KEY', '');
});

afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await rm(repo, { recursive: true, force: true });
});

const anthropicConfig = 'entrants:\n  - name: a\n    model: anthropic/claude-sonnet-4-5\nsandbox:\n  env: [ANTHROPIC_API_KEY]\n';

describe('tourney doctor', () => {
  it('--json prints only one object with every finding, and the same exit code', async () => {
    await writeFile(join(repo, 'tourney.config.yaml'), anthropicConfig);
    expect(await runDoctor({ repo, json: true })).toBe(3);
    const report = JSON.parse(out) as { ok: boolean; problems: number; findings: { ok: boolean; what: string; fix?: string }[] };
    expect(report.ok).toBe(false);
    expect(report.problems).toBe(report.findings.filter((f) => !f.ok).length);
    expect(report.findings.find((f) => !f.ok)?.what).toMatch(/anthropic: no credentials/);
    expect(report.findings.some((f) => f.ok && /Docker engine/.test(f.what))).toBe(true);
  });

  it('outside a repository it checks the machine and says the config was not read, not "fix the config"', async () => {
    const bare = await mkdtemp(join(tmpdir(), 'tourney-doctor-bare-'));
    try {
      await runDoctor({ repo: bare });
    } finally {
      await rm(bare, { recursive: true, force: true });
    }
    expect(out).toMatch(/✓ config: not read \(.*not a git repository.*\); "tourney doctor --repo DIR" also checks/);
    expect(out).not.toMatch(/fix the config file/);
    expect(out).toMatch(/✓ Docker engine/);
  });

  it('passes on a machine with Docker, the image and opencode, and a scripted config', async () => {
    await writeFile(join(repo, 'tourney.config.yaml'), 'entrants:\n  - name: a\n    model: scripted/demo-stuck\n');
    expect(await runDoctor({ repo })).toBe(0);
    expect(out).toMatch(/✓ Docker engine/);
    expect(out).toMatch(/✓ sandbox image tourney-sandbox:local/);
    expect(out).toMatch(/✓ opencode \d+\.\d+\.\d+/);
    expect(out).toMatch(/no credentials needed/);
  });

  it('checks every engine of engines: and names the one that does not answer', async () => {
    await writeFile(join(repo, 'tourney.config.yaml'), 'entrants:\n  - name: a\n    model: scripted/demo-stuck\nengines:\n  - { host: "unix:///var/run/docker.sock", slots: 2 }\n  - { host: "unix:///tmp/tourney-no-engine.sock", name: gone }\n');
    expect(await runDoctor({ repo })).toBe(3);
    expect(out).toMatch(/✓ engine local \(unix:\/\/\/var\/run\/docker\.sock\): Docker \S+, reach address, 2 slot\(s\)/);
    expect(out).toMatch(/✗ engine gone \(unix:\/\/\/tmp\/tourney-no-engine\.sock, engines\[1\]\) not reachable: .*ENOENT/);
    expect(out).toContain('→ start that engine');
  });

  it('says which credential is missing and how to pass it', async () => {
    await writeFile(join(repo, 'tourney.config.yaml'), anthropicConfig);
    expect(await runDoctor({ repo })).toBe(3);
    expect(out).toMatch(/✗ anthropic: no credentials reach the sandboxes/);
    // Keys pass by convention now: exporting it is enough, no sandbox.env entry needed.
    expect(out).toMatch(/→ export ANTHROPIC_API_KEY( or [A-Z_]+)*, or set sandbox\.opencodeAuth/);
  });

  it('accepts an exported key that the config does not list', async () => {
    vi.stubEnv('ANTHROPIC_API_KEY', 'sk-test');
    await writeFile(join(repo, 'tourney.config.yaml'), 'entrants:\n  - name: a\n    model: anthropic/claude-sonnet-4-5\n');
    expect(await runDoctor({ repo })).toBe(0);
    expect(out).toMatch(/✓ anthropic: ANTHROPIC_API_KEY is set and passed to that provider's entrants/);
  });

  it('accepts a credential that is set and passed through', async () => {
    vi.stubEnv('ANTHROPIC_API_KEY', 'sk-test');
    await writeFile(join(repo, 'tourney.config.yaml'), anthropicConfig);
    expect(await runDoctor({ repo })).toBe(0);
    expect(out).toMatch(/✓ anthropic: ANTHROPIC_API_KEY is set/);
  });

  it("checks the judge's provider too", async () => {
    await writeFile(join(repo, 'tourney.config.yaml'), 'entrants:\n  - name: a\n    model: scripted/demo-stuck\njudge:\n  models: [openai/gpt-5]\n');
    expect(await runDoctor({ repo })).toBe(3);
    expect(out).toMatch(/✗ openai: no credentials reach the sandboxes/);
  });

  it('reports a broken config with its file and key', async () => {
    await writeFile(join(repo, 'tourney.config.yaml'), 'sandbox: {cpus: lots}\n');
    expect(await runDoctor({ repo })).toBe(3);
    expect(out).toMatch(/config: \S*tourney\.config\.yaml: key "sandbox\.cpus": expected a number/);
  });

  it('says what setup containers get from this host to reach registries', async () => {
    await writeFile(join(repo, 'proxy-ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    vi.stubEnv('HTTPS_PROXY', 'http://proxy.invalid:3128');
    await writeFile(join(repo, 'tourney.config.yaml'), 'entrants:\n  - name: a\n    model: scripted/demo-stuck\nsandbox:\n  caFile: proxy-ca.pem\n');
    expect(await runDoctor({ repo })).toBe(0);
    expect(out).toContain(`✓ setup containers: network "open", CA bundle ${join(repo, 'proxy-ca.pem')} (from sandbox.caFile); passes HTTPS_PROXY`);
    expect(out).not.toContain('proxy.invalid');
    out = '';
    await writeFile(join(repo, 'tourney.config.yaml'), 'entrants:\n  - name: a\n    model: scripted/demo-stuck\nsandbox:\n  setupNetwork: none\n');
    await runDoctor({ repo });
    expect(out).toMatch(/setup containers: sandbox\.setupNetwork is "none"/);
  });

  it("removes what an ended run left and never touches a live run's resources", async () => {
    const engine = new DockerEngine();
    const me = currentOwner();
    const network = async (name: string, pid: number) =>
      dockerOf(engine).createNetwork({
        Name: name,
        Internal: true,
        Labels: { [LABELS.managed]: 'true', [LABELS.run]: name, [OWNER_LABELS.host]: me.host, [OWNER_LABELS.pid]: String(pid), [OWNER_LABELS.start]: me.start },
      });
    const dead = `tourney-doctor-dead-${process.pid}`;
    const live = `tourney-doctor-live-${process.pid}`;
    await network(dead, 2 ** 22 + 11);
    const liveNet = await network(live, process.pid);
    try {
      await writeFile(join(repo, 'tourney.config.yaml'), 'entrants:\n  - name: a\n    model: scripted/demo-stuck\n');
      await runDoctor({ repo });
      const names = (await dockerOf(engine).listNetworks()).map((n) => n.Name);
      expect(names).not.toContain(dead);
      expect(names).toContain(live);
      expect(out).toMatch(/✓ tourney containers and networks: removed \d+ left by ended runs; \d+ of live runs \(left alone\)/);
      expect(out).not.toMatch(/docker rm|network prune/);
    } finally {
      await liveNet.remove().catch(() => undefined);
    }
  });
});
