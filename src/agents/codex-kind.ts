// The `codex` kind: OpenAI's Codex CLI, run headless (`codex exec --json`) by exec in an idle container, its
// JSONL events followed line by line. Docker is the sandbox: Codex's own (bubblewrap) cannot start in a
// container without capabilities, so it runs with approvals and its sandbox off, confined by the container.
import { streamBudget } from './stream-budget.js';
import { writeFile } from 'node:fs/promises';
import { TourneyError, errorMessage } from '../errors.js';
import { parseCodexLine } from './codex-events.js';
import { CodexRun } from './codex-transcript.js';
import { cancelReason, usageTokens, type AgentKind, type AgentLaunch, type AgentRunContext, type AgentSessionResult, type ImageFile, type LaunchContext } from './kind.js';
import { parseModel, SCRIPTED_PROVIDER, type EntrantGateway } from './models.js';
import { packageVersion, platformBinaryPath } from './npm-binary.js';
import { explainProviderError, type ProviderFailure } from './provider-errors.js';

export const CODEX_HOME = '/home/tourney/.codex';
const PROMPT_FILE = '/tmp/tourney-codex-prompt.md';
/** The key variable Codex reads for the scripted model (any value: the scripted server checks it only in tests). */
const SCRIPTED_KEY_ENV = 'TOURNEY_SCRIPTED_KEY';
const PROVIDER_ID = 'tourney';
const OPENAI_BASE_URL = 'https://api.openai.com/v1';
/** Codex retries a refused request 5 times: a refusal that cannot get better stops the run at once. */
const FINAL_STATUS = /unexpected status (401|402|403|404)\b/;
const UNREACHABLE_NOTICES = 5;

const PLATFORMS: Record<string, { pkg: string; triple: string }> = {
  x64: { pkg: '@openai/codex-linux-x64', triple: 'x86_64-unknown-linux-musl' },
  arm64: { pkg: '@openai/codex-linux-arm64', triple: 'aarch64-unknown-linux-musl' },
};

export const codexVersion = (): string => packageVersion('@openai/codex');

/** The Linux codex binary (static, musl) from the optional per-platform package of @openai/codex. */
export function codexBinaryPath(): string {
  const platform = PLATFORMS[process.arch];
  return platformBinaryPath({ wrapper: '@openai/codex', packages: platform ? [platform.pkg] : [], bin: `vendor/${platform?.triple ?? ''}/bin/codex` });
}

/** Where Codex's requests go and the variable its key is read from. */
export interface CodexProvider {
  baseUrl: string;
  /** Absent for a gateway that takes no key. */
  envKey?: string;
  headers: Record<string, string>;
  envHeaders: Record<string, string>;
}

/** Codex speaks only the OpenAI Responses API (its `wire_api = "chat"` was removed): OpenAI, or a gateway serving it. */
export function codexProvider(model: string, scriptedBaseUrl: string | null, gateway?: EntrantGateway): CodexProvider {
  const { providerID } = parseModel(model);
  if (providerID === SCRIPTED_PROVIDER) {
    if (!scriptedBaseUrl) throw new TourneyError(`entrant model ${model} needs the scripted model server, which is not running`);
    return { baseUrl: scriptedBaseUrl, envKey: SCRIPTED_KEY_ENV, headers: {}, envHeaders: {} };
  }
  const settings = gateway?.settings;
  if (providerID !== 'openai' && !settings?.baseURL) {
    throw new TourneyError(
      `the codex agent cannot use ${model}: Codex speaks only the OpenAI Responses API; use an openai/ model, or set providers.${providerID}.baseURL to a gateway that serves /v1/responses`,
    );
  }
  const headers: Record<string, string> = {};
  const envHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(settings?.headers ?? {})) {
    const ref = /^\{env:([A-Z_][A-Z0-9_]*)\}$/.exec(value);
    if (ref?.[1]) envHeaders[name] = ref[1];
    else if (value.includes('{env:')) throw new TourneyError(`providers.${providerID}.headers.${name}: Codex takes a header from a variable only whole ("{env:NAME}"), not inside other text`);
    else headers[name] = value;
  }
  const keyless = gateway?.keyless === true && settings?.apiKeyEnv === undefined;
  return {
    baseUrl: settings?.baseURL ?? OPENAI_BASE_URL,
    ...(keyless ? {} : { envKey: settings?.apiKeyEnv ?? 'OPENAI_API_KEY' }),
    headers,
    envHeaders,
  };
}

