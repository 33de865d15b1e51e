import { createHash } from 'node:crypto';

/**
 * Git trailers on a promoted winner commit that tie it to the run that chose it. `tourney gate
 * --require-winner` reads them back and checks them against the run dir (hashes, base, tree).
 */
export interface Provenance {
  runId: string;
  /** `sha256:<hex>` of the spec file's bytes as the run read them. */
  spec: string;
  /** `sha256:<hex>` of the run dir's result.json bytes (written before the winner commit, never rewritten). */
  result: string;
}

export const TRAILER = { run: 'Tourney-Run', spec: 'Tourney-Spec', result: 'Tourney-Result' } as const;

export function sha256Tag(bytes: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** The trailer block, to end a commit message with (after a blank line). */
export function formatTrailers(p: Provenance): string {
  return `${TRAILER.run}: ${p.runId}\n${TRAILER.spec}: ${p.spec}\n${TRAILER.result}: ${p.result}\n`;
}

/**
 * Reads the trailers from the last paragraph of a commit message. All three must be present and
 * well formed, else null: a half-written trailer block proves nothing.
 */
export function parseTrailers(message: string): Provenance | null {
  const paragraphs = message.replace(/\r\n/g, '\n').trimEnd().split(/\n\s*\n/);
  const last = paragraphs.at(-1) ?? '';
  const values = new Map<string, string>();
  for (const line of last.split('\n')) {
    const m = /^([A-Za-z-]+):\s*(\S+)\s*$/.exec(line);
    if (m) values.set(m[1]!.toLowerCase(), m[2]!);
  }
  const runId = values.get(TRAILER.run.toLowerCase());
  const spec = values.get(TRAILER.spec.toLowerCase());
  const result = values.get(TRAILER.result.toLowerCase());
  const hash = /^sha256:[0-9a-f]{64}$/;
  if (!runId || !/^[\w.-]{1,100}$/.test(runId) || !spec || !hash.test(spec) || !result || !hash.test(result)) return null;
  return { runId, spec, result };
}
