// Reading the per-entrant artifacts of a run. These files are written by (or about) untrusted
// agents, so every read is bounded, confined to the run directory, and never throws.
import { open, stat } from 'node:fs/promises';
import path from 'node:path';

/** Resolves a run-relative path, or null when it is absent or escapes the run directory. */
export function resolveInRunDir(runDir: string, rel: string | null | undefined): string | null {
  if (!rel || path.isAbsolute(rel)) return null;
  const root = path.resolve(runDir);
  const abs = path.resolve(root, rel);
  return abs.startsWith(root + path.sep) ? abs : null;
}

/** An href for a run-relative path, valid from report.html which sits in the run directory. */
export function relativeHref(runDir: string, rel: string | null | undefined): string | null {
  const abs = resolveInRunDir(runDir, rel);
  if (!abs) return null;
  // Encoding each segment keeps names like `javascript:x` or `a#b` a plain relative file path.
  return path.relative(path.resolve(runDir), abs).split(path.sep).map(encodeURIComponent).join('/');
}

/** Like relativeHref, but null when the file does not exist, so the report can say so. */
export async function existingHref(runDir: string, rel: string | null | undefined): Promise<string | null> {
  const abs = resolveInRunDir(runDir, rel);
  if (!abs) return null;
  try {
    return (await stat(abs)).isFile() ? relativeHref(runDir, rel) : null;
  } catch {
    return null;
  }
}

export interface ReadResult {
  text: string;
  /** True when only the end of the file was read. */
  truncated: boolean;
}

/** Reads up to `maxBytes` from the start (or the end with `fromEnd`); null if unreadable. */
export async function readBounded(abs: string | null, maxBytes: number, fromEnd = false): Promise<ReadResult | null> {
  if (!abs) return null;
  let handle;
  try {
    handle = await open(abs, 'r');
    const { size } = await handle.stat();
    const length = Math.min(size, maxBytes);
    const position = fromEnd ? size - length : 0;
    const buf = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buf, 0, length, position);
    return { text: buf.subarray(0, bytesRead).toString('utf8'), truncated: size > maxBytes };
  } catch {
    return null;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

// eslint-disable-next-line no-control-regex -- matching ANSI escapes is the point
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;

/** The last `lines` lines of a log, without terminal colour codes. */
export function tailLines(text: string, lines: number): { text: string; omitted: number } {
  const all = text.replace(ANSI, '').replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n');
  const kept = all.slice(-lines);
  return { text: kept.join('\n'), omitted: all.length - kept.length };
}
