import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { cliResult } from '../support/cli.js';
import { ensureTestImage } from '../support/docker.js';
import type { EntrantResult, RunResult } from '../../src/types.js';

// The whole `tourney score` path (materialise, every check, referee containers, judge inputs,
// branches, report) over a candidate whose diff aims at the host: symlinks to a host file, to a
// host directory and above the root, and a .gitattributes naming drivers that the host's git
// config defines. Nothing of the host may surface anywhere, no driver may run, and the honest
// candidate still wins.

const SECRET = 'CANARY-e2e-91c4-host-secret';
const FIX = "  return text.split(/\\s+/).filter(Boolean).length;";

const BASE: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'textkit', version: '1.0.0', type: 'module', scripts: { test: 'node --test test/' } }, null, 2) + '\n',
  'src/text.js': "export function wordCount(text) {\n  return text.split(' ').length;\n}\n",
  'test/wordcount.test.js': [
    "import { test } from 'node:test';",
    "import assert from 'node:assert/strict';",
    "import { wordCount } from '../src/text.js';",
    "test('tabs separate words', () => assert.equal(wordCount('a\\tb c'), 3));",
    "test('empty text has no words', () => assert.equal(wordCount(''), 0));",
    '',
  ].join('\n'),
};

const SPEC = '---\ntitle: Count words\ntest: node --test test/\n---\n# Count words separated by any whitespace\n';

describe('tourney score: a candidate that aims host-side reading at the host', () => {
  let dir: string;
  let canaryRan: string;
  let result: RunResult;
  let code: number;
  const by: Record<string, EntrantResult> = {};

  beforeAll(async () => {
    await ensureTestImage();
    dir = await mkdtemp(join(tmpdir(), 'tourney-hostile-read-'));
    const repo = join(dir, 'repo');
    const host = join(dir, 'host');
    canaryRan = join(dir, 'DRIVER-RAN');
    await mkdir(host, { recursive: true });
    await writeFile(join(host, 'canary.json'), JSON.stringify({ name: SECRET, type: 'module', scripts: { test: SECRET }, dependencies: { [SECRET]: '1' } }));
    await writeFile(join(host, 'secret.js'), `export const s = '${SECRET}';\neval(process.argv[2]);\n`);
    const driver = join(dir, 'evil.sh');
    await writeFile(driver, `#!/bin/sh\necho "$*" >> ${canaryRan}\ncat\n`);
    await chmod(driver, 0o755);
    await writeFile(join(dir, 'gitconfig'), [
      '[filter "evil"]', `  clean = ${driver} clean`, `  smudge = ${driver} smudge`, '  required = true',
      '[diff "evil"]', `  textconv = ${driver} textconv`, `  command = ${driver} diff`,
      '[merge "evil"]', `  driver = ${driver} merge %O %A %B`,
      '',
    ].join('\n'));

    const git = (...args: string[]) => execa('git', ['-c', 'user.name=f', '-c', 'user.email=f@x', ...args], { cwd: repo, env: { GIT_CONFIG_GLOBAL: '/dev/null' } });
    for (const [path, content] of Object.entries(BASE)) {
      await mkdir(dirname(join(repo, path)), { recursive: true });
      await writeFile(join(repo, path), content);
    }
    await git('init', '-q', '-b', 'main');
    await writeFile(join(repo, '.git/info/attributes'), '* !filter !diff !merge !text\n');
    await git('add', '-A');
    await git('commit', '-qm', 'base');
    const fixed = BASE['src/text.js']!.replace("  return text.split(' ').length;", FIX);
    await git('checkout', '-q', '-b', 'cand/good', 'main');
    await writeFile(join(repo, 'src/text.js'), fixed);
    await git('commit', '-qam', 'good');
    await git('checkout', '-q', '-b', 'cand/linker', 'main');
    await writeFile(join(repo, 'src/text.js'), fixed);
    await rm(join(repo, 'package.json'));
    await symlink(join(host, 'canary.json'), join(repo, 'package.json'));
    await symlink(host, join(repo, 'vendor'));
    await symlink('../vendor/secret.js', join(repo, 'src/secret.js'));
    await symlink('../../outside', join(repo, 'src/outside'));
    await writeFile(join(repo, '.gitattributes'), '* filter=evil diff=evil merge=evil\n');
    await git('add', '-A');
    await git('commit', '-qm', 'linker');
    await git('checkout', '-q', 'main');
    await writeFile(join(dir, 'feature.md'), SPEC);

    // The user's global git config defines the drivers the candidate's .gitattributes names.
    const before = process.env.GIT_CONFIG_GLOBAL;
    process.env.GIT_CONFIG_GLOBAL = join(dir, 'gitconfig');
    try {
      const run = await cliResult('score', join(dir, 'feature.md'), '--repo', repo, '--candidate', 'good=cand/good', '--candidate', 'linker=cand/linker', '--json', '--quiet');
      code = run.code;
      result = run.result!;
    } finally {
      if (before === undefined) delete process.env.GIT_CONFIG_GLOBAL;
      else process.env.GIT_CONFIG_GLOBAL = before;
    }
    for (const e of result.entrants) by[e.name] = e;
  }, 600_000);

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('the honest candidate wins; the linker is stopped by a tampering finding per escaping link', () => {
    expect(code).toBe(0);
    expect(result.winner).toBe('good');
    const escaped = by.linker!.checks.tampering!.findings.filter((f) => f.kind === 'symlink-escapes').map((f) => f.file).sort();
    expect(escaped).toEqual(['package.json', 'src/outside', 'src/secret.js', 'vendor']);
    expect(by.linker!.checks.tampering!.findings).toContainEqual(expect.objectContaining({ kind: 'git-driver-added', file: '.gitattributes' }));
    expect(by.linker!.gates.find((g) => g.gate === 'tampering')?.passed).toBe(false);
  });

  it('no host driver ran, and the host content is nowhere in the run directory (result.json, report.html, logs, SARIF)', async () => {
    await expect(lstat(canaryRan)).rejects.toThrow();
    const runDir = dirname(join(result.reportPath));
    let seen = 0;
    for (const entry of await readdir(runDir, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile()) continue;
      seen += 1;
      expect(await readFile(join(entry.parentPath, entry.name), 'utf8'), join(entry.parentPath, entry.name)).not.toContain(SECRET);
    }
    expect(seen).toBeGreaterThan(4);
    expect(await readFile(join(runDir, 'report.html'), 'utf8')).toContain('leads outside the repository');
  });
});
