// Boundaries of each candidate's diff in the judge prompt. The prompt builder writes them and the
// scripted judge reads them, so both sides must use these. Each marker sits on a line of its own: every
// line of a unified diff starts with a prefix character (+, -, space, @, diff, index, \), so an entrant's
// diff cannot forge a whole-line marker to end its block early.

export const CANDIDATE_LABELS = ['A', 'B'] as const;
export type CandidateLabel = (typeof CANDIDATE_LABELS)[number];

/** The line just before a candidate's diff, e.g. `<<<CANDIDATE A DIFF`. */
export function candidateBlockStart(label: string): string {
  return `<<<CANDIDATE ${label} DIFF`;
}

/** The line just after a candidate's diff, e.g. `CANDIDATE A DIFF>>>`. */
export function candidateBlockEnd(label: string): string {
  return `CANDIDATE ${label} DIFF>>>`;
}
