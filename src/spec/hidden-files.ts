// The spec's hidden acceptance files are read from the host and copied into every referee container:
// checked when the spec is read, before any work, so a FIFO does not hang the referee, a symlink does not
// carry a file from elsewhere on the host into a container, and a stray folder does not copy gigabytes.
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { TourneyError } from '../errors.js';

/** Hidden test suites are source files: a few hundred at most. */
export const MAX_HIDDEN_FILES = 2000;
/** Copied into every referee container, once per entrant. */
export const MAX_HIDDEN_BYTES = 64 * 1024 * 1024;

export interface HiddenTally {
  files: number;
  bytes: number;
  /** Where each file lands in the referee's copy, repo-relative (as src/sandbox/overlay.ts lays them out). */
  repoPaths: Set<string>;
}

const KIND = (s: import('node:fs').Stats): string | null =>
  s.isFIFO() ? 'a named pipe (FIFO)' : s.isSocket() ? 'a socket' : s.isCharacterDevice() || s.isBlockDevice() ? 'a device' : null;

const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

/**
 * Walks every hidden entry (absolute paths) and fails on the first problem, naming the spec's key,
 * the file and the limit. Symlinks may point only inside the spec's folder.
 */
export async function checkHiddenFiles(specFile: string, key: (index: number) => string, entries: readonly string[], into: string): Promise<HiddenTally> {
  const specDir = await realpath(path.dirname(path.resolve(specFile)));
  const tally: HiddenTally = { files: 0, bytes: 0, repoPaths: new Set() };
  const fail = (index: number, text: string) => new TourneyError(`${specFile}: front matter key "${key(index)}": ${text}`);
  const inside = (target: string) => target === specDir || target.startsWith(specDir + path.sep);

  const visit = async (index: number, file: string, top: boolean, entry: string): Promise<void> => {
    const link = await lstat(file);
    let info = link;
    if (link.isSymbolicLink()) {
      const target = await realpath(file).catch(() => null);
      if (!target) throw fail(index, `${file} is a symlink to nothing (a broken link)`);
      if (!inside(target)) throw fail(index, `${file} is a symlink to ${target}, outside the spec's folder ${specDir} (hidden files are copied into containers: a link may not bring in other host files)`);
      // The referee's copy skips links inside folders; only a link named in the spec is followed.
      if (!top) return;
      info = await stat(target);
    }
    const odd = KIND(info);
    if (odd) throw fail(index, `${file} is ${odd}, expected a regular file or a folder`);
    if (info.isDirectory()) {
      for (const name of (await readdir(file)).sort()) await visit(index, path.join(file, name), false, entry);
      return;
    }
    tally.files += 1;
    tally.repoPaths.add(path.posix.join(into, (top ? path.basename(file) : path.relative(entry, file)).split(path.sep).join('/')));
    tally.bytes += info.size;
    if (tally.files > MAX_HIDDEN_FILES) throw fail(index, `more than ${MAX_HIDDEN_FILES} hidden files (at ${file}); hidden tests are copied into every referee container: name the test folder, not the project`);
    if (tally.bytes > MAX_HIDDEN_BYTES) throw fail(index, `hidden files add up to more than ${mb(MAX_HIDDEN_BYTES)} (at ${file}, ${mb(info.size)}); hidden tests are copied into every referee container`);
  };
  for (const [index, entry] of entries.entries()) await visit(index, entry, true, entry);
  return tally;
}
