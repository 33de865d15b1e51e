import type { EntrantGateway } from '../agents/models.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { basename, join } from 'node:path';
import { refereeEntrant, type CheckTimings } from '../referee/referee.js';
import { REFEREE_COULD_NOT_RUN } from '../referee/tests.js';
import { evaluateGates, gatesBeforePerformance, outOnGate, staticGates } from '../ranking/gates.js';
import { refereePerformance } from '../referee/performance.js';
import { scoreEntrant } from '../ranking/score.js';
import { rankEntrants, RANKING_RULE } from '../ranking/rank.js';
import { describeSelection } from '../ranking/selection.js';
import { hasTrials, summarizeTrials, trialSelection, TRIALS_RULE } from '../ranking/trials.js';
import { renderReport } from '../report/render.js';
import { runJudge } from '../judge/judge.js';
import { addTokens, emptyTokens, RESULT_SCHEMA_VERSION, type EntrantResult, type RunResult } from '../types.js';
import type { PerfCheck } from '../checks/types.js';
import { mapLimit } from './concurrency.js';
import { onEngine, type Placed } from './placement.js';
import { DiffTooLarge } from '../diff-limit.js';
import { createWinnerCommit, keepBranches, writePrPacket } from './branches.js';
import type { RunSession } from './session.js';
import type { SandboxNetworks } from './networks.js';
import { judgeKey, loadJudge, loadPerformance, loadVerdict, performanceKey, refereeBasis, saveJudge, savePerformance, saveVerdict, verdictKey, type RefereeBasis } from './saved-verdicts.js';
import type { RefereeVerdict } from '../referee/referee.js';

/** An entrant's work, however it was produced (an agent run by tourney, or a ref or patch given to `score`). */
export type Candidate = Pick<
  EntrantResult,
  'name' | 'agent' | 'model' | 'approach' | 'status' | 'error' | 'tokens' | 'costUsd' | 'durationMs' | 'transcriptPath' | 'egress' | 'trialOf' | 'trial' | 'engine' | 'retried'
> & { patch: string; timings?: EntrantResult['timings'] };

const REFEREE_TIMEOUT_MS = 10 * 60_000;

/**
 * A referee job that failed for want of its engine: a Docker call threw (tourney's own message, which no entrant
 * writes). Only then is its engine checked for loss; the entrant's own failing tests never are.
 */
function refereeCouldNotRun(v: RefereeVerdict): boolean {
  if (v.checks.error !== undefined) return true;
  return [v.checks.tests, v.checks.build, v.checks.hiddenTests].some((c) => c?.passed === null && c.error?.startsWith(REFEREE_COULD_NOT_RUN) === true);
}

export interface SettleOptions {
  /** `--full`: benchmark entrants already out on a gate too (by default they are skipped). */
  full?: boolean;
  /** Why no more work may start (the run's budget is spent), or null: the judge is new work too. */
  budgetRefusal?: () => string | null;
  /** `rerun`: the saved run the kept entrants come from, whose judge result is reused if its finalists are the same. */
  keptFrom?: string;
}

/**
 * referee -> gates -> score -> ranking -> branches -> report -> result.json, the same for every
 * kind of run. `baseCommit` is the commit the patches apply to; `baseTar` its snapshot.
 */
/** Where judges run: the same networks and model server as the entrants. */
export interface JudgeEnvironment {
  /** Gives each judge container its own network, as for entrants. */
  networks: SandboxNetworks;
  /** Host variables for a judge of this model (its provider's credentials); see preflight.ts. */
  envFor: (model: string) => Record<string, string>;
  /** The judge's provider gateway for this model (`providers.<id>`), if one is configured. */
  gatewayFor: (model: string) => EntrantGateway | undefined;
  /** The opencode auth file mount (sandbox.opencodeAuth), for judges of real providers. */
  readOnlyBinds: string[];
}

