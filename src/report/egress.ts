// An entrant's egress under `sandbox.network: allowlist`: what its proxy let through, and every refused attempt.
import type { EntrantResult } from '../types.js';

export interface EgressView {
  /** "egress allowlist (api.anthropic.com): 12 connections allowed, 3 refused" */
  summary: string;
  refused: boolean;
  /** The first refused attempts, one line each ("CONNECT 10.0.0.1:22 at 12:00:01"). */
  denied: string[];
  /** Refused attempts beyond those listed (the proxy logs the first ones in detail, then totals). */
  more: number;
}

export function entrantEgressView(e: EntrantResult): EgressView | null {
  const egress = e.egress;
  if (!egress) return null;
  const denied = egress.deniedAttempts.map((a) => `${a.how} ${a.host}${a.port === null ? '' : `:${a.port}`}${a.at ? ` at ${a.at.slice(11, 19)}` : ''}`);
  const summary = `Egress allowlist (${egress.allow.join(', ') || 'nothing'}): ${egress.allowed} connection(s) allowed, ${egress.denied} refused`;
  return { summary, refused: egress.denied > 0, denied, more: Math.max(0, egress.denied - denied.length) };
}
