import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { TourneyError } from '../../src/errors.js';
import { committedTlsProblem, openEngines } from '../../src/run/engines.js';
import { mkdir } from 'node:fs/promises';
import { execa } from 'execa';

// What a run asks that an engine elsewhere cannot give is refused before tourney connects to anything: these hosts
// do not exist, so reaching the connection would fail differently (exit 3, "cannot reach").
let repo: string;
beforeEach(async () => { repo = await mkdtemp(path.join(os.tmpdir(), 'tourney-engines-')); });
afterEach(async () => { await rm(repo, { recursive: true, force: true }); });

async function refusal(config: string): Promise<TourneyError> {
  await writeFile(path.join(repo, 'tourney.config.yaml'), config);
  const loaded = await loadConfig(repo);
  const err = await openEngines(loaded, { onEvent: () => undefined }).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(TourneyError);
  return err as TourneyError;
}

describe('openEngines: runs a remote engine cannot serve', () => {
  it('scripted models need an engine on this machine', async () => {
    const err = await refusal('entrants: [{ name: a, model: scripted/demo-slugify-tidy }]\nengines: [{ host: "unix:///var/run/docker.sock" }, { host: "tcp://198.51.100.7:2376" }]\n');
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/tourney\.config\.yaml: key "engines\[1\]\.host": scripted\/demo-slugify-tidy is served by tourney on this machine, which containers on tcp:\/\/198\.51\.100\.7:2376 cannot reach; expected an engine on this machine/);
  });

  it('the opencode auth file cannot be mounted on an ssh engine', async () => {
    const err = await refusal('entrants: [{ name: a, model: anthropic/claude-sonnet-4-5 }]\nsandbox: { opencodeAuth: true }\nengines: [{ host: "ssh://me@198.51.100.7" }]\n');
    expect(err.message).toContain('key "engines[0].host": sandbox.opencodeAuth mounts this machine\'s opencode auth file, which ssh://me@198.51.100.7 cannot mount');
  });

  it('the allowlist proxy needs reach "address", also on a local engine told to tunnel', async () => {
    const remote = await refusal('entrants: [{ name: a, model: anthropic/claude-sonnet-4-5 }]\nsandbox: { network: allowlist, allow: [api.anthropic.com] }\nengines: [{ host: "tcp://198.51.100.7:2376" }]\n');
    expect(remote.message).toContain('key "engines[0].host": sandbox.network "allowlist" runs an egress proxy');
    const tunnel = await refusal('entrants: [{ name: a, model: anthropic/claude-sonnet-4-5 }]\nsandbox: { network: allowlist, allow: [api.anthropic.com] }\nengines: [{ host: "unix:///var/run/docker.sock", reach: tunnel }]\n');
    expect(tunnel.message).toContain('key "engines[0].reach": sandbox.network "allowlist" runs an egress proxy that takes the agent server\'s traffic only from this machine\'s address on the engine\'s network, which a tunnel does not give');
  });

  it('DOCKER_HOST elsewhere is checked the same way, and named as such; tcp:// on the loopback is this machine', async () => {
    const saved = process.env.DOCKER_HOST;
    try {
      process.env.DOCKER_HOST = 'tcp://198.51.100.7:2376';
      const err = await refusal('entrants: [{ name: a, model: scripted/demo-slugify-tidy }]\n');
      expect(err.message).toMatch(/tourney\.config\.yaml: DOCKER_HOST=tcp:\/\/198\.51\.100\.7:2376: scripted\/demo-slugify-tidy is served by tourney on this machine/);
      process.env.DOCKER_HOST = 'tcp://127.0.0.1:9';
      const local = await refusal('entrants: [{ name: a, model: scripted/demo-slugify-tidy }]\n');
      expect(local.exitCode).toBe(3);
      expect(local.message).toContain('cannot reach the Docker engine');
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });

  it('an engine that does not answer is exit 3, named with its host', async () => {
    const err = await refusal('entrants: [{ name: a, model: anthropic/claude-sonnet-4-5 }]\nengines: [{ host: "unix:///tmp/no-such-engine.sock", name: gone }]\n');
    expect(err.exitCode).toBe(3);
    expect(err.message).toContain('cannot reach the Docker engine "gone" at unix:///tmp/no-such-engine.sock');
  });

  it('refuses TLS files committed to the repository (every entrant gets its tree), not untracked ones', async () => {
    await mkdir(path.join(repo, 'certs'));
    for (const f of ['ca', 'cert', 'key']) await writeFile(path.join(repo, 'certs', `${f}.pem`), f);
    await writeFile(path.join(repo, 'tourney.config.yaml'), 'entrants: [{ name: a, model: p/m }]\nengines: [{ host: "tcp://198.51.100.7:2376", name: box, tls: { ca: certs/ca.pem, cert: certs/cert.pem, key: certs/key.pem } }]\n');
    const git = (...args: string[]) => execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo });
    await git('init', '-q');
    await git('add', 'tourney.config.yaml');
    await git('commit', '-qm', 'config only');
    const config = await loadConfig(repo);
    expect(await committedTlsProblem(config, repo, 'HEAD')).toBeNull();
    await git('add', 'certs/key.pem');
    await git('commit', '-qm', 'oops');
    const err = await committedTlsProblem(config, repo, 'HEAD');
    expect(err?.exitCode).toBe(2);
    expect(err?.message).toContain('key "engines[0].tls.key": certs/key.pem is committed to the repository, so every entrant would get a copy of it');
  });
});
