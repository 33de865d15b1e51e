import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, cpus } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadSpec } from '../spec/load.js';
import { loadConfig } from '../config/load.js';
import { openRepo, ensureIgnored } from '../git/repo.js';
import { connectDocker } from '../sandbox/docker.js';
import { ensureSandboxImage } from '../sandbox/image.js';
import { removeRunResources } from '../sandbox/network.js';
import type { ScriptedModelServer } from '../scripted/server.js';
import { isScripted } from '../agents/opencode-config.js';
import { buildEntrantPrompt } from '../agents/prompt.js';
import { runTestCheck } from '../referee/tests.js';
import { renderReport } from '../report/render.js';
import { TourneyError, errorMessage } from '../errors.js';
import { addTokens, emptyTokens, RESULT_SCHEMA_VERSION, type RunResult } from '../types.js';
import { runEntrant, type EntrantRunOutput } from './entrant.js';
import { rankEntrants, RANKING_RULE } from './rank.js';
import { toEntrantResult, keepBranches } from './results.js';
import { snapshotBase, prepareNetwork, passThroughEnv, authBinds } from './sandbox-environment.js';
import { mapLimit } from './concurrency.js';
import type { Phase, Reporter } from './events.js';

export interface RunOptions {
  repoDir: string;
  specPath: string;
  configPath?: string;
  entrants?: number;
  model?: string;
  timeLimitSec?: number;
  /** Overrides the config's sandbox image tag. */
  image?: string;
  signal?: AbortSignal;
  /** For tests and the demo: a run id instead of a generated one. */
  runId?: string;
}

const REFEREE_TIMEOUT_MS = 10 * 60_000;

