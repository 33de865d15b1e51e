import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSecurityCheck, validateSarif } from '../../src/checks/security.js';
import type { StaticCheckInput } from '../../src/checks/types.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tourney-sec-test-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function put(side: 'base' | 'head', rel: string, text: string): Promise<void> {
  const p = join(root, side, rel);
  await mkdir(dirname(p), { recursive: true });
  await writeFile(p, text);
}

function input(changedFiles: string[]): StaticCheckInput {
  return { baseDir: join(root, 'base'), headDir: join(root, 'head'), changedFiles, outDir: join(root, 'out'), outRel: 'out' };
}

const SERVER_BASE = `import express from 'express';
import { exec } from 'node:child_process';

const app = express();
app.get('/log', (req, res) => {
  res.send('ok');
});
`;

describe('runSecurityCheck', () => {
  it('reports a newly introduced command injection once, with file, line, CWE and SARIF', async () => {
    await put('base', 'src/server.js', SERVER_BASE);
    await put('head', 'src/server.js', SERVER_BASE.replace("res.send('ok');", 'exec(`git log ${req.query.branch}`, (e, out) => res.send(out));'));
    const check = await runSecurityCheck(input(['src/server.js']));
    expect(check.ran, check.error).toBe(true);
    expect(check.newFindings).toHaveLength(1);
    expect(check.newFindings[0]).toMatchObject({ ruleId: 'js-child-process-exec-dynamic', severity: 'high', cwe: 'CWE-78', file: 'src/server.js', line: 6 });
    expect(check.newFindings[0]?.snippet).toContain('req.query.branch');
    expect(check.counts).toEqual({ high: 1, medium: 0, low: 0 });
    expect(check.rulesApplied).toBeGreaterThan(20);
    expect(check.sarifPath).toBe('out/security.sarif');

    const sarif = JSON.parse(await readFile(join(root, 'out', 'security.sarif'), 'utf8')) as Record<string, unknown>;
    validateSarif(sarif);
    expect(sarif.version).toBe('2.1.0');
    const run = (sarif.runs as { results: { ruleId: string; locations: unknown[] }[]; tool: { driver: { rules: { id: string; properties: { cwe: string } }[] } } }[])[0];
    expect(run?.results.map((r) => r.ruleId)).toEqual(['js-child-process-exec-dynamic']);
    expect(JSON.stringify(run?.results[0]?.locations)).toContain('"startLine":6');
    expect(run?.tool.driver.rules.find((r) => r.id === 'js-child-process-exec-dynamic')?.properties.cwe).toBe('CWE-78');
  });

  it('does not count a pre-existing finding as new when lines shift, and reports nothing for a fix', async () => {
    await put('base', 'a.ts', 'export function calc(expr: string) {\n  return eval(expr);\n}\n');
    await put('head', 'a.ts', '// header\n// more header\n\nexport function calc(expr: string) {\n  return eval(expr);\n}\n');
    await put('base', 'b.js', "const { execSync } = require('child_process');\nexecSync('ls ' + dir);\n");
    await put('head', 'b.js', "const { execFileSync } = require('child_process');\nexecFileSync('ls', [dir]);\n");
    const check = await runSecurityCheck(input(['a.ts', 'b.js']));
    expect(check.ran, check.error).toBe(true);
    expect(check.newFindings).toEqual([]);
    expect(check.baseFindings).toBe(2);
  });

  it('counts a second copy of an existing finding as new', async () => {
    await put('base', 'a.js', 'eval(code);\n');
    await put('head', 'a.js', 'eval(code);\neval(code);\n');
    const check = await runSecurityCheck(input(['a.js']));
    expect(check.newFindings.map((f) => f.line)).toEqual([2]);
  });

  it('finds Python shell=True and pickle.loads in a new file', async () => {
    await put('head', 'tools/run.py', 'import pickle\nimport subprocess\n\ndef run(cmd, blob):\n    subprocess.run(cmd, shell=True)\n    return pickle.loads(blob)\n');
    const check = await runSecurityCheck(input(['tools/run.py']));
    expect(check.ran, check.error).toBe(true);
    expect(check.newFindings.map((f) => [f.ruleId, f.cwe, f.line])).toEqual([
      ['py-subprocess-shell-true', 'CWE-78', 5],
      ['py-pickle-load', 'CWE-502', 6],
    ]);
    expect(check.counts.high).toBe(2);
  });

  it('ignores suppression comments, skips unknown extensions, symlinks, unparsable and escaping paths', async () => {
    await put('head', 'x.js', '// ast-grep-ignore\neval(userInput);\n');
    await put('head', 'notes.md', 'eval(userInput)\n');
    await put('head', 'broken.ts', 'eval(x) ((( {{{ \u0000\u0001 <<< function\n');
    await writeFile(join(root, 'secret.js'), 'eval(outside);\n');
    await symlink(join(root, 'secret.js'), join(root, 'head', 'link.js'));
    const check = await runSecurityCheck(input(['x.js', 'notes.md', 'broken.ts', 'link.js', '../secret.js', '/etc/passwd.js', 'missing.py']));
    expect(check.ran, check.error).toBe(true);
    expect(check.newFindings.map((f) => f.file).sort()).toEqual(['broken.ts', 'x.js']);
    expect(check.newFindings.every((f) => f.ruleId === 'js-eval-dynamic')).toBe(true);
  });

  it('runs with no scannable files and writes an empty SARIF run', async () => {
    await put('head', 'README.md', '# hi\n');
    const check = await runSecurityCheck(input(['README.md']));
    expect(check).toMatchObject({ ran: true, newFindings: [], rulesApplied: 0, baseFindings: 0 });
    validateSarif(JSON.parse(await readFile(join(root, 'out', 'security.sarif'), 'utf8')));
  });

  it('returns ran: false with an error instead of throwing when the check itself fails', async () => {
    await put('head', 'a.js', 'eval(x);\n');
    await writeFile(join(root, 'out'), 'a file where the output directory should be');
    const check = await runSecurityCheck(input(['a.js']));
    expect(check.ran).toBe(false);
    expect(check.error).toBeTruthy();
    expect(check.sarifPath).toBeNull();
  });
});
