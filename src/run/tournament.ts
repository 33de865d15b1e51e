import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildEntrantPrompt } from '../agents/prompt.js';
import { addTokens, type RunResult, type TokenUsage } from '../types.js';
import { runEntrant } from './entrant.js';
import { usageTokens } from '../agents/kind.js';
import { expandTrials } from '../config/trials.js';
import { basename, resolve as resolvePath } from 'node:path';
import { checkSameInputs, configDigest, sha256, copyOutcome, loadOutcome, loadRunInputs, saveOutcome, saveRunInputs } from './resume.js';
import { mapLimit } from './concurrency.js';
import { onEngine } from './placement.js';
import type { Reporter } from './events.js';
import { authBinds } from './sandbox-environment.js';
import { SandboxNetworks } from './networks.js';
import { credentialEnv, credentialNames, credentialScope, gatewayFor, modelUses } from './preflight.js';
import { ProviderStops } from './provider-stops.js';
import { providerOf } from '../agents/providers.js';
import { RunSession } from './session.js';
import { RunBudgets, acrossAttempts } from './budget.js';
import type { Candidate } from './settle.js';

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
  /** `--judge`: judge models instead of the config's. */
  judgeModels?: string[];
  /** `--full`: benchmark entrants already out on a gate too. */
  full?: boolean;
  /** `--min-margin`: score points the winner must lead by. */
  minMargin?: number;
  /** `--trials`: runs of every entrant. */
  trials?: number;
  /** `resume` and `rerun`: a saved run whose entrant outcomes are kept (all but `again`), and its base commit. */
  continueFrom?: { runDir: string; baseCommit: string; again: string[] };
}

export { newRunId } from './session.js';

type Spent = { tokens: TokenUsage; costUsd: number; durationMs: number };

function record<T extends Spent>(spent: Spent[], output: T): T {
  spent.push(output);
  return output;
}

