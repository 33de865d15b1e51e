import { readFile, writeFile } from 'node:fs/promises';
import type { Engine } from '../sandbox/engine.js';
import { formatMs } from '../format.js';
import { packagePath } from '../paths.js';
import { Sandbox, type SandboxLimits } from '../sandbox/container.js';
import { inspectImage } from '../sandbox/image.js';
import { imageSummary } from '../sandbox/images.js';
import { IMAGE_LABELS, SANDBOX_UID } from '../sandbox/labels.js';
import { createSetupNetwork } from '../sandbox/network.js';
import { tarOf } from '../sandbox/tar.js';
import { applyPatch, ENV_EXCLUDE_FILE, prepareWorkspace, runShell, SANDBOX_USER, WORKDIR } from '../sandbox/workspace.js';
import { BUNDLE_IN_CONTAINER, CA_IN_CONTAINER, entrantTrustEnv, trustEnv, type HostTrust } from './trust.js';
import type { SetupNetwork } from './types.js';

export const ENVIRONMENT_REPO = 'tourney-env';
const FINISH_DIR = '/tmp/tourney-finish';

/** What a setup container needs, shared by the base and every re-prepared entrant of a run. */
export interface SetupContext {
  engine: Engine;
  runId: string;
  repoRoot: string;
  /** The image the setup runs in (the toolchain image) and its id (part of every key). */
  fromImage: string;
  fromImageId: string;
  setup: string;
  network: SetupNetwork;
  timeLimitMs: number;
  limits: SandboxLimits;
  /** Host trust and proxies, found once per run and only when a setup has to run. */
  trust: () => Promise<HostTrust>;
  /** Values of sandbox.setupEnv. */
  setupEnv: Record<string, string>;
  onLine: (line: string) => void;
}

export interface PrepareRequest {
  /** Who it is for, in container names and messages: "base" or an entrant's name. */
  purpose: string;
  key: string;
  baseTar: string;
  /**
   * An entrant's dependency change: its patch, of which only the key files are applied, so that the
   * setup's input is exactly what the key covers (an image is shared by everyone with that key).
   */
  entrant?: { patch: string; keyFiles: string[] };
  logFile: string;
}

export interface Prepared {
  status: 'reused' | 'built';
  image: string;
  imageId: string;
  setupMs: number;
  sizeBytes: number;
  /** What the setup said about itself: tracked files it changed (not kept). */
  warnings: string[];
}

/** The setup failed: the log says why; `reason` is one line for the report. */
export class SetupFailed extends Error {
  constructor(
    readonly reason: string,
    readonly log: string,
    readonly networkTrouble: boolean,
    /** False when it failed before the setup command ran (the patch did not apply). */
    readonly executed = true,
    /** How it ended, without the command ("exited with 1 after 2.1 s"). */
    readonly outcome = reason,
  ) {
    super(reason);
  }
}

export const environmentTag = (key: string) => `${ENVIRONMENT_REPO}:${key.slice(0, 16)}`;

/**
 * The prepared image for `key`: reused when the engine has it, else made by running the setup
 * once in a container from the toolchain image (with the setup network) and committing it.
 */
