import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TourneyError } from '../../src/errors.js';
import { loadSpec } from '../../src/spec/load.js';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'tourney-spec-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

async function spec(text: string, name = 'feature.md'): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

async function specError(text: string): Promise<{ file: string; message: string }> {
  const file = await spec(text);
  const err = await loadSpec(file).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(TourneyError);
  const message = (err as TourneyError).message;
  expect(message.startsWith(`${file}: `)).toBe(true);
  return { file, message };
}

const BRIEF = `---
title: Add slugify
test: npm test
setup: npm ci
timeLimit: 10m
---
# Slugify helper

Intro text.

## Outcome
A \`slugify()\` export.

### Detail
kept inside outcome

## Acceptance Criteria

- lower-cases
- strips accents

\`\`\`sh
# not a heading
npm test
\`\`\`

## Non-goals ##
Unicode normalisation beyond NFD.
`;

describe('loadSpec', () => {
  it('reads front matter fields, body and sections', async () => {
    const file = await spec(BRIEF);
    const s = await loadSpec(file);
    expect(s).toMatchObject({ path: file, title: 'Add slugify', test: 'npm test', setup: 'npm ci', timeLimitSec: 600 });
    expect(s.body.startsWith('# Slugify helper')).toBe(true);
    expect(Object.keys(s.sections)).toEqual(['slugify helper', 'outcome', 'acceptance criteria', 'non-goals']);
    expect(s.sections['slugify helper']).toBe('Intro text.');
    expect(s.sections.outcome).toBe('A `slugify()` export.\n\n### Detail\nkept inside outcome');
    expect(s.sections['acceptance criteria']).toContain('# not a heading');
    expect(s.sections['non-goals']).toBe('Unicode normalisation beyond NFD.');
  });

  it('resolves a relative path to an absolute one', async () => {
    await spec('---\ntest: npm test\n---\n');
    const rel = path.relative(process.cwd(), path.join(dir, 'feature.md'));
    expect((await loadSpec(rel)).path).toBe(path.join(dir, 'feature.md'));
  });

  it('takes the title from the first # heading, else the file name', async () => {
    expect((await loadSpec(await spec('---\ntest: t\n---\n## Outcome\nx\n# Real title\n'))).title).toBe('Real title');
    const s = await loadSpec(await spec('---\ntest: t\n---\n## Outcome\nx\n', 'add-flag.md'));
    expect(s.title).toBe('add-flag');
    expect(s.setup).toBeUndefined();
    expect(s.timeLimitSec).toBeUndefined();
  });

  it('accepts CRLF line endings and a byte order mark', async () => {
    const s = await loadSpec(await spec('\uFEFF---\r\ntest: npm test\r\n---\r\n# T\r\n## Outcome\r\nDone.\r\n'));
    expect(s).toMatchObject({ title: 'T', test: 'npm test', sections: { t: '', outcome: 'Done.' } });
  });

  it.each([
    [90, 90], ['90', 90], ['90s', 90], ['10m', 600], ['1h', 3600], ['1h30m', 5400], ['1.5m', 90],
  ])('parses timeLimit %j as %d seconds', async (value, seconds) => {
    const s = await loadSpec(await spec(`---\ntest: t\ntimeLimit: ${JSON.stringify(value)}\n---\n`));
    expect(s.timeLimitSec).toBe(seconds);
  });

  it('merges repeated headings instead of dropping one', async () => {
    const s = await loadSpec(await spec('---\ntest: t\n---\n## Notes\na\n## Other\n## notes\nb\n'));
    expect(s.sections).toEqual({ notes: 'a\n\nb', other: '' });
  });
});

