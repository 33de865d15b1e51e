import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packagePath } from '../../src/paths.js';

// containers/prepare-finish.mjs runs inside setup containers; it is plain Node, so it can be run here.
let root: string;
let repo: string;
const exclude = () => join(root, 'env', 'exclude');
const git = (...args: string[]) => execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo });

async function write(path: string, content = 'x') {
  await mkdir(dirname(join(repo, path)), { recursive: true });
  await writeFile(join(repo, path), content);
}

async function finish() {
  const { stdout } = await execa('node', [packagePath('containers', 'prepare-finish.mjs'), exclude()], { cwd: repo });
  return JSON.parse(stdout) as { trackedChanged: string[]; products: number; sample: string[]; unusual: string[]; unlisted: string[] };
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tourney-finish-'));
  repo = join(root, 'repo');
  await mkdir(repo);
  await git('init', '-q');
  await write('.gitignore', 'node_modules/\n');
  await write('package.json', '{}');
  await write('src/deep/a.js', 'a');
  await write('vendor/keep.txt', 'tracked');
  await git('add', '-A');
  await git('commit', '-qm', 'base');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('prepare-finish', () => {
  it('keeps what the setup made, removes the repository files and .git, and lists the products', async () => {
    await write('node_modules/is-number/index.js');
    await write('.venv/bin/python');
    await write('vendor/built.so');
    const summary = await finish();
    expect(summary.trackedChanged).toEqual([]);
    expect((await readdir(repo)).sort()).toEqual(['.venv', 'node_modules', 'vendor']);
    expect(await readdir(join(repo, 'vendor'))).toEqual(['built.so']);
    expect(existsSync(join(repo, 'src'))).toBe(false);
    expect((await readFile(exclude(), 'utf8')).split('\n').filter(Boolean).sort()).toEqual(['/.venv/', '/node_modules/', '/vendor/built.so']);
    // Installs are expected; a file next to the code may be a build of it (frozen at the base commit).
    expect(summary.unusual).toEqual(['vendor/built.so']);
  });

  it('names what the setup built outside the dependency folders: a dist/ from npm\'s prepare script', async () => {
    await write('packages/ui/package.json', '{}');
    await git('add', '-A');
    await git('commit', '-qm', 'workspace');
    await write('dist/index.js');
    await write('packages/ui/node_modules/x/index.js');
    await write('pkg.egg-info/PKG-INFO');
    expect((await finish()).unusual).toEqual(['dist/']);
  });

  it('removes a product whose name has a control character instead of listing it', async () => {
    // git drops a trailing \r from an ignore line: "/src\r" would hide every new file under src/.
    await write('src\r');
    await write('node_modules/ok.js');
    const summary = await finish();
    expect(summary.unlisted).toEqual(['src\r']);
    expect(existsSync(join(repo, 'src\r'))).toBe(false);
    expect(await readFile(exclude(), 'utf8')).toBe('/node_modules/\n');
  });

  it('reports tracked files the setup changed', async () => {
    await write('package.json', '{"changed":true}');
    await rm(join(repo, 'src/deep/a.js'));
    expect((await finish()).trackedChanged.sort()).toEqual(['package.json', 'src/deep/a.js']);
  });

  it('writes patterns that match exactly the odd names a setup can make, and nothing else', async () => {
    const odd = ['#cache', '!important', 'a*b', 'q?.txt', '[x]', 'back\\slash', 'trailing ', 'sp ace/x'];
    for (const name of odd) await write(name);
    await finish();
    // Lay the base back and ask git which paths the exclude file ignores, as a workspace would.
    const check = join(root, 'check');
    await mkdir(check);
    await execa('git', ['init', '-q'], { cwd: check });
    await writeFile(join(check, '.git', 'info', 'exclude'), await readFile(exclude(), 'utf8'));
    const probes = [...odd.map((n) => n.replace(/\/x$/, '/file')), 'ab', 'aXb', 'q1.txt', 'x', 'trailing', 'cache', 'important'];
    const res = await execa('git', ['check-ignore', '--no-index', '-z', '--stdin'], { cwd: check, input: probes.join('\0'), reject: false });
    const hits = res.stdout.split('\0').filter(Boolean).sort();
    expect(hits).toEqual([...odd.map((n) => n.replace(/\/x$/, '/file'))].sort());
  });
});
