// The scripted model driving the real opencode binary on the host: no Docker, no network.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { OpencodeClient, Part } from '@opencode-ai/sdk/v2/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidateBlockEnd, candidateBlockStart } from '../../src/judge/markers.js';
import { startScriptedModelServer, type ScriptedModelServer } from '../../src/scripted/server.js';
import {
  EventWatcher,
  makeGitRepo,
  OPENCODE_BIN_DIR,
  scriptedConfig,
  settledMessages,
  startOpencode,
  type OpencodeHandle,
} from './opencode-harness.js';

const FIXTURES = path.resolve('test/fixtures/scripts');
const hasOpencode = existsSync(path.join(OPENCODE_BIN_DIR, 'opencode'));

const EXTRA_SCRIPTS: Record<string, string> = {
  'fail-400.yaml': 'turns: [{ error: { status: 400, message: "scripted bad request" } }]\n',
  'hang-forever.yaml': 'turns: [{ hang: true }]\n',
  'write-outside.yaml': [
    'turns:',
    '  - tools: [{ name: write, args: { filePath: "{{workdir}}/../outside.txt", content: "x" } }]',
    '  - text: "Tried."',
  ].join('\n'),
  'judge-nfkd.yaml': 'turns:\n  - text: I think A is better\n  - judge: { prefer: "normalize(\'NFKD\')" }\n',
};

let root: string;
let server: ScriptedModelServer;
let opencode: OpencodeHandle;
let client: OpencodeClient;

