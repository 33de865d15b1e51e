import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createOpencodeClient, type Event, type OpencodeClient, type Message } from '@opencode-ai/sdk/v2/client';
import { emptyTokens, type TokenUsage } from '../types.js';
import { errorMessage } from '../errors.js';
import { parseModel } from './opencode-config.js';
import { explainProviderError, rawErrorText, type ProviderFailure } from './provider-errors.js';
import { cancelReason, usageTokens, type AgentSessionResult, type AgentStep, type AgentTranscript, type LiveUsage, TRANSCRIPT_FORMAT } from './kind.js';
import { normaliseOpencodeMessages } from './opencode-transcript.js';

export { cancelReason };

/**
 * A new password for one `opencode serve` (it honours OPENCODE_SERVER_PASSWORD with HTTP basic auth, user "opencode",
 * on every route but its web manifest files): only the host and that server's own container ever see it.
 */
export function newServerSecret(): string {
  return randomBytes(24).toString('base64url');
}

/** The variables that make `opencode serve` refuse requests without the secret. */
export function serverSecretEnv(secret: string): Record<string, string> {
  return { OPENCODE_SERVER_PASSWORD: secret, OPENCODE_SERVER_USERNAME: 'opencode' };
}

export function serverAuthHeaders(secret: string): Record<string, string> {
  return { Authorization: `Basic ${Buffer.from(`opencode:${secret}`).toString('base64')}` };
}

/** An SDK client that sends the server's secret with every request (event stream included). */
export function agentClient(serverUrl: string, secret: string): OpencodeClient {
  return createOpencodeClient({ baseUrl: serverUrl, headers: serverAuthHeaders(secret) });
}

export interface AgentSessionInput {
  /** Base URL of `opencode serve` (inside the entrant's container). */
  serverUrl: string;
  /** The server's password (see newServerSecret). */
  secret: string;
  /** Work dir inside the container. */
  directory: string;
  model: string;
  prompt: string;
  timeLimitMs: number;
  transcriptFile: string;
  onActivity?: (line: string) => void;
  onStep?: (step: AgentStep) => void;
  /** Aborted on Ctrl-C, or when the provider refused another entrant: the session is cancelled, the reason kept. */
  signal?: AbortSignal;
  /** The variables the model's provider reads its key from, named in error messages. */
  credentialNames?: readonly string[];
  /** The provider gateway's base URL, named when it cannot be reached. */
  baseURL?: string;
  /** Called as soon as the provider refuses (bad key, no quota...), before the session winds down. */
  onProviderFailure?: (failure: ProviderFailure) => void;
  /** The session's usage so far, after each model step (see AgentRunContext.onUsage). */
  onUsage?: (total: LiveUsage) => void;
}

