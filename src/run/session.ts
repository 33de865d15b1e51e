import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../sandbox/engine.js';
import { loadSpec } from '../spec/load.js';
import { loadConfig, type LoadConfigOptions } from '../config/load.js';
import { openRepo, ensureIgnored, type RepoInfo } from '../git/repo.js';
import { committedTlsProblem, openEngines, distributeImage, watchEngines, type RunEngines } from './engines.js';
import { ensureSandboxImage } from '../sandbox/image.js';
import { modelCatalogueSource, runKinds, sandboxImageContents, type SandboxImageContents } from '../agents/kinds.js';
import { preflight, type CredentialPlan } from './preflight.js';
import { removeRunResources } from '../sandbox/network.js';
import { sweepLeftovers, writeRunOwner } from './leftovers.js';
import { lockRun, type RunLock } from './run-lock.js';
import { TourneyError, errorMessage } from '../errors.js';
import type { PhaseTimings, Spec, TourneyConfig } from '../types.js';
import type { Phase, Reporter } from './events.js';
import { snapshotBase, snapshotExcludes } from './sandbox-environment.js';
import { RunEnvironment } from '../prepare/environment.js';
import { DEFAULT_SETUP_KEY } from '../prepare/key.js';
import { describeEnvironment } from '../prepare/describe.js';

export interface SessionOptions {
  repoDir: string;
  specPath: string;
  config: Omit<LoadConfigOptions, 'configPath'> & { configPath?: string };
  image?: string;
  signal?: AbortSignal;
  runId?: string;
  /** More input checks (score's candidates, gate's refs) after the preflight and before Docker or a run dir. */
  checkInputs?: (inputs: { spec: Spec; repo: RepoInfo; config: TourneyConfig }) => Promise<void>;
}

/**
 * What every kind of run shares: inputs validated, a run directory, a Docker connection, the
 * sandbox image, a base snapshot, phase timing, and cleanup that also happens on Ctrl-C.
 */
export class RunSession {
  readonly timings: PhaseTimings = { imageMs: 0, prepareMs: 0, sandboxStartMs: 0, agentsMs: 0, refereeMs: 0, reportMs: 0, totalMs: 0 };
  private prepared: RunEnvironment | undefined;
  private preparedOn: Engine | undefined;
  readonly startedAt = new Date();
  private abortSweep: Promise<unknown> | undefined;
  private readonly onAbort = () => {
    // Removing the run's containers at once makes every in-flight step fail fast, so Ctrl-C is prompt.
    this.abortSweep = Promise.all(this.liveEngines().map((e) => this.sweep(e).catch(() => undefined)));
  };
  private readonly cleanups: (() => Promise<unknown>)[] = [];
  private readonly stopWatch: () => void;

  private constructor(
    readonly spec: Spec,
    readonly repo: RepoInfo,
    readonly config: TourneyConfig,
    readonly runId: string,
    readonly runDir: string,
    readonly engines: RunEngines,
    private readonly imageContents: SandboxImageContents,
    readonly scratch: string,
    readonly signal: AbortSignal,
    readonly reporter: Reporter,
    /** Which host variables each provider's containers get (checked by the preflight). */
    readonly credentials: CredentialPlan,
    private readonly lock: RunLock,
  ) {
    signal.addEventListener('abort', this.onAbort, { once: true });
    this.stopWatch = watchEngines(engines.pool, reporter);
  }

