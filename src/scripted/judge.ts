// The scripted judge: answers a pairwise comparison with the JSON verdict the real judge must give,
// decided by the script and by the candidate diffs found in the request.
import { CANDIDATE_LABELS, candidateBlockEnd, candidateBlockStart, type CandidateLabel } from '../judge/markers.js';
import type { JudgeTurn, JudgeWinner } from './script.js';

export interface JudgeVerdict {
  winner: JudgeWinner;
  rationale: string;
  confidence: number;
}

export const DEFAULT_JUDGE_CONFIDENCE = 0.75;

/**
 * The candidate diffs of the most recent user message that has any, given the texts of the user
 * messages in order. Searched from the end because a follow-up ("answer with valid JSON") carries no
 * diffs, and other user messages may come before the judge prompt.
 */
export function candidateBlocks(userTexts: readonly string[]): Partial<Record<CandidateLabel, string>> {
  for (const text of [...userTexts].reverse()) {
    const lines = text.split(/\r?\n/);
    const blocks: Partial<Record<CandidateLabel, string>> = {};
    for (const label of CANDIDATE_LABELS) {
      const block = blockBetween(lines, candidateBlockStart(label), candidateBlockEnd(label));
      if (block !== undefined) blocks[label] = block;
    }
    if (Object.keys(blocks).length > 0) return blocks;
  }
  return {};
}

// Whole-line markers only: a marker quoted inside a diff line (after its +/-/space prefix) is content.
function blockBetween(lines: readonly string[], start: string, end: string): string | undefined {
  const from = lines.findIndex((l) => l.trim() === start);
  if (from < 0) return undefined;
  const to = lines.findIndex((l, i) => i > from && l.trim() === end);
  return to < 0 ? undefined : lines.slice(from + 1, to).join('\n');
}

export function judgeVerdict(turn: JudgeTurn, userTexts: readonly string[]): JudgeVerdict {
  const confidence = turn.confidence ?? DEFAULT_JUDGE_CONFIDENCE;
  if (turn.position !== undefined || turn.prefer === undefined) {
    const winner = turn.position ?? 'tie';
    return { winner, rationale: turn.rationale ?? `Scripted judge: always answers ${winner}.`, confidence };
  }
  const blocks = candidateBlocks(userTexts);
  const prefer = turn.prefer;
  const holders = CANDIDATE_LABELS.filter((label) => blocks[label]?.includes(prefer));
  const winner: JudgeWinner = holders.length === 1 && holders[0] ? holders[0] : 'tie';
  const why =
    winner === 'tie'
      ? `${holders.length ? 'both candidates contain' : 'neither candidate contains'} ${JSON.stringify(prefer)}`
      : `only candidate ${winner} contains ${JSON.stringify(prefer)}`;
  return { winner, rationale: turn.rationale ?? `Scripted judge: ${why}.`, confidence };
}

/** The assistant text of a judge turn: the verdict as one JSON object, nothing else. */
export function judgeAnswerText(turn: JudgeTurn, userTexts: readonly string[]): string {
  return JSON.stringify(judgeVerdict(turn, userTexts));
}
