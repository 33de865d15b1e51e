import { mkdtemp, mkdir, rm, writeFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitKeyFiles, DEFAULT_SETUP_KEY, environmentKey, indexKeyFiles, keyGlobs, repositoryIdentity, touchedKeyFiles } from '../../src/prepare/key.js';

let dir: string;
const git = (...args: string[]) => execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir });

async function files(entries: Record<string, string>) {
  for (const [path, content] of Object.entries(entries)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

async function commit(): Promise<string> {
  await git('add', '-A');
  await git('commit', '-qm', 'x', '--allow-empty');
  return (await git('rev-parse', 'HEAD')).stdout;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tourney-key-'));
  await git('init', '-q');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the files in the key', () => {
  it('are the manifests and lockfiles of the common package managers, at any depth', async () => {
    await files({
      'package.json': '{}', 'package-lock.json': '{}', 'packages/ui/package.json': '{}', 'pnpm-lock.yaml': '',
      'requirements.txt': '', 'requirements-dev.txt': '', 'pyproject.toml': '', 'go.mod': '', 'go.sum': '', 'Cargo.lock': '', 'Gemfile.lock': '',
      'src/index.js': '', 'README.md': '', 'docs/package.json.md': '',
    });
    const head = await commit();
    const found = await commitKeyFiles(dir, head, keyGlobs(DEFAULT_SETUP_KEY, 'npm ci'), []);
    expect(found.map((f) => f.path)).toEqual([
      'Cargo.lock', 'Gemfile.lock', 'go.mod', 'go.sum', 'package-lock.json', 'package.json', 'packages/ui/package.json',
      'pnpm-lock.yaml', 'pyproject.toml', 'requirements-dev.txt', 'requirements.txt',
    ]);
  });

  it('include files the setup command names, and leave out what entrants never see', async () => {
    await files({ 'package.json': '{}', 'scripts/install.sh': 'npm ci', 'extra reqs.txt': '', 'specs/feature.md': '', 'specs/acceptance/package.json': '{}' });
    const head = await commit();
    const globs = keyGlobs(DEFAULT_SETUP_KEY, 'bash ./scripts/install.sh && pip install -r "extra reqs.txt" --target=/tmp/x $HOME/y');
    const found = await commitKeyFiles(dir, head, globs, ['specs/feature.md', 'specs/acceptance']);
    expect(found.map((f) => f.path)).toEqual(['package.json', 'scripts/install.sh']);
  });

  it('follow setupKey when given instead of the default list', async () => {
    await files({ 'package.json': '{}', 'deps/versions.lock': 'a' });
    const head = await commit();
    expect((await commitKeyFiles(dir, head, keyGlobs(['deps/*.lock'], 'make deps'), [])).map((f) => f.path)).toEqual(['deps/versions.lock']);
  });
});

describe('the key', () => {
  it('changes with a key file, the setup command or the image, and with nothing else', async () => {
    await files({ 'package.json': '{"a":1}', 'src/a.js': '1' });
    const globs = keyGlobs(DEFAULT_SETUP_KEY, 'npm ci');
    const key = async () => environmentKey('sha256:img', 'npm ci', await commitKeyFiles(dir, await commit(), globs, []), 'repo');
    const first = await key();
    await files({ 'src/a.js': '2', 'README.md': 'more' });
    expect(await key()).toBe(first);
    await files({ 'package.json': '{"a":2}' });
    const second = await key();
    expect(second).not.toBe(first);
    const files2 = await commitKeyFiles(dir, 'HEAD', globs, []);
    expect(environmentKey('sha256:img', 'npm install', files2, 'repo')).not.toBe(second);
    expect(environmentKey('sha256:other', 'npm ci', files2, 'repo')).not.toBe(second);
    // Another project with the same manifests never gets this one's products.
    expect(environmentKey('sha256:img', 'npm ci', files2, 'other-repo')).not.toBe(second);
    expect(environmentKey('sha256:img', 'npm ci', files2, 'repo')).toBe(second);
  });

  it('is the same from a commit and from a work tree index with the same content', async () => {
    await files({ 'package.json': '{"a":1}', 'package-lock.json': '{}' });
    const head = await commit();
    const globs = keyGlobs(DEFAULT_SETUP_KEY, 'npm ci');
    expect(environmentKey('i', 'npm ci', await indexKeyFiles(dir, globs), 'r')).toBe(environmentKey('i', 'npm ci', await commitKeyFiles(dir, head, globs, []), 'r'));
  });

  it('hashes a symlinked manifest as its target string, never the file it points at', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'tourney-key-outside-'));
    try {
      await writeFile(join(outside, 'secret.json'), 'v1');
      await symlink(join(outside, 'secret.json'), join(dir, 'package.json'));
      await git('add', '-A');
      const globs = keyGlobs(DEFAULT_SETUP_KEY, 'npm ci');
      const before = environmentKey('i', 'npm ci', await indexKeyFiles(dir, globs), 'r');
      await writeFile(join(outside, 'secret.json'), 'v2');
      await git('add', '-A');
      expect(environmentKey('i', 'npm ci', await indexKeyFiles(dir, globs), 'r')).toBe(before);
      expect((await indexKeyFiles(dir, globs))[0]?.mode).toBe('120000');
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});

describe('repositoryIdentity', () => {
  it('is the root commit, the same after more commits', async () => {
    await files({ 'a.txt': '1' });
    const first = await commit();
    const id = await repositoryIdentity(dir, first);
    expect(id).toBe(first);
    await files({ 'a.txt': '2' });
    expect(await repositoryIdentity(dir, await commit())).toBe(id);
  });
});

describe('touchedKeyFiles', () => {
  it('lists the changed paths that are in the key, deleted ones too', () => {
    const globs = keyGlobs(DEFAULT_SETUP_KEY, 'npm ci');
    expect(touchedKeyFiles(['src/a.js', 'package.json', 'web/yarn.lock', 'docs/requirements.md'], globs)).toEqual(['package.json', 'web/yarn.lock']);
    expect(touchedKeyFiles(['src/a.js', 'test/a.test.js'], globs)).toEqual([]);
  });
});
