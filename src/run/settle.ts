import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { refereeEntrant, type CheckTimings } from '../referee/referee.js';
import { evaluateGates } from '../ranking/gates.js';
import { scoreEntrant } from '../ranking/score.js';
import { rankEntrants, RANKING_RULE } from '../ranking/rank.js';
import { renderReport } from '../report/render.js';
import { addTokens, emptyTokens, RESULT_SCHEMA_VERSION, type EntrantResult, type EntrantStatus, type RunResult, type TokenUsage } from '../types.js';
import { mapLimit } from './concurrency.js';
import { keepBranches } from './results.js';
import type { RunSession } from './session.js';

/** An entrant's work, however it was produced (an agent run by tourney, or a ref or patch given to `score`). */
export interface Candidate {
  name: string;
  agent: string;
  model: string;
  approach?: string;
  status: EntrantStatus;
  error?: string;
  tokens: TokenUsage;
  costUsd: number;
  durationMs: number;
  /** Relative to the run directory, when there is one. */
  transcriptPath: string | null;
  patch: string;
}

const REFEREE_TIMEOUT_MS = 10 * 60_000;

/**
 * referee -> gates -> score -> ranking -> branches -> report -> result.json, the same for every
 * kind of run. `baseCommit` is the commit the patches apply to; `baseTar` its snapshot.
 */
export async function settle(
  session: RunSession,
  candidates: Candidate[],
  base: { commit: string; tar: string },
  mode: RunResult['mode'],
  checkTimings: CheckTimings = {},
): Promise<RunResult> {
  const { spec, config, runDir, reporter } = session;
  const ctx = {
    docker: session.docker,
    image: session.image,
    runId: session.runId,
    runDir,
    baseTar: base.tar,
    spec,
    scoring: config.scoring,
    limits: config.sandbox,
    timeoutMs: REFEREE_TIMEOUT_MS,
  };
  for (const c of candidates) {
    await mkdir(join(runDir, 'entrants', c.name), { recursive: true });
    await writeFile(join(runDir, 'entrants', c.name, 'diff.patch'), c.patch);
  }

  const referee = await session.phase('referee', () =>
    mapLimit(candidates, Math.max(1, cpus().length), async (candidate) => {
      if (candidate.patch.trim().length === 0) return null;
      reporter.onEvent({ type: 'entrant', name: candidate.name, state: 'refereeing' });
      const verdict = await refereeEntrant(ctx, candidate.name, candidate.patch, checkTimings);
      const tests = verdict.checks.tests;
      const summary = verdict.checks.error ?? (tests?.passed ? 'tests passed' : tests?.error ?? 'tests failed');
      reporter.onEvent({ type: 'entrant', name: candidate.name, state: 'tested', detail: summary });
      return verdict;
    }),
  );
  session.timings.refereeMs = referee.ms;

  const entrants: EntrantResult[] = candidates.map((candidate, index) => {
    const verdict = referee.value[index] ?? null;
    const changes = verdict?.changes ?? [];
    const checks = verdict?.checks ?? { tests: null };
    const hasChange = changes.length > 0;
    const gates = evaluateGates(checks, hasChange, spec, config.scoring.gates);
    return {
      name: candidate.name,
      agent: candidate.agent,
      model: candidate.model,
      approach: candidate.approach,
      status: candidate.status,
      error: candidate.error ?? checks.error,
      diff: {
        files: changes.length,
        additions: changes.reduce((sum, c) => sum + c.additions, 0),
        deletions: changes.reduce((sum, c) => sum + c.deletions, 0),
      },
      tokens: candidate.tokens,
      costUsd: candidate.costUsd,
      durationMs: candidate.durationMs,
      branch: null,
      diffPath: `entrants/${candidate.name}/diff.patch`,
      transcriptPath: candidate.transcriptPath,
      checks,
      gates,
      eligible: gates.every((g) => g.passed),
      score: hasChange ? scoreEntrant(checks, spec, config.scoring.weights) : null,
      rank: null,
    };
  });

  const { ranked, winner } = rankEntrants(entrants);
  const branches = await session.phase('branches', () =>
    keepBranches(session.repo.root, base.commit, runDir, session.runId, spec.title, ranked, winner),
  );

  const result: RunResult = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    runId: session.runId,
    mode,
    startedAt: session.startedAt.toISOString(),
    finishedAt: '',
    repo: session.repo.root,
    baseCommit: base.commit,
    spec: {
      title: spec.title,
      path: spec.path,
      test: spec.test,
      setup: spec.setup,
      build: spec.build,
      hiddenTest: spec.hidden?.test,
      bench: spec.bench,
      scope: spec.scope,
    },
    winner,
    winnerBranch: branches.value,
    rankingRule: RANKING_RULE,
    gatesConfig: config.scoring.gates,
    weights: config.scoring.weights,
    entrants: ranked,
    totals: {
      tokens: ranked.reduce((sum, e) => addTokens(sum, e.tokens), emptyTokens()),
      costUsd: ranked.reduce((sum, e) => sum + e.costUsd, 0),
    },
    timings: session.timings,
    reportPath: join(runDir, 'report.html'),
    runDir,
  };
  const report = await session.phase('report', async () => {
    result.finishedAt = new Date().toISOString();
    result.timings.totalMs = Date.now() - session.startedAt.getTime();
    return renderReport(result, runDir);
  });
  result.timings.reportMs = report.ms;
  result.timings.totalMs = Date.now() - session.startedAt.getTime();
  await writeFile(join(runDir, 'result.json'), JSON.stringify(result, null, 2) + '\n');
  reporter.onEvent({ type: 'run-end', result });
  return result;
}
