/** What one judge call says about the candidates it was shown as "A" and "B". */
export type Verdict = 'A' | 'B' | 'tie';

/** A match outcome in terms of the match's alphabetical `a` and `b`. */
export type Outcome = 'a' | 'b' | 'tie' | 'failed';

export interface JudgeCall {
  /** Judge model. */
  judge: string;
  /** Entrant shown as "A". */
  first: string;
  /** Entrant shown as "B". */
  second: string;
  /** null: the call failed (after its retries). */
  verdict: Verdict | null;
  rationale: string;
  confidence?: number;
  error?: string;
  durationMs: number;
  tokens: { input: number; output: number };
  costUsd: number;
  attempts: number;
}

/** One judge's view of a match after combining both presentation orders. */
export interface JudgeOutcome {
  judge: string;
  outcome: Outcome;
  /** The two orders named opposite entrants: the verdict followed the position. */
  flipped: boolean;
}

export interface MatchResult {
  /** Entrant names with a < b (code-unit order, see orderPair). */
  a: string;
  b: string;
  calls: JudgeCall[];
  perJudge: JudgeOutcome[];
  outcome: Outcome;
  /** 0..1: share of non-failed judges whose outcome equals `outcome`; 0 when every judge failed. */
  agreement: number;
}

export interface JudgeRanking {
  method: 'bradley-terry';
  /** Bradley–Terry strengths, summing to 1 over the entrants. */
  strengths: Record<string, number>;
  /** 0..1 per entrant: mean modelled win probability against the other rated finalists (0.5 = average). */
  scores: Record<string, number>;
  iterations: number;
  converged: boolean;
}
