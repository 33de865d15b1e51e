// result.json's whole shape as a zod schema (RunResult in src/types.ts). Every reader goes through
// loadRunResult, which checks it with this: a corrupt or hand-edited file fails there, naming the key,
// not later inside a renderer with "Cannot read properties of null". Names and branches in it end up in
// git commands and paths, so they are held to the rules tourney made them by.
import * as z from 'zod';
import { entrantName } from '../config/schema.js';
import type { RunResult } from '../types.js';
import { count, entrantChecksSchema, ms, num } from './result-schema-checks.js';

const str = z.string();
const nullableStr = z.string().nullable();

/** A run id as a git ref component and a directory name: no "/", no "..", no leading "-" or ".". */
const runIdSchema = z.string().regex(/^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$/, 'expected a run id such as "20261202-051500-1a2b"')
  .refine((s) => !s.includes('..') && !s.endsWith('.lock'), 'expected a run id such as "20261202-051500-1a2b"');
/** `tourney/<run>/<name>`: the only branches tourney makes. */
const branchSchema = z.string().regex(/^tourney\/[0-9A-Za-z][0-9A-Za-z._-]{0,63}\/[a-z0-9][a-z0-9._-]{0,39}$/, 'expected a branch name "tourney/<run-id>/<entrant>"')
  .refine((s) => !s.includes('..') && !s.endsWith('.lock') && !s.endsWith('.'), 'expected a branch name "tourney/<run-id>/<entrant>"');
const commitSchema = z.string().regex(/^[0-9a-f]{7,64}$/, 'expected a commit id (hex)');

const tokenUsage = z.object({ input: count, output: count, reasoning: count, cacheRead: count, cacheWrite: count });
const weightKey = z.enum(['tests', 'hiddenTests', 'lint', 'security', 'performance', 'scope', 'judge']);
const weights = z.object({ tests: num, hiddenTests: num, lint: num, security: num, performance: num, scope: num, judge: num });
const GATE_NAMES = ['changed', 'tests', 'hiddenTests', 'tampering', 'security', 'injection', 'build', 'performance', 'winner', 'budget'] as const;

const scoreSchema = z.object({
  total: num,
  parts: z.array(z.object({ part: weightKey, score: num, weight: num, points: num, detail: str })),
  skipped: z.array(z.object({ part: weightKey, detail: str })).optional(),
});

export const entrantEnvironment = z.object({
  reprepared: z.boolean(),
  touched: z.array(str),
  status: z.enum(['reused', 'built', 'failed']).optional(),
  key: str.optional(),
  image: str.optional(),
  setupMs: ms.optional(),
  logPath: str.optional(),
  error: str.optional(),
  warnings: z.array(str).optional(),
});

const egressRecord = z.object({
  policy: z.literal('allowlist'),
  allow: z.array(str),
  allowed: count,
  denied: count,
  deniedAttempts: z.array(z.object({ host: str, port: num.nullable(), how: str, at: str })),
});

const entrantResult = z.object({
  name: entrantName,
  agent: str,
  model: str,
  approach: str.optional(),
  status: z.enum(['finished', 'failed', 'timeout', 'error', 'disk-limit', 'diff-too-large', 'budget']),
  error: str.optional(),
  diff: z.object({ files: count, additions: count, deletions: count }),
  tokens: tokenUsage,
  costUsd: num,
  durationMs: ms,
  timings: z.object({ queuedMs: ms, sandboxMs: ms, agentMs: ms, stopMs: ms }).optional(),
  branch: branchSchema.nullable(),
  diffPath: str,
  transcriptPath: nullableStr,
  checks: entrantChecksSchema,
  gates: z.array(z.object({ gate: z.enum(GATE_NAMES), passed: z.boolean(), reason: str })),
  eligible: z.boolean(),
  score: scoreSchema.nullable(),
  rank: z.number().int().positive().nullable(),
  environment: entrantEnvironment.optional(),
  egress: egressRecord.optional(),
  trialOf: entrantName.optional(),
  trial: z.number().int().positive().optional(),
  engine: str.optional(),
  refereeEngine: str.optional(),
  retried: z.object({ engine: str, reason: str }).optional(),
  refereeRetried: z.object({ engine: str, reason: str }).optional(),
});

const trialSummary = z.object({
  entrant: entrantName,
  trials: z.number().int().positive(),
  passed: count,
  passRate: num.min(0).max(1),
  meanScore: num.nullable(),
  expectedScore: num,
  spread: z.object({ stdev: num, min: num, max: num }).nullable(),
  best: entrantName.nullable(),
  rank: z.number().int().positive().nullable(),
  names: z.array(entrantName),
});

/** An entrant's agent run as saved when it ended (entrants/<name>/outcome.json), for resume and rerun. */
export const entrantOutcomeSchema = entrantResult
  .pick({ name: true, agent: true, model: true, approach: true, status: true, error: true, tokens: true, costUsd: true, durationMs: true, timings: true, transcriptPath: true, egress: true, trialOf: true, trial: true, engine: true, retried: true })
  .strict();

const gateVerdict = z.object({
  passed: z.boolean(),
  head: str,
  base: str,
  baseSource: str,
  failures: z.array(z.object({ gate: str, reason: str })),
  provenance: z.object({
    passed: z.boolean(),
    reason: str,
    commit: str.optional(),
    runId: str.optional(),
    runDir: str.optional(),
    winner: str.optional(),
    laterCommits: count.optional(),
  }).optional(),
  failedFast: z.boolean(),
});

const selection = z.object({
  decidedBy: z.enum(['none', 'gates', 'score', 'judge', 'tie-break']),
  leader: nullableStr,
  runnerUp: nullableStr,
  margin: num.nullable(),
  decidingParts: z.array(z.object({ part: str, points: num })),
  tieBreak: z.enum(['hidden tests', 'smaller diff', 'name']).nullable(),
  minMargin: num.nullable(),
  confident: z.boolean(),
  summary: str,
});

