import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyId, startScriptedModelServer, type ScriptedModelServer } from '../../src/scripted/server.js';

// The Anthropic Messages and OpenAI Responses endpoints of the scripted server, at the HTTP level.
// The same script answers through every wire; the real SDKs are exercised in providers.integration.test.ts.

const SCRIPT = [
  'turns:',
  '  - text: Writing it.',
  '    tools:',
  '      - { name: bash, args: { command: "echo hi > {{workdir}}/a.txt", description: write } }',
  '      - { name: read, args: { filePath: "{{workdir}}/a.txt" } }',
  '  - text: Done.',
  '  - error: { status: 429, message: slow down }',
].join('\n');

let dir: string;
let server: ScriptedModelServer;
let locked: ScriptedModelServer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tourney-wires-'));
  await writeFile(path.join(dir, 'claude-x.yaml'), SCRIPT);
  await writeFile(path.join(dir, 'gpt-x.yaml'), SCRIPT);
  server = await startScriptedModelServer({ scriptDirs: [dir], maxRequestBytes: 64 * 1024 });
  locked = await startScriptedModelServer({ scriptDirs: [dir], apiKeys: ['right-key'] });
});
afterAll(async () => {
  await server?.close();
  await locked?.close();
  await rm(dir, { recursive: true, force: true });
});

const base = (s: ScriptedModelServer) => s.url.replace(/\/v1$/, '');
const post = (s: ScriptedModelServer, route: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base(s)}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** Server-sent events as [event name, parsed data]. */
async function events(res: Response): Promise<[string | undefined, Record<string, unknown>][]> {
  const text = await res.text();
  return text.split('\n\n').filter((f) => f.trim()).map((frame) => {
    const event = /^event: (.*)$/m.exec(frame)?.[1];
    const data = /^data: (.*)$/m.exec(frame)?.[1] ?? '{}';
    return [event, JSON.parse(data) as Record<string, unknown>];
  });
}

const SYSTEM = 'You are a coding agent.\nWorking directory: /work/repo\n';

