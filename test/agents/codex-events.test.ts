import { describe, expect, it } from 'vitest';
import { MAX_LINE_CHARS, MAX_TEXT_CHARS, parseCodexLine, type CodexEvent } from '../../src/agents/codex-events.js';
import { CodexRun, unwrapShell } from '../../src/agents/codex-transcript.js';
import { codexExecArgs, codexProvider, explainCodexError } from '../../src/agents/codex-kind.js';

// Lines as Codex 0.171.0 printed them in a real run on the scripted model (trimmed outputs).
const REAL = [
  '{"type":"thread.started","thread_id":"01a2354c-9326-7a61-83be-df745e0bee7e"}',
  '{"type":"item.completed","item":{"id":"item_0","type":"error","message":"Model metadata for `demo-slugify-tidy` not found. Defaulting to fallback metadata; this can degrade performance and cause issues."}}',
  '{"type":"turn.started"}',
  '{"type":"item.completed","item":{"id":"item_1","type":"agent_message","text":"I\'ll read the helpers and their tests first."}}',
  '{"type":"item.started","item":{"id":"item_2","type":"command_execution","command":"/bin/bash -lc \\"cat -- \'test/strings.test.js\'\\"","aggregated_output":"","exit_code":null,"status":"in_progress"}}',
  '{"type":"item.started","item":{"id":"item_3","type":"command_execution","command":"/bin/bash -lc \\"cat -- \'src/strings.js\'\\"","aggregated_output":"","exit_code":null,"status":"in_progress"}}',
  '{"type":"item.completed","item":{"id":"item_2","type":"command_execution","command":"/bin/bash -lc \\"cat -- \'test/strings.test.js\'\\"","aggregated_output":"import { test } from \'node:test\';\\n","exit_code":0,"status":"completed"}}',
  '{"type":"item.completed","item":{"id":"item_3","type":"command_execution","command":"/bin/bash -lc \\"cat -- \'src/strings.js\'\\"","aggregated_output":"export function capitalize(text) {}\\n","exit_code":0,"status":"completed"}}',
  '{"type":"item.started","item":{"id":"item_4","type":"file_change","changes":[{"path":"/work/src/strings.js","kind":"update"}],"status":"in_progress"}}',
  '{"type":"item.completed","item":{"id":"item_4","type":"file_change","changes":[{"path":"/work/src/strings.js","kind":"update"}],"status":"completed"}}',
  '{"type":"item.started","item":{"id":"item_5","type":"command_execution","command":"/bin/bash -lc \'node --test\'","aggregated_output":"","exit_code":null,"status":"in_progress"}}',
  '{"type":"item.completed","item":{"id":"item_5","type":"command_execution","command":"/bin/bash -lc \'node --test\'","aggregated_output":"# pass 6\\n","exit_code":0,"status":"completed"}}',
  '{"type":"item.completed","item":{"id":"item_6","type":"agent_message","text":"Added slugify; all tests pass."}}',
  '{"type":"turn.completed","usage":{"input_tokens":26336,"cached_input_tokens":336,"cache_write_input_tokens":0,"output_tokens":452,"reasoning_output_tokens":7}}',
];

const events = (lines: string[]) => lines.map(parseCodexLine).filter((e): e is CodexEvent => e !== null);

