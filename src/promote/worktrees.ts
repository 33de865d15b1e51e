import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { git } from '../git/repo.js';

/** The worktree (main or linked) that has `branch` checked out, or null. */
export async function worktreeOf(root: string, branch: string): Promise<string | null> {
  const list = await git(root, ['worktree', 'list', '--porcelain', '-z']);
  if (list.exitCode !== 0) return null;
  let path: string | null = null;
  for (const line of list.stdout.split('\0')) {
    if (line.startsWith('worktree ')) path = line.slice('worktree '.length);
    else if (line === `branch refs/heads/${branch}` && path) return path;
  }
  return null;
}

/**
 * Why advancing `worktree` from `from` to `to` could lose something, or null when it cannot: a
 * modified or staged tracked file, or a file on disk that git does not track at `from` but the
 * new commit writes (untracked or ignored: git would silently overwrite an ignored one).
 */
export async function unsafeToAdvance(worktree: string, from: string, to: string): Promise<string | null> {
  const status = await git(worktree, ['status', '--porcelain=v1', '-z', '--untracked-files=no', '--ignore-submodules=none']);
  if (status.exitCode !== 0) return `cannot read its status (${status.stderr.trim()})`;
  const dirty = status.stdout.split('\0').filter(Boolean).map((l) => l.slice(3));
  if (dirty.length) return `it has uncommitted changes (staged or not) in ${list(dirty)}; commit or stash them first`;
  const changed = await git(worktree, ['diff', '--name-only', '-z', '--no-renames', '--diff-filter=AMT', from, to]);
  const inTheWay: string[] = [];
  for (const path of changed.stdout.split('\0').filter(Boolean)) {
    const tracked = await git(worktree, ['cat-file', '-e', `${from}:${path}`]);
    if (tracked.exitCode === 0) continue;
    if (await lstat(join(worktree, path)).then(() => true, () => false)) {
      inTheWay.push(path);
      continue;
    }
    // A new "dir/file" where an untracked (or ignored) file named "dir" sits: git would replace it.
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      const onDisk = await lstat(join(worktree, parent)).then((st) => !st.isDirectory(), () => false);
      if (onDisk && (await git(worktree, ['cat-file', '-e', `${from}:${parent}`])).exitCode !== 0) {
        inTheWay.push(parent);
        break;
      }
    }
  }
  if (inTheWay.length) return `untracked files would be overwritten: ${list(inTheWay)}; move them away first`;
  return null;
}

function list(paths: string[]): string {
  return paths.length > 8 ? `${paths.slice(0, 8).join(', ')} and ${paths.length - 8} more` : paths.join(', ');
}
