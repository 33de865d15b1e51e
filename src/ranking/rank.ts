import type { EntrantResult } from '../types.js';

export const RANKING_RULE =
  'Only entrants that pass every gate can win. They are ranked by total score (0-100, higher first); ' +
  'ties go to the larger share of hidden tests passed, then the smaller diff (lines added + deleted), then the name. ' +
  'Entrants that fail a gate keep their score for comparison but are not ranked.';

const hiddenShare = (e: EntrantResult) => e.score?.parts.find((p) => p.part === 'hiddenTests')?.score ?? 0;
const size = (e: EntrantResult) => e.diff.additions + e.diff.deletions;

/** Ranks the eligible entrants (order-independent, deterministic) and returns the winner's name or null. */
export function rankEntrants(entrants: EntrantResult[]): { ranked: EntrantResult[]; winner: string | null } {
  const eligible = entrants.filter((e) => e.eligible && e.score);
  eligible.sort(
    (a, b) =>
      (b.score?.total ?? 0) - (a.score?.total ?? 0) ||
      hiddenShare(b) - hiddenShare(a) ||
      size(a) - size(b) ||
      a.name.localeCompare(b.name),
  );
  const rankOf = new Map(eligible.map((e, index) => [e.name, index + 1]));
  const ranked = entrants.map((e) => ({ ...e, rank: rankOf.get(e.name) ?? null }));
  return { ranked, winner: eligible[0]?.name ?? null };
}
