// `tourney doctor --live` against the scripted server as every provider's gateway: one sandboxed
// request per model, each outcome told apart (ok, auth failed, model unknown, unreachable).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../../src/sandbox/engine.js';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { keyId, startScriptedModelServer, type ScriptedModelServer } from '../../src/scripted/server.js';
import { cli } from '../support/cli.js';
import { ensureTestImage, hostOnBridge, leftoverResources } from '../support/docker.js';

describe('tourney doctor --live', () => {
  let engine: Engine;
  let parent: string;
  let server: ScriptedModelServer;
  let out: { code: number; stdout: string; stderr: string };
  const saved = { ...process.env };

  beforeAll(async () => {
    engine = await ensureTestImage();
    parent = await mkdtemp(join(tmpdir(), 'tourney-doctor-live-'));
    const scripts = join(parent, 'scripts');
    await mkdir(scripts);
    await writeFile(join(scripts, 'claude-sonnet-4-5.yaml'), 'turns:\n  - text: OK\n');
    const host = await hostOnBridge(engine);
    server = await startScriptedModelServer({ host, port: 0, scriptDirs: [scripts], apiKeys: ['good'] });
    // A port with nothing listening on it: bound, then closed.
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, host, () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });

    const repo = join(parent, 'repo');
    await mkdir(repo);
    await writeFile(join(repo, 'tourney.config.yaml'), stringify({
      entrants: [
        { name: 'good', model: 'anthropic/claude-sonnet-4-5' },
        { name: 'wrong-key', model: 'anthropic/claude-sonnet-4-5', providers: { anthropic: { apiKeyEnv: 'WRONG_KEY' } } },
        { name: 'ghost', model: 'anthropic/claude-ghost-1', providers: { anthropic: { models: ['claude-ghost-1'] } } },
        { name: 'down', model: 'openai/gpt-5', providers: { openai: { baseURL: `http://${host}:${closed}/v1` } } },
        { name: 'offline', model: 'scripted/demo-slugify-tidy' },
      ],
      providers: { anthropic: { baseURL: server.url } },
    }));
    await execa('git', ['init', '-q'], { cwd: repo });
    await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'add', '-A'], { cwd: repo });
    await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'config'], { cwd: repo });
    Object.assign(process.env, { ANTHROPIC_API_KEY: 'good', WRONG_KEY: 'bad', OPENAI_API_KEY: 'o' });
    out = await cli('doctor', '--live', '--repo', repo);
  }, 400_000);

  afterAll(async () => {
    process.env = saved;
    await server?.close();
    if (parent) await rm(parent, { recursive: true, force: true });
  });

  const line = (pattern: RegExp) => out.stdout.split('\n').find((l) => pattern.test(l)) ?? `(no line matching ${pattern} in)\n${out.stdout}`;

  it('reports ok for a model that answers, with the request time', () => {
    expect(line(/live anthropic\/claude-sonnet-4-5 \(entrant "good"\)/)).toMatch(/^✓ .*: ok \(sandbox and opencode \d+\.\d s, request \d+\.\d s\)$/);
    expect(server.requests.some((r) => r.model === 'claude-sonnet-4-5' && r.keyId === keyId('good') && r.status === 200)).toBe(true);
  });

  it('reports a refused key as auth failed, naming the variable', () => {
    expect(line(/entrant "wrong-key"/)).toMatch(/^✗ .*: auth failed: anthropic rejected the API key \(401\): check WRONG_KEY/);
  });

  it('reports a model the provider does not have as model unknown', () => {
    expect(line(/claude-ghost-1/)).toMatch(/^✗ .*: model unknown: anthropic does not know the model anthropic\/claude-ghost-1 \(404\)/);
  });

  it('reports a gateway nobody listens on as unreachable, without waiting for opencode\'s retries', () => {
    expect(line(/live openai\/gpt-5/)).toMatch(/^✗ .*: unreachable: http:\/\/[\d.]+:\d+\/v1 cannot be reached from the sandbox \(ECONNREFUSED\)/);
  });

  it('skips scripted models, exits 3 when any model fails, and leaves no container behind', async () => {
    expect(out.stdout).not.toMatch(/live scripted\//);
    expect(out.code).toBe(3);
    expect((await leftoverResources(engine)).filter((n) => n.includes('doctor-'))).toEqual([]);
  });
});
