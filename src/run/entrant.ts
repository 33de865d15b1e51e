import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Engine } from '../sandbox/engine.js';
import { Sandbox, type SandboxLimits } from '../sandbox/container.js';
import { prepareWorkspace, WORKDIR } from '../sandbox/workspace.js';
import { diffOfStopped, withDeadline } from '../sandbox/stopped.js';
import { DiffTooLarge, formatBytes } from '../diff-limit.js';
import { watchDisk, type DiskWatch } from '../sandbox/disk-watch.js';
import { cancelReason, usageTokens, type AgentSessionResult, type LiveUsage } from '../agents/kind.js';
import type { EntrantBudget } from './budget.js';
import { agentKind } from '../agents/kinds.js';
import type { ProviderFailure } from '../agents/provider-errors.js';
import type { EntrantGateway } from '../agents/models.js';
import { agentSandbox } from '../sandbox/agent-sandbox.js';
import { errorMessage } from '../errors.js';
import { formatSeconds } from '../format.js';
import { emptyTokens, type EgressRecord, type EntrantConfig, type EntrantTimings } from '../types.js';
import type { Attachment } from './networks.js';
import type { EntrantStep } from './events.js';

export interface EntrantRunInput {
  engine: Engine;
  runId: string;
  /** The run's prepared environment (dependencies installed; the setup does not run again). */
  image: string;
  entrant: EntrantConfig;
  prompt: string;
  baseTar: string;
  // The disk limits matter for entrants: they must be set here.
  limits: SandboxLimits & { diskMb: number; maxDiffBytes: number };
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
  /** Where the entrant is now (sandbox, agent start, turns, extracting), for the live view. */
  onStep: (step: EntrantStep) => void;
  /** Called once the container is up and the repo copied in, to time sandbox start separately. */
  onSandboxReady: (ms: number) => void;
  /** Its own and the run's budget: checked before start and on every usage report of the agent. */
  budget?: EntrantBudget;
}

export interface EntrantRunOutput extends AgentSessionResult {
  patch: string;
  transcriptSaved: boolean;
  timings: Omit<EntrantTimings, 'queuedMs'>;
  egress?: EgressRecord;
}

/** After the limit: the session is aborted and its transcript read, the agent's processes still running. */
export const TRANSCRIPT_GRACE_MS = 8_000;
/** After the kill: the stopped filesystem saved and its diff read, nothing of the agent's running. */
export const DIFF_GRACE_MS = 20_000;
/**
 * The container's own hard lifetime beyond the limit, for when tourney is not there to stop it (killed,
 * crashed): the graces above plus a margin for a slow engine, so it never cuts short a stop tourney runs.
 */
export const HARD_LIFETIME_GRACE_MS = TRANSCRIPT_GRACE_MS + DIFF_GRACE_MS + 30_000;

/**
 * One entrant, start to finish: sandbox up, repo in, agent runs, container killed from the engine,
 * changes read from its stopped filesystem, sandbox gone. The time limit counts from here (time spent
 * queued before this call is not the entrant's); the whole of it, diff included, ends by the limit plus
 * TRANSCRIPT_GRACE_MS plus DIFF_GRACE_MS at the very most.
 */
