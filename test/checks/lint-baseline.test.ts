import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Log } from 'sarif';
import { runLintCheck } from '../../src/checks/lint.js';
import { classifyAgainstBase, lineFingerprint, type Fingerprinted } from '../../src/checks/lint-baseline.js';
import type { StaticCheckInput } from '../../src/checks/types.js';

const temps: string[] = [];
afterEach(async () => {
  for (const dir of temps.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function trees(base: Record<string, string>, head: Record<string, string>): Promise<StaticCheckInput> {
  const root = await mkdtemp(join(tmpdir(), 'tourney-lint-baseline-'));
  temps.push(root);
  const input = { baseDir: join(root, 'base'), headDir: join(root, 'head'), changedFiles: Object.keys(head), outDir: join(root, 'out'), outRel: 'out' };
  for (const [dir, files] of [[input.baseDir, base], [input.headDir, { ...base, ...head }]] as const) {
    for (const [rel, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, rel)), { recursive: true });
      await writeFile(join(dir, rel), text);
    }
  }
  return input;
}

// One use-isnan error at base.
const OLD = 'export function isBad(x) {\n  return x == NaN;\n}\n';
const CLEAN_BLOCK = Array.from({ length: 10 }, (_, i) => `export const c${i} = ${i};`).join('\n') + '\n';

describe('lint: new problems are matched by identity, not by count or line', () => {
  it('counts 3 new errors when a change fixes one old error and adds three (head 3 - base 1 would say 2)', async () => {
    const head = [
      'export function isBad(x) {',
      '  return Number.isNaN(x);',
      '}',
      'export function check(y) {',
      '  const unused = 1;',
      '  if (y == NaN) return typeof y == "strng";',
      '  return false;',
      '}',
    ].join('\n') + '\n';
    const result = await runLintCheck(await trees({ 'a.js': OLD }, { 'a.js': head }));
    expect(result.base.errors).toBe(1);
    expect(result.head.errors).toBe(3);
    expect(result.newErrors).toBe(3);
    expect(result.messages.map((m) => m.baselineState)).toEqual(['new', 'new', 'new']);
  });

  it('counts nothing new when code only moves down ten lines', async () => {
    const result = await runLintCheck(await trees({ 'a.js': OLD }, { 'a.js': `${CLEAN_BLOCK}${OLD}` }));
    expect(result.messages).toEqual([expect.objectContaining({ line: 12, ruleId: 'use-isnan', baselineState: 'unchanged' })]);
    expect(result.newErrors).toBe(0);
  });

  it('counts nothing new when the old problem is only re-indented', async () => {
    const reindented = `${CLEAN_BLOCK}${OLD.replace('  return', '\t\t  return  ')}`;
    const result = await runLintCheck(await trees({ 'a.js': OLD }, { 'a.js': reindented }));
    expect(result.messages).toEqual([expect.objectContaining({ ruleId: 'use-isnan', baselineState: 'unchanged' })]);
    expect(result.newErrors).toBe(0);
  });

  it('matches as a multiset: two identical base problems cover two head ones, not three', async () => {
    const line = '  if (x == NaN) return 1;\n';
    const body = (n: number) => `export function f(x) {\n${line.repeat(n)}  return 0;\n}\n`;
    const result = await runLintCheck(await trees({ 'a.js': body(2) }, { 'a.js': body(3) }));
    expect(result).toMatchObject({ newErrors: 1 });
    expect(result.messages.map((m) => m.baselineState).sort()).toEqual(['new', 'unchanged', 'unchanged']);
  });

  it('treats the same rule on changed code as new, even when the count stays the same', async () => {
    const result = await runLintCheck(await trees({ 'a.js': OLD }, { 'a.js': OLD.replace('x == NaN', 'x === NaN') }));
    expect(result.base.errors).toBe(result.head.errors);
    expect(result.newErrors).toBe(1);
  });

  it('marks baselineState and a fingerprint on every SARIF result', async () => {
    const head = `${CLEAN_BLOCK}${OLD}export const f = (y) => typeof y == "strng";\n`;
    const input = await trees({ 'a.js': OLD }, { 'a.js': head });
    await runLintCheck(input);
    const log = JSON.parse(await readFile(join(input.outDir, 'lint.sarif'), 'utf8')) as Log;
    const results = log.runs[0]?.results ?? [];
    expect(results.map((r) => [r.ruleId, r.baselineState])).toEqual([['use-isnan', 'unchanged'], ['valid-typeof', 'new']]);
    expect(results.every((r) => /^[0-9a-f]{16}$/.test(r.partialFingerprints?.['tourney/lineText/v1'] ?? ''))).toBe(true);
  });

  it('marks parse errors (SARIF notifications) in their property bag', async () => {
    const input = await trees({ 'a.js': OLD }, { 'a.js': 'export function (\n' });
    const result = await runLintCheck(input);
    expect(result.newErrors).toBe(1);
    const log = JSON.parse(await readFile(join(input.outDir, 'lint.sarif'), 'utf8')) as Log;
    const note = log.runs[0]?.invocations?.[0]?.toolConfigurationNotifications?.[0];
    expect(note?.properties).toMatchObject({ baselineState: 'new' });
  });
});

describe('classifyAgainstBase', () => {
  const p = (file: string, message: string, fingerprint: string, line = 1): Fingerprinted => ({
    problem: { file, ruleId: 'r', severity: 'error', message, line },
    fingerprint,
  });

  it('ignores line numbers but not file, message or line text', () => {
    const base = [p('a.js', 'm', 'x == NaN', 3)];
    expect(classifyAgainstBase(base, [p('a.js', 'm', 'x == NaN', 40)])).toEqual(['unchanged']);
    expect(classifyAgainstBase(base, [p('b.js', 'm', 'x == NaN', 3)])).toEqual(['new']);
    expect(classifyAgainstBase(base, [p('a.js', 'other', 'x == NaN', 3)])).toEqual(['new']);
    expect(classifyAgainstBase(base, [p('a.js', 'm', 'y == NaN', 3)])).toEqual(['new']);
  });

  it('normalises whitespace in the line text', () => {
    expect(lineFingerprint('a\n\t  if (x  ==\tNaN)  \n', 2)).toBe('if (x == NaN)');
    expect(lineFingerprint(null, 2)).toBe('');
    expect(lineFingerprint('a\n', 9)).toBe('');
  });
});