/** A TOML value for `-c key=value` (JSON strings are valid TOML basic strings). */
const toml = (value: string | boolean | number) => (typeof value === 'string' ? JSON.stringify(value) : String(value));
const inlineTable = (entries: Record<string, string>) => `{ ${Object.entries(entries).map(([k, v]) => `${JSON.stringify(k)} = ${JSON.stringify(v)}`).join(', ')} }`;

/** `codex exec` arguments for one unattended run (the prompt comes on stdin). */
export function codexExecArgs(model: string, provider: CodexProvider, directory: string): string[] {
  const p = `model_providers.${PROVIDER_ID}`;
  const config: [string, string][] = [
    ['model_provider', toml(PROVIDER_ID)],
    [`${p}.name`, toml('tourney')],
    [`${p}.base_url`, toml(provider.baseUrl)],
    [`${p}.wire_api`, toml('responses')],
    ...(provider.envKey ? [[`${p}.env_key`, toml(provider.envKey)] as [string, string]] : []),
    ...(Object.keys(provider.headers).length > 0 ? [[`${p}.http_headers`, inlineTable(provider.headers)] as [string, string]] : []),
    ...(Object.keys(provider.envHeaders).length > 0 ? [[`${p}.env_http_headers`, inlineTable(provider.envHeaders)] as [string, string]] : []),
    // Nothing that reaches beyond the model: no web search, update checks, analytics or feedback uploads.
    ['web_search', toml('disabled')],
    ['check_for_update_on_startup', toml(false)],
    ['analytics.enabled', toml(false)],
    ['feedback.enabled', toml(false)],
    ['history.persistence', toml('none')],
    ['approval_policy', toml('never')],
  ];
  return [
    'exec',
    '--json',
    '--color',
    'never',
    // Docker is the sandbox (see the top of this file); approvals would wait for a human who is not there.
    '--dangerously-bypass-approvals-and-sandbox',
    '--skip-git-repo-check',
    '--ephemeral',
    '--ignore-user-config',
    '--cd',
    directory,
    '--model',
    parseModel(model).modelID,
    // Sub-agents, goals, image generation and connectors: tools a tournament entrant has no use for.
    ...['multi_agent', 'goals', 'image_generation', 'apps', 'plugins'].flatMap((f) => ['--disable', f]),
    ...config.flatMap(([key, value]) => ['-c', `${key}=${value}`]),
    '-',
  ];
}

export const codexKind: AgentKind = {
  name: 'codex',
  imageFiles(): ImageFile[] {
    return [{ hostPath: codexBinaryPath(), imagePath: '/usr/local/bin/codex', version: codexVersion() }];
  },
  launch(ctx: LaunchContext): AgentLaunch {
    const provider = codexProvider(ctx.model, ctx.scriptedBaseUrl, ctx.gateway);
    const env: Record<string, string> = {
      ...ctx.passEnv,
      ...(provider.envKey === SCRIPTED_KEY_ENV ? { [SCRIPTED_KEY_ENV]: 'scripted' } : {}),
      HOME: '/home/tourney',
      CODEX_HOME,
      ...ctx.sandboxEnv,
    };
    return { cmd: ['sleep', 'infinity'], env, run: (run) => runCodex(run, provider) };
  },
};

