// Reading an entrant's tree on the host, where tourney runs as the user (or root). A symlink in the
// tree is data, its target string, and never a way in: every path component is checked with lstat,
// and the file itself is opened with O_NOFOLLOW, so `package.json -> /home/me/.npmrc` or a symlinked
// directory reads as nothing rather than as the host file behind it.

import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { posix } from 'node:path';

/** The text of `rel` inside `root` when it is a regular file reached without any symlink; else null. */
export async function readTreeFile(root: string, rel: string, maxBytes = Infinity): Promise<string | null> {
  const norm = insidePath(rel);
  if (norm === null) return null;
  const parts = norm.split('/');
  // Every directory on the way must be a real directory: a symlinked parent could point anywhere.
  for (let i = 1; i < parts.length; i += 1) {
    const info = await lstat(`${root}/${parts.slice(0, i).join('/')}`).catch(() => null);
    if (!info?.isDirectory()) return null;
  }
  const handle = await open(`${root}/${norm}`, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(() => null);
  if (!handle) return null;
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size > maxBytes) return null;
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** The size of `rel` when it is a regular file reached without any symlink; else null. */
export async function treeFileSize(root: string, rel: string): Promise<number | null> {
  const norm = insidePath(rel);
  if (norm === null) return null;
  const parts = norm.split('/');
  for (let i = 1; i <= parts.length; i += 1) {
    const info = await lstat(`${root}/${parts.slice(0, i).join('/')}`).catch(() => null);
    if (!info) return null;
    if (i < parts.length && !info.isDirectory()) return null;
    if (i === parts.length) return info.isFile() ? info.size : null;
  }
  return null;
}

/** Repo-relative, forward slashes, never absolute or above the root; null otherwise. */
export function insidePath(rel: string): string | null {
  const norm = posix.normalize(rel.replaceAll('\\', '/'));
  if (norm === '' || norm === '.' || norm.startsWith('/') || norm === '..' || norm.startsWith('../')) return null;
  return norm.replace(/\/$/, '');
}

/**
 * Where a symlink leads, resolved inside the tree the way the kernel would (component by component,
 * expanding the tree's other symlinks): 'inside' when it stays in the repository, 'escapes' when it
 * is absolute, climbs above the root, goes through another symlink that does, or enters `.git`.
 * `links` maps every symlink of the tree (repo-relative path) to its target.
 */
export function symlinkReach(linkPath: string, links: ReadonlyMap<string, string>): 'inside' | 'escapes' {
  const target = links.get(linkPath);
  if (target === undefined) return 'inside';
  const parts = linkPath.split('/').slice(0, -1);
  const queue = [...splitTarget(target)];
  if (target.startsWith('/')) return 'escapes';
  let hops = 0;
  while (queue.length > 0) {
    const part = queue.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return 'escapes';
      parts.pop();
      continue;
    }
    parts.push(part);
    if (parts[0] === '.git') return 'escapes';
    const next = links.get(parts.join('/'));
    if (next === undefined) continue;
    // A loop never resolves; it is not read either way, and it is no honest change.
    if ((hops += 1) > 40 || next.startsWith('/')) return 'escapes';
    parts.pop();
    queue.unshift(...splitTarget(next));
  }
  return 'inside';
}

const splitTarget = (target: string): string[] => target.split('/');
