import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { materialize } from '../../src/referee/materialize.js';
import { runTamperCheck, addedLines } from '../../src/checks/tampering.js';
import { runScopeCheck } from '../../src/checks/scope.js';
import { retarAs } from '../../src/sandbox/tar.js';

let dir: string;
let repo: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tourney-tamper-'));
  repo = join(dir, 'repo');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const BASE = {
  'package.json': JSON.stringify({ name: 'x', scripts: { test: 'node --test' }, dependencies: { a: '1' } }),
  'src/a.js': 'export const a = 1;\n',
  'test/a.test.js': "import { test } from 'node:test';\nimport assert from 'node:assert';\ntest('a', () => { assert.equal(1, 1); });\ntest('b', () => { assert.equal(2, 2); });\n",
  'requirements.txt': 'requests==2.0\n',
  'test/__snapshots__/a.test.js.snap': 'exports[`a 1`] = `"x"`;\n',
  'test/snap.txt': 'expected output\n',
};

async function write(root: string, files: Record<string, string | null>) {
  for (const [path, content] of Object.entries(files)) {
    if (content === null) await rm(join(root, path));
    else {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), content);
    }
  }
}

/** Base commit + a change, through the same materialisation the referee uses. */
async function change(files: Record<string, string | null>) {
  const g = (...a: string[]) => execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...a], { cwd: repo });
  await write(repo, BASE);
  await g('init', '-q');
  await g('add', '-A');
  await g('commit', '-qm', 'base');
  await write(repo, files);
  await g('add', '-A');
  const patch = (await g('diff', '--cached', '--binary')).stdout + '\n';
  await g('archive', '--format=tar', '--prefix=repo/', '-o', join(dir, 'raw.tar'), 'HEAD');
  await retarAs(join(dir, 'raw.tar'), join(dir, 'base.tar'), 10001);
  const tree = await materialize(join(dir, 'base.tar'), patch, join(dir, 'work'));
  return { ...tree, patch };
}

const kinds = async (files: Record<string, string | null>, protectedPaths: string[] = []) => {
  const t = await change(files);
  const check = await runTamperCheck({ ...t, protectedPaths });
  return check.findings.map((f) => `${f.kind} ${f.file}${f.line ? `:${f.line}` : ''}`);
};

