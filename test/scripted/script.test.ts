import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TourneyError } from '../../src/errors.js';
import { listScripts, loadScript, resolveScript } from '../../src/scripted/script.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tourney-script-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, content: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, content);
  return file;
}

async function loadError(name: string, content: string): Promise<TourneyError> {
  const file = await write(name, content);
  const err: unknown = await loadScript(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TourneyError);
  return err as TourneyError;
}

describe('loadScript', () => {
  it('loads the example fixture', async () => {
    const script = await loadScript('test/fixtures/scripts/write-hello.yaml');
    expect(script.name).toBe('write-hello');
    expect(script.path).toBe(path.resolve('test/fixtures/scripts/write-hello.yaml'));
    expect(script.turns.map((t) => t.kind)).toEqual(['reply', 'reply', 'reply']);
    expect(script.turns[0]).toMatchObject({ text: "I'll create hello.txt.", tools: [{ name: 'write' }] });
    expect(script.turns[2]).toEqual({ kind: 'reply', text: 'Done: hello.txt written.', tools: [] });
  });

  it('normalises every turn kind and keeps delays', async () => {
    const file = await write(
      'kinds.yaml',
      [
        'description: all kinds',
        'turns:',
        '  - { delayMs: 5, tools: [{ name: read }] }',
        '  - { error: { status: 429, message: slow down } }',
        '  - { hang: true }',
      ].join('\n'),
    );
    const script = await loadScript(file);
    expect(script.description).toBe('all kinds');
    expect(script.turns).toEqual([
      { kind: 'reply', tools: [{ name: 'read', args: {} }], delayMs: 5 },
      { kind: 'error', status: 429, message: 'slow down' },
      { kind: 'hang' },
    ]);
  });

  it('loads JSON scripts', async () => {
    const file = await write('plain.json', JSON.stringify({ turns: [{ text: 'hi' }] }));
    expect((await loadScript(file)).turns).toEqual([{ kind: 'reply', text: 'hi', tools: [] }]);
  });

  it('reports a wrong type with file and key path', async () => {
    const err = await loadError(
      'wrong-type.yaml',
      'turns:\n  - text: a\n  - text: b\n  - tools:\n      - name: 42\n',
    );
    expect(err.message).toBe(`${path.join(dir, 'wrong-type.yaml')}: turns[2].tools[0].name: expected a string`);
  });

  it('rejects unknown keys and lists the allowed ones', async () => {
    const err = await loadError('unknown.yaml', 'turns:\n  - text: a\n    sleep: 3\n');
    expect(err.message).toBe(
      `${path.join(dir, 'unknown.yaml')}: turns[0]: unknown key "sleep" (expected one of: text, tools, delayMs, error, hang, judge)`,
    );
    const top = await loadError('unknown-top.yaml', 'turns: [{ text: a }]\nname: x\n');
    expect(top.message).toContain('(top level): unknown key "name" (expected one of: description, turns)');
    const tool = await loadError('unknown-tool.yaml', 'turns: [{ tools: [{ name: read, arguments: {} }] }]\n');
    expect(tool.message).toContain('turns[0].tools[0]: unknown key "arguments" (expected one of: name, args)');
  });

  it('reports bad YAML with line and column', async () => {
    const err = await loadError('bad.yaml', 'turns:\n  - text: "unterminated\n');
    expect(err.message).toMatch(new RegExp(`^${escape(path.join(dir, 'bad.yaml'))}: invalid YAML at line \\d+, column \\d+: `));
  });

  it('reports bad JSON', async () => {
    const err = await loadError('bad.json', '{ "turns": [ }');
    expect(err.message).toMatch(/bad\.json: invalid JSON: /);
  });

  it('reports a missing file', async () => {
    const missing = path.join(dir, 'nope.yaml');
    await expect(loadScript(missing)).rejects.toThrow(`${missing}: cannot read script file (ENOENT)`);
  });

  it('requires a mapping with a non-empty turns list', async () => {
    expect((await loadError('empty.yaml', '')).message).toMatch(/empty\.yaml: \(top level\): expected a mapping with a "turns" list$/);
    expect((await loadError('no-turns.yaml', 'description: x\n')).message).toMatch(/no-turns\.yaml: turns: expected an array$/);
    expect((await loadError('zero.yaml', 'turns: []\n')).message).toMatch(/zero\.yaml: turns: expected at least 1 item/);
  });

  it('rejects turns that do nothing or mix kinds', async () => {
    expect((await loadError('nothing.yaml', 'turns: [{ delayMs: 3 }]\n')).message).toMatch(
      /turns\[0\]: expected at least one of text, tools, error, hang or judge$/,
    );
    expect((await loadError('mixed.yaml', 'turns: [{ text: a, hang: true }]\n')).message).toMatch(
      /turns\[0\]: expected only one of text\/tools, error, hang or judge$/,
    );
    expect((await loadError('hang-false.yaml', 'turns: [{ hang: false }]\n')).message).toMatch(/turns\[0\]\.hang: expected true$/);
  });

  it('checks error statuses and delays', async () => {
    expect((await loadError('status.yaml', 'turns: [{ error: { status: 200, message: x } }]\n')).message).toMatch(
      /turns\[0\]\.error\.status: expected a number >= 400$/,
    );
    expect((await loadError('delay.yaml', 'turns: [{ text: a, delayMs: 1.5 }]\n')).message).toMatch(/turns\[0\]\.delayMs: expected an integer$/);
    expect((await loadError('args.yaml', 'turns: [{ tools: [{ name: x, args: [1] }] }]\n')).message).toMatch(
      /turns\[0\]\.tools\[0\]\.args: expected a mapping$/,
    );
  });
});