/** spec -> entrants (sandbox + agent) -> referee -> ranking -> branches -> report. */
export async function runTournament(options: RunOptions, reporter: Reporter): Promise<RunResult> {
  const startedAt = new Date();
  const spec = await loadSpec(options.specPath);
  const repo = await openRepo(options.repoDir);
  const config = await loadConfig(repo.root, {
    configPath: options.configPath,
    entrants: options.entrants,
    model: options.model,
    timeLimitSec: options.timeLimitSec,
  });
  const image = options.image ?? config.sandbox.image;
  const runId = options.runId ?? newRunId(startedAt);
  const runDir = join(repo.root, '.tourney', 'runs', runId);
  await ensureIgnored(repo.root, '.tourney/');
  await mkdir(runDir, { recursive: true });
  if (repo.dirty) reporter.onEvent({ type: 'warning', message: 'the working tree has uncommitted changes: entrants start from HEAD without them' });

  const docker = await connectDocker();
  const signal = options.signal ?? new AbortController().signal;
  const scratch = await mkdtemp(join(tmpdir(), `tourney-${runId}-`));
  // Removing the run's containers at once makes every in-flight step fail fast, so Ctrl-C is prompt.
  let abortSweep: Promise<unknown> | undefined;
  const onAbort = () => {
    abortSweep = removeRunResources(docker, runId).catch(() => undefined);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  let modelServer: ScriptedModelServer | undefined;
  const timings = { imageMs: 0, sandboxStartMs: 0, agentsMs: 0, refereeMs: 0, reportMs: 0, totalMs: 0 };
  const phase = async <T>(name: Phase, work: () => Promise<T>, detail?: string): Promise<{ value: T; ms: number }> => {
    if (signal.aborted) throw new TourneyError('interrupted', { exitCode: 130 });
    reporter.onEvent({ type: 'phase-start', phase: name, detail });
    const t0 = Date.now();
    const value = await work();
    const ms = Date.now() - t0;
    reporter.onEvent({ type: 'phase-end', phase: name, ms });
    return { value, ms };
  };

  reporter.onEvent({
    type: 'run-start',
    runId,
    runDir,
    specTitle: spec.title,
    entrants: config.entrants.map((e) => ({ name: e.name, model: e.model })),
  });

  try {
    timings.imageMs = (
      await phase('image', () => ensureSandboxImage(docker, { tag: image, onProgress: (line) => reporter.onEvent({ type: 'image-progress', line }) }), image)
    ).ms;

    const baseTar = join(scratch, 'base.tar');
    await snapshotBase(repo.root, repo.head, spec, join(scratch, 'raw.tar'), baseTar);

    const { network, scriptedBaseUrl, server } = await prepareNetwork(docker, runId, config);
    modelServer = server;

    const outputs = await phase('agents', async () => {
      let firstReady = 0;
      return mapLimit(config.entrants, config.entrants.length, async (entrant) => {
        const timeLimitSec = options.timeLimitSec ?? entrant.timeLimitSec ?? spec.timeLimitSec ?? config.sandbox.timeLimitSec;
        const dir = join(runDir, 'entrants', entrant.name);
        await mkdir(dir, { recursive: true });
        reporter.onEvent({ type: 'entrant', name: entrant.name, state: 'starting' });
        const output = await runEntrant({
          docker,
          runId,
          image,
          entrant,
          prompt: await buildEntrantPrompt(spec, entrant, timeLimitSec),
          baseTar,
          setup: spec.setup,
          limits: config.sandbox,
          network: isScripted(entrant.model) ? network.scripted : network.open,
          scriptedBaseUrl,
          passEnv: passThroughEnv(config),
          readOnlyBinds: authBinds(config),
          timeLimitMs: timeLimitSec * 1000,
          diffFile: join(dir, 'diff.patch'),
          transcriptFile: join(dir, 'transcript.json'),
          signal,
          onActivity: (line) => reporter.onEvent({ type: 'activity', name: entrant.name, line }),
          onSandboxReady: (ms) => {
            firstReady = Math.max(firstReady, ms);
            timings.sandboxStartMs = firstReady;
            reporter.onEvent({ type: 'entrant', name: entrant.name, state: 'running' });
          },
        });
        if (!existsSync(join(dir, 'diff.patch'))) await writeFile(join(dir, 'diff.patch'), output.patch);
        reporter.onEvent({ type: 'entrant', name: entrant.name, state: output.status, detail: output.error });
        return output;
      });
    }, `${config.entrants.length} entrants`);
    timings.agentsMs = outputs.ms;
    await modelServer?.close();
    modelServer = undefined;

    const referee = await phase('referee', () =>
      mapLimit(config.entrants, Math.max(1, cpus().length), async (entrant, index) => {
        const output = outputs.value[index] as EntrantRunOutput;
        if (output.patch.trim().length === 0) return null;
        reporter.onEvent({ type: 'entrant', name: entrant.name, state: 'refereeing' });
        const check = await runTestCheck(docker, {
          image,
          runId,
          entrant: entrant.name,
          baseTar,
          patch: output.patch,
          test: spec.test,
          setup: spec.setup,
          limits: config.sandbox,
          timeoutMs: REFEREE_TIMEOUT_MS,
          logFile: join(runDir, 'entrants', entrant.name, 'test.log'),
          logRelPath: `entrants/${entrant.name}/test.log`,
        });
        const verdict = check.passed ? 'tests passed' : check.error ?? 'tests failed';
        reporter.onEvent({ type: 'entrant', name: entrant.name, state: 'tested', detail: verdict });
        return check;
      }),
    );
    timings.refereeMs = referee.ms;

    const entrants = await Promise.all(
      config.entrants.map((entrant, index) =>
        toEntrantResult(runDir, entrant, outputs.value[index] as EntrantRunOutput, referee.value[index] ?? null),
      ),
    );

    const { ranked, winner } = rankEntrants(entrants);
    const branches = await phase('branches', () => keepBranches(repo.root, repo.head, runDir, runId, spec.title, ranked, winner));
    const winnerBranch = branches.value;

    const result: RunResult = {
      schemaVersion: RESULT_SCHEMA_VERSION,
      runId,
      startedAt: startedAt.toISOString(),
      finishedAt: '',
      repo: repo.root,
      baseCommit: repo.head,
      spec: { title: spec.title, path: spec.path, test: spec.test, setup: spec.setup },
      winner,
      winnerBranch,
      rankingRule: RANKING_RULE,
      entrants: ranked,
      totals: {
        tokens: ranked.reduce((sum, e) => addTokens(sum, e.tokens), emptyTokens()),
        costUsd: ranked.reduce((sum, e) => sum + e.costUsd, 0),
      },
      timings,
      reportPath: join(runDir, 'report.html'),
      runDir,
    };
    const report = await phase('report', async () => {
      result.finishedAt = new Date().toISOString();
      result.timings.totalMs = Date.now() - startedAt.getTime();
      return renderReport(result, runDir);
    });
    result.timings.reportMs = report.ms;
    result.timings.totalMs = Date.now() - startedAt.getTime();
    await writeFile(join(runDir, 'result.json'), JSON.stringify(result, null, 2) + '\n');
    reporter.onEvent({ type: 'run-end', result });
    return result;
  } finally {
    signal.removeEventListener('abort', onAbort);
    await modelServer?.close().catch(() => undefined);
    await abortSweep;
    const swept = await removeRunResources(docker, runId).catch((err: unknown) => {
      reporter.onEvent({ type: 'warning', message: `cleanup: ${errorMessage(err)}; "tourney doctor" lists leftovers` });
      return undefined;
    });
    if (swept && swept.containers > 0 && !signal.aborted) {
      reporter.onEvent({ type: 'warning', message: `cleanup removed ${swept.containers} container(s) that were still running` });
    }
    await rm(scratch, { recursive: true, force: true });
  }
}

/** `20261121-061503-a1b2`: sortable, readable, unique enough for branch names. */
export function newRunId(date: Date): string {
  const stamp = date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${Math.random().toString(16).slice(2, 6)}`;
}

