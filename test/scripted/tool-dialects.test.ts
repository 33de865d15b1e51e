import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerForTurn, findWorkdir } from '../../src/scripted/protocol.js';
import { startScriptedModelServer, type ScriptedModelServer } from '../../src/scripted/server.js';
import { adaptToolCall, shellQuote } from '../../src/scripted/tool-dialects.js';

// Claude Code's tool set as its requests list it (2.1.x with --tools Read,Write,Edit,Bash,Glob,Grep).
const CLAUDE = ['Bash', 'Edit', 'Glob', 'Grep', 'Read', 'DeferredToolPlaceholder', 'Write'];
const OPENCODE = ['bash', 'read', 'edit', 'write', 'glob', 'grep', 'list', 'todowrite'];

describe('adaptToolCall', () => {
  it('maps opencode calls to Claude Code tool and argument names', () => {
    expect(adaptToolCall({ name: 'read', args: { filePath: '/w/a.js', offset: 3 } }, CLAUDE)).toEqual({ name: 'Read', args: { file_path: '/w/a.js', offset: 3 } });
    expect(adaptToolCall({ name: 'write', args: { filePath: '/w/b.js', content: 'x' } }, CLAUDE)).toEqual({ name: 'Write', args: { file_path: '/w/b.js', content: 'x' } });
    expect(adaptToolCall({ name: 'edit', args: { filePath: '/w/a.js', oldString: 'a', newString: 'b', replaceAll: true } }, CLAUDE)).toEqual({
      name: 'Edit',
      args: { file_path: '/w/a.js', old_string: 'a', new_string: 'b', replace_all: true },
    });
    expect(adaptToolCall({ name: 'bash', args: { command: 'ls', description: 'List' } }, CLAUDE)).toEqual({ name: 'Bash', args: { command: 'ls', description: 'List' } });
    expect(adaptToolCall({ name: 'glob', args: { pattern: '**/*.js', path: '/w' } }, CLAUDE)).toEqual({ name: 'Glob', args: { pattern: '**/*.js', path: '/w' } });
    expect(adaptToolCall({ name: 'grep', args: { pattern: 'slug', path: '/w', include: '*.js' } }, CLAUDE)).toEqual({
      name: 'Grep',
      args: { pattern: 'slug', path: '/w', glob: '*.js', output_mode: 'content', '-n': true },
    });
  });

  it('leaves calls alone for a request that offers their own names (opencode) or says nothing of its tools', () => {
    const call = { name: 'edit', args: { filePath: '/w/a.js', oldString: 'a', newString: 'b' } };
    expect(adaptToolCall(call, OPENCODE)).toBe(call);
    expect(adaptToolCall(call, undefined)).toBe(call);
    expect(adaptToolCall(call, ['shell', 'apply_patch'])).toBe(call);
    expect(adaptToolCall({ name: 'webfetch', args: { url: 'x' } }, CLAUDE)).toEqual({ name: 'webfetch', args: { url: 'x' } });
  });

  it('falls back to Bash for list (Claude Code has no LS) and for glob/grep when they are not offered', () => {
    const noSearch = ['Bash', 'Edit', 'Read', 'Write'];
    expect(adaptToolCall({ name: 'list', args: { path: '/w/src' } }, CLAUDE)).toEqual({ name: 'Bash', args: { command: "ls -la '/w/src'", description: 'List files' } });
    expect(adaptToolCall({ name: 'list', args: { path: '/w' } }, [...CLAUDE, 'LS'])).toEqual({ name: 'LS', args: { path: '/w' } });
    expect(adaptToolCall({ name: 'grep', args: { pattern: "it's", path: '/w', include: '*.js' } }, noSearch).args).toEqual({
      command: `grep -rnE --include='*.js' -e 'it'\\''s' '/w'`,
      description: 'Search file contents',
    });
    expect(adaptToolCall({ name: 'glob', args: { pattern: '*.test.js', path: '/w' } }, noSearch).name).toBe('Bash');
  });

  it('quotes for a real shell, whatever the script text holds', () => {
    for (const value of ["a'b", '$(touch /tmp/x)', '`id`', 'a b\nc', '']) {
      expect(execFileSync('sh', ['-c', `printf %s ${shellQuote(value)}`], { encoding: 'utf8' })).toBe(value);
    }
  });
});

describe('Claude Code requests to the scripted model', () => {
  it('finds the work dir in Claude Code\'s environment section and maps the turn\'s calls', () => {
    const messages = [
      { role: 'user', content: [{ type: 'text', text: 'do it' }] },
      { role: 'system', content: '# Environment\n - Primary working directory: /work/repo\n - Is a git repository: true' },
    ];
    expect(findWorkdir(messages)).toBe('/work/repo');
    const answer = answerForTurn({ kind: 'reply', tools: [{ name: 'read', args: { filePath: '{{workdir}}/src/a.js' } }] }, 0, '/work/repo', messages, CLAUDE);
    expect(answer).toMatchObject({ kind: 'reply', toolCalls: [{ name: 'Read', arguments: JSON.stringify({ file_path: '/work/repo/src/a.js' }) }] });
  });

  let dir: string;
  let server: ScriptedModelServer;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tourney-dialects-'));
    await writeFile(path.join(dir, 'cc.yaml'), 'turns:\n  - tools: [{ name: edit, args: { filePath: "{{workdir}}/a.js", oldString: x, newString: y } }]\n  - text: Done.\n');
    server = await startScriptedModelServer({ scriptDirs: [dir] });
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });
  const base = () => server.url.replace(/\/v1$/, '');
  const request = {
    model: 'cc',
    max_tokens: 100,
    tools: CLAUDE.map((name) => ({ name, input_schema: { type: 'object' } })),
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'do it' }] },
      { role: 'system', content: ' - Primary working directory: /work/repo' },
    ],
  };

  it('answers a tool_use block with Claude Code\'s Edit and its argument names', async () => {
    const res = await fetch(`${base()}/v1/messages`, { method: 'POST', body: JSON.stringify(request) });
    const body = (await res.json()) as { content: { type: string; name?: string; input?: unknown }[] };
    expect(body.content).toEqual([{ type: 'tool_use', id: 'toolu_call_0_0', name: 'Edit', input: { file_path: '/work/repo/a.js', old_string: 'x', new_string: 'y' } }]);
  });

  it('answers token counting and HEAD probes without playing a turn', async () => {
    const before = server.requests.length;
    const counted = await fetch(`${base()}/v1/messages/count_tokens`, { method: 'POST', body: JSON.stringify(request) });
    expect(counted.status).toBe(200);
    expect(((await counted.json()) as { input_tokens: number }).input_tokens).toBeGreaterThan(0);
    expect((await fetch(`${base()}/api/hello`, { method: 'HEAD' })).status).toBe(200);
    expect(server.requests.slice(before).map((r) => [r.kind, r.turnIndex])).toEqual([['count-tokens', null]]);
    // The script's first turn is still the first answer.
    const res = await fetch(`${base()}/v1/messages`, { method: 'POST', body: JSON.stringify(request) });
    expect(((await res.json()) as { content: { name?: string }[] }).content[0]?.name).toBe('Edit');
  });
});
