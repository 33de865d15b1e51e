import { mkdir, readlink, symlink, unlink, writeFile } from 'node:fs/promises';
import { packagePath } from '../paths.js';
import { join } from 'node:path';
import { execa } from 'execa';
import { neutraliseAttributes, untrustedGit } from '../git/untrusted-tree.js';
import { symlinkReach } from './tree-read.js';

export type ChangeStatus = 'added' | 'modified' | 'deleted';

export interface FileChange {
  path: string;
  status: ChangeStatus;
  additions: number;
  deletions: number;
}

/** A symlink the entrant added or changed: its target is data, recorded as written. */
export interface ChangedSymlink {
  path: string;
  target: string;
  /** Absolute, above the root, into .git, or through another symlink that is: removed from the host copy. */
  escapes: boolean;
}

export interface Materialized {
  baseDir: string;
  headDir: string;
  changes: FileChange[];
  symlinks: ChangedSymlink[];
}

export class PatchDoesNotApply extends Error {}

/**
 * Unpacks the base snapshot twice on the host, applies the entrant's patch to the second copy, and
 * lists the changes as git sees them. Static checks read these trees as data; nothing here runs
 * the entrant's code, and nothing comes from the agent's container except the patch text.
 */
export async function materialize(baseTar: string, patch: string, dir: string): Promise<Materialized> {
  const baseRoot = join(dir, 'base');
  const headRoot = join(dir, 'head');
  await mkdir(baseRoot, { recursive: true });
  await mkdir(headRoot, { recursive: true });
  // A repository's own eslint.config.js usually imports @eslint/js, typescript-eslint, globals: let
  // those resolve from tourney's node_modules, as they would from the repository's own.
  await symlink(packagePath('node_modules'), join(dir, 'node_modules'), 'dir').catch(() => undefined);
  await execa('tar', ['--no-same-owner', '-xf', baseTar, '-C', baseRoot]);
  await execa('tar', ['--no-same-owner', '-xf', baseTar, '-C', headRoot]);
  const baseDir = join(baseRoot, 'repo');
  const headDir = join(headRoot, 'repo');

  const env = { GIT_AUTHOR_NAME: 'tourney', GIT_AUTHOR_EMAIL: 'tourney@localhost', GIT_COMMITTER_NAME: 'tourney', GIT_COMMITTER_EMAIL: 'tourney@localhost' };
  const run = async (args: string[]) => {
    const result = await untrustedGit(headDir, args, env);
    if (result.exitCode !== 0) throw new Error(`git ${args[0]}: ${result.stderr}`);
    return result.stdout;
  };
  await run(['init', '-q']);
  await neutraliseAttributes(headDir);
  await run(['add', '-A', '--force']);
  await run(['commit', '-q', '--allow-empty', '--no-verify', '-m', 'base']);
  const baseLinks = await symlinksOf(headDir, run);
  if (patch.trim().length > 0) {
    const patchFile = join(dir, 'entrant.patch');
    await writeFile(patchFile, patch);
    const applied = await untrustedGit(headDir, ['apply', '--binary', '--whitespace=nowarn', patchFile]);
    if (applied.exitCode !== 0) throw new PatchDoesNotApply(applied.stderr.trim() || 'git apply failed');
  }
  await run(['add', '-A', '--force']);
  const numstat = await run(['diff', '--cached', '--numstat', '--no-renames', '-z', 'HEAD']);
  const status = await run(['diff', '--cached', '--name-status', '--no-renames', '-z', 'HEAD']);
  const changes = parseChanges(numstat, status);
  const headLinks = await symlinksOf(headDir, run);
  // No host reader (ours, ESLint's parser, a TypeScript program) can follow what is not there.
  await disarm(baseDir, baseLinks);
  await disarm(headDir, headLinks);
  const changed = new Set(changes.filter((c) => c.status !== 'deleted').map((c) => c.path));
  const symlinks = [...headLinks]
    .filter(([path, target]) => changed.has(path) && baseLinks.get(path) !== target)
    .map(([path, target]) => ({ path, target, escapes: symlinkReach(path, headLinks) === 'escapes' }));
  return { baseDir, headDir, changes, symlinks };
}

/** Every symlink git holds in the index (mode 120000), with its target as read from the link itself. */
async function symlinksOf(dir: string, run: (args: string[]) => Promise<string>): Promise<Map<string, string>> {
  const links = new Map<string, string>();
  for (const entry of (await run(['ls-files', '-s', '-z'])).split('\0')) {
    if (!entry.startsWith('120000 ')) continue;
    const path = entry.slice(entry.indexOf('\t') + 1);
    links.set(path, await readlink(join(dir, path)));
  }
  return links;
}

/** Removes the tree's symlinks that lead out of it from the host copy (the checks still see the change). */
async function disarm(dir: string, links: Map<string, string>): Promise<void> {
  for (const path of links.keys()) {
    if (symlinkReach(path, links) === 'escapes') await unlink(join(dir, path)).catch(() => undefined);
  }
}

function parseChanges(numstatZ: string, statusZ: string): FileChange[] {
  const statusOf = new Map<string, ChangeStatus>();
  const parts = statusZ.split('\0').filter((p) => p.length > 0);
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const code = parts[i]!;
    statusOf.set(parts[i + 1]!, code === 'A' ? 'added' : code === 'D' ? 'deleted' : 'modified');
  }
  // numstat -z: "add\tdel\tpath\0" per file.
  return numstatZ
    .split('\0')
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      const [add = '0', del = '0', ...rest] = entry.split('\t');
      const path = rest.join('\t');
      return { path, status: statusOf.get(path) ?? 'modified', additions: add === '-' ? 0 : Number(add), deletions: del === '-' ? 0 : Number(del) };
    });
}
