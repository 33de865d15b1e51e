import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Engine } from '../sandbox/engine.js';
import { displayPath } from '../config/load.js';
import { TourneyError, errorMessage } from '../errors.js';
import type { SandboxLimits } from '../sandbox/container.js';
import { commitKeyFiles, environmentKey, indexKeyFiles, keyGlobs, repositoryIdentity, touchedKeyFiles } from './key.js';
import { prepareImage, SetupFailed, SetupNetworks, type Prepared, type SetupContext } from './prepare.js';
import { ensureToolchain } from './toolchain.js';
import { detectHostTrust, trustRecord, type HostTrust } from './trust.js';
import type { EntrantEnvironment, EnvironmentRecord, EnvironmentSettings } from './types.js';
import { recordUse } from './usage.js';

export interface RunEnvironmentInput {
  engine: Engine;
  runId: string;
  runDir: string;
  repoRoot: string;
  baseCommit: string;
  /** Repo paths entrants never see (the spec, hidden tests): not part of the key either. */
  excluded: string[];
  baseTar: string;
  sandboxImage: string;
  settings: EnvironmentSettings;
  limits: SandboxLimits;
  onLine: (line: string) => void;
  onWarning: (message: string) => void;
}

/** An entrant's environment for the referee: an image, or why it could not be made. */
export type EntrantImage = { image: string; environment: EntrantEnvironment } | { image: null; environment: EntrantEnvironment };

/**
 * The prepare stage: one environment per run, made once (or found in the cache) and started by
 * every entrant and referee container, plus one per entrant whose diff changes what it depends on.
 */
export class RunEnvironment {
  private readonly pending = new Map<string, { job: Promise<Prepared>; logPath: string }>();

  private constructor(
    readonly record: EnvironmentRecord,
    private readonly ctx: SetupContext | null,
    private readonly networks: SetupNetworks,
    private readonly runDir: string,
    private readonly baseTar: string,
    private readonly repository: string,
  ) {}

  /**
   * Containers of the base (and of entrants that changed no key file) start from this: the image id,
   * not the tag, so a concurrent `tourney image prune` or a re-tag cannot swap it mid-run.
   */
  get image(): string {
    return this.record.imageId;
  }

  static async prepare(input: RunEnvironmentInput): Promise<RunEnvironment> {
    const started = Date.now();
    const { settings } = input;
    const toolchain = await ensureToolchain(input.engine, {
      sandboxImage: input.sandboxImage,
      packages: settings.packages,
      dockerfile: settings.dockerfile,
      onLine: input.onLine,
    });
    const networks = new SetupNetworks(input.engine, input.runId);
    const globs = keyGlobs(settings.setupKey, settings.setup);
    const base: Omit<EnvironmentRecord, 'status' | 'key' | 'keyFiles' | 'image' | 'imageId' | 'durationMs'> = {
      setup: settings.setup,
      keyGlobs: globs,
      toolchain,
      network: settings.setupNetwork,
      setupRuns: 0,
      setupMs: 0,
      logPath: null,
      sizeBytes: null,
      addedBytes: null,
      trust: null,
      warnings: [],
    };
    if (!settings.setup) {
      await recordUse([toolchain.imageId]);
      const record: EnvironmentRecord = { ...base, status: 'none', key: null, keyFiles: [], image: toolchain.image, imageId: toolchain.imageId, durationMs: Date.now() - started };
      return new RunEnvironment(record, null, networks, input.runDir, input.baseTar, '');
    }

    let trust: Promise<HostTrust> | undefined;
    const ctx: SetupContext = {
      engine: input.engine,
      runId: input.runId,
      repoRoot: input.repoRoot,
      fromImage: toolchain.image,
      fromImageId: toolchain.imageId,
      setup: settings.setup,
      network: settings.setupNetwork,
      timeLimitMs: settings.setupTimeLimitSec * 1000,
      limits: input.limits,
      trust: () => (trust ??= detectHostTrust(settings.caFile)),
      setupEnv: Object.fromEntries(settings.setupEnv.flatMap((name) => (process.env[name] !== undefined ? [[name, process.env[name]!]] : []))),
      onLine: input.onLine,
    };
    const files = await commitKeyFiles(input.repoRoot, input.baseCommit, globs, input.excluded);
    const repository = await repositoryIdentity(input.repoRoot, input.baseCommit);
    if (files.length === 0 && !settings.setupKeyGiven) {
      input.onWarning(`no dependency manifest or lockfile at the base commit: the prepared environment is reused until the setup command or the image changes (list what "${settings.setup}" depends on under setupKey)`);
    }
    const key = environmentKey(toolchain.imageId, settings.setup, files, repository);
    const dir = join(input.runDir, 'environment');
    await mkdir(dir, { recursive: true });
    let prepared: Prepared;
    try {
      prepared = await prepareImage(ctx, { purpose: 'base', key, baseTar: input.baseTar, logFile: join(dir, 'setup.log') }, networks);
    } catch (err) {
      if (err instanceof SetupFailed) throw await baseSetupError(err, join(dir, 'setup.log'), settings, trust);
      throw err;
    }
    for (const warning of prepared.warnings) input.onWarning(warning);
    await recordUse([prepared.imageId, toolchain.imageId]);
    const toolchainSize = await input.engine.imageSize(toolchain.imageId);
    if (toolchainSize === undefined) throw new Error(`the toolchain image ${toolchain.imageId} is gone from the engine`);
    const record: EnvironmentRecord = {
      ...base,
      status: prepared.status,
      key,
      keyFiles: files.map((f) => f.path),
      image: prepared.image,
      imageId: prepared.imageId,
      setupRuns: prepared.status === 'built' ? 1 : 0,
      setupMs: prepared.setupMs,
      logPath: prepared.status === 'built' ? 'environment/setup.log' : null,
      sizeBytes: prepared.sizeBytes,
      addedBytes: Math.max(0, prepared.sizeBytes - toolchainSize),
      trust: prepared.status === 'built' && trust ? trustRecord(await trust) : null,
      warnings: prepared.warnings,
      durationMs: Date.now() - started,
    };
    return new RunEnvironment(record, ctx, networks, input.runDir, input.baseTar, repository);
  }

