// Real providers' SDKs inside the sandboxes, offline: entrants use anthropic/... and openai/... through
// providers.<id>.baseURL pointing at the scripted model server, which checks the keys like a provider.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../../src/sandbox/engine.js';
import { execa } from 'execa';
import { parse, stringify } from 'yaml';
import { createDemoRepo } from '../../src/demo/demo.js';
import { packagePath } from '../../src/paths.js';
import { keyId, startScriptedModelServer, type ScriptedModelServer } from '../../src/scripted/server.js';
import type { RunResult } from '../../src/types.js';
import { cliResult } from '../support/cli.js';
import { ensureTestImage, hostOnBridge, leftoverResources } from '../support/docker.js';

// Every credential-looking variable the container has, by name: the proof of who got which key.
const RECORD_ENV = {
  name: 'bash',
  args: { description: 'record credential variables', command: "printenv | cut -d= -f1 | grep -E '^(ANTHROPIC|OPENAI|CORP|TEAM|WRONG)' | sort > test/provider-env.txt; true" },
};

// GPT models get apply_patch in opencode instead of write/edit: this one works in bash only.
const GPT_SCRIPT = {
  turns: [
    { text: 'Recording, then implementing.', tools: [RECORD_ENV] },
    {
      tools: [{
        name: 'bash',
        args: {
          description: 'add slugify',
          command: [
            "cat >> src/strings.js <<'EOF'",
            '',
            '/** Turns a title into a URL slug. */',
            'export function slugify(text) {',
            "  return text.normalize('NFKD').replace(/[\\u0300-\\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');",
            '}',
            'EOF',
            "cat > test/slugify.test.js <<'EOF'",
            "import { test } from 'node:test';",
            "import assert from 'node:assert/strict';",
            "import { slugify } from '../src/strings.js';",
            "test('slugify', () => assert.equal(slugify('Crème brûlée, now!'), 'creme-brulee-now'));",
            'EOF',
            'node --test',
          ].join('\n'),
        },
      }],
    },
    { text: 'Added slugify with a test.' },
  ],
};

