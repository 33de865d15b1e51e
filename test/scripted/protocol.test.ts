import { describe, expect, it } from 'vitest';
import {
  answerForTurn,
  findWorkdir,
  requestPurpose,
  substituteWorkdir,
  turnIndex,
  usageFor,
  type ChatMessage,
} from '../../src/scripted/protocol.js';

const system: ChatMessage = { role: 'system', content: 'You are opencode.\n<env>\n  Working directory: /tmp/work dir\n  Platform: linux\n</env>' };
const user: ChatMessage = { role: 'user', content: 'Do it' };
const assistant: ChatMessage = { role: 'assistant', content: '', tool_calls: [{ function: { name: 'read', arguments: '{}' } }] };
const tool: ChatMessage = { role: 'tool', content: 'file contents' };

describe('turnIndex', () => {
  it('counts assistant messages after the first user message', () => {
    expect(turnIndex([system, user])).toBe(0);
    expect(turnIndex([system, user, assistant, tool])).toBe(1);
    expect(turnIndex([system, user, assistant, tool, assistant, tool, { role: 'user', content: 'more' }, assistant])).toBe(3);
  });

  it('ignores assistant messages before the first user message', () => {
    expect(turnIndex([system, assistant, user])).toBe(0);
    expect(turnIndex([system])).toBe(0);
  });
});

describe('findWorkdir', () => {
  it('reads the Working directory line of the system prompt', () => {
    expect(findWorkdir([system, user])).toBe('/tmp/work dir');
    expect(findWorkdir([{ role: 'system', content: [{ type: 'text', text: 'Working directory: /x' }] }])).toBe('/x');
  });

  it('ignores user messages and missing lines', () => {
    expect(findWorkdir([{ role: 'user', content: 'Working directory: /evil' }])).toBeUndefined();
    expect(findWorkdir([{ role: 'system', content: 'nothing here' }])).toBeUndefined();
  });
});

describe('substituteWorkdir', () => {
  it('replaces every placeholder in nested strings only', () => {
    const args = { filePath: '{{workdir}}/a.js', list: ['{{workdir}}', 3, { deep: 'x {{workdir}} {{workdir}}' }], n: 1, b: true, z: null };
    expect(substituteWorkdir(args, '/w')).toEqual({ filePath: '/w/a.js', list: ['/w', 3, { deep: 'x /w /w' }], n: 1, b: true, z: null });
  });

  it('leaves placeholders when the working directory is unknown', () => {
    expect(substituteWorkdir({ p: '{{workdir}}/a' }, undefined)).toEqual({ p: '{{workdir}}/a' });
  });
});

describe('requestPurpose', () => {
  it('spots title and summary requests by model or system prompt', () => {
    expect(requestPurpose({ model: '_title', messages: [user] })).toBe('title');
    const titleSystem = { role: 'system', content: 'You are a title generator. You output ONLY a thread title.' };
    expect(requestPurpose({ model: 'demo', messages: [titleSystem, user] })).toBe('title');
    const compaction = { role: 'system', content: 'You are a context summarization agent. You are given...' };
    expect(requestPurpose({ model: 'demo', messages: [compaction, user] })).toBe('summary');
    expect(requestPurpose({ model: 'demo', messages: [system, user] })).toBe('script');
  });
});

describe('answerForTurn and usageFor', () => {
  it('fills in the working directory and numbers tool calls by turn', () => {
    const answer = answerForTurn({ kind: 'reply', text: 'in {{workdir}}', tools: [{ name: 'write', args: { filePath: '{{workdir}}/f' } }] }, 4, '/w');
    expect(answer).toEqual({ kind: 'reply', text: 'in /w', toolCalls: [{ id: 'call_4_0', name: 'write', arguments: '{"filePath":"/w/f"}' }] });
  });

  it('counts a quarter of the characters, rounded up', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'abcde' },
      { role: 'user', content: [{ type: 'text', text: 'fgh' }] },
    ];
    const usage = usageFor(messages, { kind: 'reply', text: 'xy', toolCalls: [{ id: 'c', name: 'read', arguments: '{}' }] });
    // prompt: 8 chars -> 2; output: 2 + 4 + 2 = 8 chars -> 2
    expect(usage).toEqual({ prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 });
    expect(usageFor([{ role: 'user', content: 'a' }], { kind: 'reply', text: 'b', toolCalls: [] })).toEqual({
      prompt_tokens: 1,
      completion_tokens: 1,
      total_tokens: 2,
    });
  });
});
