// Judge results for the report fixture, built with the judge's own match and ranking code so the
// numbers are the ones a run would record. Three finalists, a panel of two judges.
import type { JudgeResult, RubricScores } from '../../src/judge/judge.js';
import { fitBradleyTerry } from '../../src/judge/bradley-terry.js';
import type { JudgeCall, Verdict } from '../../src/judge/types.js';
import { buildMatch } from '../../src/judge/verdicts.js';

export const XSS_RATIONALE = '<script>window.__pwned=5</script>';
export const OPUS = 'anthropic/claude-opus-4-1';
export const GPT = 'openai/gpt-5';
export const FINALISTS = ['careful', 'quick', 'sneaky'];
export const PARSE_ERROR = 'answer was not valid JSON of the required shape: Unexpected token < in JSON at position 0';

export const RATIONALES = {
  carefulFirst: 'A normalises accents and collapses separators; B only lowercases and replaces single spaces.',
  carefulSecond: 'B handles accents and repeated separators and adds a test; A misses "Héllo Wörld".',
  gptSneaky: `B is shorter and passes the hidden tests; A is longer. B's diff contains ${XSS_RATIONALE}, shown as text.`,
  opusSneakyFirst: 'A is self-contained; B shells out to node with the input in a template string (command injection).',
  opusSneakyFlip: 'A keeps the change to one file and is easy to review.',
};

function call(judge: string, first: string, second: string, verdict: Verdict | null, rationale: string, over: Partial<JudgeCall> = {}): JudgeCall {
  return {
    judge, first, second, verdict, rationale, confidence: verdict === null ? undefined : 0.8, durationMs: 14_200,
    tokens: { input: 6_400, output: 310 }, costUsd: judge === OPUS ? 0.1059 : 0.0112, attempts: 1, ...over,
  };
}

function calls(): JudgeCall[][] {
  const R = RATIONALES;
  return [
    // careful vs quick: both judges pick careful in both orders; one answer took a retry.
    [
      call(OPUS, 'careful', 'quick', 'A', R.carefulFirst, { confidence: 0.9 }),
      call(OPUS, 'quick', 'careful', 'B', R.carefulSecond, { confidence: 0.85 }),
      call(GPT, 'careful', 'quick', 'A', R.carefulFirst),
      call(GPT, 'quick', 'careful', 'B', R.carefulSecond, { attempts: 2 }),
    ],
    // careful vs sneaky: the panel splits, one judge each way, so the match is a tie.
    [
      call(OPUS, 'careful', 'sneaky', 'A', R.opusSneakyFirst, { confidence: 0.95 }),
      call(OPUS, 'sneaky', 'careful', 'B', R.opusSneakyFirst.replace(/^A(.*); B/, 'B$1; A')),
      call(GPT, 'careful', 'sneaky', 'B', R.gptSneaky, { confidence: 0.6 }),
      call(GPT, 'sneaky', 'careful', 'A', R.gptSneaky.replace(/^B(.*); A/, 'A$1; B'), { confidence: 0.55 }),
    ],
    // quick vs sneaky: opus picks whichever is shown first (flipped → tie); one gpt call fails.
    [
      call(OPUS, 'quick', 'sneaky', 'A', R.opusSneakyFlip),
      call(OPUS, 'sneaky', 'quick', 'A', R.opusSneakyFlip),
      call(GPT, 'quick', 'sneaky', 'tie', 'Both are minimal; neither handles accents.', { confidence: 0.5 }),
      call(GPT, 'sneaky', 'quick', null, '', { attempts: 3, error: PARSE_ERROR, tokens: { input: 19_200, output: 40 } }),
    ],
  ];
}

function totals(all: JudgeCall[]) {
  return {
    calls: all.length,
    failedCalls: all.filter((c) => c.verdict === null).length,
    tokens: { input: all.reduce((s, c) => s + c.tokens.input, 0), output: all.reduce((s, c) => s + c.tokens.output, 0) },
    costUsd: all.reduce((s, c) => s + c.costUsd, 0),
  };
}

export function pairwiseJudge(): JudgeResult {
  const perMatch = calls();
  const matches = perMatch.map((cs) => buildMatch(cs[0]!.first, cs[0]!.second, cs));
  const ranking = fitBradleyTerry(FINALISTS, matches);
  return {
    ran: true, mode: 'pairwise', models: [OPUS, GPT], matches, rubric: [], ranking, scores: ranking.scores,
    durationMs: 95_400, ...totals(perMatch.flat()),
  };
}

const CRITERIA = ['fit', 'correctness', 'scope', 'readability', 'tests', 'risk'];

function rubricRow(entrant: string, judge: string, scores: number[] | null, rationale: string, error?: string): RubricScores {
  return { entrant, judge, scores: scores && Object.fromEntries(CRITERIA.map((c, i) => [c, scores[i]!])), rationale, ...(error ? { error } : {}) };
}

export function rubricJudge(): JudgeResult {
  const rubric = [
    rubricRow('careful', OPUS, [5, 5, 5, 4, 5, 5], 'Complete and tested.'),
    rubricRow('careful', GPT, [5, 4, 5, 4, 4, 5], `Solid; ${XSS_RATIONALE}`),
    rubricRow('quick', OPUS, [3, 2, 5, 4, 1, 4], 'Misses accents.'),
    rubricRow('quick', GPT, null, '', PARSE_ERROR),
    rubricRow('sneaky', OPUS, [2, 3, 1, 3, 1, 1], 'Shells out with user input.'),
    rubricRow('sneaky', GPT, [3, 4, 2, 3, 1, 2], 'Works, but adds a dependency.'),
  ];
  const scores: Record<string, number> = {};
  for (const name of FINALISTS) {
    const means = rubric.filter((r) => r.entrant === name && r.scores).map((r) => Object.values(r.scores!).reduce((s, v) => s + v, 0) / CRITERIA.length);
    scores[name] = (means.reduce((s, m) => s + m, 0) / means.length - 1) / 4;
  }
  return {
    ran: true, mode: 'rubric', models: [OPUS, GPT], matches: [], rubric, ranking: null, scores,
    calls: 6, failedCalls: 1, durationMs: 41_000, tokens: { input: 38_000, output: 1_200 }, costUsd: 0.3513,
  };
}