/** spec -> entrants (sandbox + agent) -> referee -> gates and score -> ranking -> branches -> report. */
export async function runTournament(options: RunOptions, reporter: Reporter): Promise<RunResult> {
  const session = await RunSession.open(
    {
      repoDir: options.repoDir,
      specPath: options.specPath,
      config: { configPath: options.configPath, entrants: options.entrants, model: options.model, timeLimitSec: options.timeLimitSec, judgeModels: options.judgeModels, trials: options.trials, ...(options.minMargin !== undefined && { minMargin: options.minMargin }) },
      image: options.image,
      signal: options.signal,
      runId: options.runId,
    },
    reporter,
  );
  const { spec, config, repo, runDir, runId } = session;
  // From here every way out, a refused resume included, closes the session and so releases the run's lock.
  try {
    // Each trial is a run of its own: its own sandbox, referee and score (ranked per entrant in settle).
    const runs = expandTrials(config.entrants);
    const from = options.continueFrom;
    // A resumed run goes on from the commit it started on, wherever HEAD is now.
    const baseCommit = from?.baseCommit ?? repo.head;
    const specSha256 = sha256(await readFile(spec.path));
    const configSha256 = configDigest(config);
    if (from) {
      checkSameInputs(await loadRunInputs(from.runDir), { runs, specSha256, configSha256, specPath: spec.path, configPath: config.source }, from.runDir);
    }
    await saveRunInputs(runDir, {
      repoDir: repo.root,
      specPath: spec.path,
      ...(options.configPath !== undefined && { configPath: resolvePath(options.configPath) }),
      overrides: { entrants: options.entrants, model: options.model, timeLimitSec: options.timeLimitSec, judgeModels: options.judgeModels, minMargin: options.minMargin, trials: options.trials, full: options.full, image: options.image },
      baseCommit,
      specSha256,
      configSha256,
      runs,
    });
    if (repo.dirty && !options.continueFrom) reporter.onEvent({ type: 'warning', message: 'the working tree has uncommitted changes: entrants start from HEAD without them' });
    reporter.onEvent({
      type: 'run-start',
      runId,
      runDir,
      specTitle: spec.title,
      entrants: runs.map((e) => ({ name: e.name, model: e.model })),
    });

    await session.ensureImage();
    const baseTar = await session.snapshot(baseCommit);
    const environment = await session.prepareEnvironment(baseCommit, baseTar);
    const networks = await SandboxNetworks.prepare(session.engine, runId, config, modelUses(config), session.image);
    session.onClose(async () => networks.close());

    const stops = new ProviderStops(session.signal);
    const budgets = new RunBudgets(config.budget);
    const { pool } = session.engines;
    // Each engine takes as many as its slots; sandbox.maxParallel caps the run as a whole.
    const atOnce = Math.min(pool.slots, config.sandbox.maxParallel ?? Infinity);
    if (atOnce < runs.length) {
      reporter.onEvent({ type: 'note', message: `${atOnce} entrant(s) at a time (${config.sandbox.maxParallel !== undefined && config.sandbox.maxParallel < pool.slots ? 'sandbox.maxParallel' : session.engines.slotsReason}); the others wait, their time limits not running` });
    }
    // Kept entrants first, before any other starts: what they used counts toward this run's budget as if they had run here.
    const keptOutcomes = new Map<string, Candidate>();
    for (const entrant of from ? runs.filter((r) => !from.again.includes(r.name)) : []) {
      const kept = await loadOutcome(from!.runDir, entrant.name, { agent: entrant.agent, model: entrant.model, ...(entrant.trialOf !== undefined && { trialOf: entrant.trialOf }) });
      if (!kept) continue;
      keptOutcomes.set(entrant.name, kept);
      budgets.forEntrant(entrant.name, undefined).report({ tokens: usageTokens(kept.tokens), costUsd: kept.costUsd });
    }
    const agents = await session.phase('agents', async () => {
      let slowestStart = 0;
      const queuedFrom = Date.now();
      for (const entrant of runs) reporter.onEvent({ type: 'entrant', name: entrant.name, state: 'queued' });
      return mapLimit(runs, atOnce, async (entrant): Promise<Candidate> => {
        const kept = keptOutcomes.get(entrant.name);
        if (kept && from) {
          if (from.runDir !== runDir) await copyOutcome(from.runDir, runDir, entrant.name);
          reporter.onEvent({ type: 'entrant', name: entrant.name, state: kept.status, detail: `kept from ${from.runDir === runDir ? 'before the interruption' : `run ${basename(from.runDir)}`}` });
          return kept;
        }
        const queuedMs = Date.now() - queuedFrom;
        const timeLimitSec = options.timeLimitSec ?? entrant.timeLimitSec ?? spec.timeLimitSec ?? config.sandbox.timeLimitSec;
        const dir = join(runDir, 'entrants', entrant.name);
        await mkdir(dir, { recursive: true });
        reporter.onEvent({ type: 'entrant', name: entrant.name, state: 'starting' });
        const scope = credentialScope(session.credentials, entrant.model, entrant.name);
        const attempt = acrossAttempts(budgets.forEntrant(entrant.name, entrant.budget));
        // What every attempt used, a lost one included (its tokens were spent all the same).
        const spent: Spent[] = [];
        const placed = await onEngine(pool, entrant.name, async (engine) => record(spent, await runEntrant({
          engine,
          runId,
          image: environment.image,
          entrant,
          prompt: await buildEntrantPrompt(spec, entrant, timeLimitSec),
          baseTar,
          limits: config.sandbox,
          attachNetwork: () => networks.attach(entrant.name, entrant.model, gatewayFor(session.credentials, entrant.model, entrant.name)?.settings, engine),
          // Only this entrant's provider's keys (plus the non-credential sandbox.env extras).
          passEnv: credentialEnv(session.credentials, entrant.model, entrant.name),
          gateway: gatewayFor(session.credentials, entrant.model, entrant.name),
          // opencode's auth file holds every provider's login: only an opencode entrant reads it.
          readOnlyBinds: entrant.agent === 'opencode' ? authBinds(config) : [],
          timeLimitMs: timeLimitSec * 1000,
          diffFile: join(dir, 'diff.patch'),
          transcriptFile: join(dir, 'transcript.json'),
          signal: stops.signalFor(scope),
          credentialNames: credentialNames(session.credentials, entrant.model, entrant.name),
          onProviderFailure: (failure) => {
            if (!failure.stopsProvider || stops.stopped(scope)) return;
            // The agent's word is its own output stream, which a hostile entrant can forge to stop its rivals.
            const confirmed = networks.scriptedRefusal(entrant.model) || stops.reported(scope, entrant.name) >= 2;
            if (!confirmed) {
              reporter.onEvent({ type: 'warning', message: `${entrant.name}: ${failure.message}; the other ${providerOf(entrant.model)} entrants go on unless a second one sees the same refusal` });
              return;
            }
            reporter.onEvent({ type: 'warning', message: `${failure.message}: stopping the other ${providerOf(entrant.model)} entrants that use the same key` });
            stops.stop(scope, failure, `entrant "${entrant.name}"`);
          },
          onActivity: (line) => reporter.onEvent({ type: 'activity', name: entrant.name, line }),
          onStep: (step) => reporter.onEvent({ type: 'step', name: entrant.name, step, limitMs: timeLimitSec * 1000 }),
          budget: attempt(),
          onSandboxReady: (ms) => {
            slowestStart = Math.max(slowestStart, ms);
            session.timings.sandboxStartMs = slowestStart;
            reporter.onEvent({ type: 'entrant', name: entrant.name, state: 'running' });
          },
        })), (out) => out.status === 'error', reporter, { signal: session.signal });
        const output = placed.value;
        // An attempt abandoned on a silent engine may still end later: only those that ended by now, not the one kept.
        const previous = spent.filter((s) => s !== output);
        const candidate: Candidate = {
          name: entrant.name,
          agent: entrant.agent,
          model: entrant.model,
          approach: entrant.approach,
          status: output.status,
          error: output.error,
          tokens: previous.reduce((sum, p) => addTokens(sum, p.tokens), output.tokens),
          costUsd: previous.reduce((sum, p) => sum + p.costUsd, output.costUsd),
          durationMs: previous.reduce((sum, p) => sum + p.durationMs, output.durationMs),
          timings: { queuedMs, ...output.timings },
          transcriptPath: output.transcriptSaved ? `entrants/${entrant.name}/transcript.json` : null,
          patch: output.patch,
          ...(output.egress ? { egress: output.egress } : {}),
          ...(entrant.trialOf !== undefined && { trialOf: entrant.trialOf, trial: entrant.trial }),
          engine: placed.engine,
          ...(placed.retried && { retried: placed.retried }),
        };
        // Not after Ctrl-C, nor when its provider was stopped for all: an entrant cut short runs again on resume.
        if (!session.signal.aborted && !stops.stopped(scope)) await saveOutcome(runDir, candidate);
        reporter.onEvent({ type: 'entrant', name: entrant.name, state: output.status, detail: output.error });
        return candidate;
      });
    }, runs.length === config.entrants.length ? `${runs.length} entrants` : `${config.entrants.length} entrants, ${runs.length} trials`);
    session.timings.agentsMs = agents.ms;
    // The model server stays up for the judge; the referee has no network at all.
    // Loaded only now: the referee, judge and report pull in TypeScript, ESLint and more (seconds of
    // imports), which a run stopped by the preflight should not pay for.
    const { settle } = await import('./settle.js');
    return await settle(session, agents.value, { commit: baseCommit, tar: baseTar }, 'run', {
      networks,
      envFor: (model) => credentialEnv(session.credentials, model),
      gatewayFor: (model) => gatewayFor(session.credentials, model),
      readOnlyBinds: authBinds(config),
    }, undefined, { full: options.full, budgetRefusal: () => budgets.refusal(), ...(from && from.runDir !== runDir && { keptFrom: from.runDir }) });
  } finally {
    await session.close();
  }
}
