import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { materialize, type Materialized } from '../../src/referee/materialize.js';
import { runTamperCheck } from '../../src/checks/tampering.js';
import { runScopeCheck } from '../../src/checks/scope.js';
import { runLintCheck } from '../../src/checks/lint.js';
import { runSecurityCheck } from '../../src/checks/security.js';
import { createBranchFromPatch } from '../../src/git/repo.js';
import { retarAs } from '../../src/sandbox/tar.js';
import { symlinkReach } from '../../src/referee/tree-read.js';

// An entrant's diff is data read on the host as the user (root here). These attacks aim that
// reading at the host: symlinks to host files and directories, and a .gitattributes naming drivers
// that the host's git config defines. None of the host's content may surface, and no driver may run.

const SECRET = 'CANARY-7f3a-host-secret';
let dir: string;
let repo: string;
let hostDir: string;
let canaryRan: string;
let evilConfig: string;

const BASE: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'x', type: 'module', scripts: { test: 'node --test' }, dependencies: { a: '1' } }),
  'README.md': '# x\n',
  'src/a.js': 'export const a = 1;\n',
  'test/a.test.js': "import { test } from 'node:test';\nimport assert from 'node:assert';\ntest('a', () => { assert.equal(1, 1); });\n",
};

const g = (cwd: string, ...a: string[]) =>
  execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...a], { cwd, env: { GIT_CONFIG_GLOBAL: '/dev/null' } });

