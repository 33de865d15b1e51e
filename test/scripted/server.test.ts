import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidateBlockEnd, candidateBlockStart } from '../../src/judge/markers.js';
import { startScriptedModelServer, type ScriptedModelServer } from '../../src/scripted/server.js';

const FIXTURES = path.resolve('test/fixtures/scripts');
const SYSTEM = { role: 'system', content: 'You are opencode.\n  Working directory: /work/repo\n' };
const USER = { role: 'user', content: 'Please do the task' };
const ASSISTANT = { role: 'assistant', content: null, tool_calls: [{ id: 'x', type: 'function', function: { name: 'read', arguments: '{}' } }] };
const TOOL = { role: 'tool', tool_call_id: 'x', content: 'ok' };

const SCRIPTS: Record<string, string> = {
  'demo.yaml': [
    'turns:',
    '  - text: Reading first.',
    '    tools:',
    '      - { name: write, args: { filePath: "{{workdir}}/a.js", content: "export const a = \\"{{workdir}}\\";\\n" } }',
    '      - { name: bash, args: { command: npm test, description: Run tests } }',
    '  - text: All done.',
  ].join('\n'),
  'fail.yaml': 'turns: [{ error: { status: 400, message: bad request } }]\n',
  'slow.yaml': 'turns: [{ delayMs: 300, text: late }]\n',
  'hang.yaml': 'turns: [{ hang: true }]\n',
  'broken.yaml': 'turns: [{ text: 3 }]\n',
};

let dir: string;
let server: ScriptedModelServer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tourney-scripted-server-'));
  for (const [name, content] of Object.entries(SCRIPTS)) await writeFile(path.join(dir, name), content);
  server = await startScriptedModelServer({ scriptDirs: [dir, FIXTURES] });
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