describe('loadSpec errors', () => {
  it('reports a missing file', async () => {
    const file = path.join(dir, 'feature.md');
    await expect(loadSpec(file)).rejects.toThrow(`${file}: no such file`);
    await expect(loadSpec('feature.md')).rejects.toThrow(/^feature\.md: no such file \(the spec file\)$/);
  });

  it('reports a directory', async () => {
    await mkdir(path.join(dir, 'spec.md'));
    await expect(loadSpec(path.join(dir, 'spec.md'))).rejects.toThrow(/spec\.md: is a directory, expected the spec file \(a regular file\)/);
  });

  it('refuses a FIFO at once instead of waiting for a writer', async () => {
    const fifo = path.join(dir, 'pipe.md');
    await execa('mkfifo', [fifo]);
    await expect(loadSpec(fifo)).rejects.toThrow(/pipe\.md: is a named pipe \(FIFO\), expected the spec file \(a regular file\)$/);
  });

  it('refuses a spec over 1 MB before reading it into a prompt', async () => {
    const big = path.join(dir, 'big.md');
    await writeFile(big, `---\ntest: npm test\n---\n${'x'.repeat(3 * 1024 * 1024)}`);
    await expect(loadSpec(big)).rejects.toThrow(/big\.md: is 3\.0 MB, more than the 1\.0 MB a spec file may be$/);
  });

  it('refuses a YAML alias bomb with a message, not a stack', async () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [prev, name] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f']]) levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    const { message } = await specError(`---\ntest: npm test\n${levels.join('\n')}\n---\nbody\n`);
    expect(message).toMatch(/front matter is not valid YAML in the document: aliases \(\*name\) expand to too many nodes/);
  });

  it('finds a duplicate key deep in the front matter, in linear time', async () => {
    const { message } = await specError('---\ntest: npm test\nhidden:\n  files: a\n  test: x\n  files: b\n---\n');
    expect(message).toMatch(/not valid YAML at line 6, column 3: Map keys must be unique$/);
  });

  it('reports an empty file', async () => {
    const { message } = await specError('  \n\n');
    expect(message).toMatch(/is empty/);
    expect(message).toContain('test: npm test');
  });

  it('reports a missing front matter block with an example', async () => {
    const { message } = await specError('# Title\n\ntest: npm test\n');
    expect(message).toMatch(/no front matter; the spec must start with a YAML block between two "---" lines/);
    expect(message).toContain('---\ntitle: Add a --version flag\ntest: npm test');
  });

  it('refuses non-YAML front matter languages', async () => {
    const { message } = await specError('---js\n{ test: "npm test" }\n---\n');
    expect(message).toMatch(/no front matter/);
  });

  it('reports unclosed front matter', async () => {
    const { message } = await specError('---\ntest: npm test\n# Title\n');
    expect(message).toMatch(/front matter opened with "---" on line 1 is never closed/);
  });

  it('reports bad YAML with its line in the file', async () => {
    const { message } = await specError('---\ntitle: x\ntest: [oops\nsetup: y\n---\nbody\n');
    expect(message).toMatch(/front matter is not valid YAML at line 4, column 1: Flow sequence/);
    const dup = await specError('---\ntest: a\ntest: b\n---\n');
    expect(dup.message).toMatch(/not valid YAML at line 3, column 1: Map keys must be unique$/);
  });

  it.each([
    ['- a\n- b', 'a list'],
    ['just words', '"just words"'],
    ['42', '42'],
  ])('reports front matter that is not a mapping (%j)', async (yaml, got) => {
    const { message } = await specError(`---\n${yaml}\n---\n`);
    expect(message).toMatch(/front matter must be a mapping of keys to values/);
    expect(message).toContain(`got ${got}`);
  });

  it('reports a missing test command, also for empty front matter', async () => {
    for (const fm of ['title: x\n', '']) {
      const { message } = await specError(`---\n${fm}---\n`);
      expect(message).toMatch(/front matter key "test" is missing: expected the test command the referee runs, as a string, e.g. "npm test"/);
    }
  });

  it('reports unknown keys and lists the allowed ones', async () => {
    const { message } = await specError('---\ntest: t\ntimelimit: 5m\nowner: me\n---\n');
    expect(message).toContain('unknown front matter key "timelimit" (did you mean "timeLimit"?); allowed keys: title, test, setup, setupKey, build, timeLimit, hidden, bench, scope');
    expect(message).toContain('unknown front matter key "owner"; allowed keys: title, test, setup, setupKey, build, timeLimit, hidden, bench, scope');
  });

  it.each([
    ['test: 42', 'front matter key "test": expected the test command the referee runs, as a string, e.g. "npm test", got 42 (a number)'],
    ['test: ""', 'front matter key "test": expected the test command the referee runs, e.g. "npm test", got ""'],
    ['test: t\ntitle: [a]', 'front matter key "title": expected a string, got a list'],
    ['test: t\nsetup: true', 'front matter key "setup": expected a string, got true (a boolean)'],
    ['test: t\nsetup:', 'front matter key "setup": expected a string, got an empty value'],
  ])('reports wrong types (%j)', async (fm, expected) => {
    const { file, message } = await specError(`---\n${fm}\n---\n`);
    expect(message).toBe(`${file}: ${expected}`);
  });

  it.each([['"soon"'], ['0'], ['-5'], ['"10 minutes"'], ['"m"'], ['{ m: 1 }']])('reports a bad timeLimit %s', async (value) => {
    const { file, message } = await specError(`---\ntest: t\ntimeLimit: ${value}\n---\n`);
    expect(message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: front matter key "timeLimit": expected a positive number of seconds or a duration like "10m", at most 7 days \\(168h\\), got `));
  });

  it('reports the spec example message exactly', async () => {
    const { file, message } = await specError('---\ntest: t\ntimeLimit: soon\n---\n');
    expect(message).toBe(`${file}: front matter key "timeLimit": expected a positive number of seconds or a duration like "10m", at most 7 days (168h), got "soon"`);
  });
});
