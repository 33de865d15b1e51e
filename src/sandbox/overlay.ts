import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative, basename } from 'node:path';
import { SANDBOX_UID } from './labels.js';
import { tarOf } from './tar.js';

/** Files from the host laid over a repository copy: hidden tests and benchmarks beside the spec. */
export interface Overlay {
  /** A file or folder on the host. */
  hostPath: string;
  /** Repo-relative folder it goes into: a folder's contents go under it, a file goes in it by name. */
  repoPath: string;
}

/** A tar of the overlay files, laid out at their repository paths and owned by the sandbox user. */
export async function overlayTar(overlays: Overlay[]): Promise<Buffer> {
  return tarOf(await overlayFiles(overlays), SANDBOX_UID);
}

/** The overlay files by their repository paths, with their contents. */
export async function overlayFiles(overlays: Overlay[]): Promise<{ name: string; content: Buffer }[]> {
  const files: { name: string; content: Buffer }[] = [];
  for (const overlay of overlays) {
    for (const file of await walk(overlay.hostPath)) {
      const rel = file === overlay.hostPath ? basename(file) : relative(overlay.hostPath, file);
      files.push({ name: `${overlay.repoPath}/${rel}`, content: await readFile(file) });
    }
  }
  return files;
}

async function walk(path: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() || e.isFile() ? walk(join(path, e.name)) : Promise.resolve([]))));
  return nested.flat();
}
