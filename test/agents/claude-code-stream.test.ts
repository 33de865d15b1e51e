import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES, parseStreamLine } from '../../src/agents/claude-code-stream.js';
import { ClaudeCodeTranscript, MAX_TOOL_OUTPUT_CHARS } from '../../src/agents/claude-code-transcript.js';

// Streams recorded from the real Claude Code 2.1.332 against the scripted model (see the fixtures' README).
const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'claude-code');
const lines = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8').split('\n');

function fold(name: string) {
  const transcript = new ClaudeCodeTranscript('the prompt');
  const seen = lines(name).map(parseStreamLine).filter((e) => e !== null).map((e) => transcript.add(e));
  return { transcript, seen };
}

describe('parseStreamLine', () => {
  it('reads the event types tourney uses', () => {
    const types = lines('tidy.stream.jsonl').map(parseStreamLine).map((e) => e && ('subtype' in e && e.type !== 'assistant' && e.type !== 'user' ? `${e.type}/${e.subtype}` : e.type));
    expect(types.filter(Boolean)).toEqual(['system/init', 'assistant', 'assistant', 'assistant', 'user', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'result/success']);
  });

  it('ignores hostile or broken lines: not JSON, not objects, unknown types, wrong field types, oversize', () => {
    const hostile = [
      '',
      'not json',
      '{"type":"assistant"',
      '[1,2,3]',
      'null',
      '"result"',
      '{"type":"stream_event","event":{}}',
      '{"type":"assistant","message":{"content":7}}',
      '{"type":"user","message":null}',
      '{"type":"__proto__","message":{"content":[]}}',
      '{"type":"system","subtype":"hook_started"}',
      JSON.stringify({ type: 'result', subtype: 'success', result: 'x'.repeat(MAX_LINE_BYTES) }),
    ];
    for (const line of hostile) expect(parseStreamLine(line), line.slice(0, 60)).toBeNull();
  });

  it('tolerates odd values inside a known event without throwing: negative or non-numeric usage counts as 0', () => {
    const event = parseStreamLine(JSON.stringify({ type: 'result', total_cost_usd: -5, usage: { input_tokens: 'many', output_tokens: 3 }, permission_denials: 'none' }));
    expect(event).toMatchObject({ type: 'result', total_cost_usd: 0, usage: { input_tokens: 0, output_tokens: 3 }, permission_denials: [] });
    const unknownBlock = parseStreamLine(JSON.stringify({ type: 'assistant', message: { id: 'm', content: [{ type: 'image', source: {} }, { type: 'text', text: 'hi' }] } }));
    expect(unknownBlock).toMatchObject({ message: { content: [{ type: 'other', of: 'image' }, { type: 'text', text: 'hi' }] } });
  });
});

describe('ClaudeCodeTranscript', () => {
  it('folds the demo run: turns by message id, tool calls with their results, tokens and cost from the result event', () => {
    const { transcript, seen } = fold('tidy.stream.jsonl');
    // Five model messages; the tool results arrive between the blocks of the first one.
    expect(transcript.turns).toBe(5);
    expect(seen.filter((s) => s.turn !== undefined).map((s) => s.turn)).toEqual([1, 2, 3, 4, 5]);
    expect(transcript.toolCalls).toBe(5);
    const tools = transcript.messages.flatMap((m) => m.parts).filter((p) => p.type === 'tool');
    expect(tools.map((t) => [t.name, t.status, t.title])).toEqual([
      ['Read', 'completed', '/work/repo/src/strings.js'],
      ['Read', 'completed', '/work/repo/test/strings.test.js'],
      ['Edit', 'completed', '/work/repo/src/strings.js'],
      ['Write', 'completed', '/work/repo/test/slugify.test.js'],
      ['Bash', 'error', 'node --test'],
    ]);
    expect(tools[0]?.output).toContain('export function capitalize');
    expect(transcript.messages[0]).toEqual({ role: 'user', parts: [{ type: 'text', text: 'the prompt' }] });
    expect(transcript.messages.at(-1)?.parts).toEqual([{ type: 'text', text: expect.stringContaining('Added `slugify`') as unknown }]);
    expect(transcript.tokens()).toEqual({ input: 12638, output: 359, reasoning: 0, cacheRead: 0, cacheWrite: 0 });
    expect(transcript.costUsd).toBeCloseTo(0.057732);
    expect(transcript.result).toMatchObject({ isError: false, subtype: 'success' });
    expect(transcript.deniedPermissions()).toEqual([]);
  });

  it('lists the permissions Claude Code denied and marks those calls denied', () => {
    const { transcript } = fold('denied.stream.jsonl');
    expect(transcript.deniedPermissions()).toEqual(['Write /tmp/outside.txt', 'Read /etc/hostname']);
    const statuses = transcript.messages.flatMap((m) => m.parts).filter((p) => p.type === 'tool').map((t) => t.status);
    expect(statuses).toEqual(['completed', 'denied', 'denied', 'completed', 'completed', 'completed']);
  });

  it('reports the API retries and the error result of a refused key; the synthetic error message is no turn', () => {
    const { transcript, seen } = fold('refused.stream.jsonl');
    expect(seen.flatMap((s) => (s.retry ? [s.retry] : []))).toEqual([{ status: 401, error: 'authentication_failed', attempt: 1 }]);
    expect(transcript.turns).toBe(0);
    expect(transcript.result).toMatchObject({ isError: true, apiErrorStatus: 401, text: 'Invalid API key · Fix external API key' });
    expect(transcript.messages.at(-1)).toMatchObject({ role: 'assistant', error: 'authentication_failed' });
  });

  it('without a result (killed at the time limit) sums the last usage of each message; long tool output is cut', () => {
    const transcript = new ClaudeCodeTranscript('p');
    const add = (event: unknown) => {
      const parsed = parseStreamLine(JSON.stringify(event));
      if (parsed) transcript.add(parsed);
    };
    add({ type: 'assistant', message: { id: 'a', content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'cat big' } }], usage: { input_tokens: 10, output_tokens: 1 } } });
    add({ type: 'assistant', message: { id: 'a', content: [], usage: { input_tokens: 10, output_tokens: 7 } } });
    add({ type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'y'.repeat(MAX_TOOL_OUTPUT_CHARS + 10) }] }] } });
    add({ type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 'unknown', content: 'ignored' }] } });
    add({ type: 'assistant', message: { id: 'b', content: [{ type: 'text', text: 'done' }], usage: { input_tokens: 20, output_tokens: 2, cache_read_input_tokens: 5 } } });
    expect(transcript.tokens()).toEqual({ input: 30, output: 9, reasoning: 0, cacheRead: 5, cacheWrite: 0 });
    expect(transcript.turns).toBe(2);
    const tool = transcript.messages[1]?.parts[0];
    expect(tool).toMatchObject({ type: 'tool', status: 'completed', output: expect.stringContaining('[... 10 more characters]') as unknown });
  });
});