describe('Anthropic Messages (POST /v1/messages)', () => {
  const first = { model: 'claude-x', max_tokens: 100, system: [{ type: 'text', text: SYSTEM }], messages: [{ role: 'user', content: [{ type: 'text', text: 'do it' }] }] };

  it('streams the turn as message_start, text and tool_use blocks with input_json_delta, message_delta, message_stop', async () => {
    const res = await post(server, '/v1/messages', { ...first, stream: true });
    expect(res.status).toBe(200);
    const frames = await events(res);
    expect(frames.map(([e]) => e)).toEqual([
      'message_start',
      'content_block_start', 'content_block_delta', 'content_block_stop',
      'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop',
      'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop',
      'message_delta', 'message_stop',
    ]);
    expect(frames.every(([e, d]) => d.type === e)).toBe(true);
    const json = frames.filter(([, d]) => (d.delta as { type?: string } | undefined)?.type === 'input_json_delta' && d.index === 1)
      .map(([, d]) => (d.delta as { partial_json: string }).partial_json).join('');
    expect(JSON.parse(json)).toEqual({ command: 'echo hi > /work/repo/a.txt', description: 'write' });
    const tool = frames[4]?.[1].content_block as { type: string; name: string; id: string };
    expect(tool).toMatchObject({ type: 'tool_use', name: 'bash' });
    expect(tool.id).toMatch(/^toolu_/);
    expect((frames.at(-2)?.[1].delta as { stop_reason: string }).stop_reason).toBe('tool_use');
    const entry = server.requests.at(-1);
    expect(entry).toMatchObject({ wire: 'anthropic-messages', model: 'claude-x', turnIndex: 0, kind: 'tools', workdir: '/work/repo' });
  });

  it('counts turns by assistant messages, so the reply after a tool_result is the next turn', async () => {
    const messages = [
      ...first.messages,
      { role: 'assistant', content: [{ type: 'text', text: 'Writing it.' }, { type: 'tool_use', id: 'toolu_1', name: 'bash', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' }] },
    ];
    const res = await post(server, '/v1/messages', { ...first, messages });
    const body = (await res.json()) as { content: { type: string; text?: string }[]; stop_reason: string; usage: { input_tokens: number } };
    expect(body.content).toEqual([{ type: 'text', text: 'Done.' }]);
    expect(body.stop_reason).toBe('end_turn');
    expect(body.usage.input_tokens).toBeGreaterThan(0);
  });

  it('answers a script error in Anthropic\'s error shape, with the status the script names', async () => {
    const messages = [...first.messages, { role: 'assistant', content: 'a' }, { role: 'user', content: 'b' }, { role: 'assistant', content: 'c' }, { role: 'user', content: 'd' }];
    const res = await post(server, '/v1/messages', { ...first, messages });
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } });
  });

  it('answers a title request without using a script turn (opencode sends those to a small model)', async () => {
    const res = await post(server, '/v1/messages', { model: 'claude-haiku-4-5', system: 'You are a title generator. You output ONLY a thread title.', messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(200);
    expect(server.requests.at(-1)?.kind).toBe('title');
  });
});

describe('OpenAI Responses (POST /v1/responses)', () => {
  const first = { model: 'gpt-x', input: [{ role: 'developer', content: SYSTEM }, { role: 'user', content: [{ type: 'input_text', text: 'do it' }] }], stream: true };

  it('streams output items: a message with its text delta, then function calls with argument deltas, then response.completed with usage', async () => {
    const res = await post(server, '/v1/responses', first);
    const frames = await events(res);
    const types = frames.map(([, d]) => d.type);
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(types.filter((t) => t === 'response.output_item.added')).toHaveLength(3);
    expect(frames.map(([, d]) => d.sequence_number)).toEqual(frames.map((_, i) => i));
    const args = frames.filter(([, d]) => d.type === 'response.function_call_arguments.delta' && d.output_index === 1).map(([, d]) => d.delta as string).join('');
    expect(JSON.parse(args)).toEqual({ command: 'echo hi > /work/repo/a.txt', description: 'write' });
    const done = frames.filter(([, d]) => d.type === 'response.output_item.done').map(([, d]) => d.item as { type: string; call_id?: string; name?: string });
    expect(done.map((i) => [i.type, i.name])).toEqual([['message', undefined], ['function_call', 'bash'], ['function_call', 'read']]);
    const completed = frames.at(-1)?.[1].response as { usage: { input_tokens: number; output_tokens: number } };
    expect(completed.usage.input_tokens).toBeGreaterThan(0);
    expect(server.requests.at(-1)).toMatchObject({ wire: 'openai-responses', turnIndex: 0, kind: 'tools', workdir: '/work/repo' });
  });

  it('takes an assistant message and its function calls as one turn, whatever the number of items', async () => {
    const input = [
      ...first.input,
      { role: 'assistant', content: [{ type: 'output_text', text: 'Writing it.' }] },
      { type: 'function_call', call_id: 'c1', name: 'bash', arguments: '{}' },
      { type: 'function_call', call_id: 'c2', name: 'read', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c1', output: 'ok' },
      { type: 'function_call_output', call_id: 'c2', output: 'hi' },
    ];
    const res = await post(server, '/v1/responses', { ...first, input, stream: false });
    const body = (await res.json()) as { output: { type: string; content?: { text: string }[] }[] };
    expect(body.output.map((o) => o.type)).toEqual(['message']);
    expect(body.output[0]?.content?.[0]?.text).toBe('Done.');
  });
});

describe('OpenAI Responses from Codex (its tools, freeform calls, compaction)', () => {
  const env = '<environment_context>\n  <cwd>/work</cwd>\n</environment_context>';
  const codexTools = [{ type: 'function', name: 'exec_command' }, { type: 'custom', name: 'apply_patch' }, { type: 'web_search' }];
  const request = (input: unknown[], turnKind = 'turn') => ({
    model: 'gpt-x',
    stream: true,
    tools: codexTools,
    input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: env }] }, { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'do it' }] }, ...input],
    client_metadata: { 'x-codex-turn-metadata': JSON.stringify({ request_kind: turnKind }) },
  });

  it("answers the script's bash and read as exec_command calls Codex offers, with the workdir of its environment context", async () => {
    const frames = await events(await post(server, '/v1/responses', request([])));
    const done = frames.filter(([, d]) => d.type === 'response.output_item.done').map(([, d]) => d.item as { type: string; name?: string; arguments?: string });
    expect(done.map((i) => [i.type, i.name])).toEqual([['message', undefined], ['function_call', 'exec_command'], ['function_call', 'exec_command']]);
    expect(JSON.parse(done[1]?.arguments ?? '{}')).toMatchObject({ cmd: 'echo hi > /work/a.txt', workdir: '/work' });
    expect(JSON.parse(done[2]?.arguments ?? '{}')).toMatchObject({ cmd: "cat -- 'a.txt'" });
    expect(server.requests.at(-1)).toMatchObject({ turnIndex: 0, kind: 'tools', workdir: '/work', tools: ['exec_command', 'exec_command'] });
  });

  it('counts custom tool calls as part of the assistant turn', async () => {
    const history = [
      { type: 'custom_tool_call', call_id: 'c1', name: 'apply_patch', input: '*** Begin Patch' },
      { type: 'custom_tool_call_output', call_id: 'c1', output: 'Success' },
    ];
    await (await post(server, '/v1/responses', request(history))).text();
    expect(server.requests.at(-1)).toMatchObject({ turnIndex: 1, kind: 'text' });
  });

  it('answers a compaction request with a summary that uses no turn, and resumes the script after it', async () => {
    const history = [{ type: 'function_call', call_id: 'c1', name: 'exec_command', arguments: '{}' }, { type: 'function_call_output', call_id: 'c1', output: 'ok' }];
    const frames = await events(await post(server, '/v1/responses', request(history, 'compaction')));
    expect(server.requests.at(-1)).toMatchObject({ kind: 'summary', turnIndex: null });
    const summary = frames.filter(([, d]) => d.type === 'response.output_text.delta').map(([, d]) => d.delta as string).join('');
    // Codex replaces its history with the summary as a user message: the next turn is the second.
    await (await post(server, '/v1/responses', request([{ type: 'message', role: 'user', content: [{ type: 'input_text', text: `Summary: ${summary}` }] }]))).text();
    expect(server.requests.at(-1)).toMatchObject({ turnIndex: 1, kind: 'text' });
  });
});