export async function settle(
  session: RunSession,
  candidates: Candidate[],
  base: { commit: string; tar: string },
  mode: RunResult['mode'],
  judgeEnv: JudgeEnvironment,
  checkTimings: CheckTimings = {},
  options: SettleOptions = {},
): Promise<RunResult> {
  const { spec, config, runDir, reporter } = session;
  const ctx = {
    engine: session.engine,
    environment: session.environment,
    environmentEngine: session.environmentEngine,
    runId: session.runId,
    runDir,
    baseTar: base.tar,
    spec,
    scoring: config.scoring,
    limits: config.sandbox,
    timeoutMs: REFEREE_TIMEOUT_MS,
  };
  for (const c of candidates) {
    // Whatever produced it, a change over sandbox.maxDiff goes no further (no referee, judge or branch).
    if (Buffer.byteLength(c.patch) > config.sandbox.maxDiffBytes) {
      Object.assign(c, { status: 'diff-too-large', error: new DiffTooLarge(config.sandbox.maxDiffBytes).message, patch: '' });
    }
    await mkdir(join(runDir, 'entrants', c.name), { recursive: true });
    await writeFile(join(runDir, 'entrants', c.name, 'diff.patch'), c.patch);
  }

  const { pool } = session.engines;
  const refereeEngines = new Map<string, string>();
  const refereeRetries = new Map<string, { engine: string; reason: string }>();
  // What every verdict depends on besides its patch; a saved verdict is reused only under the very same key.
  const basis = await refereeBasis({ spec, config, baseCommit: base.commit, environmentImageId: session.environment.image });
  const referee = await session.phase('referee', async () => {
    const summaries = new Map<string, string>();
    const tested = (name: string, verdict: RefereeVerdict) => {
      const tests = verdict.checks.tests;
      const summary = verdict.checks.error ?? (tests?.passed ? 'tests passed' : tests?.error ?? 'tests failed');
      summaries.set(name, summary);
      reporter.onEvent({ type: 'entrant', name, state: 'tested', detail: summary });
    };
    // With a pool, each referee job takes a slot on an engine, like an entrant; on one engine, as many at once as the
    // host has CPUs, as before there were pools.
    const pooled = pool.engines.length > 1;
    const verdicts = await mapLimit(candidates, pooled ? pool.slots : Math.max(1, cpus().length), async (candidate) => {
      if (candidate.patch.trim().length === 0) return null;
      const key = verdictKey(basis, candidate.patch);
      const kept = await loadVerdict(runDir, candidate.name, key);
      if (kept && (await benchImageThere(session, kept.verdict))) {
        reporter.onEvent({ type: 'note', message: `kept ${candidate.name}'s referee verdict (same patch, spec, config and environment)` });
        // Told as when it was refereed: the live view and the log say the same either way.
        const failed = staticGates(kept.verdict.checks, kept.verdict.changes.length > 0, spec, config.scoring.gates).find((g) => !g.passed);
        if (failed) reporter.onEvent({ type: 'note', message: `${candidate.name} is out on gate ${failed.gate}: ${failed.reason}` });
        if (kept.engine !== undefined) refereeEngines.set(candidate.name, kept.engine);
        tested(candidate.name, kept.verdict);
        return kept.verdict;
      }
      reporter.onEvent({ type: 'entrant', name: candidate.name, state: 'refereeing', detail: 'static checks' });
      const job = (engine: typeof ctx.engine) => refereeEntrant({ ...ctx, engine }, candidate.name, candidate.patch, checkTimings, (failed) => {
        // Known before any container starts; tests still run (see refereeEntrant), benchmarks will not.
        if (failed) reporter.onEvent({ type: 'note', message: `${candidate.name} is out on gate ${failed.gate}: ${failed.reason}` });
      }, (step) => reporter.onEvent({ type: 'entrant', name: candidate.name, state: 'refereeing', detail: step }));
      const placed: Placed<RefereeVerdict> = pooled
        ? await onEngine(pool, `${candidate.name}'s referee job`, job, refereeCouldNotRun, reporter, { signal: session.signal })
        : { value: await job(ctx.engine), engine: ctx.engine.id };
      const verdict = placed.value;
      refereeEngines.set(candidate.name, placed.engine);
      if (placed.retried) refereeRetries.set(candidate.name, placed.retried);
      // Not after Ctrl-C (its containers were swept under it), nor when the referee could not run (a lost engine, a
      // patch that does not apply): those are done again.
      if (!session.signal.aborted && !refereeCouldNotRun(verdict)) await saveVerdict(runDir, candidate.name, key, { verdict, engine: placed.engine });
      tested(candidate.name, verdict);
      return verdict;
    });
    // Benchmarks last, in one session for every candidate still in the running (all of them with --full).
    const entries = candidates.flatMap((candidate, index) => {
      const verdict = verdicts[index];
      if (!verdict) return [];
      const before = gatesBeforePerformance(verdict.checks, verdict.changes.length > 0, spec, config.scoring.gates);
      return [{ name: candidate.name, patch: candidate.patch, verdict, outOn: outOnGate(before) }];
    });
    const t0 = Date.now();
    if (spec.bench?.length) {
      for (const entry of entries) reporter.onEvent({ type: 'entrant', name: entry.name, state: 'refereeing', detail: 'benchmarks' });
    }
    // One session compares every candidate: reused only for the very same candidates, patches and gates (a resume
    // after the benchmarks had ended); any change to the set (a rerun entrant, a verdict done again) measures all again.
    const perfKey = performanceKey(basis, entries.map((e) => ({ name: e.name, patch: e.patch, outOn: e.outOn?.gate ?? null, benchImage: e.verdict.bench?.image })), options.full ?? false);
    const keptPerf = spec.bench?.length ? await loadPerformance(runDir, perfKey) : null;
    if (keptPerf) reporter.onEvent({ type: 'note', message: `kept the benchmarks of ${entries.map((e) => e.name).join(', ')} (the same candidates as before the interruption)` });
    // On the first engine still up now: one may have been lost during the referee.
    const perf = keptPerf ?? await refereePerformance({ ...ctx, engine: session.engine }, entries, { full: options.full, signal: session.signal });
    if (!keptPerf && spec.bench?.length && !session.signal.aborted) await savePerformance(runDir, perfKey, perf);
    if (!keptPerf && perf.size > 0) checkTimings.performance = (checkTimings.performance ?? 0) + Date.now() - t0;
    for (const entry of entries) {
      const check = perf.get(entry.name);
      if (check) entry.verdict.checks.performance = check;
      if (spec.bench?.length) reporter.onEvent({ type: 'entrant', name: entry.name, state: 'tested', detail: `${summaries.get(entry.name) ?? ''}; ${perfSummary(check)}` });
    }
    return verdicts;
  });
  session.timings.refereeMs = referee.ms;
  const entrants: EntrantResult[] = candidates.map((candidate, index) => {
    const verdict = referee.value[index] ?? null;
    const changes = verdict?.changes ?? [];
    const checks = verdict?.checks ?? { tests: null };
    const hasChange = changes.length > 0;
    // Stopped at a budget, its partial work is refereed and scored as evidence, but it may not win: it did not finish within what it was given.
    // First, so the report says why it is out before what its partial work lacks.
    const gates = [...(candidate.status === 'budget' ? [{ gate: 'budget' as const, passed: false, reason: candidate.error ?? 'over its budget' }] : []), ...evaluateGates(checks, hasChange, spec, config.scoring.gates)];
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
      ...(candidate.timings ? { timings: candidate.timings } : {}),
      branch: null,
      diffPath: `entrants/${candidate.name}/diff.patch`,
      transcriptPath: candidate.transcriptPath,
      checks,
      gates,
      eligible: gates.every((g) => g.passed),
      score: hasChange ? scoreEntrant(checks, spec, config.scoring.weights) : null,
      rank: null,
      ...(verdict?.environment?.reprepared ? { environment: verdict.environment } : {}),
      ...(candidate.egress ? { egress: candidate.egress } : {}),
      ...(candidate.trialOf !== undefined && { trialOf: candidate.trialOf, trial: candidate.trial }),
      ...(candidate.engine !== undefined && { engine: candidate.engine }),
      ...(refereeEngines.has(candidate.name) && { refereeEngine: refereeEngines.get(candidate.name) }),
      ...(candidate.retried && { retried: candidate.retried }),
      ...(refereeRetries.has(candidate.name) && { refereeRetried: refereeRetries.get(candidate.name) }),
    };
  });

  const judge = await judgeFinalists(session, candidates, entrants, base.tar, judgeEnv, mode, options.budgetRefusal?.() ?? null, basis, options.keptFrom);
  const ranking = rankEntrants(entrants);
  const { ranked } = ranking;
  const minMargin = config.scoring.gates.minMargin ?? null;
  // With trials the entrants are ranked by their trials' mean, and the winner is the top entrant's best trial.
  const trials = hasTrials(ranked) ? summarizeTrials(ranked) : null;
  const selection = trials ? trialSelection(trials.summaries, minMargin) : describeSelection(ranked, minMargin);
  // A lead below the minimum margin (or a tie-break) is a coin flip: nothing is promoted.
  const winner = selection.confident ? (trials ? trials.winner : ranking.winner) : null;
  // A gate judges a commit that already exists: it keeps no branches.
  const branches = mode === 'gate'
    ? { value: null }
    : await session.phase('branches', () => keepBranches(session.repo.root, base.commit, runDir, session.runId, spec.title, ranked, winner));

  const result: RunResult = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    runId: session.runId,
    mode,
    startedAt: session.startedAt.toISOString(),
    finishedAt: '',
    repo: session.repo.root,
    baseCommit: base.commit,
    startBranch: session.repo.branch,
    spec: {
      title: spec.title,
      path: spec.path,
      ...(spec.sha256 ? { sha256: spec.sha256 } : {}),
      test: spec.test,
      setup: spec.setup,
      build: spec.build,
      hiddenTest: spec.hidden?.test,
      bench: spec.bench,
      scope: spec.scope,
    },
    winner,
    winnerBranch: branches.value,
    rankingRule: trials ? `${TRIALS_RULE} Each trial: ${RANKING_RULE}` : RANKING_RULE,
    selection,
    gatesConfig: config.scoring.gates,
    weights: config.scoring.weights,
    entrants: ranked,
    ...(trials && { trials: trials.summaries }),
    engines: session.engines.uses(),
    environment: session.environment.record,
    judge: judge.summary,
    totals: {
      tokens: addTokens(ranked.reduce((sum, e) => addTokens(sum, e.tokens), emptyTokens()), { ...emptyTokens(), ...judge.tokens }),
      costUsd: ranked.reduce((sum, e) => sum + e.costUsd, 0) + judge.costUsd,
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
  // The winner commit carries result.json's hash, so it comes after, and result.json is final.
  await createWinnerCommit(result, spec);
  await writePrPacket(result);
  reporter.onEvent({ type: 'run-end', result });
  return result;
}