describe('tampering', () => {
  it('finds nothing in an honest change that adds code and tests', async () => {
    expect(await kinds({ 'src/a.js': 'export const a = 2;\n', 'test/b.test.js': "test('new', () => {});\n", 'test/a.test.js': BASE['test/a.test.js'] + "test('c', () => {});\n" })).toEqual([]);
  });

  it.each([
    [{ 'test/a.test.js': null }, 'test-deleted test/a.test.js'],
    [{ 'test/a.test.js': "import { test } from 'node:test';\nimport assert from 'node:assert';\ntest('a', () => { assert.equal(1, 1); });\n" }, 'test-case-removed test/a.test.js'],
    [{ 'test/__snapshots__/a.test.js.snap': null, 'test/snap.txt': 'changed\n' }, 'test-deleted test/__snapshots__/a.test.js.snap'],
    // A format tourney cannot read as tests keeps the line rule.
    [{ 'test/snap.txt': 'changed\n' }, 'test-modified test/snap.txt'],
    [{ 'src/a.js': '// eslint-disable-next-line\nexport const a = 1;\n' }, 'lint-disabled-inline src/a.js:1'],
    [{ 'test/c.test.js': "test.skip('later', () => {});\n" }, 'skip-added test/c.test.js:1'],
    [{ 'test/c.test.js': "describe.only('just this', () => {});\n" }, 'only-added test/c.test.js:1'],
    [{ 'test/c.py': '@pytest.mark.skip\ndef test_x(): pass\n' }, 'skip-added test/c.py:1'],
    [{ 'vitest.config.ts': 'export default {};\n' }, 'test-config-changed vitest.config.ts'],
    [{ 'eslint.config.js': 'export default [];\n' }, 'lint-config-changed eslint.config.js'],
    [{ '.github/workflows/ci.yml': 'on: push\n' }, 'ci-changed .github/workflows/ci.yml'],
    [{ 'package.json': JSON.stringify({ name: 'x', scripts: { test: 'true' }, dependencies: { a: '1' } }) }, 'test-config-changed package.json'],
    // Install scripts run in the entrant's own setup, with a network.
    [{ 'package.json': JSON.stringify({ name: 'x', scripts: { test: 'node --test', postinstall: 'node x.js' }, dependencies: { a: '1' } }) }, 'install-script-changed package.json'],
    [{ 'package.json': JSON.stringify({ name: 'x', scripts: { test: 'node --test', prepare: 'tsc' }, dependencies: { a: '1' } }) }, 'install-script-changed package.json'],
    [{ 'pkgs/ui/package.json': JSON.stringify({ name: 'ui', scripts: { preinstall: 'curl x | sh' } }) }, 'install-script-changed pkgs/ui/package.json'],
  ])('flags %j', async (files, expected) => {
    expect(await kinds(files)).toContain(expected);
  });

  it('does not flag a change that rewrites lines of a test file to extend its cases, and records it', async () => {
    const head = BASE['test/a.test.js'].replace("assert.equal(2, 2); });", "assert.equal(2, 2);\n  assert.equal(3, 3);\n});");
    const t = await change({ 'test/a.test.js': head });
    expect(t.changes.find((c) => c.path === 'test/a.test.js')?.deletions).toBeGreaterThan(0);
    const check = await runTamperCheck({ ...t, protectedPaths: [] });
    expect(check).toMatchObject({ flagged: false, findings: [], strengthened: [{ kind: 'assertion-added', file: 'test/a.test.js' }] });
  });

  it('keeps low findings out of `flagged`', async () => {
    const t = await change({ 'test/a.test.js': BASE['test/a.test.js'].replace('assert.equal(2, 2)', 'assert.equal(2, 3)') });
    const check = await runTamperCheck({ ...t, protectedPaths: [] });
    expect(check.flagged).toBe(false);
    expect(check.findings).toEqual([expect.objectContaining({ kind: 'test-edit-ambiguous', severity: 'low' })]);
  });

  it('flags configured protected paths', async () => {
    expect(await kinds({ 'migrations/001.sql': 'drop table x;\n' }, ['migrations/**'])).toEqual(['protected-path-changed migrations/001.sql']);
  });

  it('does not flag a dependency added to package.json, nor other scripts', async () => {
    expect(await kinds({ 'package.json': JSON.stringify({ name: 'x', scripts: { test: 'node --test', lint: 'eslint .' }, dependencies: { a: '1', b: '2' } }) })).toEqual([]);
  });

  it('does not mistake method calls or prose for test switches', async () => {
    expect(await kinds({ 'src/model.js': 'model.fit(x);\nparser.xtest(y);\n', 'docs/how.md': 'Never add eslint-disable comments.\n' })).toEqual([]);
  });

  it('numbers added lines as in the new file', () => {
    const patch = ['diff --git a/f b/f', '--- a/f', '+++ b/f', '@@ -1,2 +1,3 @@', ' one', '+two', ' three', '@@ -10,1 +11,2 @@', ' ten', '+eleven'].join('\n');
    expect(addedLines(patch)).toEqual([{ file: 'f', line: 2, text: 'two' }, { file: 'f', line: 12, text: 'eleven' }]);
  });
});

describe('scope', () => {
  it('lists files outside the scope globs and dependencies added to manifests', async () => {
    const t = await change({
      'src/a.js': 'export const a = 3;\n',
      'README.md': '# hi\n',
      'package.json': JSON.stringify({ name: 'x', scripts: { test: 'node --test' }, dependencies: { a: '1', 'left-pad': '1' }, devDependencies: { b: '2' } }),
      'requirements.txt': 'requests==2.0\nflask>=3\n',
    });
    const scope = await runScopeCheck({ ...t, scope: ['src/**', 'test/**'] });
    expect(scope.outOfScope.sort()).toEqual(['README.md', 'package.json', 'requirements.txt']);
    expect(scope.newDependencies.sort()).toEqual(['package.json: b', 'package.json: left-pad', 'requirements.txt: flask']);
    expect(scope.additions).toBeGreaterThan(0);
  });

  it('reports nothing out of scope when the spec sets no scope', async () => {
    const t = await change({ 'README.md': '# hi\n' });
    expect((await runScopeCheck({ ...t })).outOfScope).toEqual([]);
  });
});
