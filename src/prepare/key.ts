import { createHash } from 'node:crypto';
import { minimatch } from 'minimatch';
import { git } from '../git/repo.js';

/**
 * The files a setup usually depends on: dependency manifests and lockfiles of the common package
 * managers, at any depth (monorepos keep one per package). Overridden by `setupKey`.
 */
export const DEFAULT_SETUP_KEY: readonly string[] = [
  '**/package.json', '**/package-lock.json', '**/npm-shrinkwrap.json', '**/yarn.lock', '**/.yarnrc.yml',
  '**/pnpm-lock.yaml', '**/pnpm-workspace.yaml', '**/bun.lock', '**/bun.lockb', '**/.npmrc',
  '**/requirements*.txt', '**/constraints*.txt', '**/pyproject.toml', '**/poetry.lock', '**/Pipfile', '**/Pipfile.lock',
  '**/uv.lock', '**/setup.py', '**/setup.cfg',
  '**/go.mod', '**/go.sum', '**/Cargo.toml', '**/Cargo.lock', '**/Gemfile', '**/Gemfile.lock',
  '**/composer.json', '**/composer.lock',
];

/** A version of the preparation itself: bump it when what goes into a prepared image changes. */
const FORMAT = 'tourney-env/1';

export interface KeyFile {
  path: string;
  mode: string;
  /** Git object id of the content (or of the link target, for a symlink): data, never followed. */
  oid: string;
}

/**
 * The key globs: the setupKey (or the default list) plus the files the setup command names
 * (`bash scripts/install.sh`, `pip install -r requirements-dev.txt`), which it plainly depends on.
 */
export function keyGlobs(setupKey: readonly string[], setup: string | null): string[] {
  const named = setup ? namedPaths(setup).map((p) => minimatch.escape(p)) : [];
  return [...new Set([...setupKey, ...named])];
}

function namedPaths(command: string): string[] {
  return command
    .split(/[\s;&|<>()'"`=]+/)
    .map((token) => token.replace(/^\.\//, ''))
    .filter((token) => token.length > 0 && !token.startsWith('-') && !/[$*?[\]{}~\\]/.test(token) && !token.startsWith('/') && !token.split('/').includes('..') && /[./]/.test(token));
}

export function matchesKey(path: string, globs: readonly string[]): boolean {
  return globs.some((glob) => minimatch(path, glob, { dot: true }));
}

/** The changed paths that are part of the key: such a change needs an environment of its own. */
export function touchedKeyFiles(changedPaths: readonly string[], globs: readonly string[]): string[] {
  return changedPaths.filter((p) => matchesKey(p, globs));
}

/** A repository's identity that survives new commits and clones: its root commit ids. */
export async function repositoryIdentity(root: string, commit: string): Promise<string> {
  const roots = await git(root, ['rev-list', '--max-parents=0', commit]);
  if (roots.exitCode !== 0) throw new Error(`git rev-list ${commit} failed: ${roots.stderr}`);
  return roots.stdout.split('\n').filter(Boolean).sort().join(',');
}

/** Key files of a commit, from git's tree (no file is read), minus the paths entrants never see. */
export async function commitKeyFiles(root: string, commit: string, globs: readonly string[], excluded: readonly string[]): Promise<KeyFile[]> {
  const listed = await git(root, ['ls-tree', '-r', '-z', '--full-tree', commit]);
  if (listed.exitCode !== 0) throw new Error(`git ls-tree ${commit} failed: ${listed.stderr}`);
  // "<mode> <type> <oid>\t<path>\0"
  return parseEntries(listed.stdout, (meta) => {
    const [mode = '', type = '', oid = ''] = meta.split(' ');
    return type === 'blob' ? { mode, oid } : null;
  }).filter((f) => matchesKey(f.path, globs) && !excluded.some((x) => f.path === x || f.path.startsWith(`${x}/`)));
}

/** Key files of a work tree's index (a materialized base + patch), as git hashed them. */
export async function indexKeyFiles(dir: string, globs: readonly string[]): Promise<KeyFile[]> {
  const listed = await git(dir, ['ls-files', '-s', '-z']);
  if (listed.exitCode !== 0) throw new Error(`git ls-files failed in ${dir}: ${listed.stderr}`);
  // "<mode> <oid> <stage>\t<path>\0"
  return parseEntries(listed.stdout, (meta) => {
    const [mode = '', oid = ''] = meta.split(' ');
    return { mode, oid };
  }).filter((f) => matchesKey(f.path, globs));
}

function parseEntries(z: string, meta: (text: string) => { mode: string; oid: string } | null): KeyFile[] {
  const out: KeyFile[] = [];
  for (const entry of z.split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const parsed = meta(entry.slice(0, tab));
    if (parsed) out.push({ path: entry.slice(tab + 1), ...parsed });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * sha256 over everything a prepared image depends on: the image it starts from, the setup, the key
 * files, and the repository (its root commits), so two projects with the same manifests never share
 * what their setups made.
 */
export function environmentKey(fromImageId: string, setup: string, files: readonly KeyFile[], repository: string): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ format: FORMAT, from: fromImageId, setup, repository, files: files.map((f) => [f.path, f.mode, f.oid]) }));
  return hash.digest('hex');
}