  /**
   * The image an entrant's referee containers start from: the run's, unless its diff changes a key
   * file (a new dependency), in which case base + diff gets a setup of its own, cached by its key.
   * A failing setup is that entrant's failure, never the run's.
   */
  async forEntrant(name: string, patch: string, tree: { headDir: string; changedPaths: string[] }): Promise<EntrantImage> {
    const touched = this.ctx ? touchedKeyFiles(tree.changedPaths, this.record.keyGlobs) : [];
    if (!this.ctx || touched.length === 0) return { image: this.image, environment: { reprepared: false, touched: [] } };
    const key = environmentKey(this.ctx.fromImageId, this.ctx.setup, await indexKeyFiles(tree.headDir, this.record.keyGlobs), this.repository);
    let shared = this.pending.get(key);
    if (!shared) {
      const logPath = `entrants/${name}/setup.log`;
      const logFile = join(this.runDir, logPath);
      // Two entrants with the same dependency change share one preparation (and one count of it).
      const job = prepareImage(this.ctx, { purpose: name, key, baseTar: this.baseTar, entrant: { patch, keyFiles: touched }, logFile }, this.networks).then(
        (prepared) => {
          if (prepared.status === 'built') this.record.setupRuns += 1;
          return prepared;
        },
        (err: unknown) => {
          if (err instanceof SetupFailed && err.executed) this.record.setupRuns += 1;
          throw err;
        },
      );
      shared = { job, logPath };
      this.pending.set(key, shared);
    }
    const { job, logPath } = shared;
    try {
      const prepared = await job;
      await recordUse([prepared.imageId]);
      return {
        image: prepared.imageId,
        environment: {
          reprepared: true, touched, status: prepared.status, key, image: prepared.image, setupMs: prepared.setupMs,
          ...(prepared.status === 'built' ? { logPath } : {}),
          ...(prepared.warnings.length ? { warnings: prepared.warnings } : {}),
        },
      };
    } catch (err) {
      // Only a failing setup is the entrant's doing; Docker trouble is said as such.
      const error = err instanceof SetupFailed
        ? `its dependency change broke the setup: it ${err.outcome} (install log: ${logPath})`
        : `its environment could not be prepared: ${errorMessage(err)}`;
      return { image: null, environment: { reprepared: true, touched, status: 'failed', key, logPath, error } };
    }
  }
}

async function baseSetupError(err: SetupFailed, logFile: string, settings: EnvironmentSettings, trust: Promise<HostTrust> | undefined): Promise<TourneyError> {
  const tail = err.log.trimEnd().split('\n').slice(-12).map((line) => `  ${line}`).join('\n');
  let hint = 'the setup runs once on the base commit, before any entrant starts; fix it (or the repository) and run again';
  if (err.networkTrouble) {
    if (settings.setupNetwork === 'none') {
      hint = 'sandbox.setupNetwork is "none": the setup cannot reach any registry; set it to "open", or make the setup work offline (vendored dependencies, a local cache)';
    } else {
      const t = trust ? await trust : undefined;
      const ca = t?.caFile ? `the host's CA bundle ${t.caFile} (from ${t.caSource})` : 'no CA bundle from the host (none found in sandbox.caFile, NODE_EXTRA_CA_CERTS, SSL_CERT_FILE or npm\'s cafile)';
      const proxies = t?.passed.length ? `and ${t.passed.join(', ')}` : 'and no proxy variables';
      hint = `the setup could not reach a host it needs. It ran on a network of its own with egress, with ${ca} ${proxies}. Check that this machine reaches the registry (e.g. "npm ping"), and set sandbox.caFile to your proxy's CA if TLS is intercepted`;
    }
  }
  return new TourneyError(`${err.reason} on the base commit, so no entrant can start (log: ${displayPath(logFile)}). Last lines:\n${tail}`, { exitCode: 3, hint });
}