export async function prepareImage(ctx: SetupContext, request: PrepareRequest, networks: SetupNetworks): Promise<Prepared> {
  const tag = environmentTag(request.key);
  // Only "no such image" means build it; any other answer from the engine is an error worth seeing.
  const existing = await inspectImage(ctx.engine, tag);
  if (existing && existing.Config?.Labels?.[IMAGE_LABELS.key] === request.key) {
    return { status: 'reused', image: tag, imageId: existing.Id, setupMs: 0, sizeBytes: existing.Size, warnings: [] };
  }

  const trust = await ctx.trust();
  const network = ctx.network === 'open' ? await networks.get() : 'none';
  const sandbox = await Sandbox.create(ctx.engine, {
    image: ctx.fromImage,
    runId: ctx.runId,
    role: `setup:${request.purpose}`,
    name: `tourney-${ctx.runId}-setup-${request.purpose}`,
    limits: ctx.limits,
    network,
    // The setup's own limit, plus room for copying the repository in and committing the result.
    lifetimeSec: ctx.timeLimitMs / 1000 + 15 * 60,
  });
  try {
    await prepareWorkspace(sandbox, request.baseTar);
    if (request.entrant) {
      const applied = await applyPatch(sandbox, request.entrant.patch, request.entrant.keyFiles);
      if (!applied.ok) {
        const why = `could not run: its key files do not apply to the base (${applied.message.trim()})`;
        throw new SetupFailed(`the patch does not apply: ${applied.message.trim()}`, applied.message, false, false, why);
      }
      // Tracked from here on (ignored or not), so they are the repository's files, not something the setup made.
      await mustExec(sandbox, ['git', '-c', 'core.hooksPath=/dev/null', 'add', '-A', '--force'], 'git add');
    }
    await sandbox.putTar(await tarOf([
      { name: 'tourney-finish/finish.mjs', content: await readFile(packagePath('containers', 'prepare-finish.mjs')) },
      ...(trust.caPem ? [{ name: 'tourney-trust/host-ca.pem', content: trust.caPem }] : []),
    ], SANDBOX_UID), '/tmp');
    if (trust.caPem) {
      // The image's own roots plus the host's CA: pointing a tool at the host CA alone would drop the rest.
      await mustExec(sandbox, ['sh', '-c', `cat /etc/ssl/certs/ca-certificates.crt ${CA_IN_CONTAINER} > ${BUNDLE_IN_CONTAINER} 2>/dev/null || cp ${CA_IN_CONTAINER} ${BUNDLE_IN_CONTAINER}`], 'CA bundle');
    }

    ctx.onLine(`${request.purpose}: ${ctx.setup}`);
    const t0 = Date.now();
    // An entrant's setup runs its install scripts with a network: no secrets for it (see the README).
    const env = request.entrant ? entrantTrustEnv(trust) : { ...trustEnv(trust), ...ctx.setupEnv };
    const run = await runShell(sandbox, ctx.setup, ctx.timeLimitMs, env);
    const setupMs = Date.now() - t0;
    const outcome = run.timedOut ? `timed out after ${formatMs(ctx.timeLimitMs)}` : `exited with ${run.exitCode} after ${formatMs(setupMs)}`;
    const log = `$ ${ctx.setup}\n${run.stdout}${run.stdout.endsWith('\n') || !run.stdout ? '' : '\n'}[tourney: setup ${outcome}; network ${network === 'none' ? 'none' : 'open'}]\n`;
    await writeFile(request.logFile, log);
    if (run.exitCode !== 0) throw new SetupFailed(`setup command "${ctx.setup}" ${outcome}`, log, looksLikeNetworkTrouble(run.stdout), true, outcome);

    const finish = await mustExec(sandbox, ['node', `${FINISH_DIR}/finish.mjs`, ENV_EXCLUDE_FILE], 'finishing the environment', WORKDIR);
    await mustExec(sandbox, ['rm', '-rf', FINISH_DIR, '/tmp/tourney-trust', '/work/entrant.patch'], 'cleaning up');
    const summary = JSON.parse(finish.trim().split('\n').at(-1) ?? '{}') as FinishSummary;
    const warnings = finishWarnings(summary);
    const imageId = await sandbox.commit(ENVIRONMENT_REPO, request.key.slice(0, 16), {
      [IMAGE_LABELS.kind]: 'environment',
      [IMAGE_LABELS.key]: request.key,
      [IMAGE_LABELS.from]: ctx.fromImageId,
      [IMAGE_LABELS.setup]: ctx.setup.slice(0, 500),
      [IMAGE_LABELS.repo]: ctx.repoRoot,
      [IMAGE_LABELS.created]: new Date().toISOString(),
    });
    const size = (await imageSummary(ctx.engine, imageId))?.size ?? 0;
    return { status: 'built', image: tag, imageId, setupMs, sizeBytes: size, warnings };
  } finally {
    await sandbox.remove();
  }
}

interface FinishSummary {
  trackedChanged?: string[];
  /** What the setup made outside the usual dependency folders. */
  unusual?: string[];
  unlisted?: string[];
}

const list = (paths: string[]) => `${paths.slice(0, 5).join(', ')}${paths.length > 5 ? `, and ${paths.length - 5} more` : ''}`;

function finishWarnings(summary: FinishSummary): string[] {
  const warnings: string[] = [];
  if (summary.trackedChanged?.length) {
    warnings.push(`the setup changed ${summary.trackedChanged.length} tracked file(s) (${list(summary.trackedChanged)}); those changes are not kept: setup is for dependencies and tools, the code under test is built by "build"`);
  }
  if (summary.unusual?.length) {
    // A build in the setup (npm's "prepare" script, "pip install .") is frozen at the base commit.
    warnings.push(`the setup made ${list(summary.unusual)} outside the usual dependency folders; it is kept as made from the base commit for every entrant: if it is built from the code under test, build it in "build" instead (e.g. "npm ci --ignore-scripts" plus build: "npm run build")`);
  }
  if (summary.unlisted?.length) warnings.push(`the setup made ${summary.unlisted.length} file(s) with control characters in their names; they were removed`);
  return warnings;
}

async function mustExec(sandbox: Sandbox, cmd: string[], what: string, workdir = WORKDIR): Promise<string> {
  const result = await sandbox.exec(cmd, { user: SANDBOX_USER, workdir, timeoutMs: 300_000 });
  if (result.exitCode !== 0) throw new Error(`${what} failed in the setup container: ${(result.stderr || result.stdout).trim().slice(-500)}`);
  return result.stdout;
}

/** The messages npm, pip, curl, git and apt print when they cannot reach a host or do not trust it. */
const NETWORK_TROUBLE = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT(?:_LOCALLY)?|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_HAS_EXPIRED)\b|Could not resolve host|Temporary failure in name resolution|Name or service not known|Network is unreachable|certificate verify failed|Failed to establish a new connection|network request to .* failed|getaddrinfo/i;

export function looksLikeNetworkTrouble(output: string): boolean {
  return NETWORK_TROUBLE.test(output);
}

/** The run's setup network, made on first use (a cache hit needs none). */
export class SetupNetworks {
  private network: Promise<string> | undefined;
  constructor(private readonly engine: Engine, private readonly runId: string) {}
  get(): Promise<string> {
    this.network ??= createSetupNetwork(this.engine, this.runId).then((n) => n.name);
    return this.network;
  }
}