async function write(root: string, files: Record<string, string>) {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

/** Base commit + whatever `edit` does to the work tree, materialised under the evil host git config. */
async function change(name: string, edit: (root: string) => Promise<void>): Promise<Materialized & { patch: string; work: string }> {
  const root = join(dir, name);
  await write(root, BASE);
  await g(root, 'init', '-q');
  // The test's own git must write the attacker's bytes as they are.
  await writeFile(join(root, '.git/info/attributes'), '* !filter !diff !merge !text !eol !ident !working-tree-encoding\n');
  await g(root, 'add', '-A');
  await g(root, 'commit', '-qm', 'base');
  await edit(root);
  await g(root, 'add', '-A');
  const patch = (await g(root, 'diff', '--cached', '--binary')).stdout + '\n';
  await g(root, 'archive', '--format=tar', '--prefix=repo/', '-o', join(dir, `${name}-raw.tar`), 'HEAD');
  await retarAs(join(dir, `${name}-raw.tar`), join(dir, `${name}-base.tar`), 10001);
  const work = join(dir, `${name}-work`);
  const tree = await withEvilGit(() => materialize(join(dir, `${name}-base.tar`), patch, work));
  return { ...tree, patch, work };
}

/** As if the user's ~/.gitconfig defined drivers named "evil" (git-lfs style): each writes the canary. */
async function withEvilGit<T>(work: () => Promise<T>): Promise<T> {
  const before = process.env.GIT_CONFIG_GLOBAL;
  process.env.GIT_CONFIG_GLOBAL = evilConfig;
  try {
    return await work();
  } finally {
    if (before === undefined) delete process.env.GIT_CONFIG_GLOBAL;
    else process.env.GIT_CONFIG_GLOBAL = before;
  }
}

async function allText(root: string): Promise<string> {
  const out: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(await readFile(join(entry.parentPath, entry.name), 'utf8'));
  }
  return out.join('\n');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tourney-hostread-'));
  repo = join(dir, 'user-repo');
  hostDir = join(dir, 'host');
  canaryRan = join(dir, 'DRIVER-RAN');
  evilConfig = join(dir, 'gitconfig');
  await write(hostDir, {
    'canary.json': JSON.stringify({ name: SECRET, scripts: { test: SECRET, postinstall: SECRET }, dependencies: { [SECRET]: '1' } }),
    'canary.js': `export const secret = '${SECRET}';\neval(process.argv[2]);\n`,
    'canary.test.js': `import { test } from 'node:test';\ntest('${SECRET}', () => {});\n`,
  });
  const driver = join(dir, 'evil.sh');
  await writeFile(driver, `#!/bin/sh\necho "$*" >> ${canaryRan}\ncat\n`);
  await chmod(driver, 0o755);
  await writeFile(evilConfig, [
    '[filter "evil"]', `  clean = ${driver} clean`, `  smudge = ${driver} smudge`, `  process = ${driver} process`, '  required = true',
    '[diff "evil"]', `  textconv = ${driver} textconv`, `  command = ${driver} diff`,
    '[merge "evil"]', `  driver = ${driver} merge %O %A %B`,
    '[core]', `  attributesFile = ${join(dir, 'global-attributes')}`, `  hooksPath = ${dir}`,
    '',
  ].join('\n'));
  await writeFile(join(dir, 'global-attributes'), '* filter=evil diff=evil\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('host-side reading of an entrant tree', () => {
  it('reads symlinks as data: host files never surface, escaping links are findings and are never followed', async () => {
    const tree = await change('links', async (root) => {
      await rm(join(root, 'package.json'));
      await symlink(join(hostDir, 'canary.json'), join(root, 'package.json'));
      await symlink(join(hostDir, 'canary.js'), join(root, 'src/b.js'));
      await rm(join(root, 'test/a.test.js'));
      await symlink(join(hostDir, 'canary.test.js'), join(root, 'test/a.test.js'));
      await symlink('../../outside', join(root, 'src/outside'));
      await symlink(hostDir, join(root, 'vendor'));
      await symlink('vendor/canary.js', join(root, 'src-hop.js'));
      await symlink('README.md', join(root, 'readme-link.md'));
    });
    const byPath = Object.fromEntries(tree.symlinks.map((l) => [l.path, l.escapes]));
    expect(byPath).toEqual({
      'package.json': true, 'src/b.js': true, 'test/a.test.js': true, 'src/outside': true, vendor: true, 'src-hop.js': true, 'readme-link.md': false,
    });
    // Gone from the host copy, so neither our readers nor ESLint's parser nor ast-grep can follow them.
    for (const path of ['package.json', 'src/b.js', 'vendor', 'src-hop.js']) await expect(lstat(join(tree.headDir, path))).rejects.toThrow();
    expect((await lstat(join(tree.headDir, 'readme-link.md'))).isSymbolicLink()).toBe(true);

    const outDir = join(dir, 'links-out');
    const changedFiles = tree.changes.filter((c) => c.status !== 'deleted').map((c) => c.path);
    const input = { baseDir: tree.baseDir, headDir: tree.headDir, changedFiles, outDir, outRel: 'entrants/links' };
    const tampering = await runTamperCheck({ ...tree, protectedPaths: [] });
    const scope = await runScopeCheck(tree);
    const lint = await runLintCheck(input);
    const security = await runSecurityCheck(input);
    const escaped = tampering.findings.filter((f) => f.kind === 'symlink-escapes').map((f) => f.file).sort();
    expect(escaped).toEqual(['package.json', 'src-hop.js', 'src/b.js', 'src/outside', 'test/a.test.js', 'vendor']);
    expect(tampering.flagged).toBe(true);
    expect(scope.newDependencies).toEqual([]);
    const everything = JSON.stringify({ tampering, scope, lint, security }) + (await allText(outDir));
    expect(everything).not.toContain(SECRET);
    expect(everything).toContain('leads outside the repository');
  });

  it('resolves links component by component, through other links, as the kernel would', () => {
    const links = new Map([['a/up', '..'], ['a/x', 'up/../..'], ['b', 'a/up/a/up/README.md'], ['loop1', 'loop2'], ['loop2', 'loop1'], ['g', '.git/config'], ['abs', '/etc/passwd']]);
    expect(symlinkReach('a/up', links)).toBe('inside');
    expect(symlinkReach('a/x', links)).toBe('escapes');
    expect(symlinkReach('b', links)).toBe('inside');
    expect(symlinkReach('loop1', links)).toBe('escapes');
    expect(symlinkReach('g', links)).toBe('escapes');
    expect(symlinkReach('abs', links)).toBe('escapes');
  });

  it('never runs a driver the host git config defines, whatever the diff\'s .gitattributes names, and takes content as written', async () => {
    const idText = '// $Id$\nexport const b = 2;\n';
    const tree = await change('drivers', async (root) => {
      await write(root, {
        '.gitattributes': '* filter=evil diff=evil merge=evil text eol=crlf ident working-tree-encoding=UTF-16\n',
        'src/b.js': idText,
        'src/a.js': 'export const a = 2;\n',
      });
    });
    expect(await readFile(join(tree.headDir, 'src/b.js'), 'utf8')).toBe(idText);
    expect(tree.changes.map((c) => c.path).sort()).toEqual(['.gitattributes', 'src/a.js', 'src/b.js']);
    const tampering = await runTamperCheck({ ...tree, protectedPaths: [] });
    expect(tampering.findings).toContainEqual(expect.objectContaining({ kind: 'git-driver-added', file: '.gitattributes', severity: 'gate' }));

    // The branch in the user's repository is made with the user's git config in force.
    await write(repo, BASE);
    await g(repo, 'init', '-q');
    await g(repo, 'add', '-A');
    await g(repo, 'commit', '-qm', 'base');
    const base = (await g(repo, 'rev-parse', 'HEAD')).stdout;
    const patchFile = join(dir, 'drivers.patch');
    await writeFile(patchFile, tree.patch);
    await withEvilGit(() => createBranchFromPatch(repo, { base, patchFile, branch: 'tourney/x/drivers', message: 'm' }));
    expect((await g(repo, 'show', 'tourney/x/drivers:src/b.js')).stdout + '\n').toBe(idText);
    await expect(lstat(canaryRan)).rejects.toThrow();
  });

  it('still refuses a patch that writes through a symlink or above the root', async () => {
    const linked = await change('through', async (root) => {
      await symlink(hostDir, join(root, 'vendor'));
    });
    const through = linked.patch + [
      'diff --git a/vendor/new.js b/vendor/new.js', 'new file mode 100644', '--- /dev/null', '+++ b/vendor/new.js', '@@ -0,0 +1 @@', '+pwned', '',
    ].join('\n');
    await expect(materialize(join(dir, 'through-base.tar'), through, join(dir, 'through-2'))).rejects.toThrow(/beyond a symbolic link|does not apply/);
    const above = ['diff --git a/../../x.js b/../../x.js', 'new file mode 100644', '--- /dev/null', '+++ b/../../x.js', '@@ -0,0 +1 @@', '+pwned', ''].join('\n');
    await expect(materialize(join(dir, 'through-base.tar'), above, join(dir, 'through-3'))).rejects.toThrow();
    await expect(lstat(join(hostDir, 'new.js'))).rejects.toThrow();
  });
});