function post(body: object, signal?: AbortSignal): Promise<Response> {
  return fetch(`${server.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });
}

interface Chunk {
  object: string;
  choices: { index: number; delta: { role?: string; content?: string; tool_calls?: ToolDelta[] }; finish_reason: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}
interface ToolDelta {
  index: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

/** Reads an SSE body the way an OpenAI client does: `data:` lines, up to `[DONE]`. */
async function readStream(res: Response): Promise<{ chunks: Chunk[]; done: boolean }> {
  const text = await res.text();
  const chunks: Chunk[] = [];
  let done = false;
  for (const event of text.split('\n\n').filter(Boolean)) {
    expect(event.startsWith('data: ')).toBe(true);
    const data = event.slice('data: '.length);
    if (data === '[DONE]') {
      done = true;
      continue;
    }
    expect(done).toBe(false);
    chunks.push(JSON.parse(data) as Chunk);
  }
  return { chunks, done };
}

function reassemble(chunks: Chunk[]) {
  let content = '';
  const calls: { id: string; type: string; name: string; arguments: string }[] = [];
  let finish: string | null = null;
  for (const chunk of chunks) {
    for (const choice of chunk.choices) {
      content += choice.delta.content ?? '';
      for (const d of choice.delta.tool_calls ?? []) {
        calls[d.index] ??= { id: '', type: '', name: '', arguments: '' };
        const call = calls[d.index]!;
        if (d.id) call.id = d.id;
        if (d.type) call.type = d.type;
        call.name += d.function?.name ?? '';
        call.arguments += d.function?.arguments ?? '';
      }
      finish = choice.finish_reason ?? finish;
    }
  }
  return { content, calls, finish };
}

describe('scripted model server', () => {
  it('listens on 127.0.0.1 with a /v1 base URL', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/v1`);
  });

  it('lists scripts as models', async () => {
    const res = await fetch(`${server.url}/models`);
    const body = (await res.json()) as { object: string; data: { id: string; object: string }[] };
    expect(body.object).toBe('list');
    expect(body.data.map((m) => m.id)).toEqual(['_title', 'broken', 'demo', 'fail', 'hang', 'slow', 'write-hello']);
    expect(body.data[0]?.object).toBe('model');
  });

  it('streams tool calls the client can reassemble, with the working directory filled in', async () => {
    const res = await post({ model: 'demo', stream: true, stream_options: { include_usage: true }, messages: [SYSTEM, USER] });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const { chunks, done } = await readStream(res);
    expect(done).toBe(true);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    const { content, calls, finish } = reassemble(chunks);
    expect(content).toBe('Reading first.');
    expect(finish).toBe('tool_calls');
    expect(calls).toEqual([
      { id: 'call_0_0', type: 'function', name: 'write', arguments: JSON.stringify({ filePath: '/work/repo/a.js', content: 'export const a = "/work/repo";\n' }) },
      { id: 'call_0_1', type: 'function', name: 'bash', arguments: JSON.stringify({ command: 'npm test', description: 'Run tests' }) },
    ]);
    // Arguments arrive in more than one piece, as from a real server.
    expect(chunks.filter((c) => c.choices[0]?.delta.tool_calls?.[0]?.index === 0).length).toBeGreaterThan(2);
    const usage = chunks.at(-1)?.usage;
    expect(chunks.at(-1)?.choices).toEqual([]);
    const promptChars = SYSTEM.content.length + USER.content.length;
    const outputChars = 'Reading first.'.length + calls.reduce((n, c) => n + c.name.length + c.arguments.length, 0);
    expect(usage).toEqual({
      prompt_tokens: Math.ceil(promptChars / 4),
      completion_tokens: Math.ceil(outputChars / 4),
      total_tokens: Math.ceil(promptChars / 4) + Math.ceil(outputChars / 4),
    });
    expect(server.requests.at(-1)).toMatchObject({ model: 'demo', turnIndex: 0, kind: 'tools', stream: true, workdir: '/work/repo', tools: ['write', 'bash'], usage });
  });

  it('picks the turn from the number of assistant messages, statelessly', async () => {
    const second = { model: 'demo', stream: true, messages: [SYSTEM, USER, ASSISTANT, TOOL] };
    for (let i = 0; i < 2; i++) {
      const { chunks } = await readStream(await post(second));
      expect(reassemble(chunks)).toEqual({ content: 'All done.', calls: [], finish: 'stop' });
      expect(chunks.some((c) => c.usage)).toBe(false);
    }
    const first = reassemble((await readStream(await post({ model: 'demo', stream: true, messages: [SYSTEM, USER] }))).chunks);
    expect(first.calls.map((c) => c.name)).toEqual(['write', 'bash']);
    expect(server.requests.slice(-3).map((r) => r.turnIndex)).toEqual([1, 1, 0]);
  });

  it('ends with a short final text once the script is exhausted', async () => {
    const res = await post({ model: 'demo', stream: true, messages: [SYSTEM, USER, ASSISTANT, TOOL, ASSISTANT, USER] });
    expect(reassemble((await readStream(res)).chunks)).toEqual({ content: 'Script complete.', calls: [], finish: 'stop' });
    expect(server.requests.at(-1)).toMatchObject({ turnIndex: 2, kind: 'complete' });
  });

  it('answers without streaming as a chat.completion', async () => {
    const res = await post({ model: 'demo', messages: [SYSTEM, USER] });
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as {
      object: string;
      choices: { message: { role: string; content: string | null; tool_calls: { id: string; type: string; function: { name: string; arguments: string } }[] }; finish_reason: string }[];
      usage: { prompt_tokens: number; completion_tokens: number };
    };
    expect(body.object).toBe('chat.completion');
    const choice = body.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBe('Reading first.');
    expect(choice.message.tool_calls.map((c) => [c.id, c.type, c.function.name])).toEqual([
      ['call_0_0', 'function', 'write'],
      ['call_0_1', 'function', 'bash'],
    ]);
    expect(JSON.parse(choice.message.tool_calls[0]!.function.arguments)).toMatchObject({ filePath: '/work/repo/a.js' });
    expect(body.usage.prompt_tokens).toBe(Math.ceil((SYSTEM.content.length + USER.content.length) / 4));
  });

  it('answers title requests with a fixed title, without using a script turn', async () => {
    const byModel = (await (await post({ model: '_title', messages: [USER] })).json()) as { choices: { message: { content: string } }[] };
    expect(byModel.choices[0]?.message.content).toBe('Scripted session');
    const titleSystem = { role: 'system', content: 'You are a title generator. You output ONLY a thread title. Nothing else.' };
    const byPrompt = reassemble((await readStream(await post({ model: 'demo', stream: true, messages: [titleSystem, USER] }))).chunks);
    expect(byPrompt).toEqual({ content: 'Scripted session', calls: [], finish: 'stop' });
    expect(server.requests.at(-1)).toMatchObject({ model: 'demo', kind: 'title', turnIndex: null });
  });

  it('answers an error turn with that HTTP status and an OpenAI error body', async () => {
    const res = await post({ model: 'fail', stream: true, messages: [SYSTEM, USER] });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { message: 'bad request', type: 'invalid_request_error' } });
    expect(server.requests.at(-1)).toMatchObject({ model: 'fail', kind: 'error', status: 400, turnIndex: 0 });
  });

  it('returns 404 naming the script and the directories for an unknown model', async () => {
    const res = await post({ model: 'nope', stream: true, messages: [SYSTEM, USER] });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { message: string; code: string } };
    expect(body.error.code).toBe('model_not_found');
    expect(body.error.message).toContain('scripted model "nope" not found');
    expect(body.error.message).toContain(`searched: ${dir}, ${FIXTURES}`);
    expect(body.error.message).toContain('available: broken, demo');
  });

  it('returns 400 with the validation message for a broken script or request', async () => {
    const res = await post({ model: 'broken', stream: true, messages: [SYSTEM, USER] });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string; code: string } };
    expect(body.error).toMatchObject({ code: 'invalid_script', message: `${path.join(dir, 'broken.yaml')}: turns[0].text: expected a string` });
    const bad = await fetch(`${server.url}/chat/completions`, { method: 'POST', body: 'not json' });
    expect(bad.status).toBe(400);
    expect(server.requests.at(-1)?.kind).toBe('bad-request');
  });

  it('waits delayMs before answering', async () => {
    const started = Date.now();
    const res = await post({ model: 'slow', messages: [SYSTEM, USER] });
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('stops waiting on a hang when the client disconnects', async () => {
    const abort = new AbortController();
    const pending = post({ model: 'hang', stream: true, messages: [SYSTEM, USER] }, abort.signal);
    await waitFor(() => server.requests.at(-1)?.kind === 'hang');
    const entry = server.requests.at(-1);
    expect(entry?.disconnected).toBeUndefined();
    abort.abort();
    await expect(pending).rejects.toThrow();
    await waitFor(() => entry?.disconnected === true);
  });
});