/** Waits until `opencode serve` answers its health endpoint. */
export async function waitForServer(serverUrl: string, secret: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer';
  while (Date.now() < deadline) {
    if (signal?.aborted) throw new Error('cancelled');
    try {
      const response = await fetch(`${serverUrl}/global/health`, { headers: serverAuthHeaders(secret), signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
      lastError = `HTTP ${response.status}`;
    } catch (err) {
      lastError = errorMessage(err);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`opencode server at ${serverUrl} did not start within ${Math.round(timeoutMs / 1000)} s (${lastError})`);
}

/**
 * Runs one prompt to completion: follow the event stream until the session is idle, deny any
 * permission or question (runs are unattended), cancel at the time limit.
 */
export async function runOpencodeSession(input: AgentSessionInput): Promise<AgentSessionResult> {
  const started = Date.now();
  const client = agentClient(input.serverUrl, input.secret);
  const sessionID = await createSession(client, input.directory, 'tourney entrant');
  const turn = await promptUntilIdle(client, { ...input, sessionID, text: input.prompt });
  let error = turn.error;
  const failure = turn.failure;
  const record = error ? { message: error, raw: turn.rawError, kind: failure?.kind } : undefined;
  const { tokens, costUsd } = await saveTranscript(client, sessionID, input, record).catch((err: unknown) => {
    error ??= `could not read the transcript: ${errorMessage(err)}`;
    return { tokens: emptyTokens(), costUsd: 0 };
  });
  return {
    status: turn.status,
    error: turn.status === 'timeout' ? `time limit of ${Math.round(input.timeLimitMs / 1000)} s reached` : error,
    ...(failure ? { failure } : {}),
    tokens,
    costUsd,
    durationMs: Date.now() - started,
    toolCalls: turn.toolCalls,
    deniedPermissions: turn.denied,
  };
}

export async function createSession(client: OpencodeClient, directory: string, title: string): Promise<string> {
  const created = await client.session.create({ directory, title });
  if (!created.data) throw new Error(`opencode: cannot create a session: ${JSON.stringify(created.error)}`);
  return created.data.id;
}

export interface PromptTurn {
  sessionID: string;
  directory: string;
  model: string;
  text: string;
  timeLimitMs: number;
  signal?: AbortSignal;
  onActivity?: (line: string) => void;
  onStep?: (step: AgentStep) => void;
  credentialNames?: readonly string[];
  baseURL?: string;
  onProviderFailure?: (failure: ProviderFailure) => void;
  onUsage?: (total: LiveUsage) => void;
}

export interface TurnOutcome {
  status: 'finished' | 'timeout' | 'error';
  error?: string;
  /** opencode's error as it came, when `error` is a plain rewording of it. */
  rawError?: string;
  failure?: ProviderFailure;
  toolCalls: number;
  denied: string[];
}

/**
 * Sends one prompt and follows the event stream until the session is idle, denying any permission
 * or question (runs are unattended) and aborting at the time limit or on cancellation.
 */
export async function promptUntilIdle(client: OpencodeClient, turn: PromptTurn): Promise<TurnOutcome> {
  const { sessionID, directory } = turn;
  const events = new AbortController();
  const denied: string[] = [];
  let sessionError: string | undefined;
  let rawError: string | undefined;
  let failure: ProviderFailure | undefined;
  // Once we cancel, the abort's own error event must not replace the reason we cancelled for.
  let stopping = false;
  let toolCalls = 0;
  let turns = 0;
  let lastTool: string | undefined;
  // opencode sends a part again on every update: usage is kept per step-finish part, so a resend counts once.
  const steps = new Map<string, LiveUsage>();

  const subscription = await client.event.subscribe({ directory }, { signal: events.signal });
  let connected!: () => void;
  const connectedOnce = new Promise<void>((resolve) => (connected = resolve));

  const idle = (async (): Promise<'idle' | 'closed'> => {
    try {
      for await (const event of subscription.stream as AsyncIterable<Event>) {
        if (event.type === 'server.connected') connected();
        if (!('properties' in event)) continue;
        const props = event.properties as { sessionID?: string };
        if (props.sessionID !== undefined && props.sessionID !== sessionID) continue;
        switch (event.type) {
          case 'session.idle':
            return 'idle';
          case 'session.error': {
            if (stopping) break;
            const error: unknown = event.properties.error;
            rawError = rawErrorText(error);
            const { providerID } = parseModel(turn.model);
            failure = explainProviderError(error, { provider: providerID, model: turn.model, envNames: turn.credentialNames ?? [], ...(turn.baseURL && { baseURL: turn.baseURL }) }) ?? undefined;
            sessionError = failure?.message ?? describeError(error);
            if (failure) turn.onProviderFailure?.(failure);
            break;
          }
          case 'permission.asked':
            denied.push(`${event.properties.permission} ${event.properties.patterns.join(' ')}`.trim());
            await client.permission.reply({ requestID: event.properties.id, directory, reply: 'reject' });
            break;
          case 'question.asked':
            denied.push('question');
            await client.question.reject({ requestID: event.properties.id, directory });
            break;
          case 'message.part.updated': {
            const part = event.properties.part;
            if (part.type === 'step-start') {
              turns += 1;
              turn.onStep?.({ step: 'turn', turn: turns, ...(lastTool !== undefined && { tool: lastTool }) });
            }
            if (part.type === 'step-finish' && turn.onUsage) {
              const t = part.tokens;
              steps.set(part.id, { tokens: usageTokens({ input: t.input, output: t.output, reasoning: t.reasoning, cacheRead: t.cache.read, cacheWrite: t.cache.write }), costUsd: part.cost });
              let tokens = 0;
              let costUsd = 0;
              for (const u of steps.values()) {
                tokens += u.tokens;
                costUsd += u.costUsd;
              }
              turn.onUsage({ tokens, costUsd });
            }
            if (part.type === 'tool' && part.state.status === 'completed') {
              toolCalls += 1;
              lastTool = `${part.tool} ${part.state.title}`.trim();
              turn.onActivity?.(`${part.tool}: ${part.state.title}`);
            }
            break;
          }
        }
      }
    } catch (err) {
      if (!events.signal.aborted) sessionError ??= `event stream failed: ${errorMessage(err)}`;
    }
    return 'closed';
  })();

  // The stream only starts flowing once iterated; don't send the prompt before it is listening.
  await Promise.race([connectedOnce, new Promise((resolve) => setTimeout(resolve, 5000))]);

  let status: TurnOutcome['status'] = 'finished';
  const timeLimit = new Promise<'timeout'>((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), turn.timeLimitMs);
    events.signal.addEventListener('abort', () => clearTimeout(timer));
  });
  // One listener per turn on a signal shared by the whole run: it must go when the turn ends.
  let onCancel: (() => void) | undefined;
  const cancelled = new Promise<'cancelled'>((resolve) => {
    if (turn.signal?.aborted) resolve('cancelled');
    onCancel = () => {
      stopping = true;
      resolve('cancelled');
    };
    turn.signal?.addEventListener('abort', onCancel, { once: true });
  });

  try {
    const sent = await client.session.promptAsync({
      sessionID,
      directory,
      model: parseModel(turn.model),
      parts: [{ type: 'text', text: turn.text }],
    });
    if (sent.error) throw new Error(`opencode rejected the prompt: ${JSON.stringify(sent.error)}`);

    const outcome = await Promise.race([idle, timeLimit, cancelled]);
    if (outcome === 'timeout' || outcome === 'cancelled') {
      status = outcome === 'timeout' ? 'timeout' : 'error';
      stopping = true;
      // Our own refusal may be what stopped the provider: its message is the better one.
      if (outcome === 'cancelled' && !failure) sessionError = cancelReason(turn.signal);
      await client.session.abort({ sessionID, directory }).catch(() => undefined);
    } else if (outcome === 'closed') {
      status = 'error';
      sessionError ??= 'the opencode event stream closed before the session finished';
    } else if (sessionError) {
      status = 'error';
    }
  } catch (err) {
    status = 'error';
    sessionError = errorMessage(err);
  } finally {
    events.abort();
    if (onCancel) turn.signal?.removeEventListener('abort', onCancel);
  }
  return { status, error: sessionError, ...(rawError && rawError !== sessionError ? { rawError } : {}), ...(failure ? { failure } : {}), toolCalls, denied };
}

/**
 * After an error or an abort, opencode reports idle before the last assistant message is final:
 * wait (briefly) until every assistant message has completed, so tokens and errors are all counted.
 */
export async function settledMessages(client: OpencodeClient, sessionID: string, directory: string) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const messages = (await client.session.messages({ sessionID, directory })).data ?? [];
    const pending = messages.some(({ info }) => info.role === 'assistant' && info.time.completed === undefined);
    if (!pending || Date.now() > deadline) return messages;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function saveTranscript(client: OpencodeClient, sessionID: string, input: AgentSessionInput, error: AgentTranscript['error']) {
  const messages = await settledMessages(client, sessionID, input.directory);
  const transcript: AgentTranscript = { format: TRANSCRIPT_FORMAT, agent: 'opencode', model: input.model, prompt: input.prompt, messages: normaliseOpencodeMessages(messages), ...(error ? { error } : {}) };
  await writeFile(input.transcriptFile, JSON.stringify(transcript, null, 2));
  return usageOf(messages);
}

/** Tokens and cost summed over a session's assistant messages. */
export function usageOf(messages: { info: Message }[]): { tokens: TokenUsage; costUsd: number } {
  let tokens = emptyTokens();
  let costUsd = 0;
  for (const { info } of messages) {
    if (info.role !== 'assistant') continue;
    costUsd += info.cost;
    tokens = {
      input: tokens.input + info.tokens.input,
      output: tokens.output + info.tokens.output,
      reasoning: tokens.reasoning + info.tokens.reasoning,
      cacheRead: tokens.cacheRead + info.tokens.cache.read,
      cacheWrite: tokens.cacheWrite + info.tokens.cache.write,
    };
  }
  return { tokens, costUsd };
}

function describeError(error: unknown): string {
  if (error && typeof error === 'object') {
    const named = error as { name?: string; data?: { message?: string } };
    return [named.name, named.data?.message].filter(Boolean).join(': ') || JSON.stringify(error);
  }
  return 'unknown session error';
}