describe('parseCodexLine', () => {
  it('reads every event of a real run', () => {
    const parsed = REAL.map(parseCodexLine);
    expect(parsed.every((e) => e !== null)).toBe(true);
    expect(parsed[0]).toEqual({ type: 'thread.started', threadId: '01a2354c-9326-7a61-83be-df745e0bee7e' });
    expect(parsed[6]).toMatchObject({ type: 'item', phase: 'completed', item: { kind: 'command_execution', exitCode: 0, status: 'completed' } });
    expect(parsed.at(-1)).toEqual({ type: 'turn.completed', usage: { input: 26336, cachedInput: 336, cacheWrite: 0, output: 452, reasoning: 7 } });
  });

  it('ignores what is not an event: blank, plain text, broken JSON, arrays, unknown types and items', () => {
    for (const line of ['', '   ', 'WARNING: proceeding', '{"type":', '[1,2]', 'null', '"text"', '{"type":"thread.forked","x":1}', '{"no":"type"}',
      '{"type":"item.completed","item":{"id":"i","type":"collab_tool_call","tool":"spawn_agent"}}']) {
      expect(parseCodexLine(line)).toBeNull();
    }
  });

  it('ignores a known type with the wrong shape instead of trusting it', () => {
    expect(parseCodexLine('{"type":"turn.failed","error":"not an object"}')).toBeNull();
    expect(parseCodexLine('{"type":"item.completed","item":{"id":5,"type":"agent_message","text":"x"}}')).toBeNull();
    expect(parseCodexLine('{"type":"item.completed","item":{"id":"i","type":"file_change","changes":"all","status":"completed"}}')).toBeNull();
    expect(parseCodexLine('{"type":"error"}')).toBeNull();
  });

  it('reads hostile token counts as zero, not as negative, fractional or huge numbers', () => {
    const e = parseCodexLine('{"type":"turn.completed","usage":{"input_tokens":-5,"cached_input_tokens":1.5,"output_tokens":1e300,"reasoning_output_tokens":"9"}}');
    expect(e).toEqual({ type: 'turn.completed', usage: { input: 0, cachedInput: 0, cacheWrite: 0, output: 0, reasoning: 0 } });
  });

  it('drops an over-long line unread and caps long texts', () => {
    expect(parseCodexLine(`{"type":"error","message":"${'x'.repeat(MAX_LINE_CHARS)}"}`)).toBeNull();
    const e = parseCodexLine(JSON.stringify({ type: 'item.completed', item: { id: 'i', type: 'agent_message', text: 'y'.repeat(MAX_TEXT_CHARS + 10) } }));
    expect(e?.type === 'item' && e.item.kind === 'agent_message' && e.item.text.length).toBeLessThan(MAX_TEXT_CHARS + 100);
  });

  it('does not let a __proto__ key reach anything', () => {
    const e = parseCodexLine('{"type":"turn.started","__proto__":{"polluted":true}}');
    expect(e).toEqual({ type: 'turn.started' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('CodexRun', () => {
  it('counts tools, model turns and tokens, and builds the transcript of a real run', () => {
    const run = new CodexRun();
    const steps = events(REAL).map((e) => run.onEvent(e));
    // The message and the two reads (turn 1), the edit (2), the test run (3), the final message (4).
    expect(steps.flatMap((s) => (s.turn ? [s.turn] : []))).toEqual([1, 2, 3, 4]);
    expect(steps.flatMap((s) => (s.tool ? [s.tool] : []))).toEqual(["shell: cat -- 'test/strings.test.js'", "shell: cat -- 'src/strings.js'", 'apply_patch: /work/src/strings.js', 'shell: node --test']);
    expect(run.toolCalls).toBe(4);
    expect(run.completed).toBe(true);
    expect(run.tokens).toEqual({ input: 26000, cacheRead: 336, cacheWrite: 0, output: 452, reasoning: 7 });
    const t = run.transcript('scripted/x', 'Add slugify.');
    expect(t.messages.map((m) => m.role)).toEqual(['user', 'system', 'assistant', 'assistant', 'assistant', 'assistant']);
    expect(t.messages[1]?.parts[0]).toMatchObject({ type: 'text', text: expect.stringContaining('Model metadata') as string });
    expect(t.messages[2]?.parts.map((p) => p.type)).toEqual(['text', 'tool', 'tool']);
    expect(t.messages[2]?.parts[1]).toMatchObject({ type: 'tool', name: 'shell', status: 'completed', output: "import { test } from 'node:test';\n" });
    expect(t.messages.at(-1)).toMatchObject({ tokens: { input: 26000 }, costUsd: 0 });
  });

  it('tells retry notices from failures, and records declined commands as denied', () => {
    const run = new CodexRun();
    for (const e of events([
      '{"type":"error","message":"Reconnecting... 1/5 (unexpected status 401 Unauthorized: invalid x-api-key, url: http://x/v1/responses)"}',
      '{"type":"item.completed","item":{"id":"c","type":"command_execution","command":"rm -rf /","aggregated_output":"","exit_code":null,"status":"declined"}}',
    ])) run.onEvent(e);
    expect(run.failure).toBeUndefined();
    expect(run.lastRetry).toContain('401');
    expect(run.deniedPermissions).toEqual(['rm -rf /']);
    run.onEvent({ type: 'turn.failed', message: 'boom' });
    expect(run.failure).toBe('boom');
  });

  it('cuts a flood of items and says so, while counting on', () => {
    const run = new CodexRun();
    for (let i = 0; i < 6000; i++) run.onEvent({ type: 'item', phase: 'completed', item: { kind: 'web_search', id: `w${i}`, query: 'q' } });
    expect(run.toolCalls).toBe(6000);
    const t = run.transcript('m', 'p');
    expect(t.truncated).toBe(true);
    expect(t.messages.flatMap((m) => m.parts).length).toBeLessThanOrEqual(5001);
  });

  it('unwraps the shell Codex reports around a command', () => {
    expect(unwrapShell("/bin/bash -lc 'node --test'")).toBe('node --test');
    expect(unwrapShell('/bin/bash -lc "cat -- \'a b\'"')).toBe("cat -- 'a b'");
    expect(unwrapShell('ls')).toBe('ls');
  });
});

describe('codex provider and arguments', () => {
  it('points a scripted model at the scripted server with a key variable of its own', () => {
    const p = codexProvider('scripted/demo', 'http://10.0.0.1:4000/v1');
    expect(p).toMatchObject({ baseUrl: 'http://10.0.0.1:4000/v1', envKey: 'TOURNEY_SCRIPTED_KEY' });
    const args = codexExecArgs('scripted/demo', p, '/work');
    expect(args.slice(0, 2)).toEqual(['exec', '--json']);
    expect(args).toContain('--dangerously-bypass-approvals-and-sandbox');
    expect(args.at(-1)).toBe('-');
    expect(args[args.indexOf('--model') + 1]).toBe('demo');
    const config = args.flatMap((a, i) => (args[i - 1] === '-c' ? [a] : []));
    expect(config).toContain('model_providers.tourney.base_url="http://10.0.0.1:4000/v1"');
    expect(config).toContain('model_providers.tourney.wire_api="responses"');
    expect(config).toContain('web_search="disabled"');
  });

  it('uses OpenAI by default, a gateway when configured, and refuses providers Codex cannot speak to', () => {
    expect(codexProvider('openai/gpt-5', null)).toMatchObject({ baseUrl: 'https://api.openai.com/v1', envKey: 'OPENAI_API_KEY' });
    const gw = codexProvider('corp/m', null, { settings: { baseURL: 'https://gw/v1', apiKeyEnv: 'GW_KEY', headers: { 'X-Team': 'a', 'X-Token': '{env:GW_TOKEN}' } }, keyless: false });
    expect(gw).toEqual({ baseUrl: 'https://gw/v1', envKey: 'GW_KEY', headers: { 'X-Team': 'a' }, envHeaders: { 'X-Token': 'GW_TOKEN' } });
    expect(() => codexProvider('anthropic/claude', null)).toThrow(/Responses API/);
    expect(() => codexProvider('corp/m', null, { settings: { baseURL: 'https://gw', headers: { A: 'Bearer {env:T}' } }, keyless: false })).toThrow(/whole/);
  });

  it('explains Codex errors in the same words as opencode', () => {
    const ctx = { model: 'scripted/x', credentialNames: [] };
    expect(explainCodexError('unexpected status 401 Unauthorized: invalid x-api-key, url: http://x', ctx)).toMatchObject({ kind: 'auth', message: 'scripted rejected the API key (401): the script answered so' });
    expect(explainCodexError('Missing environment variable: `OPENAI_API_KEY`.', { model: 'openai/gpt-5', credentialNames: ['OPENAI_API_KEY'] })).toMatchObject({ kind: 'missing-credentials' });
    expect(explainCodexError('Reconnecting... waiting for network (Connection failed: error sending request)', { ...ctx, baseURL: 'http://gw' })?.kind).toBe('unreachable');
    expect(explainCodexError('context window exceeded', ctx)).toBeNull();
  });
});