const setupNetwork = z.enum(['open', 'none']);
const environmentRecord = z.object({
  status: z.enum(['none', 'reused', 'built']),
  setup: nullableStr,
  key: nullableStr,
  keyFiles: z.array(str),
  keyGlobs: z.array(str),
  image: str,
  imageId: str,
  toolchain: z.object({ image: str, imageId: str, packages: z.array(str), dockerfile: nullableStr, built: z.boolean(), durationMs: ms }),
  network: setupNetwork,
  setupRuns: count,
  setupMs: ms,
  durationMs: ms,
  logPath: nullableStr,
  sizeBytes: num.nullable(),
  addedBytes: num.nullable(),
  trust: z.object({ caFile: nullableStr, caSource: nullableStr, passed: z.array(str) }).nullable(),
  warnings: z.array(str),
});

const callTokens = z.object({ input: count, output: count });
const outcome = z.enum(['a', 'b', 'tie', 'failed']);
const judgeCall = z.object({
  judge: str,
  first: str,
  second: str,
  verdict: z.enum(['A', 'B', 'tie']).nullable(),
  rationale: str,
  confidence: num.optional(),
  error: str.optional(),
  durationMs: ms,
  tokens: callTokens,
  costUsd: num,
  attempts: count,
});
export const judgeRan = z.object({
  ran: z.literal(true),
  mode: z.enum(['pairwise', 'rubric']),
  models: z.array(str),
  matches: z.array(z.object({
    a: str,
    b: str,
    calls: z.array(judgeCall),
    perJudge: z.array(z.object({ judge: str, outcome, flipped: z.boolean() })),
    outcome,
    agreement: num,
  })),
  rubric: z.array(z.object({ entrant: str, judge: str, scores: z.record(str, num).nullable(), rationale: str, error: str.optional() })),
  ranking: z.object({
    method: z.literal('bradley-terry'),
    strengths: z.record(str, num),
    scores: z.record(str, num),
    iterations: count,
    converged: z.boolean(),
  }).nullable(),
  confidence: z.object({
    flipRate: z.record(str, z.object({ flipped: count, decided: count, rate: num })),
    panelAgreement: num.nullable(),
    strengthIntervals: z.record(str, z.tuple([num, num])),
    bootstrap: z.object({ resamples: count, seed: num }),
  }).nullable().optional(),
  scores: z.record(str, num),
  calls: count,
  failedCalls: count,
  durationMs: ms,
  tokens: callTokens,
  costUsd: num,
});

export const runResultSchema = z.object({
  schemaVersion: z.number(),
  runId: runIdSchema,
  startedAt: str,
  finishedAt: str,
  repo: str,
  baseCommit: commitSchema,
  startBranch: nullableStr.optional(),
  spec: z.object({
    title: str,
    path: str,
    sha256: str.optional(),
    test: str,
    setup: str.optional(),
    build: str.optional(),
    hiddenTest: str.optional(),
    bench: z.array(str).optional(),
    scope: z.array(str).optional(),
  }),
  mode: z.enum(['run', 'score', 'gate']),
  gate: gateVerdict.optional(),
  gatesConfig: z.object({
    tests: z.boolean(),
    hiddenTests: z.boolean(),
    tampering: z.boolean(),
    security: z.enum(['high', 'medium', 'low', 'off']),
    build: z.boolean(),
    performance: z.boolean(),
    injection: z.boolean(),
    minMargin: num.nullable().optional(),
  }),
  weights,
  winner: nullableStr,
  winnerBranch: branchSchema.nullable(),
  rankingRule: str,
  selection: selection.optional(),
  entrants: z.array(entrantResult),
  trials: z.array(trialSummary).optional(),
  engines: z.array(z.object({ name: str, host: str, slots: z.number().int().positive(), lost: str.optional() })).optional(),
  environment: environmentRecord.nullable().optional(),
  // "ran" first on its own: a union's own message for a bad discriminator names neither value nor key.
  judge: z.looseObject({ ran: z.boolean() }).pipe(z.discriminatedUnion('ran', [judgeRan, z.object({ ran: z.literal(false), reason: str })])),
  totals: z.object({ tokens: tokenUsage, costUsd: num }),
  timings: z.object({
    imageMs: ms,
    prepareMs: ms.optional(),
    sandboxStartMs: ms,
    agentsMs: ms,
    refereeMs: ms,
    judgeMs: ms.optional(),
    reportMs: ms,
    totalMs: ms,
  }),
  reportPath: str,
  runDir: str,
});

/**
 * What the shape alone lets through: a winner that names nobody, two entrants sharing a branch. Checked
 * after the shape passed, so a bad name is reported once, not again as a winner that names nobody.
 */
export function consistencyIssues(r: RunResult): z.core.$ZodIssue[] {
  const issues: z.core.$ZodIssue[] = [];
  const seen = new Set<string>();
  r.entrants.forEach((e, i) => {
    if (seen.has(e.name)) issues.push({ code: 'custom', path: ['entrants', i, 'name'], input: e.name, message: 'expected a name no other entrant has' });
    seen.add(e.name);
  });
  if (r.winner !== null && !seen.has(r.winner)) {
    issues.push({ code: 'custom', path: ['winner'], input: r.winner, message: `expected null or the name of an entrant (${[...seen].join(', ') || 'there are none'})` });
  }
  return issues;
}

// Kept in step with the type: either side gaining, losing or retyping a key fails the typecheck here.
type Parsed = z.output<typeof runResultSchema>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const inStep: Same<Parsed, RunResult> = true;
void inStep;
