// Parsing of durations and sizes, without zod: the CLI's flag parsers use these at start-up, and
// `tourney --version` should not pay for loading the schema library.

/** Node's timers overflow past 2^31 - 1 ms (about 596 h) and fire at once; a week is plenty for any limit. */
export const MAX_DURATION_SEC = 7 * 24 * 3600;

export const DURATION_EXPECTED = 'expected a positive number of seconds or a duration like "10m", at most 7 days (168h)';
export const MEMORY_EXPECTED = 'expected a size like "512m" or "2g", or a number of MB';

const NUMBER = String.raw`\d+(?:\.\d+)?`;
const DURATION_RE = new RegExp(`^(?:(${NUMBER})\\s*h)?\\s*(?:(${NUMBER})\\s*m)?\\s*(?:(${NUMBER})\\s*s)?$`);
const MEMORY_RE = new RegExp(`^(${NUMBER})\\s*([mg])b?$`);

/** Seconds from `90`, `"90"`, `"90s"`, `"10m"`, `"1h"`, `"1h30m"`; undefined when not a positive duration. */
export function parseDuration(value: unknown, maxSec = MAX_DURATION_SEC): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 && value <= maxSec ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase();
  if (new RegExp(`^${NUMBER}$`).test(text)) return parseDuration(Number(text), maxSec);
  const match = text === '' ? null : DURATION_RE.exec(text);
  if (!match) return undefined;
  const [, h = '0', m = '0', s = '0'] = match;
  const total = Number(h) * 3600 + Number(m) * 60 + Number(s);
  return total > 0 && total <= maxSec ? total : undefined;
}

/** Whole megabytes from `2048`, `"512m"`, `"2g"`, `"2GB"`; undefined when not a positive size. */
export function parseMemoryMb(value: unknown): number | undefined {
  let mb: number | undefined;
  if (typeof value === 'number') mb = value;
  else if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    const match = MEMORY_RE.exec(text);
    if (match) mb = Number(match[1]) * (match[2] === 'g' ? 1024 : 1);
    else if (new RegExp(`^${NUMBER}$`).test(text)) mb = Number(text);
  }
  if (mb === undefined || !Number.isFinite(mb)) return undefined;
  const rounded = Math.round(mb);
  return rounded >= 1 ? rounded : undefined;
}
