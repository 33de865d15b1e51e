import type { JudgeCall, MatchResult, Outcome, Verdict } from '../../src/judge/types.js';
import { orderPair } from '../../src/judge/verdicts.js';

export function call(judge: string, first: string, second: string, verdict: Verdict | null): JudgeCall {
  return {
    judge,
    first,
    second,
    verdict,
    rationale: verdict ? `picked ${verdict}` : '',
    ...(verdict ? {} : { error: 'timeout' }),
    durationMs: 1,
    tokens: { input: 1, output: 1 },
    costUsd: 0,
    attempts: 1,
  };
}

/** A match whose winner is given by name ('tie' and 'failed' as themselves). */
export function match(x: string, y: string, winner: string): MatchResult {
  const [a, b] = orderPair(x, y);
  const outcome: Outcome = winner === a ? 'a' : winner === b ? 'b' : winner === 'tie' || winner === 'failed' ? winner : fail(winner);
  return { a, b, calls: [], perJudge: [], outcome, agreement: 1 };
}

function fail(winner: string): never {
  throw new Error(`match: unknown winner ${winner}`);
}

/** `count` copies of one match result. */
export const times = (count: number, x: string, y: string, winner: string): MatchResult[] =>
  Array.from({ length: count }, () => match(x, y, winner));