describe('keys and limits', () => {
  it('answers a missing or wrong key 401 in each provider\'s own error shape, and logs no key', async () => {
    const anthropic = await post(locked, '/v1/messages', { model: 'claude-x', messages: [{ role: 'user', content: 'x' }] }, { 'x-api-key': 'wrong-key' });
    expect(anthropic.status).toBe(401);
    expect(await anthropic.json()).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } });
    const openai = await post(locked, '/v1/responses', { model: 'gpt-x', input: 'x' });
    expect(openai.status).toBe(401);
    expect(await openai.json()).toMatchObject({ error: { code: 'invalid_api_key', message: 'missing API key' } });
    const chat = await post(locked, '/v1/chat/completions', { model: 'gpt-x', messages: [{ role: 'user', content: 'x' }] }, { authorization: 'Bearer nope' });
    expect(chat.status).toBe(401);
    expect(locked.requests.map((r) => r.kind)).toEqual(['unauthorized', 'unauthorized', 'unauthorized']);
    expect(JSON.stringify(locked.requests)).not.toContain('wrong-key');
  });

  it('accepts the right key in any header an SDK uses, and records which key by its hash only', async () => {
    const variants: Record<string, string>[] = [{ 'x-api-key': 'right-key' }, { authorization: 'Bearer right-key' }, { 'api-key': 'right-key' }];
    for (const headers of variants) {
      const res = await post(locked, '/v1/messages', { model: 'claude-x', messages: [{ role: 'user', content: 'x' }] }, { ...headers, 'x-team': 'agents' });
      expect(res.status).toBe(200);
      expect(locked.requests.at(-1)).toMatchObject({ keyId: keyId('right-key'), headers: { 'x-team': 'agents' } });
    }
    expect(JSON.stringify(locked.requests)).not.toContain('right-key');
  });

  it('refuses a body over the limit with 413 without buffering it, declared or streamed', async () => {
    const big = { model: 'claude-x', messages: [{ role: 'user', content: 'x'.repeat(100 * 1024) }] };
    const declared = await post(server, '/v1/messages', big);
    expect(declared.status).toBe(413);
    expect(server.requests.at(-1)?.kind).toBe('too-large');
    // Chunked, no content-length: counted as it arrives.
    const body = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(8 * 1024)));
        controller.close();
      },
    });
    const streamed = await fetch(`${base(server)}/v1/chat/completions`, { method: 'POST', body, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    // The server still answers afterwards.
    expect((await post(server, '/v1/messages', { model: 'claude-haiku', system: 'You are a title generator', messages: [{ role: 'user', content: 'x' }] })).status).toBe(200);
  });
});

describe('bodies read at once share one budget', () => {
  it('answers 503 once the bodies in flight together pass it, and recovers when they are done', async () => {
    // Each body is under its own limit (40 KiB); three at once are over the shared 100 KiB.
    const small = await startScriptedModelServer({ scriptDirs: [dir], maxRequestBytes: 40 * 1024, maxInflightBytes: 100 * 1024 });
    try {
      const held: { close: () => void; done: Promise<Response> }[] = [];
      for (let i = 0; i < 3; i++) {
        let push!: (chunk: Uint8Array) => void;
        let close!: () => void;
        const body = new ReadableStream<Uint8Array>({ start(c) { push = (x) => c.enqueue(x); close = () => c.close(); } });
        const done = fetch(`${base(small)}/v1/messages`, { method: 'POST', body, duplex: 'half' } as RequestInit);
        push(new TextEncoder().encode(' '.repeat(39 * 1024)));
        held.push({ close, done });
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(small.requests.map((r) => r.status)).toEqual([503]);
      expect((await held[2]!.done).status).toBe(503);
      for (const h of held) h.close();
      await Promise.allSettled(held.map((h) => h.done));
      // Everything given back: a normal request is answered again.
      const ok = await post(small, '/v1/messages', { model: 'claude-haiku', system: 'You are a title generator', messages: [{ role: 'user', content: 'x' }] });
      expect(ok.status).toBe(200);
    } finally {
      await small.close();
    }
  });
});
