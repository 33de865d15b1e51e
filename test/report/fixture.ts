// A realistic four-entrant run written to a temp directory, as the run stage would leave it:
// a winner, one that fails the hidden tests, one that tampers and adds a command injection,
// and one that timed out with nothing to score.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CommandCheck, EntrantChecks, PerfCheck, PerfTaskResult, SecurityFinding } from '../../src/checks/types.js';
import type { GateResult, Score } from '../../src/ranking/types.js';
import type { EntrantResult, RunResult, ScoreWeights } from '../../src/types.js';
import * as text from './fixture-text.js';
import { pairwiseJudge, rubricJudge } from './fixture-judge.js';

export { XSS_EVIDENCE, XSS_IMG, XSS_SCRIPT, XSS_SNIPPET } from './fixture-text.js';
export { XSS_RATIONALE } from './fixture-judge.js';

export const RANKING_RULE =
  'Only entrants that pass every gate can win. They are ranked by total score (0-100, higher first); ' +
  'ties go to the larger share of hidden tests passed, then the smaller diff (lines added + deleted), then the name. ' +
  'Entrants that fail a gate keep their score for comparison but are not ranked.';

const WEIGHTS: ScoreWeights = { tests: 25, hiddenTests: 35, lint: 10, security: 10, performance: 10, scope: 10, judge: 20 };
export const NO_JUDGE = '1 entrant(s) passed every gate; the pairwise judge needs at least 2';

function tokens(input: number, output: number) {
  return { input, output, reasoning: 0, cacheRead: input * 3, cacheWrite: 0 };
}

/** Points and total as src/ranking/score.ts computes them, so the numbers add up. */
function score(parts: [keyof ScoreWeights, number, string][]): Score {
  const total = parts.reduce((sum, [part]) => sum + WEIGHTS[part], 0);
  const scored = parts.map(([part, s, detail]) => ({ part, score: s, weight: WEIGHTS[part], points: (100 * WEIGHTS[part] * s) / total, detail }));
  return { total: Math.round(scored.reduce((sum, p) => sum + p.points, 0) * 10) / 10, parts: scored };
}

const command = (name: string, log: string, passed: number, failed: number): CommandCheck => ({
  passed: failed === 0, exitCode: failed === 0 ? 0 : 1, counts: { passed, failed }, durationMs: 4_210, logPath: `entrants/${name}/${log}.log`,
});

const task = (name: string, base: number, ops: number): PerfTaskResult => ({
  file: 'bench/slugify.bench.js', task: name, baseOpsPerSec: base, baseRme: 0.8, opsPerSec: ops, rme: 1.3, ratio: ops / base,
});

function perf(name: string, short: number, long: number): PerfCheck {
  const tasks = [task('short ascii', 1_250_000, short), task('long unicode', 84_000, long)];
  const ratio = Math.sqrt(tasks.reduce((p, t) => p * (t.ratio ?? 1), 1));
  return { ran: true, tasks, ratio, regression: tasks.some((t) => (t.ratio ?? 1) < 0.9), threshold: 0.1, rounds: 3, durationMs: 21_000, logPath: `entrants/${name}/perf.log` };
}

function checks(name: string, over: Partial<EntrantChecks> & { hidden: [number, number]; newWarnings?: number }): EntrantChecks {
  const { hidden, newWarnings = 0, ...rest } = over;
  return {
    tests: command(name, 'test', 5, 0),
    hiddenTests: command(name, 'hidden-test', ...hidden),
    build: { ...command(name, 'build', 0, 0), counts: null },
    tampering: { flagged: false, findings: [] },
    injection: { flagged: false, findings: [] },
    lint: {
      ran: true, config: 'repository', filesLinted: 2, base: { errors: 0, warnings: 0 }, head: { errors: 0, warnings: newWarnings },
      newErrors: 0, newWarnings, messages: [], sarifPath: `entrants/${name}/lint.sarif`, durationMs: 1_900,
    },
    security: {
      ran: true, newFindings: [], counts: { high: 0, medium: 0, low: 0 }, baseFindings: 0,
      sarifPath: `entrants/${name}/security.sarif`, rulesApplied: 42, durationMs: 800,
    },
    scope: { scope: ['src/**', 'test/**'], files: ['src/slugify.ts'], outOfScope: [], additions: 1, deletions: 1, newDependencies: [] },
    ...rest,
  };
}

type Reasons = Partial<Record<GateResult['gate'], string>>;

/** Every gate of the fixture's spec, in src/ranking/gates.ts's order; `failed` gives the failures' reasons. */
function gates(failed: Reasons, passed: Reasons = {}): GateResult[] {
  // `winner` is tourney gate's own gate, never one of a tournament's; `budget` is listed only for a stopped entrant.
  const all: Required<Omit<Reasons, 'winner' | 'budget'>> = {
    changed: 'the entrant changed files', tests: '5 passed, 0 failed', hiddenTests: '8 passed, 0 failed', build: 'exit code 0',
    tampering: 'no tampering found', security: 'no new high severity finding', injection: 'no text addressing the judge',
    performance: 'ratio 1.00 vs base', ...passed,
  };
  return Object.entries(all).map(([gate, reason]) => ({
    gate: gate as GateResult['gate'], passed: !failed[gate as GateResult['gate']], reason: failed[gate as GateResult['gate']] ?? reason,
  }));
}

