import { describe, expect, it } from 'vitest';
import { COMMAND_PLACEHOLDERS, expandCommand, parseCommand, splitCommand } from '../../src/agents/command-template.js';
import { CappedLog } from '../../src/agents/command-kind.js';

const values = { promptFile: '/tmp/p.md', workdir: '/work/repo', model: 'scripted/x', modelId: 'x', baseUrl: 'http://h:1/v1' };

describe('command template', () => {
  it('splits words like a shell, with quotes and escapes but no expansion', () => {
    expect(splitCommand(`my-agent --prompt-file {promptFile}  --model={model}`)).toEqual(['my-agent', '--prompt-file', '{promptFile}', '--model={model}']);
    expect(splitCommand(`a 'b c' "d e" f\\ g '' "$HOME" \`x\` ;|&`)).toEqual(['a', 'b c', 'd e', 'f g', '', '$HOME', '`x`', ';|&']);
    expect(splitCommand(`"it's" 'say "hi"' "a\\"b"`)).toEqual(["it's", 'say "hi"', 'a"b']);
  });

  it('refuses unclosed quotes, a trailing backslash, an empty command, unknown or unbalanced placeholders', () => {
    expect(parseCommand(`x 'y`)).toEqual({ problems: ["the command has an unclosed ' quote"] });
    expect(parseCommand('x \\')).toEqual({ problems: ['the command ends with a lone "\\"'] });
    expect(parseCommand('   ')).toEqual({ problems: ['expected a command to run, e.g. "my-agent --prompt-file {promptFile}"'] });
    expect(parseCommand([])).toEqual({ problems: ['expected a command to run, e.g. "my-agent --prompt-file {promptFile}"'] });
    const unknown = parseCommand('x {prompt} {promptFile}');
    expect('problems' in unknown && unknown.problems).toEqual([expect.stringMatching(/^unknown placeholder \{prompt\}: expected one of \{promptFile\}/)]);
    expect(parseCommand('x {promptFile')).toEqual({ problems: ['unbalanced "{" or "}" in "{promptFile"'] });
    expect(parseCommand('{model} run')).toEqual({ problems: ['expected a program name as the first word, not a placeholder ("{model}")'] });
  });

  it('fills placeholders inside words, and a value never becomes more than one word', () => {
    const parsed = parseCommand(['node', '/opt/agent.js', '--prompt={promptFile}', '{model}', '{modelId}@{baseUrl}', '{workdir}']);
    expect('argv' in parsed).toBe(true);
    if (!('argv' in parsed)) return;
    expect(expandCommand(parsed.argv, values)).toEqual(['node', '/opt/agent.js', '--prompt=/tmp/p.md', 'scripted/x', 'x@http://h:1/v1', '/work/repo']);
    expect(expandCommand(['a', '{model}'], { ...values, model: 'p/m; rm -rf / $(x)' })).toEqual(['a', 'p/m; rm -rf / $(x)']);
    expect(Object.keys(COMMAND_PLACEHOLDERS).sort()).toEqual(['baseUrl', 'model', 'modelId', 'promptFile', 'workdir']);
  });
});

describe('CappedLog', () => {
  it('keeps the head and the tail within its budget and says how many lines it left out', () => {
    const log = new CappedLog(100);
    for (let i = 0; i < 100; i++) log.add(`line ${i}`);
    const text = log.text();
    expect(log.truncated).toBe(true);
    expect(Buffer.byteLength(text)).toBeLessThan(140);
    expect(text.startsWith('line 0\nline 1\n')).toBe(true);
    expect(text.endsWith('line 99')).toBe(true);
    expect(text).toMatch(/\[\.\.\. \d+ line\(s\) left out \.\.\.\]/);
    const small = new CappedLog(100);
    small.add('a');
    small.add('b');
    expect([small.text(), small.truncated]).toEqual(['a\nb', false]);
  });
});
