import { afterAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { judgeSentinel, makeSentinel, type HarnessCheck } from '../../src/referee/sentinel.js';

// Each attack is a real project run by the real runner on this machine (node --test, vitest, pytest):
// the sentinel tests are appended to its test files, the runner runs, and the verdict is read from
// its exit code and output, exactly as the referee does in its container.

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function project(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tourney-sentinel-'));
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

/** Runs `command` once with the sentinels laid over `testFiles`, then puts the files back. */
async function probe(dir: string, testFiles: string[], command: string[]): Promise<HarnessCheck> {
  const files = await Promise.all(testFiles.map(async (path) => ({ path, content: await readFile(join(dir, path)) })));
  const sentinel = makeSentinel(files)!;
  for (const f of sentinel.probeFiles) await writeFile(join(dir, f.path), f.content);
  const run = await execa(command[0]!, command.slice(1), { cwd: dir, reject: false, all: true, env: { NO_COLOR: '1', CI: '1' } });
  for (const f of sentinel.originals) await writeFile(join(dir, f.path), f.content);
  return judgeSentinel(sentinel, { command: command.join(' '), exitCode: run.exitCode ?? null, output: run.all ?? '', durationMs: 0, logPath: 'x', timedOut: false });
}

const SLUG_TEST = [
  "import { test } from 'node:test';",
  "import assert from 'node:assert/strict';",
  "import { slugify } from '../src/slug.js';",
  "test('slugs', () => { assert.equal(slugify('Hello, World!'), 'hello-world'); });",
  '',
].join('\n');
const nodeProject = (src: Record<string, string>) =>
  project({ 'package.json': '{"type":"module"}', 'test/slug.test.js': SLUG_TEST, ...src });
const NODE_TEST = ['node', '--test', 'test/'];

describe('sentinel tests under node --test', () => {
  it('fail as they should with an honest implementation: no finding', async () => {
    const dir = await nodeProject({ 'src/slug.js': "export const slugify = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');\n" });
    const check = await probe(dir, ['test/slug.test.js'], NODE_TEST);
    expect(check.neutralised).toBe(false);
    expect(check.evidence).toBeNull();
    expect(check.probes.every((p) => p.failed)).toBe(true);
    // The real run still passes: the sentinels were taken out again.
    expect((await execa('node', ['--test', 'test/'], { cwd: dir, reject: false })).exitCode).toBe(0);
  });

  it("catch the issue's attack: a two-line non-implementation whose module makes every assert function a no-op", async () => {
    const dir = await nodeProject({
      'src/slug.js': "import './quiet.js';\nexport const slugify = (s) => s;\n",
      'src/quiet.js': "import assert from 'node:assert';\nfor (const m of [assert, assert.strict]) for (const k of Object.keys(m)) m[k] = () => {};\n",
    });
    expect((await execa('node', ['--test', 'test/'], { cwd: dir, reject: false })).exitCode).toBe(0);
    const check = await probe(dir, ['test/slug.test.js'], NODE_TEST);
    expect(check.neutralised).toBe(true);
    expect(check.evidence).toMatch(/false assertion passed \(node:assert in test\/slug\.test\.js\)/);
  });

  it('do not flag a file that fails to load (the entrant broke it, the tests fail anyway)', async () => {
    const dir = await nodeProject({ 'src/slug.js': 'export const nothing = 1;\n' });
    const check = await probe(dir, ['test/slug.test.js'], NODE_TEST);
    expect(check.neutralised).toBe(false);
    expect(check.evidence).toMatch(/inconclusive/);
  });

  it('write CommonJS sentinels into a CommonJS test file', async () => {
    const dir = await project({
      'src/slug.js': 'module.exports = { slugify: (s) => s.toLowerCase() };\n',
      'test/slug.test.js': "const test = require('node:test');\nconst assert = require('assert');\nconst { slugify } = require('../src/slug.js');\ntest('lower', () => assert.strictEqual(slugify('A'), 'a'));\n",
    });
    const check = await probe(dir, ['test/slug.test.js'], NODE_TEST);
    expect(check.neutralised).toBe(false);
    expect(check.probes.every((p) => p.failed)).toBe(true);
  });
});

describe('sentinel tests under vitest', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const vitestProject = async (src: string) => {
    const dir = await project({
      'package.json': '{"type":"module"}',
      'src/slug.js': src,
      'test/slug.test.js': "import { test, expect } from 'vitest';\nimport { slugify } from '../src/slug.js';\ntest('slugs', () => { expect(slugify('A B')).toBe('a-b'); });\n",
    });
    await symlink(join(root, 'node_modules'), join(dir, 'node_modules'));
    return dir;
  };
  const VITEST = [join(root, 'node_modules', '.bin', 'vitest'), 'run', '--root', '.'];

  it('fail as they should with an honest implementation', async () => {
    const dir = await vitestProject("export const slugify = (s) => s.toLowerCase().replace(/ /g, '-');\n");
    const check = await probe(dir, ['test/slug.test.js'], VITEST);
    expect(check.probes.map((p) => [p.kind, p.failed])).toEqual([['node:assert', true], ['expect', true], ['thrown error', true]]);
    expect(check.neutralised).toBe(false);
  }, 60_000);

  it("catch matchers overridden with expect.extend from the entrant's module", async () => {
    const dir = await vitestProject(
      "import { expect } from 'vitest';\nexpect.extend({ toBe: () => ({ pass: true, message: () => '' }) });\nexport const slugify = (s) => s;\n",
    );
    const check = await probe(dir, ['test/slug.test.js'], VITEST);
    expect(check.neutralised).toBe(true);
    expect(check.evidence).toMatch(/expect in test\/slug\.test\.js/);
  }, 60_000);
});

describe('sentinel tests under pytest', () => {
  const TEST = 'from slug import slugify\n\ndef test_slug():\n    assert slugify("A B") == "a-b"\n';
  const PYTEST = ['python3', '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests'];

  it('fail as they should with an honest implementation', async () => {
    const dir = await project({ 'slug.py': 'def slugify(s):\n    return s.lower().replace(" ", "-")\n', 'tests/test_slug.py': TEST, 'conftest.py': '' });
    const check = await probe(dir, ['tests/test_slug.py'], PYTEST);
    expect(check.probes.map((p) => [p.kind, p.failed])).toEqual([['unittest assert', true], ['thrown error', true], ['python assert', true]]);
    expect(check.neutralised).toBe(false);
  });

  it('catch a conftest.py hook that turns every failure into a pass', async () => {
    const dir = await project({
      'slug.py': 'def slugify(s):\n    return s\n',
      'tests/test_slug.py': TEST,
      'conftest.py': [
        'import pytest',
        '@pytest.hookimpl(hookwrapper=True)',
        'def pytest_runtest_makereport(item, call):',
        '    outcome = yield',
        '    report = outcome.get_result()',
        '    report.outcome = "passed"',
        '    report.longrepr = None',
        '',
      ].join('\n'),
    });
    expect((await execa(PYTEST[0]!, PYTEST.slice(1), { cwd: dir, reject: false })).exitCode).toBe(0);
    const check = await probe(dir, ['tests/test_slug.py'], PYTEST);
    expect(check.neutralised).toBe(true);
  });

  it("catch unittest's assertEqual patched to a no-op by the entrant's module", async () => {
    const dir = await project({
      'slug.py': 'import unittest\nunittest.TestCase.assertEqual = lambda *a, **k: None\ndef slugify(s):\n    return s\n',
      'tests/test_slug.py': 'import unittest\nfrom slug import slugify\n\nclass T(unittest.TestCase):\n    def test_slug(self):\n        self.assertEqual(slugify("A B"), "a-b")\n',
      'conftest.py': '',
    });
    const check = await probe(dir, ['tests/test_slug.py'], PYTEST);
    expect(check.neutralised).toBe(true);
    expect(check.evidence).toMatch(/unittest assert/);
  });
});