export async function runEntrant(input: EntrantRunInput): Promise<EntrantRunOutput> {
  const started = Date.now();
  const deadline = started + input.timeLimitMs;
  const timings = { sandboxMs: 0, agentMs: 0, stopMs: 0 };
  const failed = (status: AgentSessionResult['status'], error: string, patch = ''): EntrantRunOutput => ({
    status,
    error,
    tokens: emptyTokens(),
    costUsd: 0,
    durationMs: Date.now() - started,
    toolCalls: 0,
    deniedPermissions: [],
    patch,
    transcriptSaved: false,
    timings,
  });

  // Stopped while queued (Ctrl-C, its provider refused another entrant): it never starts.
  if (input.signal.aborted) return failed('error', cancelReason(input.signal));
  const refused = input.budget?.refusal();
  if (refused) return failed('budget', refused);
  let sandbox: Sandbox | undefined;
  let baseCommit: string | undefined;
  let disk: DiskWatch | undefined;
  let attachment: Attachment | undefined;
  let egress: EgressRecord | undefined;
  const diskStop = new AbortController();
  // Over budget, the session is aborted like at the time limit, and its work so far is read like a timeout's.
  const budgetStop = new AbortController();
  const onUsage = (total: LiveUsage) => {
    const why = input.budget?.report(total);
    if (why && !budgetStop.signal.aborted) budgetStop.abort(why);
  };
  const signal = AbortSignal.any([input.signal, diskStop.signal, budgetStop.signal]);
  try {
    input.onStep({ step: 'sandbox' });
    attachment = await input.attachNetwork();
    const network = attachment;
    const launch = agentKind(input.entrant.agent).launch({
      model: input.entrant.model,
      scriptedBaseUrl: attachment.scriptedBaseUrl,
      ...(input.gateway && { gateway: input.gateway }),
      passEnv: input.passEnv,
      sandboxEnv: attachment.env,
      ...(input.entrant.command && { command: input.entrant.command }),
      role: 'entrant',
    });
    sandbox = await Sandbox.create(input.engine, {
      image: input.image,
      runId: input.runId,
      role: input.entrant.name,
      name: `tourney-${input.runId}-${input.entrant.name}`,
      limits: input.limits,
      network: attachment.network,
      aliases: attachment.aliases,
      env: launch.env,
      cmd: launch.cmd,
      readOnlyBinds: input.readOnlyBinds,
      lifetimeSec: (input.timeLimitMs + HARD_LIFETIME_GRACE_MS) / 1000,
      // Kept after the kill: its filesystem is where the changes are read from.
      autoRemove: false,
    });
    const diskLimit = input.limits.diskMb * 1024 * 1024;
    disk = watchDisk(sandbox, diskLimit, (bytes) =>
      diskStop.abort(`stopped: wrote ${formatBytes(bytes)} in its container, over sandbox.disk (${formatBytes(diskLimit)}); not refereed`),
    );
    const box = sandbox;
    const agent = (async (): Promise<AgentSessionResult> => {
      baseCommit = await prepareWorkspace(box, input.baseTar);
      timings.sandboxMs = Date.now() - started;
      input.onSandboxReady(timings.sandboxMs);
      return launch.run({
        sandbox: agentSandbox(box, (b, port) => network.serverUrl(b, port)),
        directory: WORKDIR,
        model: input.entrant.model,
        prompt: input.prompt,
        timeLimitMs: Math.max(1000, deadline - Date.now()),
        transcriptFile: input.transcriptFile,
        onActivity: input.onActivity,
        onStep: input.onStep,
        signal,
        credentialNames: input.credentialNames,
        ...(input.gateway?.settings.baseURL && { baseURL: input.gateway.settings.baseURL }),
        onProviderFailure: input.onProviderFailure,
        ...(input.budget && { onUsage }),
      });
    })();
    // Whatever hangs (a server that stops answering, a transcript that never settles), the stop comes on time.
    let timedOut = false;
    const reported = await withDeadline(agent, Math.max(1, deadline + TRANSCRIPT_GRACE_MS - Date.now()), 'the agent').catch((err: unknown): AgentSessionResult => {
      agent.catch(() => undefined);
      timedOut = true;
      if (Date.now() >= deadline) return { ...failed('timeout', ''), error: undefined };
      throw err;
    });
    const session = saneUsage(reported);
    // The final count is the one that is billed: it also charges the run's budget for kinds that report no usage live.
    // A kind that reports only at the end (Codex per turn, command never) can overrun its budget within one
    // report: over its own cap at the end, it is out on the budget gate all the same.
    const overAtEnd = input.budget?.report({ tokens: usageTokens(session.tokens), costUsd: session.costUsd }) ?? null;
    // A kind writes its transcript before it returns; one cut off by the deadline may have left none (or half of one).
    const transcriptSaved = !timedOut && existsSync(input.transcriptFile);
    timings.agentMs = Date.now() - started - timings.sandboxMs;

    // Stopped from the engine: every process the agent started dies here, whatever signals it ignores.
    const stopping = Date.now();
    disk.stop();
    await sandbox.kill();
    // What its proxy refused is evidence whatever happens next.
    egress = await attachment.egress();
    const withEgress = egress ? { egress } : {};
    // Over a sandbox limit, nothing of the entrant's goes further.
    if (disk.exceeded !== null) return { ...session, status: 'disk-limit', error: cancelReason(diskStop.signal), durationMs: Date.now() - started, patch: '', transcriptSaved, timings, ...withEgress };
    // Whatever the session's outcome, keep what the agent did: a timed-out entrant's partial work is evidence too.
    input.onStep({ step: 'extracting' });
    let patch: string;
    try {
      patch = baseCommit ? await diffOfStopped(sandbox, baseCommit, DIFF_GRACE_MS, input.limits.maxDiffBytes) : '';
    } catch (err) {
      if (!(err instanceof DiffTooLarge)) throw err;
      return { ...session, status: 'diff-too-large', error: err.message, durationMs: Date.now() - started, patch: '', transcriptSaved, timings, ...withEgress };
    }
    timings.stopMs = Date.now() - stopping;
    await writeFile(input.diffFile, patch);
    const stoppedAtBudget = (budgetStop.signal.aborted && session.status !== 'finished') || overAtEnd !== null;
    const atBudget = stoppedAtBudget && !input.signal.aborted;
    const status = atBudget ? 'budget' : session.status === 'finished' && patch.trim().length === 0 ? 'failed' : session.status;
    let error = atBudget ? (budgetStop.signal.aborted ? cancelReason(budgetStop.signal) : `over its budget when it ended: ${(overAtEnd ?? '').replace(/^stopped at its budget: /, '')}`) : session.error;
    if (status === 'failed' && !error) error = 'the agent finished without changing any file';
    // The session only got what was left after sandbox start; the user set (and should see) the whole limit.
    if (status === 'timeout') error = `time limit of ${formatSeconds(input.timeLimitMs / 1000)} reached`;
    return {
      ...session,
      status,
      error,
      durationMs: Date.now() - started,
      patch,
      transcriptSaved,
      timings,
      ...withEgress,
    };
  } catch (err) {
    egress ??= await attachment?.egress().catch(() => undefined);
    const out = diskStop.signal.aborted
      ? failed('disk-limit', cancelReason(diskStop.signal))
      : budgetStop.signal.aborted && !input.signal.aborted ? failed('budget', cancelReason(budgetStop.signal))
      // After Ctrl-C the sweep removes containers under our feet; the resulting Docker errors are noise.
      : failed('error', input.signal.aborted ? cancelReason(input.signal) : errorMessage(err));
    return egress ? { ...out, egress } : out;
  } finally {
    disk?.stop();
    await sandbox?.remove();
    await attachment?.release().catch(() => undefined);
  }
}

const MAX_TOKENS = 1e12;
const MAX_COST_USD = 1e6;
const count = (n: unknown, max: number) => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.min(Math.floor(n), max) : 0);

/**
 * Usage as the agent reported it, bounded: the numbers come from its own output stream, which the entrant can write
 * into, and a fraction, a huge or a non-finite value would make result.json fail its schema for every later reader.
 */
export function saneUsage(session: AgentSessionResult): AgentSessionResult {
  const t = session.tokens;
  const cost = typeof session.costUsd === 'number' && Number.isFinite(session.costUsd) && session.costUsd > 0 ? Math.min(session.costUsd, MAX_COST_USD) : 0;
  return {
    ...session,
    tokens: { input: count(t.input, MAX_TOKENS), output: count(t.output, MAX_TOKENS), reasoning: count(t.reasoning, MAX_TOKENS), cacheRead: count(t.cacheRead, MAX_TOKENS), cacheWrite: count(t.cacheWrite, MAX_TOKENS) },
    costUsd: cost,
    toolCalls: count(session.toolCalls, 1e9),
    deniedPermissions: session.deniedPermissions.slice(0, 200).map((d) => String(d).slice(0, 300)),
  };
}