describe('judge turns', () => {
  it('loads prefer and position judges with their options', async () => {
    const file = await write(
      'judge.yaml',
      [
        'turns:',
        '  - text: I think A is better',
        '  - judge:',
        '      prefer: "normalize(\'NFKD\')"',
        '      rationale: Handles accents as the spec asks.',
        '      confidence: 0.8',
        '  - { judge: { position: B }, delayMs: 10 }',
        '  - { judge: { position: tie } }',
      ].join('\n'),
    );
    expect((await loadScript(file)).turns).toEqual([
      { kind: 'reply', text: 'I think A is better', tools: [] },
      { kind: 'judge', prefer: "normalize('NFKD')", rationale: 'Handles accents as the spec asks.', confidence: 0.8 },
      { kind: 'judge', position: 'B', delayMs: 10 },
      { kind: 'judge', position: 'tie' },
    ]);
  });

  it('rejects bad judge turns with the key path', async () => {
    const cases: [string, RegExp][] = [
      ['turns: [{ judge: {} }]', /turns\[0\]\.judge: expected exactly one of prefer or position$/],
      ['turns: [{ judge: { prefer: x, position: A } }]', /turns\[0\]\.judge: expected exactly one of prefer or position$/],
      ['turns: [{ judge: { position: C } }]', /turns\[0\]\.judge\.position: expected "A" or "B" or "tie"$/],
      ['turns: [{ judge: { prefer: "" } }]', /turns\[0\]\.judge\.prefer: expected a non-empty string$/],
      ['turns: [{ judge: { prefer: x, confidence: 1.5 } }]', /turns\[0\]\.judge\.confidence: expected a number <= 1$/],
      ['turns: [{ judge: { prefer: x, confidence: high } }]', /turns\[0\]\.judge\.confidence: expected a number$/],
      ['turns: [{ judge: { prefer: x, winner: A } }]', /turns\[0\]\.judge: unknown key "winner" \(expected one of: prefer, position, rationale, confidence\)$/],
      ['turns: [{ judge: { position: A }, text: hi }]', /turns\[0\]: expected only one of text\/tools, error, hang or judge$/],
      ['turns: [{ judge: A }]', /turns\[0\]\.judge: expected an object$/],
    ];
    for (const [i, [source, message]] of cases.entries()) {
      expect((await loadError(`bad-judge-${i}.yaml`, `${source}\n`)).message).toMatch(message);
    }
  });
});

describe('resolveScript', () => {
  let a: string;
  let b: string;

  beforeAll(async () => {
    a = await mkdtemp(path.join(os.tmpdir(), 'tourney-dir-a-'));
    b = await mkdtemp(path.join(os.tmpdir(), 'tourney-dir-b-'));
    await writeFile(path.join(a, 'shared.yaml'), 'turns: [{ text: a }]\n');
    await writeFile(path.join(b, 'shared.yml'), 'turns: [{ text: b }]\n');
    await writeFile(path.join(b, 'only-b.json'), '{"turns":[{"text":"b"}]}');
    await writeFile(path.join(b, 'notes.txt'), 'not a script');
  });
  afterAll(async () => {
    await rm(a, { recursive: true, force: true });
    await rm(b, { recursive: true, force: true });
  });

  it('finds scripts in order, first directory wins', async () => {
    expect(await resolveScript('shared', [a, b])).toBe(path.join(a, 'shared.yaml'));
    expect(await resolveScript('shared', [b, a])).toBe(path.join(b, 'shared.yml'));
    expect(await resolveScript('only-b', [a, b])).toBe(path.join(b, 'only-b.json'));
    expect(await resolveScript('only-b', [path.join(a, 'missing-dir'), b])).toBe(path.join(b, 'only-b.json'));
  });

  it('names the directories searched and the scripts available', async () => {
    await expect(resolveScript('ghost', [a, b])).rejects.toThrow(
      `scripted model "ghost" not found; searched: ${a}, ${b}; available: only-b, shared`,
    );
  });

  it('does not let a model name escape the script directories', async () => {
    const inner = path.join(a, 'inner');
    await expect(resolveScript('../shared', [inner, b])).rejects.toThrow(/not found/);
    await expect(resolveScript('sub/shared', [a])).rejects.toThrow(/not found/);
  });

  it('lists script names without extensions', async () => {
    expect(await listScripts([a, b])).toEqual(['only-b', 'shared']);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
