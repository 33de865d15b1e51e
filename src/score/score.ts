import { emptyTokens, type RunResult } from '../types.js';
import type { Reporter } from '../run/events.js';
import { RunSession } from '../run/session.js';
import type { Candidate } from '../run/settle.js';
import { authBinds, snapshotExcludes } from '../run/sandbox-environment.js';
import { SandboxNetworks } from '../run/networks.js';
import { credentialEnv, gatewayFor } from '../run/preflight.js';
import { candidatePatch, checkPatchesApply, parseCandidates, resolveBase, type CandidateSource } from './candidates.js';
import { DiffTooLarge } from '../diff-limit.js';
import type { CheckTimings } from '../referee/referee.js';

export interface ScoreOptions {
  repoDir: string;
  specPath: string;
  configPath?: string;
  /** `NAME=REF_OR_PATCH` values. */
  candidates: string[];
  base?: string;
  image?: string;
  signal?: AbortSignal;
  runId?: string;
  /** `--judge`: judge models instead of the config's. */
  judgeModels?: string[];
  minMargin?: number;
  /** `--full`: benchmark entrants already out on a gate too. */
  full?: boolean;
  /** Filled with the total time spent in each kind of check (for bench/score-vs-tests.ts). */
  checkTimings?: CheckTimings;
  /** 'gate' for `tourney gate` (one candidate, no judge, no branches). */
  mode?: 'score' | 'gate';
  /**
   * Leave the spec, its hidden tests and .tourney/ out of ref candidates' diffs (`gate`: a pull
   * request that carries or edits its spec is refereed on its code; the spec is the referee's input).
   */
  excludeSpecFromDiff?: boolean;
}

/**
 * tourney's referee, scoring and report for changes made elsewhere (other agent tools, people):
 * the candidates are branches or patch files, and no agent runs.
 */
export async function scoreCandidates(options: ScoreOptions, reporter: Reporter): Promise<RunResult> {
  // Candidates are input: a bad name, ref or patch fails before Docker and before a run dir exists.
  let checked: { sources: CandidateSource[]; base: string } | undefined;
  const session = await RunSession.open(
    {
      repoDir: options.repoDir,
      specPath: options.specPath,
      config: { configPath: options.configPath, withoutEntrants: true, judgeModels: options.judgeModels, ...(options.minMargin !== undefined && { minMargin: options.minMargin }) },
      image: options.image,
      signal: options.signal,
      runId: options.runId,
      checkInputs: async ({ repo }) => {
        const sources = await parseCandidates(repo.root, options.candidates);
        const base = await resolveBase(repo.root, repo.head, sources, options.base);
        await checkPatchesApply(repo.root, base, sources);
        checked = { sources, base };
      },
    },
    reporter,
  );
  try {
    const { sources, base } = checked!;
    const candidates: Candidate[] = [];
    const exclude = options.excludeSpecFromDiff ? snapshotExcludes(session.repo.root, session.spec) : [];
    for (const source of sources) {
      const taken = await takePatch(session.repo.root, base, source, session.config.sandbox.maxDiffBytes, exclude);
      candidates.push({
        name: source.name,
        agent: source.kind === 'ref' ? 'git ref' : 'patch file',
        model: source.source,
        status: taken.error ? 'diff-too-large' : 'finished',
        ...(taken.error && { error: taken.error }),
        tokens: emptyTokens(),
        costUsd: 0,
        durationMs: 0,
        transcriptPath: null,
        patch: taken.patch,
      });
    }
    reporter.onEvent({
      type: 'run-start',
      runId: session.runId,
      runDir: session.runDir,
      specTitle: session.spec.title,
      entrants: candidates.map((c) => ({ name: c.name, model: c.model })),
    });
    await session.ensureImage();
    const tar = await session.snapshot(base);
    await session.prepareEnvironment(base, tar);
    // Only the judge talks to a model here.
    const judgeModels = session.config.judge.models.map((model) => ({ who: 'the judge', model }));
    const networks = await SandboxNetworks.prepare(session.engine, session.runId, session.config, judgeModels, session.image);
    session.onClose(async () => networks.close());
    // Loaded only now (seconds of imports): the preflight in RunSession.open has answered by then.
    const { settle } = await import('../run/settle.js');
    return await settle(session, candidates, { commit: base, tar }, options.mode ?? 'score', {
      networks,
      envFor: (model) => credentialEnv(session.credentials, model),
      gatewayFor: (model) => gatewayFor(session.credentials, model),
      readOnlyBinds: authBinds(session.config),
    }, options.checkTimings, { full: options.full });
  } finally {
    await session.close();
  }
}

/** An oversized candidate is that candidate's status, not the run's failure. */
async function takePatch(root: string, base: string, source: CandidateSource, maxBytes: number, exclude: string[]): Promise<{ patch: string; error?: string }> {
  try {
    return { patch: await candidatePatch(root, base, source, maxBytes, exclude) };
  } catch (err) {
    if (err instanceof DiffTooLarge) return { patch: '', error: err.message };
    throw err;
  }
}