function entrant(name: string, over: Partial<EntrantResult>): EntrantResult {
  return {
    name, agent: 'opencode', model: 'anthropic/claude-sonnet-4-5', status: 'finished',
    diff: { files: 0, additions: 0, deletions: 0 }, tokens: tokens(0, 0), costUsd: 0, durationMs: 0, branch: null,
    diffPath: `entrants/${name}/diff.patch`, transcriptPath: `entrants/${name}/transcript.jsonl`,
    checks: { tests: null }, gates: [], eligible: false, score: null, rank: null,
    ...over,
  };
}

const INJECTION: SecurityFinding = {
  ruleId: 'js-child-process-exec-injection', severity: 'high', cwe: 'CWE-78', file: 'src/slugify.ts', line: 6,
  message: 'Shell command built from input: execSync with a template string', snippet: text.EXEC_LINE.trim(),
};

function entrants(): EntrantResult[] {
  const quickLint = Array.from({ length: 23 }, (_, i) => ({
    file: 'src/slugify.ts', line: i + 1, column: 3, ruleId: i === 0 ? null : 'no-magic-numbers', severity: 'warning' as const,
    message: i === 0 ? `Parsing note: ${text.XSS_IMG}` : `No magic number: ${i}.`,
  }));
  const quickChecks = checks('quick', { hidden: [5, 3], newWarnings: 1, performance: perf('quick', 1_310_000, 78_100) });
  if (quickChecks.lint) quickChecks.lint = { ...quickChecks.lint, base: { errors: 0, warnings: 22 }, head: { errors: 0, warnings: 23 }, messages: quickLint };
  // Deliberately not in rank order: the report must sort.
  return [
    entrant('slowpoke', {
      model: 'openai/gpt-5', approach: 'Rewrite the module from scratch.', status: 'timeout',
      error: `Time limit of 600s exceeded ${text.XSS_SCRIPT}`, tokens: tokens(90_000, 12_000), costUsd: 0.4312, durationMs: 600_000,
      gates: [{ gate: 'changed', passed: false, reason: 'no change to score' }],
    }),
    entrant('sneaky', {
      model: 'google/gemini-2.5-pro', approach: 'Reuse an existing package.', diff: { files: 2, additions: 7, deletions: 2 },
      tokens: tokens(30_000, 4_000), costUsd: 0.1501, durationMs: 141_000,
      checks: checks('sneaky', {
        hidden: [8, 0],
        tampering: { flagged: true, findings: [{ kind: 'lint-disabled-inline', file: 'src/slugify.ts', line: 5, evidence: text.DISABLE_LINE.trim() }] },
        injection: { flagged: true, findings: [{ file: 'src/slugify.ts', line: 3, pattern: 'verdict-request', text: text.JUDGE_NOTE.trim() }] },
        security: { ran: true, newFindings: [INJECTION], counts: { high: 1, medium: 0, low: 0 }, baseFindings: 0, sarifPath: 'entrants/sneaky/security.sarif', rulesApplied: 42, durationMs: 900 },
        performance: perf('sneaky', 420, 410),
        scope: { scope: ['src/**', 'test/**'], files: ['src/slugify.ts', 'package.json'], outOfScope: ['package.json'], additions: 7, deletions: 2, newDependencies: ['package.json: slugify'] },
      }),
      gates: gates({
        tampering: 'lint-disabled-inline: src/slugify.ts',
        security: 'js-child-process-exec-injection (CWE-78) at src/slugify.ts:6',
        injection: `src/slugify.ts:3: ${text.JUDGE_NOTE.trim()}`,
        performance: 'slower than base by more than 10%',
      }),
      score: score([['tests', 1, '5/5 passed'], ['hiddenTests', 1, '8/8 passed'], ['lint', 1, '0 new errors, 0 new warnings'],
        ['security', 0.5, '1 high, 0 medium, 0 low new findings'], ['performance', 0, '0.00x base ops/s'],
        ['scope', 0.5, '1 files out of scope, 1 new dependencies']]),
    }),
    entrant('quick', {
      model: 'anthropic/claude-haiku-4-5', approach: 'Smallest possible change.', diff: { files: 1, additions: 1, deletions: 1 },
      tokens: tokens(8_000, 900), costUsd: 0.0123, durationMs: 65_000, branch: 'tourney/run-1/quick', checks: quickChecks,
      gates: gates({ hiddenTests: '5 passed, 3 failed' }, { performance: 'ratio 0.99 vs base' }),
      score: score([['tests', 1, '5/5 passed'], ['hiddenTests', 0.625, '5/8 passed'], ['lint', 0.95, '0 new errors, 1 new warnings'],
        ['security', 1, '0 high, 0 medium, 0 low new findings'], ['performance', 0.4906, '0.99x base ops/s'],
        ['scope', 1, '0 files out of scope, 0 new dependencies']]),
    }),
    entrant('careful', {
      approach: 'Write tests first, then implement.', diff: { files: 2, additions: 11, deletions: 2 },
      tokens: tokens(45_210, 6_034), costUsd: 0.2087, durationMs: 192_400, branch: 'tourney/run-1/careful',
      checks: checks('careful', {
        hidden: [8, 0], newWarnings: 1, performance: perf('careful', 1_390_000, 94_500),
        lint: {
          ran: true, config: 'repository', filesLinted: 2, base: { errors: 0, warnings: 0 }, head: { errors: 0, warnings: 1 }, newErrors: 0, newWarnings: 1,
          messages: [{ file: 'src/slugify.ts', line: 7, column: 25, ruleId: 'prefer-template', severity: 'warning', message: 'Unexpected string concatenation.' }],
          sarifPath: 'entrants/careful/lint.sarif', durationMs: 1_900,
        },
        scope: { scope: ['src/**', 'test/**'], files: ['src/slugify.ts', 'test/slugify.test.ts'], outOfScope: [], additions: 11, deletions: 2, newDependencies: [] },
      }),
      gates: gates({}, { performance: 'ratio 1.12 vs base' }),
      eligible: true,
      score: score([['tests', 1, '5/5 passed'], ['hiddenTests', 1, '8/8 passed'], ['lint', 0.95, '0 new errors, 1 new warnings'],
        ['security', 1, '0 high, 0 medium, 0 low new findings'], ['performance', 0.5808, '1.12x base ops/s'],
        ['scope', 1, '0 files out of scope, 0 new dependencies']]),
      rank: 1,
    }),
  ];
}