describe('entrants on real providers through a gateway', () => {
  let engine: Engine;
  let parent: string;
  let server: ScriptedModelServer;
  let result: RunResult;
  let code: number;
  let stderr: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    engine = await ensureTestImage();
    parent = await mkdtemp(join(tmpdir(), 'tourney-e2e-gateway-'));
    const scripts = join(parent, 'scripts');
    await mkdir(scripts);
    // Claude plays the demo's tidy entrant after recording its environment.
    const tidy = parse(await readFile(packagePath('examples', 'scripts', 'demo-slugify-tidy.yaml'), 'utf8')) as { turns: unknown[] };
    await writeFile(join(scripts, 'claude-sonnet-4-5.yaml'), stringify({ turns: [{ tools: [RECORD_ENV] }, ...tidy.turns] }));
    await writeFile(join(scripts, 'gpt-5.yaml'), stringify(GPT_SCRIPT));

    const host = await hostOnBridge(engine);
    server = await startScriptedModelServer({ host, port: 0, scriptDirs: [scripts], apiKeys: ['ant-good', 'oai-good'] });

    const repo = await createDemoRepo(join(parent, 'repo'));
    await writeFile(join(repo, 'tourney.config.yaml'), stringify({
      entrants: [
        { name: 'claude', model: 'anthropic/claude-sonnet-4-5' },
        { name: 'gpt', model: 'openai/gpt-5' },
        // Same provider, its own (wrong) key: refused alone, without stopping "claude".
        { name: 'claude-wrong', model: 'anthropic/claude-sonnet-4-5', providers: { anthropic: { apiKeyEnv: 'WRONG_ANT_KEY' } } },
      ],
      providers: {
        anthropic: { baseURL: server.url },
        openai: { baseURL: server.url, apiKeyEnv: 'CORP_OPENAI_KEY', headers: { 'X-Team': '{env:TEAM}' } },
      },
      sandbox: { cpus: 1, memory: '1g', timeLimit: '3m' },
    }));
    await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qam', 'gateway config'], { cwd: repo });
    Object.assign(process.env, {
      ANTHROPIC_API_KEY: 'ant-good',
      CORP_OPENAI_KEY: 'oai-good',
      TEAM: 'agents',
      WRONG_ANT_KEY: 'ant-wrong',
      // Set, but apiKeyEnv names another variable for openai: this one must reach nobody.
      OPENAI_API_KEY: 'oai-public',
    });
    ({ code, result, stderr } = await cliResult('run', join(repo, 'feature.md'), '--repo', repo, '--json', '--quiet').then((r) => ({ ...r, result: r.result! })));
  }, 600_000);

  afterAll(async () => {
    process.env = saved;
    await server?.close();
    if (parent) await rm(parent, { recursive: true, force: true });
  });

  const entrant = (name: string) => result.entrants.find((e) => e.name === name)!;
  const envSeen = async (name: string) => {
    const patch = await readFile(join(result.runDir, 'entrants', name, 'diff.patch'), 'utf8');
    const file = /\+\+\+ b\/test\/provider-env\.txt\n@@[^\n]*\n((?:\+[^\n]*\n)*)/.exec(patch)?.[1] ?? '';
    return file.split('\n').filter(Boolean).map((line) => line.slice(1));
  };

  it('runs both real-provider entrants to the end through the gateway, and picks a winner', () => {
    expect(code, stderr).toBe(0);
    expect(entrant('claude').status).toBe('finished');
    expect(entrant('gpt').status).toBe('finished');
    expect(['claude', 'gpt']).toContain(result.winner);
    const byWire = (wire: string, model: string) => server.requests.filter((r) => r.wire === wire && r.model === model && r.kind !== 'unauthorized');
    expect(byWire('anthropic-messages', 'claude-sonnet-4-5').length).toBeGreaterThanOrEqual(5);
    expect(byWire('openai-responses', 'gpt-5').length).toBeGreaterThanOrEqual(3);
  });

  it('gives each entrant\'s container only its own provider\'s key', async () => {
    expect(await envSeen('claude')).toEqual(['ANTHROPIC_API_KEY']);
    expect(await envSeen('gpt')).toEqual(['CORP_OPENAI_KEY', 'TEAM']);
    const gpt = server.requests.filter((r) => r.wire === 'openai-responses');
    expect(gpt.every((r) => r.keyId === keyId('oai-good') && r.headers?.['x-team'] === 'agents')).toBe(true);
    expect(server.requests.some((r) => r.keyId === keyId('oai-public'))).toBe(false);
  });

  it('keeps every key out of the referee: the tests an entrant added ran without them', async () => {
    const logs = await execa('grep', ['-rlE', 'ant-good|oai-good|oai-public|ant-wrong', result.runDir], { reject: false });
    // Nothing in the run dir holds a key value (transcripts, logs, result.json, report).
    expect(logs.stdout).toBe('');
  });

  it('maps the wrong key\'s 401 to an auth failure naming its variable, and stops only that key\'s entrants', async () => {
    const wrong = entrant('claude-wrong');
    expect(wrong.status).toBe('error');
    expect(wrong.error).toBe('anthropic rejected the API key (401): check WRONG_ANT_KEY');
    // Refused at its first request: over well before the entrant that played every turn (the machine's load
    // decides the absolute times), and never at the 3 min time limit.
    expect(wrong.durationMs).toBeLessThan(entrant('claude').durationMs);
    expect(wrong.durationMs).toBeLessThan(170_000);
    expect(server.requests.filter((r) => r.kind === 'unauthorized').every((r) => r.keyId === keyId('ant-wrong'))).toBe(true);
    const report = await readFile(result.reportPath, 'utf8');
    expect(report).toContain('anthropic rejected the API key (401): check WRONG_ANT_KEY');
  });

  it('leaves no containers or networks of this run behind', async () => {
    expect((await leftoverResources(engine)).filter((name) => name.includes(result.runId))).toEqual([]);
  });
});
