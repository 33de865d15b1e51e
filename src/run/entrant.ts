import { writeFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import { Sandbox, type SandboxLimits } from '../sandbox/container.js';
import { extractDiff, prepareWorkspace, WORKDIR } from '../sandbox/workspace.js';
import { DiffTooLarge, formatBytes } from '../diff-limit.js';
import { watchDisk, type DiskWatch } from '../sandbox/disk-watch.js';
import { cancelReason, runOpencodeSession, waitForServer, type AgentSessionResult } from '../agents/opencode.js';
import type { ProviderFailure } from '../agents/provider-errors.js';
import { entrantEnv, entrantOpencodeConfig, OPENCODE_PORT, type EntrantGateway } from '../agents/opencode-config.js';
import { errorMessage } from '../errors.js';
import { formatSeconds } from '../format.js';
import { emptyTokens, type EntrantConfig } from '../types.js';

export interface EntrantRunInput {
  docker: Docker;
  runId: string;
  /** The run's prepared environment (dependencies installed; the setup does not run again). */
  image: string;
  entrant: EntrantConfig;
  prompt: string;
  baseTar: string;
  // The disk limits matter for entrants: they must be set here.
  limits: SandboxLimits & { diskMb: number; maxDiffBytes: number };
  /** Docker network for this entrant's container. */
  network: string;
  /** Base URL of the scripted model server as seen from inside the container, if one runs. */
  scriptedBaseUrl: string | null;
  passEnv: Record<string, string>;
  /** The entrant's provider gateway (`providers.<id>`), if one is configured. */
  gateway: EntrantGateway | undefined;
  readOnlyBinds: string[];
  timeLimitMs: number;
  diffFile: string;
  transcriptFile: string;
  /** Ctrl-C, or a stop of this entrant's provider (its reason is the message). */
  signal: AbortSignal;
  /** The variables this entrant's provider reads its key from, named in error messages. */
  credentialNames: readonly string[];
  onProviderFailure: (failure: ProviderFailure) => void;
  onActivity: (line: string) => void;
  /** Called once the container is up and the repo copied in, to time sandbox start separately. */
  onSandboxReady: (ms: number) => void;
}

export interface EntrantRunOutput extends AgentSessionResult {
  patch: string;
  transcriptSaved: boolean;
}

const SERVER_START_TIMEOUT_MS = 60_000;

/** One entrant, start to finish: sandbox up, repo in, agent runs, changes out, sandbox gone. */
export async function runEntrant(input: EntrantRunInput): Promise<EntrantRunOutput> {
  const started = Date.now();
  const failed = (status: AgentSessionResult['status'], error: string): EntrantRunOutput => ({
    status,
    error,
    tokens: emptyTokens(),
    costUsd: 0,
    durationMs: Date.now() - started,
    toolCalls: 0,
    deniedPermissions: [],
    patch: '',
    transcriptSaved: false,
  });

  let sandbox: Sandbox | undefined;
  let disk: DiskWatch | undefined;
  const diskStop = new AbortController();
  const signal = AbortSignal.any([input.signal, diskStop.signal]);
  try {
    const config = entrantOpencodeConfig(input.entrant.model, input.scriptedBaseUrl, input.gateway);
    sandbox = await Sandbox.create(input.docker, {
      image: input.image,
      runId: input.runId,
      role: input.entrant.name,
      name: `tourney-${input.runId}-${input.entrant.name}`,
      limits: input.limits,
      network: input.network,
      env: entrantEnv(config, input.passEnv),
      cmd: ['opencode', 'serve', '--hostname', '0.0.0.0', '--port', String(OPENCODE_PORT)],
      readOnlyBinds: input.readOnlyBinds,
    });
    const diskLimit = input.limits.diskMb * 1024 * 1024;
    disk = watchDisk(sandbox, diskLimit, (bytes) =>
      diskStop.abort(`stopped: wrote ${formatBytes(bytes)} in its container, over sandbox.disk (${formatBytes(diskLimit)}); not refereed`),
    );
    const baseCommit = await prepareWorkspace(sandbox, input.baseTar);
    input.onSandboxReady(Date.now() - started);

    const serverUrl = `http://${await sandbox.ipAddress()}:${OPENCODE_PORT}`;
    await waitForServer(serverUrl, SERVER_START_TIMEOUT_MS, signal).catch(async (err: unknown) => {
      throw new Error(`${errorMessage(err)}\n${(await sandbox?.logs())?.slice(-2000) ?? ''}`);
    });
    const session = await runOpencodeSession({
      serverUrl,
      directory: WORKDIR,
      model: input.entrant.model,
      prompt: input.prompt,
      timeLimitMs: Math.max(1000, input.timeLimitMs - (Date.now() - started)),
      transcriptFile: input.transcriptFile,
      onActivity: input.onActivity,
      signal,
      credentialNames: input.credentialNames,
      ...(input.gateway?.settings.baseURL && { baseURL: input.gateway.settings.baseURL }),
      onProviderFailure: input.onProviderFailure,
    });

    disk.stop();
    // Over a sandbox limit, nothing of the entrant's goes further (its container is already killed).
    if (disk.exceeded !== null) return { ...session, status: 'disk-limit', error: cancelReason(diskStop.signal), durationMs: Date.now() - started, patch: '', transcriptSaved: true };
    // Whatever the session's outcome, keep what the agent did: a timed-out entrant's partial work is evidence too.
    let patch: string;
    try {
      patch = await extractDiff(sandbox, baseCommit, input.limits.maxDiffBytes);
    } catch (err) {
      if (!(err instanceof DiffTooLarge)) throw err;
      return { ...session, status: 'diff-too-large', error: err.message, durationMs: Date.now() - started, patch: '', transcriptSaved: true };
    }
    await writeFile(input.diffFile, patch);
    const status = session.status === 'finished' && patch.trim().length === 0 ? 'failed' : session.status;
    let error = session.error;
    if (status === 'failed' && !error) error = 'the agent finished without changing any file';
    // The session only got what was left after sandbox start; the user set (and should see) the whole limit.
    if (status === 'timeout') error = `time limit of ${formatSeconds(input.timeLimitMs / 1000)} reached`;
    return {
      ...session,
      status,
      error,
      durationMs: Date.now() - started,
      patch,
      transcriptSaved: true,
    };
  } catch (err) {
    if (diskStop.signal.aborted) return failed('disk-limit', cancelReason(diskStop.signal));
    // After Ctrl-C the sweep removes containers under our feet; the resulting Docker errors are noise.
    return failed('error', input.signal.aborted ? cancelReason(input.signal) : errorMessage(err));
  } finally {
    disk?.stop();
    await sandbox?.remove();
  }
}
