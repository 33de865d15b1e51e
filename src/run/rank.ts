import type { EntrantResult } from '../types.js';

export const RANKING_RULE =
  'Entrants whose change passes the test command in a clean referee container are ranked by diff size ' +
  '(lines added + deleted, then files changed; smaller first), then by name. Entrants that did not pass are not ranked.';

/** Ranks entrants in place order-independently and returns the winner's name (or null). */
export function rankEntrants(entrants: EntrantResult[]): { ranked: EntrantResult[]; winner: string | null } {
  const eligible = entrants.filter((e) => e.checks.tests?.passed === true && e.diff.files > 0);
  const size = (e: EntrantResult) => e.diff.additions + e.diff.deletions;
  eligible.sort((a, b) => size(a) - size(b) || a.diff.files - b.diff.files || a.name.localeCompare(b.name));
  const rankOf = new Map(eligible.map((e, index) => [e.name, index + 1]));
  const ranked = entrants.map((e) => ({ ...e, rank: rankOf.get(e.name) ?? null }));
  return { ranked, winner: eligible[0]?.name ?? null };
}
