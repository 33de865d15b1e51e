import { errorMessage } from '../errors.js';
import { emptyTokens } from '../types.js';
import type { AgentKind, AgentLaunch, AgentRunContext, AgentSessionResult, ImageFile, LaunchContext } from './kind.js';
import { hasAvx2, packageVersion, platformBinaryPath } from './npm-binary.js';
import { entrantEnv, entrantOpencodeConfig, OPENCODE_PORT } from './opencode-config.js';
import { agentClient, newServerSecret, runOpencodeSession, serverSecretEnv, waitForServer } from './opencode.js';
import { opencodeAnswerer } from './opencode-conversation.js';

/** A judge may look at the base repository; it may change nothing and reach nothing. */
export const JUDGE_PERMISSIONS = {
  read: 'allow',
  edit: 'deny',
  bash: 'deny',
  webfetch: 'deny',
  websearch: 'deny',
  external_directory: 'deny',
  question: 'deny',
  task: 'deny',
  todowrite: 'deny',
  doom_loop: 'deny',
} as const;

const SERVER_START_TIMEOUT_MS = 60_000;

/** Candidate packages in preference order, mirroring opencode-ai's own postinstall choice. */
function binaryPackages(): string[] {
  if (process.arch === 'arm64') return ['opencode-linux-arm64'];
  if (process.arch === 'x64') {
    return hasAvx2() ? ['opencode-linux-x64', 'opencode-linux-x64-baseline'] : ['opencode-linux-x64-baseline', 'opencode-linux-x64'];
  }
  return [];
}

/** The Linux opencode binary that goes into the image. */
export function opencodeBinaryPath(): string {
  return platformBinaryPath({ wrapper: 'opencode-ai', packages: binaryPackages(), bin: 'bin/opencode' });
}

export function opencodeVersion(): string {
  return packageVersion('opencode-ai');
}

/** opencode: `opencode serve` as the container's main process, driven over its HTTP API with the SDK. */
export const opencodeKind: AgentKind = {
  name: 'opencode',
  imageFiles(): ImageFile[] {
    return [{ hostPath: opencodeBinaryPath(), imagePath: '/usr/local/bin/opencode', version: opencodeVersion() }];
  },
  launch(ctx: LaunchContext): AgentLaunch {
    const entrant = entrantOpencodeConfig(ctx.model, ctx.scriptedBaseUrl, ctx.gateway);
    const config = ctx.role === 'judge' ? { ...entrant, permission: JUDGE_PERMISSIONS } : entrant;
    // Only the host and this container know it: a peer that somehow reached the server would be refused.
    const secret = newServerSecret();
    return {
      cmd: ['opencode', 'serve', '--hostname', '0.0.0.0', '--port', String(OPENCODE_PORT)],
      env: entrantEnv(config, ctx.passEnv, { ...ctx.sandboxEnv, ...serverSecretEnv(secret) }),
      port: OPENCODE_PORT,
      run: (run) => runOpencode(run, secret),
      async answerer(sandbox, { directory, signal }) {
        const url = await sandbox.serverUrl(OPENCODE_PORT);
        await waitForServer(url, secret, SERVER_START_TIMEOUT_MS, signal);
        return opencodeAnswerer(agentClient(url, secret), directory, ctx.model);
      },
    };
  },
};

async function runOpencode(ctx: AgentRunContext, secret: string): Promise<AgentSessionResult> {
  const started = Date.now();
  const deadline = started + ctx.timeLimitMs;
  ctx.onStep({ step: 'agent-start' });
  const serverUrl = await ctx.sandbox.serverUrl(OPENCODE_PORT);
  try {
    await waitForServer(serverUrl, secret, Math.min(SERVER_START_TIMEOUT_MS, Math.max(1000, deadline - Date.now())), ctx.signal);
  } catch (err) {
    // Out of time before the server answered: a timeout like any other (no transcript: there was no session).
    if (Date.now() >= deadline) return { status: 'timeout', tokens: emptyTokens(), costUsd: 0, durationMs: Date.now() - started, toolCalls: 0, deniedPermissions: [] };
    throw new Error(`${errorMessage(err)}\n${(await ctx.sandbox.logs()).slice(-2000)}`, { cause: err });
  }
  const result = await runOpencodeSession({
    serverUrl,
    secret,
    directory: ctx.directory,
    model: ctx.model,
    prompt: ctx.prompt,
    timeLimitMs: Math.max(1000, deadline - Date.now()),
    transcriptFile: ctx.transcriptFile,
    onActivity: ctx.onActivity,
    onStep: ctx.onStep,
    signal: ctx.signal,
    credentialNames: ctx.credentialNames,
    ...(ctx.baseURL && { baseURL: ctx.baseURL }),
    onProviderFailure: ctx.onProviderFailure,
    ...(ctx.onUsage && { onUsage: ctx.onUsage }),
  });
  return { ...result, durationMs: Date.now() - started };
}