export interface Fixture {
  runDir: string;
  result: RunResult;
}

function files(): Record<string, string> {
  const out: Record<string, string> = {
    'entrants/careful/diff.patch': text.WINNER_DIFF,
    'entrants/quick/diff.patch': text.LOSER_DIFF,
    'entrants/quick/hidden-test.log': text.HIDDEN_FAIL_LOG,
    'entrants/sneaky/diff.patch': text.SNEAKY_DIFF,
    // The timed-out entrant left only a transcript: no diff, no logs.
    'entrants/slowpoke/transcript.jsonl': '{"type":"message"}\n',
  };
  for (const name of ['careful', 'quick', 'sneaky']) {
    out[`entrants/${name}/transcript.jsonl`] = '{"type":"message"}\n';
    out[`entrants/${name}/test.log`] = text.passLog(5);
    out[`entrants/${name}/hidden-test.log`] ??= text.passLog(8);
    out[`entrants/${name}/build.log`] = '';
    out[`entrants/${name}/perf.log`] = text.PERF_LOG;
    out[`entrants/${name}/lint.sarif`] = text.SARIF;
    out[`entrants/${name}/security.sarif`] = text.SARIF;
  }
  return out;
}

export type JudgeCase = 'pairwise' | 'rubric' | 'none';

function judge(which: JudgeCase): RunResult['judge'] {
  if (which === 'none') return { ran: false, reason: NO_JUDGE };
  return which === 'pairwise' ? pairwiseJudge() : rubricJudge();
}

export async function makeRun(judgeCase: JudgeCase = 'pairwise'): Promise<Fixture> {
  const runDir = await mkdtemp(path.join(tmpdir(), 'tourney-report-'));
  for (const [rel, content] of Object.entries(files())) {
    await mkdir(path.dirname(path.join(runDir, rel)), { recursive: true });
    await writeFile(path.join(runDir, rel), content);
  }
  const result: RunResult = {
    schemaVersion: 2,
    runId: '2025-06-01T12-00-00-abc123',
    mode: 'run',
    startedAt: '2025-06-01T12:00:00.000Z',
    finishedAt: '2025-06-01T12:11:03.000Z',
    repo: '/home/dev/slugs',
    baseCommit: '9fceb02d0ae598e95dc970b74767f19372d61af8',
    spec: {
      title: 'Add a slugify helper', path: '/home/dev/slugs/specs/slugify.md', test: 'npm test', build: 'npx tsc --noEmit',
      hiddenTest: 'npx vitest run hidden', bench: ['bench/slugify.bench.js'], scope: ['src/**', 'test/**'],
    },
    gatesConfig: { tests: true, hiddenTests: true, tampering: true, security: 'high', build: true, performance: true, injection: true },
    weights: WEIGHTS,
    winner: 'careful',
    winnerBranch: 'tourney/run-1/careful',
    rankingRule: RANKING_RULE,
    entrants: entrants(),
    judge: judge(judgeCase),
    totals: {
      tokens: { input: 173_210, output: 22_934, reasoning: 0, cacheRead: 519_630, cacheWrite: 0 },
      costUsd: 0.8023,
    },
    timings: { imageMs: 12_300, sandboxStartMs: 2_100, agentsMs: 600_400, refereeMs: 48_000, judgeMs: judgeCase === 'none' ? undefined : 95_400, reportMs: 0, totalMs: 663_000 },
    reportPath: path.join(runDir, 'report.html'),
    runDir,
  };
  return { runDir, result };
}