describe.skipIf(!hasOpencode)('scripted model with the real opencode', () => {
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'tourney-oc-'));
    const scripts = path.join(root, 'scripts');
    await mkdir(scripts);
    for (const [name, content] of Object.entries(EXTRA_SCRIPTS)) await writeFile(path.join(scripts, name), content);
    server = await startScriptedModelServer({ host: '127.0.0.1', scriptDirs: [FIXTURES, scripts] });
    // `missing-script` is configured in opencode but has no file: the server answers 404.
    const models = ['write-hello', 'missing-script', ...Object.keys(EXTRA_SCRIPTS).map((f) => f.replace('.yaml', ''))];
    opencode = await startOpencode({ config: scriptedConfig(server.url, models), stateDir: path.join(root, 'state') });
    client = opencode.client;
  });

  afterAll(async () => {
    await opencode?.stop();
    await server?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  async function run(model: string, name: string, onBusy?: (sessionID: string) => Promise<void>) {
    const directory = path.join(root, name);
    await makeGitRepo(directory);
    const session = await client.session.create({ directory }, { throwOnError: true });
    const sessionID = session.data.id;
    const watcher = await EventWatcher.start(client, directory);
    try {
      const prompt = await client.session.promptAsync({
        sessionID,
        directory,
        model: { providerID: 'scripted', modelID: model },
        parts: [{ type: 'text', text: 'Please do the scripted task.' }],
      });
      expect(prompt.response.status).toBe(204);
      if (onBusy) await onBusy(sessionID);
      const outcome = await watcher.settle(sessionID, 60_000);
      const messages = await settledMessages(client, sessionID, directory);
      return { directory, sessionID, outcome, messages, events: watcher.events };
    } finally {
      await watcher.stop();
    }
  }

  it('runs a script end to end: files written, bash run, tokens as the server counted them', async () => {
    const { directory, sessionID, outcome, messages, events } = await run('write-hello', 'repo-hello');
    expect(outcome).toEqual({ kind: 'idle' });
    expect(await readFile(path.join(directory, 'hello.txt'), 'utf8')).toBe('Hello from the scripted model\n');
    expect(await readFile(path.join(directory, 'hello-copy.txt'), 'utf8')).toBe('Hello from the scripted model\n');

    const parts = messages.flatMap((m) => m.parts);
    const tools = parts.filter((p): p is Extract<Part, { type: 'tool' }> => p.type === 'tool');
    expect(tools.map((t) => [t.tool, t.state.status])).toEqual([
      ['write', 'completed'],
      ['bash', 'completed'],
    ]);
    const bash = tools[1]!.state;
    expect(bash.status === 'completed' && bash.output).toContain('Hello from the scripted model');
    expect(tools.map((t) => t.callID)).toEqual(['call_0_0', 'call_1_0']);
    const texts = parts.filter((p) => p.type === 'text').map((p) => (p.type === 'text' ? p.text : ''));
    expect(texts).toEqual(['Please do the scripted task.', "I'll create hello.txt.", 'Done: hello.txt written.']);

    // One step per script turn; opencode reports exactly the usage the server sent.
    const turns = server.requests.filter((r) => r.model === 'write-hello' && r.workdir === directory);
    expect(turns.map((r) => [r.turnIndex, r.kind])).toEqual([
      [0, 'tools'],
      [1, 'tools'],
      [2, 'text'],
    ]);
    const steps = parts.filter((p): p is Extract<Part, { type: 'step-finish' }> => p.type === 'step-finish');
    expect(steps.map((s) => s.reason)).toEqual(['tool-calls', 'tool-calls', 'stop']);
    expect(steps.map((s) => [s.tokens.input, s.tokens.output])).toEqual(turns.map((r) => [r.usage?.prompt_tokens, r.usage?.completion_tokens]));
    expect(steps[2]?.tokens.output).toBe(Math.ceil('Done: hello.txt written.'.length / 4));
    expect(steps.every((s) => s.cost === 0)).toBe(true);

    const assistants = messages.filter((m) => m.info.role === 'assistant');
    const total = assistants.reduce((n, m) => n + (m.info.role === 'assistant' ? m.info.tokens.input : 0), 0);
    expect(total).toBe(turns.reduce((n, r) => n + (r.usage?.prompt_tokens ?? 0), 0));

    // The title goes to small_model, which the server answers without touching the script.
    expect(server.requests.some((r) => r.model === '_title' && r.kind === 'title')).toBe(true);
    const statuses = events.flatMap((e) => (e.type === 'session.status' && e.properties.sessionID === sessionID ? [e.properties.status.type] : []));
    expect(statuses.at(-1)).toBe('idle');
  });

  it('runs two sessions in parallel, each on its own turn sequence', async () => {
    const [a, b] = await Promise.all([run('write-hello', 'repo-par-a'), run('write-hello', 'repo-par-b')]);
    for (const r of [a, b]) {
      expect(r.outcome).toEqual({ kind: 'idle' });
      expect(await readFile(path.join(r.directory, 'hello-copy.txt'), 'utf8')).toBe('Hello from the scripted model\n');
    }
  });

  it('reports a scripted HTTP error as session.error with an APIError', async () => {
    const { outcome, messages } = await run('fail-400', 'repo-fail');
    expect(outcome.kind).toBe('error');
    expect(outcome.kind === 'error' && outcome.error).toMatchObject({
      name: 'APIError',
      data: { message: expect.stringContaining('scripted bad request'), statusCode: 400, isRetryable: false },
    });
    const last = messages.at(-1)?.info;
    expect(last?.role === 'assistant' && last.error?.name).toBe('APIError');
  });

  it('reports a model without a script as a 404 APIError naming the script', async () => {
    const { outcome } = await run('missing-script', 'repo-missing');
    expect(outcome.kind === 'error' && outcome.error).toMatchObject({
      name: 'APIError',
      data: { statusCode: 404, message: expect.stringContaining('scripted model "missing-script" not found') },
    });
  });

  it('denies writes outside the work dir without asking', async () => {
    const { outcome, messages, events } = await run('write-outside', 'repo-outside');
    expect(outcome).toEqual({ kind: 'idle' });
    expect(events.some((e) => e.type === 'permission.asked')).toBe(false);
    const tool = messages.flatMap((m) => m.parts).find((p) => p.type === 'tool');
    expect(tool?.type === 'tool' && tool.state.status).toBe('error');
    expect(existsSync(path.join(root, 'outside.txt'))).toBe(false);
  });

  it('judges through opencode: invalid answer first, then the JSON verdict read from the diffs', async () => {
    const directory = path.join(root, 'repo-judge');
    await makeGitRepo(directory);
    const sessionID = (await client.session.create({ directory }, { throwOnError: true })).data.id;
    const diff = (label: string, body: string) => [candidateBlockStart(label), '--- a/s.js', '+++ b/s.js', '@@ -1 +1 @@', '-s', body, candidateBlockEnd(label)].join('\n');
    const judgePrompt = `Spec: strip accents.\n${diff('A', '+s.toLowerCase()')}\n${diff('B', "+s.normalize('NFKD')")}\nAnswer with JSON.`;
    const ask = async (text: string) => {
      const watcher = await EventWatcher.start(client, directory);
      try {
        await client.session.promptAsync({ sessionID, directory, model: { providerID: 'scripted', modelID: 'judge-nfkd' }, parts: [{ type: 'text', text }] });
        expect(await watcher.settle(sessionID, 60_000)).toEqual({ kind: 'idle' });
      } finally {
        await watcher.stop();
      }
      const messages = await settledMessages(client, sessionID, directory);
      const last = messages.filter((m) => m.info.role === 'assistant').at(-1);
      return last?.parts.map((p) => (p.type === 'text' ? p.text : '')).join('') ?? '';
    };
    expect(await ask(judgePrompt)).toBe('I think A is better');
    const verdict = JSON.parse(await ask('That was not valid JSON. Answer with the JSON object only.')) as unknown;
    expect(verdict).toMatchObject({ winner: 'B', confidence: expect.any(Number) });
    const turns = server.requests.filter((r) => r.model === 'judge-nfkd' && r.workdir === directory);
    expect(turns.map((r) => [r.turnIndex, r.kind])).toEqual([
      [0, 'text'],
      [1, 'judge'],
    ]);
  });

  it('aborts a hanging model call', async () => {
    const { outcome, messages } = await run('hang-forever', 'repo-hang', async (sessionID) => {
      await waitFor(() => server.requests.some((r) => r.model === 'hang-forever' && r.kind === 'hang'));
      await client.session.abort({ sessionID, directory: path.join(root, 'repo-hang') }, { throwOnError: true });
    });
    expect(outcome).toEqual({ kind: 'error', error: { name: 'MessageAbortedError', data: { message: 'Aborted' } } });
    const last = messages.at(-1)?.info;
    expect(last?.role === 'assistant' && last.error?.name).toBe('MessageAbortedError');
    // Aborting the session also drops the model request.
    await waitFor(() => server.requests.some((r) => r.model === 'hang-forever' && r.disconnected === true), 5_000);
  });
});

async function waitFor(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
