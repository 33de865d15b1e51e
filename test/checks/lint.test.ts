import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Log } from 'sarif';
import { runLintCheck } from '../../src/checks/lint.js';
import type { StaticCheckInput } from '../../src/checks/types.js';

const temps: string[] = [];
afterEach(async () => {
  for (const dir of temps.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function writeTree(root: string, files: Record<string, string>) {
  await mkdir(root, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), text);
  }
}

/** base = `base`; head = base + `change`; changedFiles = the keys of `change`. */
async function trees(base: Record<string, string>, change: Record<string, string>): Promise<StaticCheckInput> {
  const root = await mkdtemp(join(tmpdir(), 'tourney-lint-'));
  temps.push(root);
  const input = { baseDir: join(root, 'base'), headDir: join(root, 'head'), changedFiles: Object.keys(change), outDir: join(root, 'run', 'checks', 'a'), outRel: 'checks/a' };
  await writeTree(input.baseDir, base);
  await writeTree(input.headDir, { ...base, ...change });
  return input;
}

const CLEAN = 'export function add(a, b) {\n  return a + b;\n}\n';
const MESSY = 'export function check(x) {\n  const unused = 1;\n  if (x == NaN) return typeof x == "strng";\n  return false;\n}\n';

describe('runLintCheck', () => {
  it('reports no new problems for a clean change', async () => {
    const input = await trees({ 'src/add.js': CLEAN }, { 'src/add.js': CLEAN.replace('a + b', 'b + a'), 'src/new.mjs': CLEAN, 'node_modules/p/i.cjs': 'module.exports = require("x");\n' });
    const result = await runLintCheck(input);
    expect(result).toMatchObject({ ran: true, config: 'built-in', filesLinted: 3, newErrors: 0, newWarnings: 0, messages: [] });
    expect(result.error).toBeUndefined();
  });

  it('counts new problems with repo-relative paths', async () => {
    const input = await trees({ 'src/add.js': CLEAN }, { 'src/add.js': MESSY });
    const result = await runLintCheck(input);
    expect(result.base).toEqual({ errors: 0, warnings: 0 });
    expect(result.newErrors).toBe(3);
    expect(result.messages.map((m) => [m.file, m.line, m.ruleId, m.severity])).toEqual([
      ['src/add.js', 2, 'no-unused-vars', 'error'],
      ['src/add.js', 3, 'use-isnan', 'error'],
      ['src/add.js', 3, 'valid-typeof', 'error'],
    ]);
  });

  it('ignores eslint-disable comments added by the entrant', async () => {
    const input = await trees({ 'a.js': CLEAN }, { 'a.js': `/* eslint-disable */\n// eslint-disable-next-line\n${MESSY}` });
    const result = await runLintCheck(input);
    expect(result.newErrors).toBe(3);
    expect(result.newWarnings).toBe(0);
  });

  it('does not hold problems already present at base against the entrant', async () => {
    const input = await trees({ 'a.js': MESSY }, { 'a.js': `${MESSY}// a comment\n` });
    const result = await runLintCheck(input);
    expect(result.base.errors).toBe(3);
    expect(result.head.errors).toBe(3);
    expect(result).toMatchObject({ newErrors: 0, newWarnings: 0 });
    expect(result.messages).toHaveLength(3);
  });

  it('counts a parse error as an error', async () => {
    const input = await trees({ 'a.js': CLEAN }, { 'a.js': 'export function (\n' });
    const result = await runLintCheck(input);
    expect(result.newErrors).toBe(1);
    expect(result.messages[0]).toMatchObject({ file: 'a.js', ruleId: null, severity: 'error' });
    expect(result.messages[0]?.message).toMatch(/Parsing error/);
  });

  it('lints TypeScript with the typescript-eslint parser and rules', async () => {
    const ts = 'export function f(x: any): number {\n  const y: number = 1;\n  return x as number;\n}\n';
    const input = await trees({}, { 'src/f.ts': ts, 'src/g.tsx': 'export const G = (p: { n: number }) => <div>{p.n}</div>;\n', 'src/h.jsx': 'export const H = () => <p />;\n' });
    const result = await runLintCheck(input);
    expect(result.filesLinted).toBe(3);
    expect(result.messages.map((m) => m.ruleId).sort()).toEqual(['@typescript-eslint/no-explicit-any', '@typescript-eslint/no-unused-vars']);
    expect(result.messages.every((m) => m.file === 'src/f.ts')).toBe(true);
  });

  it("uses the repository's base config, not the entrant's edit of it", async () => {
    const config = "export default [{ rules: { 'no-console': 'error' } }];\n";
    const input = await trees(
      { 'eslint.config.js': config, 'a.js': CLEAN },
      {
        'a.js': `${CLEAN}console.log(1);\n`,
        // Would turn the rule off and leave a marker if it ever ran.
        'eslint.config.js': "import { writeFileSync } from 'node:fs';\nwriteFileSync(new URL('./RAN', import.meta.url), '');\nexport default [{ rules: { 'no-console': 'off' } }];\n",
      },
    );
    const result = await runLintCheck(input);
    expect(result.config).toBe('repository');
    expect(result.messages).toEqual([expect.objectContaining({ file: 'a.js', line: 4, ruleId: 'no-console', severity: 'error' })]);
    expect(result.newErrors).toBe(1);
    expect(existsSync(join(input.headDir, 'RAN'))).toBe(false);
  });

  it("resolves the repository config's file patterns against each tree's root", async () => {
    const config = "export default [{ files: ['src/**/*.js'], rules: { 'no-console': 'error' } }];\n";
    const input = await trees({ 'eslint.config.js': config }, { 'src/a.js': 'console.log(1);\n', 'lib/b.js': 'console.log(2);\n' });
    const result = await runLintCheck(input);
    expect(result).toMatchObject({ config: 'repository', filesLinted: 2, newErrors: 1 });
    expect(result.messages).toEqual([expect.objectContaining({ file: 'src/a.js', ruleId: 'no-console' })]);
  });

  it("never loads a config the entrant adds when the base has none", async () => {
    const input = await trees(
      { 'a.js': CLEAN },
      { 'a.js': MESSY, 'eslint.config.mjs': "import { writeFileSync } from 'node:fs';\nwriteFileSync(new URL('./RAN', import.meta.url), '');\nexport default [];\n" },
    );
    const result = await runLintCheck(input);
    expect(result.config).toBe('built-in');
    expect(result.newErrors).toBe(3);
    expect(existsSync(join(input.headDir, 'RAN'))).toBe(false);
  });

  it('falls back to the built-in config when the repository config cannot load', async () => {
    const config = "import plugin from 'eslint-plugin-not-installed-anywhere';\nexport default [plugin.configs.recommended];\n";
    const input = await trees({ 'eslint.config.js': config, 'a.js': CLEAN }, { 'a.js': MESSY });
    const result = await runLintCheck(input);
    expect(result).toMatchObject({ ran: true, config: 'built-in', newErrors: 3 });
    expect(result.configNote).toMatch(/eslint\.config\.js could not be used \(.*eslint-plugin-not-installed-anywhere/);
  });

  it('falls back when the repository config names a rule no plugin provides', async () => {
    const config = "export default [{ rules: { 'nope/rule': 'error' } }];\n";
    const input = await trees({ 'eslint.config.js': config, 'a.js': CLEAN }, { 'a.js': MESSY });
    expect(await runLintCheck(input)).toMatchObject({ ran: true, config: 'built-in', newErrors: 3 });
  });

  it('counts a rule crashing on the entrant\'s code as an error, keeping the repository config', async () => {
    const config = [
      "const boom = { create: () => ({ Identifier(node) { if (node.name === 'boom') throw new Error('kaboom'); } }) };",
      "export default [{ plugins: { local: { rules: { boom } } }, rules: { 'local/boom': 'error' } }];",
    ].join('\n');
    const input = await trees({ 'eslint.config.js': config, 'a.js': CLEAN }, { 'a.js': `${CLEAN}export const boom = 1;\n` });
    const result = await runLintCheck(input);
    expect(result).toMatchObject({ ran: true, config: 'repository', newErrors: 1 });
    expect(result.messages[0]).toMatchObject({ file: 'a.js', ruleId: null, severity: 'error' });
    expect(result.messages[0]?.message).toMatch(/kaboom/);
    expect(result.messages[0]?.message).not.toContain(input.headDir);
  });

  it('counts a file too large to lint as one warning', async () => {
    const big = `${'// padding padding padding padding padding padding padding padding\n'.repeat(20_000)}${MESSY}`;
    const input = await trees({}, { 'big.js': big });
    const result = await runLintCheck(input);
    expect(result).toMatchObject({ ran: true, filesLinted: 0, newErrors: 0, newWarnings: 1 });
  });

  it('writes SARIF 2.1.0 with repo-relative URIs', async () => {
    const input = await trees({ 'src/add.js': CLEAN }, { 'src/add.js': MESSY, 'src/b c.js': CLEAN });
    const result = await runLintCheck(input);
    expect(result.sarifPath).toBe('checks/a/lint.sarif');
    const text = await readFile(join(input.outDir, 'lint.sarif'), 'utf8');
    expect(text).not.toContain(input.headDir);
    const log = JSON.parse(text) as Log;
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0]!;
    expect(run.results).toHaveLength(3);
    expect(run.tool.driver.rules?.map((r) => r.id).sort()).toEqual(['no-unused-vars', 'use-isnan', 'valid-typeof']);
    expect(run.artifacts?.map((a) => a.location?.uri).sort()).toEqual(['src/add.js', 'src/b%20c.js']);
    const location = run.results?.[0]?.locations?.[0]?.physicalLocation;
    expect(location?.artifactLocation).toMatchObject({ uri: 'src/add.js', uriBaseId: '%SRCROOT%' });
    expect(location?.region).toMatchObject({ startLine: 2 });
  });

  it('passes with an empty SARIF run when no JS/TS file changed', async () => {
    const input = await trees({}, { 'README.md': '# hi\n', 'main.py': 'x == None\n' });
    const result = await runLintCheck(input);
    expect(result).toMatchObject({ ran: true, config: null, filesLinted: 0, newErrors: 0, sarifPath: 'checks/a/lint.sarif' });
    const log = JSON.parse(await readFile(join(input.outDir, 'lint.sarif'), 'utf8')) as Log;
    expect(log.runs[0]?.results).toEqual([]);
  });

  it('does not follow symlinks or paths out of the tree', async () => {
    const input = await trees({}, { 'ok.js': CLEAN });
    const outside = join(dirname(input.headDir), 'outside.js');
    await writeFile(outside, MESSY);
    await symlink(outside, join(input.headDir, 'link.js'));
    input.changedFiles.push('link.js', '../outside.js', '/etc/passwd.js');
    const result = await runLintCheck(input);
    expect(result).toMatchObject({ ran: true, filesLinted: 1, newErrors: 0 });
  });

  it('reports a failure instead of throwing', async () => {
    const input = await trees({}, { 'a.js': CLEAN });
    const result = await runLintCheck({ ...input, baseDir: join(input.baseDir, 'missing') });
    expect(result.ran).toBe(false);
    expect(result.error).toMatch(/lint check failed/);
    expect(result.sarifPath).toBeNull();
  });
});
