// The `claude-code` agent kind: Claude Code (@anthropic-ai/claude-code, its native Linux binary) run headless in an
// idle container by exec, `claude -p --output-format stream-json`, the prompt on stdin from a file.
// Permissions mirror opencode's (ENTRANT_PERMISSIONS): edits and reads inside the work dir, any command, no web tools,
// and anything that would ask a person is denied on the spot (`--permission-prompts none`) and listed as denied.
import { streamBudget } from './stream-budget.js';
import { writeFile } from 'node:fs/promises';
import { errorMessage } from '../errors.js';
import { stripControl } from '../text/control.js';
import { ClaudeCodeTranscript, type ApiRetry } from './claude-code-transcript.js';
import { parseStreamLine } from './claude-code-stream.js';
import { NO_KEY } from './gateways.js';
import { cancelReason, usageTokens, TRANSCRIPT_FORMAT, type AgentKind, type AgentLaunch, type AgentRunContext, type AgentSessionResult, type AgentTranscript, type ImageFile, type LaunchContext } from './kind.js';
import { isScripted, parseModel, SCRIPTED_TITLE_MODEL } from './models.js';
import { packageVersion, platformBinaryPath, type PlatformBinary } from './npm-binary.js';
import { explainProviderError, type ProviderFailure } from './provider-errors.js';

export const CLAUDE_BINARY = '/usr/local/bin/claude';
const HOME = '/home/tourney';
/** Outside the work dir, so it is never part of the diff. */
const PROMPT_FILE = `${HOME}/tourney-prompt.md`;
/** What a run may do: opencode's tools minus the web (and minus Task/Agent, whose sub-sessions tourney cannot follow). */
export const ENTRANT_TOOLS = ['Read', 'Write', 'Edit', 'Bash', 'Glob', 'Grep'];
/** Allowed without asking; Read/Edit/Write inside the work dir are allowed by acceptEdits, outside they would ask. */
const ALLOWED_TOOLS = ['Bash', 'Glob', 'Grep'];
const DENIED_TOOLS = ['WebFetch', 'WebSearch'];

const BINARY: PlatformBinary = {
  wrapper: '@anthropic-ai/claude-code',
  // glibc builds: the sandbox image is Debian (the -musl packages are for Alpine).
  packages: process.arch === 'x64' ? ['@anthropic-ai/claude-code-linux-x64'] : process.arch === 'arm64' ? ['@anthropic-ai/claude-code-linux-arm64'] : [],
  bin: 'claude',
};

/** `https://gw/anthropic/v1` -> `https://gw/anthropic`: Claude Code appends `/v1/messages` itself. */
export function claudeBaseUrl(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/v1$/, '');
}

/** The container's environment: where the model is, and everything Claude Code would fetch or update turned off. */
export function claudeCodeEnv(ctx: LaunchContext): Record<string, string> {
  const env: Record<string, string> = {
    ...ctx.passEnv,
    HOME,
    CLAUDE_CONFIG_DIR: `${HOME}/.claude`,
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    GIT_PAGER: 'cat',
    PAGER: 'cat',
  };
  if (isScripted(ctx.model)) {
    if (!ctx.scriptedBaseUrl) throw new Error(`entrant model ${ctx.model} needs the scripted model server, which is not running`);
    env.ANTHROPIC_BASE_URL = claudeBaseUrl(ctx.scriptedBaseUrl);
    env.ANTHROPIC_API_KEY = 'scripted';
    // Its side requests (small/fast model) get the scripted title model, which never plays a script turn.
    env.ANTHROPIC_SMALL_FAST_MODEL = SCRIPTED_TITLE_MODEL;
    env.ANTHROPIC_DEFAULT_HAIKU_MODEL = SCRIPTED_TITLE_MODEL;
  } else if (ctx.gateway) {
    const { settings, keyless } = ctx.gateway;
    if (settings.baseURL) env.ANTHROPIC_BASE_URL = claudeBaseUrl(settings.baseURL);
    const key = settings.apiKeyEnv ? ctx.passEnv[settings.apiKeyEnv] : undefined;
    if (key !== undefined) env.ANTHROPIC_API_KEY = key;
    else if (keyless) env.ANTHROPIC_API_KEY = NO_KEY;
    const headers = Object.entries(settings.headers ?? {}).map(([name, value]) => `${name}: ${value.replace(/\{env:([A-Z_][A-Z0-9_]*)\}/g, (_, ref: string) => ctx.passEnv[ref] ?? '')}`);
    if (headers.length > 0) env.ANTHROPIC_CUSTOM_HEADERS = headers.join('\n');
  }
  return { ...env, ...ctx.sandboxEnv };
}

export function claudeCodeArgs(model: string, role: LaunchContext['role']): string[] {
  const tools = role === 'judge' ? [] : ENTRANT_TOOLS;
  return [
    '-p',
    '--output-format', 'stream-json',
    '--verbose',
    '--model', parseModel(model).modelID,
    '--permission-mode', 'acceptEdits',
    '--permission-prompts', 'none',
    '--tools', tools.join(','),
    ...(role === 'judge' ? [] : ['--allowed-tools', ALLOWED_TOOLS.join(',')]),
    '--disallowed-tools', DENIED_TOOLS.join(','),
    // No settings files: an agent that writes .claude/settings.json cannot grant itself anything.
    '--setting-sources', '',
    '--strict-mcp-config',
    '--no-session-persistence',
  ];
}

export const claudeCodeKind: AgentKind = {
  name: 'claude-code',
  imageFiles(): ImageFile[] {
    return [{ hostPath: platformBinaryPath(BINARY), imagePath: CLAUDE_BINARY, version: packageVersion(BINARY.wrapper) }];
  },
  launch(ctx: LaunchContext): AgentLaunch {
    return {
      // Idle: the agent is one exec per prompt.
      cmd: ['sleep', 'infinity'],
      env: claudeCodeEnv(ctx),
      run: (run) => runClaudeCode(run, claudeCodeArgs(ctx.model, ctx.role)),
    };
  },
};

