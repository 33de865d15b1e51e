import type { JudgeCall, JudgeOutcome, MatchResult, Outcome } from './types.js';

/**
 * The canonical orientation of a pair. Plain code-unit comparison rather than localeCompare so
 * the order (and with it every `a`/`b` in stored results) does not depend on the machine's locale.
 */
export function orderPair(x: string, y: string): [string, string] {
  return x < y ? [x, y] : [y, x];
}

/** The entrant a call named, 'tie', or null when the call failed. */
function named(call: JudgeCall): string | null {
  if (call.verdict === null) return null;
  if (call.verdict === 'tie') return 'tie';
  return call.verdict === 'A' ? call.first : call.second;
}

/**
 * One judge, both presentation orders. A win counts only when both orders name the same entrant;
 * a verdict that follows the position is position bias, so it becomes a tie (flipped). If either
 * call failed the judge is 'failed': with one order left, position bias could not be told apart
 * from preference.
 */
export function combineOrders(callAB: JudgeCall, callBA: JudgeCall): JudgeOutcome {
  if (callAB.judge !== callBA.judge) throw new Error(`combineOrders: calls from different judges (${callAB.judge}, ${callBA.judge})`);
  if (callAB.first !== callBA.second || callAB.second !== callBA.first || callAB.first === callAB.second) {
    throw new Error(`combineOrders: calls are not the two orders of one pair (${callAB.first}/${callAB.second}, ${callBA.first}/${callBA.second})`);
  }
  const [a] = orderPair(callAB.first, callAB.second);
  const judge = callAB.judge;
  const x = named(callAB);
  const y = named(callBA);
  if (x === null || y === null) return { judge, outcome: 'failed', flipped: false };
  if (x === 'tie' || y === 'tie') return { judge, outcome: 'tie', flipped: false };
  if (x !== y) return { judge, outcome: 'tie', flipped: true };
  return { judge, outcome: x === a ? 'a' : 'b', flipped: false };
}

/**
 * Plurality of the non-failed judges, where 'tie' is a vote like 'a' and 'b'. Any draw for the
 * most votes (a vs b, or a winner vs tie) gives a tie: a panel that cannot settle it has not
 * found a winner. All judges failed → 'failed'.
 */
export function combinePanel(perJudge: readonly JudgeOutcome[]): { outcome: Outcome; agreement: number } {
  const votes = { a: 0, b: 0, tie: 0 };
  for (const j of perJudge) if (j.outcome !== 'failed') votes[j.outcome] += 1;
  const cast = votes.a + votes.b + votes.tie;
  if (cast === 0) return { outcome: 'failed', agreement: 0 };
  const top = Math.max(votes.a, votes.b, votes.tie);
  const leaders = (['a', 'b', 'tie'] as const).filter((k) => votes[k] === top);
  const outcome = leaders.length === 1 ? leaders[0]! : 'tie';
  return { outcome, agreement: votes[outcome] / cast };
}

/**
 * Assemble a match from every call of every judge (any order, any orientation of a/b). A judge
 * missing one of the two orders is 'failed'. If a judge has several calls for one order (e.g. a
 * re-run), the last one that did not fail is used.
 */
export function buildMatch(x: string, y: string, calls: readonly JudgeCall[]): MatchResult {
  if (x === y) throw new Error(`buildMatch: an entrant cannot meet itself (${x})`);
  const [a, b] = orderPair(x, y);
  const byJudge = new Map<string, { ab?: JudgeCall; ba?: JudgeCall }>();
  for (const call of calls) {
    const ab = call.first === a && call.second === b;
    if (!ab && !(call.first === b && call.second === a)) {
      throw new Error(`buildMatch: call ${call.first}/${call.second} does not belong to match ${a}/${b}`);
    }
    const slot = byJudge.get(call.judge) ?? {};
    const key = ab ? 'ab' : 'ba';
    const prev = slot[key];
    if (!prev || call.verdict !== null || prev.verdict === null) slot[key] = call;
    byJudge.set(call.judge, slot);
  }
  const perJudge: JudgeOutcome[] = [...byJudge].map(([judge, { ab, ba }]) =>
    ab && ba ? combineOrders(ab, ba) : { judge, outcome: 'failed', flipped: false },
  );
  return { a, b, calls: [...calls], perJudge, ...combinePanel(perJudge) };
}