/**
 * The judge compares the finalists (the entrants that passed every gate) and its score becomes one
 * more weighted part of theirs. It never sees, and so can never lift, an entrant that failed a gate.
 */
async function judgeFinalists(session: RunSession, candidates: Candidate[], entrants: EntrantResult[], baseTar: string, env: JudgeEnvironment, mode: RunResult['mode'], budgetSpent: string | null, basis: RefereeBasis, keptFrom: string | undefined) {
  const { config, spec, reporter } = session;
  const finalists = entrants.filter((e) => e.eligible);
  const none = (reason: string) => {
    reporter.onEvent({ type: 'judge', line: `not run: ${reason}` });
    return { summary: { ran: false as const, reason }, tokens: { input: 0, output: 0 }, costUsd: 0 };
  };
  if (mode === 'gate') return none('a gate has one candidate, passed or failed by its gates alone; the judge compares candidates (pairwise needs 2), so it does not run');
  if (config.judge.models.length === 0) return none('no judge model is configured (judge.models in tourney.config.yaml, or --judge provider/model); ranked by the checks alone');
  const needed = config.judge.mode === 'pairwise' ? 2 : 1;
  if (finalists.length < needed) return none(`${finalists.length} entrant(s) passed every gate; the ${config.judge.mode} judge needs at least ${needed}`);
  if (budgetSpent) return none(`${budgetSpent}, so the judge does not start; ranked by the checks alone`);

  const patchOf = new Map(candidates.map((c) => [c.name, c.patch]));
  const judged = finalists.map((e) => ({ name: e.name, patch: patchOf.get(e.name) ?? '', checks: e.checks }));
  // Reused only for the very same finalists, patches and checks: the judge compares them with each other.
  const key = judgeKey(basis, judged);
  const kept = (await loadJudge(session.runDir, key)) ?? (keptFrom ? await loadJudge(keptFrom, key) : null);
  if (kept) reporter.onEvent({ type: 'note', message: `kept the judge's result for ${judged.map((f) => f.name).join(', ')} (the same finalists and patches${keptFrom ? ` as run ${basename(keptFrom)}` : ''})` });
  const result = kept ? { value: kept, ms: 0 } : await session.phase('judge', () =>
    runJudge({
      engine: session.engine,
      runId: session.runId,
      image: session.image,
      limits: config.sandbox,
      spec,
      config: config.judge,
      finalists: judged,
      baseTar,
      scratch: session.scratch,
      ...env,
      signal: session.signal,
      onProgress: (line) => reporter.onEvent({ type: 'judge', line }),
      onCall: (call) => reporter.onEvent({ type: 'judge-call', ...call }),
    }),
  `${finalists.length} finalists, ${config.judge.models.length} judge(s), ${config.judge.mode}`);
  if (!kept && !session.signal.aborted) await saveJudge(session.runDir, key, result.value);
  session.timings.judgeMs = result.ms;
  for (const e of finalists) {
    const score = result.value.scores[e.name] ?? 0.5;
    e.score = scoreEntrant(e.checks, spec, config.scoring.weights, { score, detail: `${config.judge.mode} judge: ${score.toFixed(2)}` });
  }
  // Never shown to the judge, even with --full: an entrant out on a gate may carry text aimed at it.
  for (const e of entrants) {
    const out = outOnGate(e.gates);
    if (!e.eligible && e.score && out) e.score.skipped = [...(e.score.skipped ?? []), { part: 'judge', detail: `skipped: out on gate ${out.gate}` }];
  }
  return { summary: result.value, tokens: result.value.tokens, costUsd: result.value.costUsd };
}

/** A kept verdict's own environment image (a changed dependency) may have been pruned since: then it is refereed again. */
async function benchImageThere(session: RunSession, verdict: RefereeVerdict): Promise<boolean> {
  const image = verdict.bench?.image;
  if (!image || image === session.environment.image) return true;
  return (await session.engine.imageSize(image).catch(() => undefined)) !== undefined;
}

/** How an entrant's benchmarks went, in a few words for the live view. */
function perfSummary(p: PerfCheck | undefined): string {
  if (!p?.ran) return p?.skipped ? `benchmarks skipped (${p.skipped.reason})` : 'benchmarks not run';
  if (p.error) return 'benchmarks failed';
  return p.ratio === null || !p.relativeTo ? 'benchmarks ran' : `benchmarks ${p.ratio.toFixed(2)}x the ${p.relativeTo}`;
}