export async function runClaudeCode(ctx: AgentRunContext, args: string[]): Promise<AgentSessionResult> {
  const started = Date.now();
  const transcript = new ClaudeCodeTranscript(ctx.prompt);
  const stop = new AbortController();
  let why: 'timeout' | 'cancelled' | 'provider' | undefined;
  let failure: ProviderFailure | undefined;
  const provider = parseModel(ctx.model).providerID;
  const explain = (status: number | null, message: string) =>
    explainProviderError({ name: 'APIError', data: { ...(status !== null && { statusCode: status }), message } }, {
      provider,
      model: ctx.model,
      envNames: ctx.credentialNames,
      ...(ctx.baseURL && { baseURL: ctx.baseURL }),
    }) ?? undefined;
  const halt = (reason: typeof why) => {
    why ??= reason;
    stop.abort();
  };
  const timer = setTimeout(() => halt('timeout'), ctx.timeLimitMs);
  const onCancel = () => halt('cancelled');
  if (ctx.signal.aborted) onCancel();
  ctx.signal.addEventListener('abort', onCancel, { once: true });

  // Claude Code retries even a refused key ten times with backoff: a refusal that no retry can fix stops it at once.
  const onRetry = (retry: ApiRetry) => {
    ctx.onActivity(`model request failed (${retry.status ?? retry.error}), retry ${retry.attempt}`);
    const refused = explain(retry.status, retry.error);
    if (refused?.stopsProvider && !failure) {
      failure = refused;
      // Before telling the run: it stops this entrant's signal too, and this refusal is the reason, not that stop.
      halt('provider');
      ctx.onProviderFailure(refused);
    }
  };

  let exec: Awaited<ReturnType<AgentRunContext['sandbox']['execStream']>> | undefined;
  let execError: string | undefined;
  try {
    await ctx.sandbox.writeFile(PROMPT_FILE, ctx.prompt);
    ctx.onStep({ step: 'agent-start' });
    // What the stream may make tourney keep: a flood of events is cut off, small control lines still pass.
    const budget = streamBudget();
    exec = await ctx.sandbox.execStream(['bash', '-c', `exec ${CLAUDE_BINARY} "$@" < ${PROMPT_FILE}`, 'claude', ...args], {
      workdir: ctx.directory,
      signal: stop.signal,
      maxOutputBytes: 256 * 1024,
      onStdout: (line) => {
        if (!budget.admit(line)) return;
        const event = parseStreamLine(line);
        if (!event) return;
        const seen = transcript.add(event);
        if (seen.retry) onRetry(seen.retry);
        if (seen.turn !== undefined || seen.tool !== undefined) {
          ctx.onStep({ step: 'turn', turn: transcript.turns, ...(transcript.lastTool && { tool: transcript.lastTool }) });
        }
        if (seen.tool) ctx.onActivity(seen.tool);
        // Each assistant event carries its message's usage so far: the running total, for a budget to check.
        if (event.type === 'assistant' || event.type === 'result') ctx.onUsage?.({ tokens: usageTokens(transcript.tokens()), costUsd: transcript.costUsd });
      },
    });
  } catch (err) {
    execError = errorMessage(err);
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onCancel);
  }

  let status: AgentSessionResult['status'] = 'finished';
  let error: string | undefined;
  let raw: string | undefined;
  const result = transcript.result;
  if (why === 'timeout') {
    status = 'timeout';
    error = `time limit of ${Math.round(ctx.timeLimitMs / 1000)} s reached`;
  } else if (why === 'provider' && failure) {
    status = 'error';
    error = failure.message;
    raw = failure.raw;
  } else if (why === 'cancelled') {
    status = 'error';
    error = cancelReason(ctx.signal);
  } else if (execError !== undefined) {
    status = 'error';
    error = `could not run Claude Code: ${execError}`;
  } else if (result?.isError) {
    status = 'error';
    raw = [result.subtype, result.apiErrorStatus !== null ? `HTTP ${result.apiErrorStatus}` : undefined, result.text, ...result.errors].filter(Boolean).join(': ');
    failure = result.apiErrorStatus !== null ? explain(result.apiErrorStatus, result.text) : undefined;
    if (failure) ctx.onProviderFailure(failure);
    error = failure?.message ?? `Claude Code stopped with an error: ${stripControl(result.text || result.errors.join('; ') || result.subtype).slice(0, 500)}`;
  } else if (!result) {
    status = 'error';
    const tail = stripControl(exec?.stderr.trim().split('\n').slice(-3).join(' ') ?? '').slice(0, 500);
    error = `Claude Code exited (code ${exec?.exitCode ?? 'unknown'}) without a result${tail ? `: ${tail}` : ''}`;
  }

  const record: AgentTranscript = {
    format: TRANSCRIPT_FORMAT,
    agent: 'claude-code',
    model: ctx.model,
    prompt: ctx.prompt,
    messages: transcript.messages,
    ...(error && { error: { message: error, ...(raw && { raw }), ...(failure && { kind: failure.kind }) } }),
    ...(transcript.truncated && { truncated: true }),
  };
  await writeFile(ctx.transcriptFile, JSON.stringify(record, null, 2));
  return {
    status,
    ...(error && { error }),
    ...(failure && { failure }),
    tokens: transcript.tokens(),
    costUsd: transcript.costUsd,
    durationMs: Date.now() - started,
    toolCalls: transcript.toolCalls,
    deniedPermissions: transcript.deniedPermissions(),
  };
}
