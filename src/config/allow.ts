import * as z from 'zod';

export const ALLOW_EXPECTED = 'expected "host" or "host:port" (e.g. "api.anthropic.com" or "10.0.0.5:8080"), without a scheme, path or wildcard';

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOST_RE = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
const IPV6_RE = /^\[[0-9a-f:.]+\]$/;

/** One `sandbox.allow` entry, as the egress proxy compares it (lower case; port null = 80 and 443). */
export function parseAllowEntry(text: string): { host: string; port: number | null } | null {
  const match = /^(\[[^\]]+\]|[^:/\s]+)(?::(\d{1,5}))?$/.exec(text.trim().toLowerCase());
  if (!match?.[1]) return null;
  const host = match[1];
  if (!(HOST_RE.test(host) || IPV6_RE.test(host)) || host.length > 253) return null;
  const port = match[2] === undefined ? null : Number(match[2]);
  if (port !== null && (port < 1 || port > 65535)) return null;
  return { host, port };
}

export const allowEntrySchema = z.string().transform((text, ctx) => {
  const entry = parseAllowEntry(text);
  if (!entry) {
    ctx.addIssue({ code: 'custom', input: text, message: ALLOW_EXPECTED });
    return z.NEVER;
  }
  return entry;
});
