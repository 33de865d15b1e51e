// opencode's real anthropic and openai providers (and a custom OpenAI-compatible one), pointed at the
// scripted server as a gateway through tourney's own provider config: the whole real-provider path
// offline, through the real opencode binary and its bundled AI SDK packages.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Config, OpencodeClient, Part } from '@opencode-ai/sdk/v2/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opencodeProviderBlock } from '../../src/agents/gateways.js';
import { ENTRANT_PERMISSIONS } from '../../src/agents/opencode-config.js';
import { explainProviderError } from '../../src/agents/provider-errors.js';
import { keyId, startScriptedModelServer, type ScriptedModelServer } from '../../src/scripted/server.js';
import { EventWatcher, makeGitRepo, OPENCODE_BIN_DIR, settledMessages, startOpencode, type OpencodeHandle } from './opencode-harness.js';

const hasOpencode = existsSync(path.join(OPENCODE_BIN_DIR, 'opencode'));

// bash only: opencode gives GPT models apply_patch instead of write/edit, and bash works for every model.
const WRITE_FILE = (name: string) => [
  'turns:',
  `  - text: Writing ${name}.`,
  '    tools:',
  `      - { name: bash, args: { command: "echo from-${name} > {{workdir}}/${name}.txt", description: "write the file" } }`,
  `  - text: Wrote ${name}.txt.`,
].join('\n');

let root: string;
let server: ScriptedModelServer;
let opencode: OpencodeHandle;
let client: OpencodeClient;

describe.skipIf(!hasOpencode)('real provider SDKs through a gateway (the scripted server)', () => {
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'tourney-gw-'));
    const scripts = path.join(root, 'scripts');
    await mkdir(scripts);
    for (const model of ['claude-sonnet-4-5', 'gpt-5', 'corp-coder']) await writeFile(path.join(scripts, `${model}.yaml`), WRITE_FILE(model));
    server = await startScriptedModelServer({ host: '127.0.0.1', scriptDirs: [scripts], apiKeys: ['ant-good', 'oai-good'] });
    const config: Config = {
      autoupdate: false,
      share: 'disabled',
      permission: ENTRANT_PERMISSIONS,
      enabled_providers: ['anthropic', 'openai', 'corp'],
      provider: {
        // Built in, conventional variable (ANTHROPIC_API_KEY), another base URL and a header.
        anthropic: opencodeProviderBlock({ baseURL: server.url, headers: { 'X-Team': 'agents' } }, false),
        // Built in, the key in a variable of the user's choice and a header read from another one.
        openai: opencodeProviderBlock({ baseURL: server.url, apiKeyEnv: 'CORP_OPENAI_KEY', headers: { 'X-Route': '{env:ROUTE_HEADER}' } }, false),
        // Custom provider, wrong key.
        corp: opencodeProviderBlock({ npm: '@ai-sdk/openai-compatible', name: 'Corp', baseURL: server.url, apiKeyEnv: 'CORP_KEY', models: { 'corp-coder': { context: 100_000 } } }, false),
      },
    };
    opencode = await startOpencode({
      config,
      stateDir: path.join(root, 'state'),
      env: { ANTHROPIC_API_KEY: 'ant-good', CORP_OPENAI_KEY: 'oai-good', ROUTE_HEADER: 'eu-1', CORP_KEY: 'corp-wrong' },
    });
    client = opencode.client;
  }, 90_000);

  afterAll(async () => {
    await opencode?.stop();
    await server?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  async function run(providerID: string, modelID: string) {
    const directory = path.join(root, `repo-${providerID}`);
    await makeGitRepo(directory);
    const session = await client.session.create({ directory }, { throwOnError: true });
    const watcher = await EventWatcher.start(client, directory);
    try {
      await client.session.promptAsync({ sessionID: session.data.id, directory, model: { providerID, modelID }, parts: [{ type: 'text', text: 'Write the file.' }] });
      const outcome = await watcher.settle(session.data.id, 60_000);
      const messages = await settledMessages(client, session.data.id, directory);
      return { directory, outcome, parts: messages.flatMap((m) => m.parts) };
    } finally {
      await watcher.stop();
    }
  }

  const bashCalls = (parts: Part[]) => parts.filter((p): p is Extract<Part, { type: 'tool' }> => p.type === 'tool').map((t) => [t.tool, t.state.status]);

  it('anthropic/claude-sonnet-4-5 runs the script through the Messages API, with the key and header it was given', async () => {
    const { directory, outcome, parts } = await run('anthropic', 'claude-sonnet-4-5');
    expect(outcome).toEqual({ kind: 'idle' });
    expect(await readFile(path.join(directory, 'claude-sonnet-4-5.txt'), 'utf8')).toBe('from-claude-sonnet-4-5\n');
    expect(bashCalls(parts)).toEqual([['bash', 'completed']]);
    const turns = server.requests.filter((r) => r.model === 'claude-sonnet-4-5');
    expect(turns.map((r) => [r.wire, r.turnIndex, r.kind, r.status])).toEqual([
      ['anthropic-messages', 0, 'tools', 200],
      ['anthropic-messages', 1, 'text', 200],
    ]);
    expect(turns.every((r) => r.keyId === keyId('ant-good') && r.headers?.['x-team'] === 'agents')).toBe(true);
  });

  it('openai/gpt-5 runs the script through the Responses API, its key read from the variable apiKeyEnv names', async () => {
    const { directory, outcome, parts } = await run('openai', 'gpt-5');
    expect(outcome).toEqual({ kind: 'idle' });
    expect(await readFile(path.join(directory, 'gpt-5.txt'), 'utf8')).toBe('from-gpt-5\n');
    expect(bashCalls(parts)).toEqual([['bash', 'completed']]);
    const turns = server.requests.filter((r) => r.model === 'gpt-5');
    expect(turns.map((r) => [r.wire, r.turnIndex, r.kind])).toEqual([
      ['openai-responses', 0, 'tools'],
      ['openai-responses', 1, 'text'],
    ]);
    expect(turns.every((r) => r.keyId === keyId('oai-good') && r.headers?.['x-route'] === 'eu-1')).toBe(true);
  });

  it('a wrong key is answered 401 and reaches the user as an auth failure of that provider', async () => {
    const { outcome } = await run('corp', 'corp-coder');
    expect(outcome.kind).toBe('error');
    const failure = explainProviderError(outcome.kind === 'error' ? outcome.error : null, { provider: 'corp', envNames: ['CORP_KEY'], model: 'corp/corp-coder' });
    expect(failure).toMatchObject({ kind: 'auth', stopsProvider: true, message: 'corp rejected the API key (401): check CORP_KEY' });
    expect(failure?.raw).toContain('invalid x-api-key');
    expect(server.requests.filter((r) => r.wire === 'openai-chat').every((r) => r.kind === 'unauthorized')).toBe(true);
  });
});