  static async open(options: SessionOptions, reporter: Reporter): Promise<RunSession> {
    // Inputs first (the file the user named, then the repo, then the config): bad input fails before any work.
    const spec = await loadSpec(options.specPath);
    const repo = await openRepo(options.repoDir);
    const config = await loadConfig(repo.root, options.config);
    // Before Docker and the run dir: a missing key or a mistyped model stops the run here, in well under a second.
    const credentials = await preflight({
      config,
      catalogue: {
        ...modelCatalogueSource,
        onNote: (message) => reporter.onEvent({ type: 'note', message }),
      },
      onWarning: (message) => reporter.onEvent({ type: 'warning', message }),
    });
    for (const message of credentials.notes) reporter.onEvent({ type: 'note', message });
    await options.checkInputs?.({ spec, repo, config });
    const runId = options.runId ?? newRunId(new Date());
    const runDir = join(repo.root, '.tourney', 'runs', runId);
    const committed = await committedTlsProblem(config, repo.root, repo.head);
    if (committed) throw committed;
    const engines = await openEngines(config, reporter);
    // Only what ended runs left: a live run's resources are never swept, whichever run dir it holds.
    for (const engine of engines.pool.engines) await sweepLeftovers(engine, reporter);
    await ensureIgnored(repo.root, '.tourney/');
    await mkdir(runDir, { recursive: true });
    // Before anything is written to the run dir: a second process on the same run stops here.
    const lock = await lockRun(runDir, (message) => reporter.onEvent({ type: 'note', message }));
    try {
      await writeRunOwner(runDir);
      const scratch = await mkdtemp(join(tmpdir(), `tourney-${runId}-`));
      const signal = options.signal ?? new AbortController().signal;
      // The image carries the binaries of the kinds this run's entrants (and judge) use.
      const contents = sandboxImageContents(options.image ?? config.sandbox.image, runKinds(config.entrants));
      return new RunSession(spec, repo, config, runId, runDir, engines, contents, scratch, signal, reporter, credentials, lock);
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  /** Where the run's one-off work goes (the image build, the setup, benchmarks, the judge): the first engine still up. */
  get engine(): Engine {
    return this.engines.pool.primary;
  }

  /** The run's containers and networks on `engine`, removed; given up after a minute (an engine that went silent). */
  private sweep(engine: Engine) {
    let timer: NodeJS.Timeout | undefined;
    const bounded = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`engine ${engine.id} did not answer within 60 s`)), 60_000)));
    return Promise.race([removeRunResources(engine, this.runId), bounded]).finally(() => clearTimeout(timer));
  }

  private liveEngines(): Engine[] {
    return this.engines.pool.engines.filter((e) => !this.engines.pool.isLost(e.id));
  }

  /** The sandbox image's tag (with a suffix naming extra agent kinds, when the run uses any). */
  get image(): string {
    return this.imageContents.tag;
  }

  /** Runs one phase with events and timing; refuses to start one after Ctrl-C. */
  async phase<T>(name: Phase, work: () => Promise<T>, detail?: string): Promise<{ value: T; ms: number }> {
    if (this.signal.aborted) throw new TourneyError('interrupted', { exitCode: 130 });
    this.reporter.onEvent({ type: 'phase-start', phase: name, detail });
    const t0 = Date.now();
    const value = await work();
    const ms = Date.now() - t0;
    this.reporter.onEvent({ type: 'phase-end', phase: name, ms });
    return { value, ms };
  }

  async ensureImage(): Promise<void> {
    const built = await this.phase(
      'image',
      async () => {
        await ensureSandboxImage(this.engine, { tag: this.image, files: this.imageContents.files, buildArgs: this.imageContents.buildArgs, onProgress: (line) => this.reporter.onEvent({ type: 'image-progress', line }) });
        // Built once, on the first engine; the others load the very same image (the judge and egress proxies use it too).
        await distributeImage(this.engines.pool, this.image, `image ${this.image}`, this.reporter);
      },
      this.image,
    );
    this.timings.imageMs = built.ms;
  }

  /** The tree of `commit` (minus the spec, hidden tests and .tourney/) as a tar for sandboxes. */
  async snapshot(commit: string): Promise<string> {
    const baseTar = join(this.scratch, 'base.tar');
    await snapshotBase(this.repo.root, commit, this.spec, join(this.scratch, 'raw.tar'), baseTar);
    return baseTar;
  }

  /**
   * The prepare stage: the toolchain image, then the setup run once on `commit` (or its image found
   * in the cache). Every entrant and referee container starts from the result.
   */
  async prepareEnvironment(commit: string, baseTar: string): Promise<RunEnvironment> {
    const { spec, config } = this;
    const s = config.sandbox;
    this.preparedOn = this.engine;
    const prepared = await this.phase('prepare', () =>
      this.interruptible(() => RunEnvironment.prepare({
        engine: this.engine,
        runId: this.runId,
        runDir: this.runDir,
        repoRoot: this.repo.root,
        baseCommit: commit,
        excluded: snapshotExcludes(this.repo.root, spec),
        baseTar,
        sandboxImage: this.image,
        settings: {
          setup: spec.setup ?? null,
          setupKey: spec.setupKey ?? s.setupKey ?? [...DEFAULT_SETUP_KEY],
          setupKeyGiven: Boolean(spec.setupKey ?? s.setupKey),
          setupNetwork: s.setupNetwork,
          setupTimeLimitSec: s.setupTimeLimitSec,
          setupEnv: s.setupEnv,
          packages: s.packages,
          dockerfile: s.dockerfile ?? null,
          caFile: s.caFile ?? null,
        },
        limits: s,
        onLine: (line) => this.reporter.onEvent({ type: 'prepare', line }),
        onWarning: (message) => this.reporter.onEvent({ type: 'warning', message }),
      })),
      spec.setup ? `setup: ${spec.setup}` : 'no setup',
    );
    this.timings.prepareMs = prepared.ms;
    const env = prepared.value.record;
    this.reporter.onEvent({ type: 'note', message: `environment: ${describeEnvironment(env)}` });
    await distributeImage(this.engines.pool, prepared.value.image, 'the prepared environment', this.reporter);
    this.prepared = prepared.value;
    return prepared.value;
  }

  /** After Ctrl-C, whatever failed because its container was swept is the interruption, not a broken setup. */
  private async interruptible<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (this.signal.aborted) throw new TourneyError('interrupted', { exitCode: 130 });
      throw err;
    }
  }

  /** The engine the environment was prepared on, where an entrant's own environment is made too. */
  get environmentEngine(): Engine {
    return this.preparedOn ?? this.engine;
  }

  get environment(): RunEnvironment {
    if (!this.prepared) throw new Error('the environment is not prepared yet');
    return this.prepared;
  }

  onClose(cleanup: () => Promise<unknown>): void {
    this.cleanups.push(cleanup);
  }

  async close(): Promise<void> {
    this.signal.removeEventListener('abort', this.onAbort);
    this.stopWatch();
    for (const cleanup of this.cleanups.reverse()) await cleanup().catch(() => undefined);
    await this.abortSweep;
    // A lost engine is not waited on: its leftovers go with the sweep of the next run that reaches it.
    for (const engine of this.liveEngines()) {
      const swept = await this.sweep(engine).catch((err: unknown) => {
        this.reporter.onEvent({ type: 'warning', message: `cleanup${this.engines.pool.engines.length > 1 ? ` on engine ${engine.id}` : ''}: ${errorMessage(err)}; "tourney doctor" lists leftovers` });
        return undefined;
      });
      if (swept && swept.containers > 0 && !this.signal.aborted) {
        this.reporter.onEvent({ type: 'warning', message: `cleanup removed ${swept.containers} container(s) that were still running` });
      }
    }
    await rm(this.scratch, { recursive: true, force: true });
    await this.lock.release();
  }
}

/** `20261121-061503-a1b2`: sortable, readable, unique enough for branch names. */
export function newRunId(date: Date): string {
  const stamp = date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${Math.random().toString(16).slice(2, 6)}`;
}