async function runCodex(ctx: AgentRunContext, provider: CodexProvider): Promise<AgentSessionResult> {
  const started = Date.now();
  const session = new CodexRun();
  const stop = new AbortController();
  let why: 'timeout' | 'cancelled' | 'refused' | undefined;
  let failure: ProviderFailure | undefined;
  let unreachable = 0;
  const halt = (reason: 'timeout' | 'cancelled' | 'refused') => {
    why ??= reason;
    stop.abort();
  };
  const timer = setTimeout(() => halt('timeout'), Math.max(0, ctx.timeLimitMs));
  const onCancel = () => halt('cancelled');
  ctx.signal.addEventListener('abort', onCancel, { once: true });
  const refuse = (message: string) => {
    if (failure) return;
    failure = explainCodexError(message, ctx) ?? undefined;
    if (failure) {
      halt('refused');
      ctx.onProviderFailure(failure);
    }
  };

  ctx.onStep({ step: 'agent-start' });
  let exitCode: number | null = null;
  let stderr = '';
  try {
    await ctx.sandbox.writeFile(PROMPT_FILE, ctx.prompt, { mode: 0o600 });
    const args = codexExecArgs(ctx.model, provider, ctx.directory);
    // What the stream may make tourney keep: a flood of events is cut off, small control lines still pass.
    const budget = streamBudget();
    const result = await ctx.sandbox.execStream(['sh', '-c', `mkdir -p "$CODEX_HOME" && exec codex "$@" < ${PROMPT_FILE}`, 'codex', ...args], {
      workdir: ctx.directory,
      signal: stop.signal,
      maxOutputBytes: 256 * 1024,
      onStdout: (line) => {
        if (!budget.admit(line)) return;
        const event = parseCodexLine(line);
        if (!event) return;
        const progress = session.onEvent(event);
        if (progress.turn !== undefined) ctx.onStep({ step: 'turn', turn: progress.turn, ...(progress.tool ? { tool: progress.tool } : {}) });
        if (progress.tool) ctx.onActivity(progress.tool);
        // Codex reports usage only when a turn completes (one per `codex exec`, so near the end) and no cost at all.
        if (event.type === 'turn.completed') ctx.onUsage?.({ tokens: usageTokens(session.tokens), costUsd: 0 });
        if (event.type === 'error' || event.type === 'turn.failed') {
          if (FINAL_STATUS.test(event.message) || /Missing environment variable/.test(event.message)) refuse(event.message);
          else if (/Connection failed/.test(event.message) && ++unreachable >= UNREACHABLE_NOTICES) refuse(event.message);
        }
      },
    });
    exitCode = result.exitCode;
    stderr = result.stderr;
  } catch (err) {
    if (!why) session.failure ??= `codex could not be run: ${errorMessage(err)}`;
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onCancel);
  }

  let status: AgentSessionResult['status'];
  let error: string | undefined;
  if (why === 'timeout') {
    status = 'timeout';
    error = `codex did not finish within the time limit (${Math.round(ctx.timeLimitMs / 1000)} s); its work so far is kept`;
  } else if (why === 'cancelled') {
    status = 'error';
    error = failure?.message ?? cancelReason(ctx.signal);
  } else if (failure) {
    status = 'error';
    error = failure.message;
  } else if (session.failure !== undefined || exitCode !== 0 || !session.completed) {
    const raw = session.failure ?? (stderr.trim().split('\n').slice(-5).join('\n') || `codex exited with code ${String(exitCode)}`);
    failure = explainCodexError(raw, ctx) ?? undefined;
    if (failure) ctx.onProviderFailure(failure);
    status = session.turns === 0 && !session.failure ? 'error' : 'failed';
    error = failure?.message ?? `codex failed: ${raw.slice(0, 1000)}`;
  } else {
    status = 'finished';
  }
  const raw = failure?.raw ?? session.failure;
  const transcript = session.transcript(ctx.model, ctx.prompt, error ? { message: error, ...(raw ? { raw } : {}), ...(failure ? { kind: failure.kind } : {}) } : undefined);
  await writeFile(ctx.transcriptFile, JSON.stringify(transcript, null, 2));
  return {
    status,
    ...(error ? { error } : {}),
    ...(failure ? { failure } : {}),
    tokens: session.tokens,
    // Codex reports tokens but no price for a custom provider, and tourney keeps no price list of its own.
    costUsd: 0,
    durationMs: Date.now() - started,
    toolCalls: session.toolCalls,
    deniedPermissions: session.deniedPermissions,
  };
}

/** Codex's error text as a provider failure (the same sentences as opencode's), or null when it is not one. */
export function explainCodexError(message: string, ctx: Pick<AgentRunContext, 'model' | 'credentialNames' | 'baseURL'>): ProviderFailure | null {
  const provider = parseModel(ctx.model).providerID;
  const missing = /Missing environment variable: `([A-Za-z0-9_]+)`/.exec(message);
  if (missing) {
    return {
      kind: 'missing-credentials',
      message: `${provider} has no API key in the sandbox: codex reads it from ${missing[1] ?? 'its env_key'}, which is not set (check ${[...new Set([...ctx.credentialNames, missing[1]])].join(' or ')})`,
      raw: message,
      stopsProvider: true,
    };
  }
  if (/Connection failed|waiting for network/.test(message)) {
    // Codex's words for "no connection opened" (it retries for ever); the sentence is opencode's.
    return { kind: 'unreachable', message: `${provider} could not be reached${ctx.baseURL ? ` at ${ctx.baseURL}` : ''}: check the base URL, DNS and the sandbox network (sandbox.network)`, raw: message, stopsProvider: true };
  }
  const status = /unexpected status (\d{3})/.exec(message)?.[1];
  const detail = message.replace(/^Reconnecting\.\.\. (\d+\/\d+ )?/, '');
  return explainProviderError(
    { name: 'APIError', data: { message: detail, ...(status ? { statusCode: Number(status) } : {}) } },
    { provider, envNames: ctx.credentialNames, model: ctx.model, ...(ctx.baseURL ? { baseURL: ctx.baseURL } : {}) },
  );
}
