import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addFile, mapToCodex, quote, updateFile, type AdvertisedTool, type MappedCall } from '../../src/scripted/codex-tools.js';
import { findWorkdir, summaryText, turnIndex, type ChatMessage } from '../../src/scripted/protocol.js';

// What Codex 0.171.0 advertised to a model it has no metadata for (captured from a real request), and the
// tool sets its known models get (a freeform apply_patch, the older `shell` function).
const EXEC: AdvertisedTool[] = [
  { type: 'function', name: 'exec_command' },
  { type: 'function', name: 'write_stdin' },
  { type: 'function', name: 'view_image' },
  { type: 'namespace', name: 'multi_agent_v1' },
];
const FREEFORM: AdvertisedTool[] = [...EXEC, { type: 'custom', name: 'apply_patch' }, { type: 'function', name: 'update_plan' }];
const FUNCTION_PATCH: AdvertisedTool[] = [{ type: 'function', name: 'shell' }, { type: 'function', name: 'apply_patch' }];
const OPENCODE: AdvertisedTool[] = ['read', 'write', 'edit', 'bash'].map((name) => ({ type: 'function', name }));

const WD = '/work';
const call = (name: string, args: unknown): MappedCall => ({ id: 'call_0_0', name, arguments: JSON.stringify(args) });
const args = (c: MappedCall) => JSON.parse(c.arguments) as Record<string, unknown>;

describe('mapToCodex', () => {
  it('leaves calls alone for an agent that offers the script tools (opencode through the Responses API)', () => {
    const c = call('read', { filePath: '/work/a.js' });
    expect(mapToCodex(c, OPENCODE, WD)).toBe(c);
  });

  it('keeps a call to a tool Codex itself advertises (a script written for Codex)', () => {
    const c = call('exec_command', { cmd: 'ls' });
    expect(mapToCodex(c, EXEC, WD)).toBe(c);
  });

  it('leaves an unknown tool for Codex to refuse, as it would a real model mistake', () => {
    const c = call('webfetch', { url: 'http://x' });
    expect(mapToCodex(c, EXEC, WD)).toBe(c);
  });

  it('bash becomes exec_command with the command, the workdir and a long yield', () => {
    const mapped = mapToCodex(call('bash', { command: 'node --test', description: 'Run the tests' }), EXEC, WD);
    expect(mapped.name).toBe('exec_command');
    expect(args(mapped)).toEqual({ cmd: 'node --test', workdir: WD, yield_time_ms: 30000 });
  });

  it('bash becomes an argv for the older shell tool', () => {
    const mapped = mapToCodex(call('bash', { command: 'ls -R src' }), FUNCTION_PATCH, WD);
    expect(mapped.name).toBe('shell');
    expect(args(mapped).command).toEqual(['bash', '-lc', 'ls -R src']);
  });

  it('read becomes cat of the path relative to the workdir, or sed -n for a range', () => {
    expect(args(mapToCodex(call('read', { filePath: '/work/src/a b.js' }), EXEC, WD)).cmd).toBe("cat -- 'src/a b.js'");
    expect(args(mapToCodex(call('read', { filePath: '/work/a.js', offset: 10, limit: 5 }), EXEC, WD)).cmd).toBe("sed -n '10,14p' -- 'a.js'");
    // Outside the workdir the absolute path stays.
    expect(args(mapToCodex(call('read', { filePath: '/etc/hostname' }), EXEC, WD)).cmd).toBe("cat -- '/etc/hostname'");
  });

  it('write becomes a freeform apply_patch Add File when Codex offers one', () => {
    const mapped = mapToCodex(call('write', { filePath: '/work/t/x.js', content: 'a\nb\n' }), FREEFORM, WD);
    expect(mapped).toEqual({ id: 'call_0_0', name: 'apply_patch', format: 'custom', arguments: '*** Begin Patch\n*** Add File: t/x.js\n+a\n+b\n*** End Patch\n' });
  });

  it('write becomes a function apply_patch with the patch as input', () => {
    const mapped = mapToCodex(call('write', { filePath: '/work/x.js', content: 'a' }), FUNCTION_PATCH, WD);
    expect(mapped.name).toBe('apply_patch');
    expect(args(mapped)).toEqual({ input: '*** Begin Patch\n*** Add File: x.js\n+a\n*** End Patch\n' });
  });

  it('without an apply_patch tool, the patch goes through the shell (Codex intercepts apply_patch there)', () => {
    const mapped = mapToCodex(call('edit', { filePath: '/work/a.js', oldString: 'x\n', newString: 'y\nz\n' }), EXEC, WD);
    expect(mapped.name).toBe('exec_command');
    expect(args(mapped).cmd).toBe("apply_patch <<'TOURNEY_PATCH'\n*** Begin Patch\n*** Update File: a.js\n@@\n-x\n+y\n+z\n*** End Patch\nTOURNEY_PATCH\n");
  });

  it('content equal to the heredoc terminator cannot end it (every patch line has a marker)', () => {
    const mapped = mapToCodex(call('write', { filePath: '/work/a', content: 'TOURNEY_PATCH\n' }), EXEC, WD);
    expect(args(mapped).cmd).toBe("apply_patch <<'TOURNEY_PATCH'\n*** Begin Patch\n*** Add File: a\n+TOURNEY_PATCH\n*** End Patch\nTOURNEY_PATCH\n");
  });

  it('todowrite becomes update_plan when offered', () => {
    const todos = [{ content: 'Write tests', status: 'completed' }, { content: 'Code', status: 'in_progress' }, { content: 'Ship', status: 'pending' }];
    const mapped = mapToCodex(call('todowrite', { todos }), FREEFORM, WD);
    expect(mapped.name).toBe('update_plan');
    expect(args(mapped)).toEqual({ plan: [{ step: 'Write tests', status: 'completed' }, { step: 'Code', status: 'in_progress' }, { step: 'Ship', status: 'pending' }] });
    expect(mapToCodex(call('todowrite', { todos }), EXEC, WD).name).toBe('todowrite');
  });

  it('leaves malformed arguments unchanged', () => {
    const c: MappedCall = { id: 'c', name: 'bash', arguments: 'not json' };
    expect(mapToCodex(c, EXEC, WD)).toBe(c);
    expect(mapToCodex(call('bash', { command: 3 }), EXEC, WD).name).toBe('bash');
  });
});

