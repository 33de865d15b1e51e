import { open } from 'node:fs/promises';
import { constants } from 'node:fs';
import { TourneyError } from '../errors.js';

/** Specs and configs are short text; anything bigger is a mistake (or an attack on the prompt). */
export const MAX_INPUT_FILE_BYTES = 1024 * 1024;

const KIND_NAMES: [test: (s: import('node:fs').Stats) => boolean, name: string][] = [
  [(s) => s.isDirectory(), 'a directory'],
  [(s) => s.isFIFO(), 'a named pipe (FIFO)'],
  [(s) => s.isSocket(), 'a socket'],
  [(s) => s.isCharacterDevice() || s.isBlockDevice(), 'a device'],
];

function megabytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/**
 * Reads a user's input file (spec, config) as UTF-8 text: a regular file no larger than `maxBytes`.
 * Opened non-blocking, so a FIFO given by mistake fails at once instead of waiting for a writer.
 */
export async function readInputFile(abs: string, shown: string, what: string, maxBytes = MAX_INPUT_FILE_BYTES): Promise<string> {
  return (await readInputBytes(abs, shown, what, maxBytes)).toString('utf8');
}

/** readInputFile's bytes, for hashing them exactly as read. */
export async function readInputBytes(abs: string, shown: string, what: string, maxBytes = MAX_INPUT_FILE_BYTES): Promise<Buffer> {
  let handle;
  try {
    handle = await open(abs, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TourneyError(`${shown}: no such file (the ${what})`, { cause: err });
    if (code === 'EISDIR') throw new TourneyError(`${shown}: is a directory, expected the ${what} (a regular file)`, { cause: err });
    throw new TourneyError(`${shown}: cannot read the ${what} (${code ?? String(err)})`, { cause: err });
  }
  try {
    const stats = await handle.stat();
    const kind = KIND_NAMES.find(([test]) => test(stats));
    if (kind) throw new TourneyError(`${shown}: is ${kind[1]}, expected the ${what} (a regular file)`);
    if (stats.size > maxBytes) throw new TourneyError(`${shown}: is ${megabytes(stats.size)}, more than the ${megabytes(maxBytes)} a ${what} may be`);
    const buf = Buffer.alloc(Math.min(stats.size, maxBytes) + 1);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    // The file grew between stat and read: still bounded.
    if (bytesRead > maxBytes) throw new TourneyError(`${shown}: is more than the ${megabytes(maxBytes)} a ${what} may be`);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close().catch(() => undefined);
  }
}
