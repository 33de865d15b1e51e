import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transcriptView } from '../../src/report/transcript.js';
import type { AgentTranscript } from '../../src/agents/kind.js';

let runDir: string;
beforeAll(async () => {
  runDir = await mkdtemp(join(tmpdir(), 'tourney-transcript-'));
  await mkdir(join(runDir, 'entrants', 'a'), { recursive: true });
});
afterAll(() => rm(runDir, { recursive: true, force: true }));

async function viewOf(content: unknown) {
  await writeFile(join(runDir, 'entrants', 'a', 'transcript.json'), typeof content === 'string' ? content : JSON.stringify(content));
  return transcriptView(runDir, 'entrants/a/transcript.json');
}

const transcript: AgentTranscript = {
  format: 'tourney-transcript/1',
  agent: 'claude-code',
  model: 'scripted/x',
  prompt: 'the prompt',
  messages: [
    { role: 'user', parts: [{ type: 'text', text: 'the prompt' }] },
    {
      role: 'assistant',
      parts: [
        { type: 'reasoning', text: 'thinking' },
        { type: 'text', text: 'I will edit\u001b[31m <b>now</b>' },
        { type: 'tool', name: 'Edit', input: { file_path: 'src/a.js' }, output: 'x'.repeat(5000), status: 'completed', title: 'src/a.js' },
        { type: 'tool', name: 'Bash', input: { command: 'rm -rf /' }, status: 'denied' },
        { type: 'text', text: '   ' },
      ],
    },
  ],
};

describe('the conversation in the report', () => {
  it('shows the assistant parts in order, tools with input and output, without the prompt or control characters', async () => {
    const view = await viewOf(transcript);
    expect(view).not.toBeNull();
    expect(view!.agent).toBe('claude-code');
    expect(view!.messages).toBe(2);
    expect(view!.toolCalls).toBe(2);
    expect(view!.parts.map((p) => (p.tool ? `tool:${p.tool.name}:${p.tool.status}` : `${p.reasoning ? 'reasoning' : 'text'}:${p.text}`))).toEqual([
      'reasoning:thinking',
      'text:I will edit <b>now</b>',
      'tool:Edit:completed',
      'tool:Bash:denied',
    ]);
    const edit = view!.parts[2]!.tool!;
    expect(edit.input).toContain('"file_path": "src/a.js"');
    expect(edit.output.length).toBeLessThan(2100);
    expect(edit.output).toMatch(/\[… 3000 more characters\]$/);
    expect(view!.parts[3]!.tool!.failed).toBe(true);
    expect(view!.cut).toBe(true);
  });

  it('keeps untrusted roles and statuses out of class names', async () => {
    const hostile = { ...transcript, messages: [{ role: 'x" onclick="y', parts: [{ type: 'tool', name: 'T', input: {}, status: 'ok" onmouseover="z' }] }] };
    const view = await viewOf(hostile);
    expect(view!.parts).toEqual([{ role: 'other', tool: expect.objectContaining({ status: 'unknown' }) }]);
  });

  it('gives nothing (the link stays) for raw or broken transcripts and paths outside the run', async () => {
    expect(await viewOf({ sessionID: 's', messages: [] })).toBeNull();
    expect(await viewOf('{not json')).toBeNull();
    expect(await transcriptView(runDir, '../../etc/passwd')).toBeNull();
    expect(await transcriptView(runDir, null)).toBeNull();
  });
});
