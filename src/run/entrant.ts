import { writeFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import { Sandbox, type SandboxLimits } from '../sandbox/container.js';
import { extractDiff, prepareWorkspace, WORKDIR } from '../sandbox/workspace.js';
import { cancelReason, newServerSecret, runOpencodeSession, serverSecretEnv, waitForServer, type AgentSessionResult } from '../agents/opencode.js';
import type { ProviderFailure } from '../agents/provider-errors.js';
import { entrantEnv, entrantOpencodeConfig, OPENCODE_PORT, type EntrantGateway } from '../agents/opencode-config.js';
import { errorMessage } from '../errors.js';
import { formatSeconds } from '../format.js';
import { emptyTokens, type EgressRecord, type EntrantConfig } from '../types.js';
import type { Attachment } from './networks.js';

export interface EntrantRunInput {
  docker: Docker;
  runId: string;
  /** The run's prepared environment (dependencies installed; the setup does not run again). */
  image: string;
  entrant: EntrantConfig;
  prompt: string;
  baseTar: string;
  limits: SandboxLimits;
  /** Makes this entrant's own network (and, with an allowlist, its egress proxy). */
  attachNetwork: () => Promise<Attachment>;
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
  egress?: EgressRecord;
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
  let attachment: Attachment | undefined;
  let egress: EgressRecord | undefined;
  try {
    attachment = await input.attachNetwork();
    const config = entrantOpencodeConfig(input.entrant.model, attachment.scriptedBaseUrl, input.gateway);
    // Only the host and this container know it: a peer that somehow reached the server would be refused.
    const secret = newServerSecret();
    sandbox = await Sandbox.create(input.docker, {
      image: input.image,
      runId: input.runId,
      role: input.entrant.name,
      name: `tourney-${input.runId}-${input.entrant.name}`,
      limits: input.limits,
      network: attachment.network,
      aliases: attachment.aliases,
      env: entrantEnv(config, input.passEnv, { ...attachment.env, ...serverSecretEnv(secret) }),
      cmd: ['opencode', 'serve', '--hostname', '0.0.0.0', '--port', String(OPENCODE_PORT)],
      readOnlyBinds: input.readOnlyBinds,
    });
    const baseCommit = await prepareWorkspace(sandbox, input.baseTar);
    input.onSandboxReady(Date.now() - started);

    const serverUrl = await attachment.serverUrl(sandbox, OPENCODE_PORT);
    await waitForServer(serverUrl, secret, SERVER_START_TIMEOUT_MS, input.signal).catch(async (err: unknown) => {
      throw new Error(`${errorMessage(err)}\n${(await sandbox?.logs())?.slice(-2000) ?? ''}`);
    });
    const session = await runOpencodeSession({
      serverUrl,
      secret,
      directory: WORKDIR,
      model: input.entrant.model,
      prompt: input.prompt,
      timeLimitMs: Math.max(1000, input.timeLimitMs - (Date.now() - started)),
      transcriptFile: input.transcriptFile,
      onActivity: input.onActivity,
      signal: input.signal,
      credentialNames: input.credentialNames,
      ...(input.gateway?.settings.baseURL && { baseURL: input.gateway.settings.baseURL }),
      onProviderFailure: input.onProviderFailure,
    });

    // Whatever the session's outcome, keep what the agent did: a timed-out entrant's partial work is evidence too.
    const patch = await extractDiff(sandbox, baseCommit);
    await writeFile(input.diffFile, patch);
    egress = await attachment.egress();
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
      ...(egress ? { egress } : {}),
    };
  } catch (err) {
    egress ??= await attachment?.egress().catch(() => undefined);
    // After Ctrl-C the sweep removes containers under our feet; the resulting Docker errors are noise.
    const out = failed('error', input.signal.aborted ? cancelReason(input.signal) : errorMessage(err));
    return egress ? { ...out, egress } : out;
  } finally {
    await sandbox?.remove();
    await attachment?.release().catch(() => undefined);
  }
}
