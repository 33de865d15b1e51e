import type { ScoreWeights } from '../types.js';

/** `winner`: `tourney gate --require-winner`'s provenance check, added by the gate (never by evaluateGates). */
export type GateName = 'changed' | 'tests' | 'hiddenTests' | 'tampering' | 'security' | 'injection' | 'build' | 'performance' | 'winner' | 'budget';

export interface GateResult {
  gate: GateName;
  passed: boolean;
  /** Why, in a few words, for the report: "5 passed, 0 failed", "deleted test/a.test.js". */
  reason: string;
}

export interface ScorePart {
  part: keyof ScoreWeights;
  /** 0..1 */
  score: number;
  weight: number;
  /** Contribution to the 0-100 total. */
  points: number;
  detail: string;
}

export interface Score {
  /** 0-100, one decimal. */
  total: number;
  parts: ScorePart[];
  /** Parts not measured, and so left out of the weighting, because the entrant was already out on a gate. */
  skipped?: { part: keyof ScoreWeights; detail: string }[];
}
