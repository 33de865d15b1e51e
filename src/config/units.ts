import * as z from 'zod';

export const DURATION_EXPECTED = 'expected a positive number of seconds or a duration like "10m"';
export const MEMORY_EXPECTED = 'expected a size like "512m" or "2g", or a number of MB';

const NUMBER = String.raw`\d+(?:\.\d+)?`;
const DURATION_RE = new RegExp(`^(?:(${NUMBER})\\s*h)?\\s*(?:(${NUMBER})\\s*m)?\\s*(?:(${NUMBER})\\s*s)?$`);
const MEMORY_RE = new RegExp(`^(${NUMBER})\\s*([mg])b?$`);

/** Seconds from `90`, `"90"`, `"90s"`, `"10m"`, `"1h"`, `"1h30m"`; undefined when not a positive duration. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase();
  if (new RegExp(`^${NUMBER}$`).test(text)) return parseDuration(Number(text));
  const match = text === '' ? null : DURATION_RE.exec(text);
  if (!match) return undefined;
  const [, h = '0', m = '0', s = '0'] = match;
  const total = Number(h) * 3600 + Number(m) * 60 + Number(s);
  return total > 0 ? total : undefined;
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

function unitSchema(parse: (v: unknown) => number | undefined, expected: string) {
  // z.unknown() lets the parser see every input, so one message covers wrong types and bad text.
  return z.unknown().transform((value, ctx): number | undefined => {
    const parsed = parse(value);
    if (parsed === undefined) ctx.addIssue({ code: 'custom', message: expected, input: value });
    return parsed;
  }).optional();
}

/** An optional duration key; parses to seconds. */
export const durationSchema = unitSchema(parseDuration, DURATION_EXPECTED);
/** An optional memory-size key; parses to MB. */
export const memorySchema = unitSchema(parseMemoryMb, MEMORY_EXPECTED);