describe('hang and close', () => {
  it('close() ends hanging responses and resolves', async () => {
    const own = await startScriptedModelServer({ scriptDirs: [dir] });
    const pending = fetch(`${own.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'hang', stream: true, messages: [SYSTEM, USER] }) });
    const outcome = pending.then(
      () => 'answered',
      () => 'failed',
    );
    await waitFor(() => own.requests.length === 1);
    expect(own.requests[0]).toMatchObject({ kind: 'hang', turnIndex: 0 });
    expect(await Promise.race([outcome, sleep(300).then(() => 'still hanging')])).toBe('still hanging');
    const closed = await Promise.race([own.close().then(() => 'closed'), sleep(3000).then(() => 'close timed out')]);
    expect(closed).toBe('closed');
    expect(await outcome).toBe('failed');
    await expect(fetch(`${own.url}/models`)).rejects.toThrow();
  });
});

describe('judge turns', () => {
  it('answer the verdict as plain JSON text after an invalid first answer', async () => {
    // Its own directory, so the shared server's model list stays as the tests above expect.
    const judgeDir = await mkdtemp(path.join(dir, 'judge-'));
    const own = await startScriptedModelServer({ scriptDirs: [judgeDir] });
    try {
      await writeFile(path.join(judgeDir, 'judge-nfkd.yaml'), 'turns:\n  - text: I think A is better\n  - judge: { prefer: "normalize(\'NFKD\')", confidence: 0.8 }\n');
      const blocks = ['A', 'B'].map((l) => [candidateBlockStart(l), l === 'B' ? "+s.normalize('NFKD')" : '+s', candidateBlockEnd(l)].join('\n'));
      const judgeUser = { role: 'user', content: `Spec: strip accents.\n${blocks.join('\n')}` };
      const post = (messages: object[]) =>
        fetch(`${own.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'judge-nfkd', stream: true, messages }) });

      const first = reassemble((await readStream(await post([SYSTEM, judgeUser]))).chunks);
      expect(first).toEqual({ content: 'I think A is better', calls: [], finish: 'stop' });

      const retry = [SYSTEM, judgeUser, { role: 'assistant', content: first.content }, { role: 'user', content: 'Answer with valid JSON only.' }];
      const second = reassemble((await readStream(await post(retry))).chunks);
      expect(second.calls).toEqual([]);
      expect(second.finish).toBe('stop');
      expect(JSON.parse(second.content)).toEqual({ winner: 'B', rationale: expect.any(String), confidence: 0.8 });
      expect(own.requests.map((r) => [r.turnIndex, r.kind])).toEqual([
        [0, 'text'],
        [1, 'judge'],
      ]);
    } finally {
      await own.close();
    }
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}