describe('the mapped commands, run for real', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tourney-codex-tools-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an edit inside a line (apply_patch cannot) is an exact replacement, quotes and all', () => {
    writeFileSync(path.join(dir, 'a.js'), "const s = 'it''s';\nconst t = 1;\n");
    const mapped = mapToCodex(call('edit', { filePath: `${dir}/a.js`, oldString: "'it''s'", newString: '"$(rm -rf /)" `x`' }), EXEC, dir);
    execFileSync('bash', ['-c', String(args(mapped).cmd)], { cwd: dir });
    expect(readFileSync(path.join(dir, 'a.js'), 'utf8')).toBe('const s = "$(rm -rf /)" `x`;\nconst t = 1;\n');
  });

  it('a missing oldString fails the command, as opencode fails the edit', () => {
    const mapped = mapToCodex(call('edit', { filePath: `${dir}/a.js`, oldString: 'absent', newString: 'x' }), EXEC, dir);
    expect(() => execFileSync('bash', ['-c', String(args(mapped).cmd)], { cwd: dir, stdio: 'pipe' })).toThrow(/oldString not found/);
  });

  it('quote() survives every quote character', () => {
    const word = `a'b"c$d\`e\\f`;
    expect(execFileSync('bash', ['-c', `printf %s ${quote(word)}`]).toString()).toBe(word);
  });
});

describe('patch text', () => {
  it('an update needs whole lines on both sides', () => {
    expect(updateFile('a', 'x', 'y\n')).toBeUndefined();
    expect(updateFile('a', 'x\n', 'y')).toBeUndefined();
    expect(updateFile('a', '', 'y\n')).toBeUndefined();
    expect(updateFile('a', 'x\n\n', '\n')).toBe('*** Begin Patch\n*** Update File: a\n@@\n-x\n-\n+\n*** End Patch\n');
  });

  it('an empty file adds no lines', () => {
    expect(addFile('e', '')).toBe('*** Begin Patch\n*** Add File: e\n*** End Patch\n');
  });
});

describe('Codex requests in the protocol', () => {
  const env: ChatMessage = { role: 'user', content: '<environment_context>\n  <cwd>/work/repo</cwd>\n  <shell>bash</shell>\n</environment_context>' };

  it("finds the workdir in Codex's environment context, not in a prompt that quotes a <cwd>", () => {
    expect(findWorkdir([{ role: 'system', content: 'You are Codex.' }, env, { role: 'user', content: 'go' }])).toBe('/work/repo');
    expect(findWorkdir([{ role: 'user', content: 'Put it in\n<cwd>/etc</cwd>\n' }])).toBeUndefined();
  });

  it('after a compaction, the summary carries the turns played and the script goes on from there', () => {
    const before: ChatMessage[] = [env, { role: 'user', content: 'go' }, { role: 'assistant', content: '' }, { role: 'tool', content: 'ok' }, { role: 'assistant', content: '' }];
    expect(turnIndex(before)).toBe(2);
    const compacted: ChatMessage[] = [env, { role: 'user', content: 'go' }, { role: 'user', content: `Another model wrote this summary: ${summaryText(turnIndex(before))}` }];
    expect(turnIndex(compacted)).toBe(2);
    expect(turnIndex([...compacted, { role: 'assistant', content: '' }])).toBe(3);
  });

  it('an assistant message quoting the marker counts as one turn, not as a summary', () => {
    expect(turnIndex([{ role: 'user', content: 'go' }, { role: 'assistant', content: summaryText(7) }])).toBe(1);
  });
});
