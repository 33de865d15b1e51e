// The contract every agent kind (opencode, claude-code, codex, command) implements. The entrant runner and the
// judge see only this: how a kind fills the sandbox image, how its container starts, and how one prompt is run
// to a result. Each kind's protocol (SDK, stream-json, JSONL events...) stays in its own file under src/agents/.
// A new kind: one file (`<name>-kind.ts`) exporting an AgentKind, one line in kinds.ts, its binary found with
// npm-binary.ts's platformBinaryPath(), its transcript written as an AgentTranscript.
import type { EntrantStatus, TokenUsage } from '../types.js';
import type { EntrantGateway } from './models.js';
import type { ProviderFailure } from './provider-errors.js';

export type AgentKindName = 'opencode' | 'claude-code' | 'codex' | 'command';

/**
 * The port a kind that runs a server in its container listens on (AgentLaunch.port): under sandbox.network
 * `allowlist` the egress proxy forwards this one port from the host to the agent, and no other.
 */
export const AGENT_SERVER_PORT = 4096;

export const AGENT_KIND_NAMES = ['opencode', 'claude-code', 'codex', 'command'] as const satisfies readonly AgentKindName[];

/** One file a kind puts into the sandbox image (a binary from its npm package's per-platform dependency). */
export interface ImageFile {
  /** Where it is on the host (resolved from node_modules; never from entrant input). */
  hostPath: string;
  /** Absolute path in the image, e.g. `/usr/local/bin/claude`. */
  imagePath: string;
  /** The npm package version it came from: recorded as an image label, so an `npm update` rebuilds the image. */
  version: string;
  /** File mode in the image; default 0o755 (the build context tar carries it: the classic builder has no COPY --chmod). */
  mode?: number;
}

export interface ExecStreamOptions {
  /** Each complete line of stdout, as it comes (without its newline). */
  onStdout?: (line: string) => void;
  onStderr?: (line: string) => void;
  /** Aborting kills the process (and everything else exec'd in the container). */
  signal?: AbortSignal;
  env?: Record<string, string>;
  workdir?: string;
  user?: string;
  /** Per stream; what is beyond it is dropped from `stdout`/`stderr` (the line callbacks still see every line). */
  maxOutputBytes?: number;
}

export interface ExecStreamResult {
  /** null when it was killed (abort) or its exit code could not be read. */
  exitCode: number | null;
  /** The captured output, capped at maxOutputBytes each. */
  stdout: string;
  stderr: string;
  /** Stopped by the signal. */
  killed: boolean;
  durationMs: number;
}

/**
 * The narrow view of one sandbox container an agent kind gets (implemented in src/sandbox): agent kinds never
 * touch Docker themselves.
 */
export interface AgentSandbox {
  /** Runs a process in the container (argv, no shell), streaming its output line by line. */
  execStream(cmd: string[], options?: ExecStreamOptions): Promise<ExecStreamResult>;
  /** Writes a file inside the container (owned by the sandbox user); its directory must exist. */
  writeFile(path: string, content: string | Buffer, options?: { mode?: number }): Promise<void>;
  /** The host's URL of a server listening on `port` in the container (see AgentLaunch.port). */
  serverUrl(port: number): Promise<string>;
  /** The container main process's output (for a server that did not start). */
  logs(): Promise<string>;
}

/** Progress a kind reports while it runs; the entrant runner turns them into `step` run events. */
export type AgentStep =
  /** The agent's process or server starting, before its first model request. */
  | { step: 'agent-start' }
  /** The agent's model turn `turn` (1-based); `tool` is its latest tool call ("edit src/a.js"), if any. */
  | { step: 'turn'; turn: number; tool?: string };

/** What a kind needs to decide how its container starts. */
export interface LaunchContext {
  /** `provider/model` as configured. */
  model: string;
  /** The scripted model server's base URL as the container sees it (OpenAI-compatible, `.../v1`), when the model is scripted. */
  scriptedBaseUrl: string | null;
  /** The provider gateway (`providers.<id>`), if one is configured for this model. */
  gateway?: EntrantGateway;
  /** The provider's key variables (and sandbox.env extras) that may reach the container. */
  passEnv: Record<string, string>;
  /** Variables the sandbox itself needs (egress proxy settings); they win over anything the kind sets. */
  sandboxEnv: Record<string, string>;
  /** For a `command` entrant: its command template (validated by the config schema). */
  command?: readonly string[];
  /** `entrant` (edits the work dir) or `judge` (answers; no tools needed). */
  role: 'entrant' | 'judge';
}

/** How a prompt is run, once the container is up and the repository is in it. */
export interface AgentRunContext {
  sandbox: AgentSandbox;
  /** The work dir inside the container (the repository copy, a git repo with one commit). */
  directory: string;
  model: string;
  prompt: string;
  /** Time left for this run; the kind must return (status `timeout`) by then, its work kept in the work dir. */
  timeLimitMs: number;
  /** Where the normalised AgentTranscript (JSON) goes, on the host. */
  transcriptFile: string;
  /** Ctrl-C, or the provider refused another entrant: stop, status `error`, the reason from cancelReason(). */
  signal: AbortSignal;
  onStep: (step: AgentStep) => void;
  /** One short line of what the agent is doing (a tool call); untrusted text, the reporter strips control characters. */
  onActivity: (line: string) => void;
  /** The variables this model's provider reads its key from, named in error messages. */
  credentialNames: readonly string[];
  /** The provider gateway's base URL, named when it cannot be reached. */
  baseURL?: string;
  /** Called as soon as the provider refuses (bad key, no quota...), before the session winds down. */
  onProviderFailure: (failure: ProviderFailure) => void;
  /**
   * The session's usage so far (a running total), as often as the agent reports it (per model step), so a budget
   * can stop it: the runner then aborts `signal` with the reason. Kinds that only learn usage at the end skip it.
   */
  onUsage?: (total: LiveUsage) => void;
}

/** Usage as a budget counts it: one token count (see usageTokens) and the cost. */
export interface LiveUsage {
  tokens: number;
  costUsd: number;
}

/** Every token the agent reported counts against a budget: the provider bills cache reads and writes too. */
export function usageTokens(t: TokenUsage): number {
  return t.input + t.output + t.reasoning + t.cacheRead + t.cacheWrite;
}

export interface AgentSessionResult {
  status: EntrantStatus;
  error?: string;
  /** The provider's refusal, when that is why the session failed. */
  failure?: ProviderFailure;
  tokens: TokenUsage;
  costUsd: number;
  durationMs: number;
  toolCalls: number;
  deniedPermissions: string[];
}

/** One container's start, decided by its kind; `run` then drives the agent inside it. */
export interface AgentLaunch {
  /** The container's main process: a server (`opencode serve`), or an idle process for kinds run by exec. */
  cmd: string[];
  /** The container's environment (LaunchContext.sandboxEnv already merged in, winning). */
  env: Record<string, string>;
  /** The port a server listens on inside the container, when the kind runs one. */
  port?: number;
  /** Sends the prompt, follows progress, stops at the limit, writes the transcript. Called once. */
  run(ctx: AgentRunContext): Promise<AgentSessionResult>;
  /**
   * For a judge container (role `judge`): once the container is up, something that holds conversations with the
   * agent, one per decision. Optional: a kind without it cannot judge (the judge is opencode by default).
   */
  answerer?(sandbox: AgentSandbox, options: { directory: string; signal?: AbortSignal }): Promise<AgentAnswerer>;
}

export interface ConversationOptions {
  timeLimitMs: number;
  signal?: AbortSignal;
  /** For error messages naming the provider's key variables and gateway (see AgentRunContext). */
  credentialNames?: readonly string[];
  baseURL?: string;
}

/** Opens conversations with one running agent (several may run at once). */
export interface AgentAnswerer {
  open(title: string): Promise<AgentConversation>;
}

/** One conversation: a message, the agent's reply, and follow-ups in the same session (a correction after a bad answer). */
export interface AgentConversation {
  send(text: string, options: ConversationOptions): Promise<{ status: 'finished' | 'timeout' | 'error'; error?: string; failure?: ProviderFailure; reply: string }>;
  /** Tokens and cost of the conversation so far, from the agent's own usage records. */
  usage(): Promise<{ tokens: TokenUsage; costUsd: number }>;
}

export interface AgentKind {
  name: AgentKindName;
  /** What this kind adds to the sandbox image; [] when it needs nothing (command: the user's image has it). */
  imageFiles(): ImageFile[];
  /** Per container: its main process and env, and (through `run`) the state shared between start and run (a server secret). */
  launch(ctx: LaunchContext): AgentLaunch;
}

// --- The normalised transcript: every kind writes this shape, the report and judge read only this. ---

export const TRANSCRIPT_FORMAT = 'tourney-transcript/1';

export type TranscriptPart =
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string }
  | {
      type: 'tool';
      /** The agent's own tool name (`edit`, `Bash`, `apply_patch`...). */
      name: string;
      input: unknown;
      output?: string;
      status: 'completed' | 'error' | 'running' | 'denied';
      /** A short label the agent gave it ("src/a.js"), if any. */
      title?: string;
    };

export interface TranscriptMessage {
  role: 'user' | 'assistant' | 'system';
  parts: TranscriptPart[];
  tokens?: TokenUsage;
  costUsd?: number;
  /** An error the agent reported on this message. */
  error?: string;
}

export interface AgentTranscript {
  format: typeof TRANSCRIPT_FORMAT;
  agent: AgentKindName;
  model: string;
  prompt: string;
  messages: TranscriptMessage[];
  /** Why the session failed: the plain message shown in the report and the agent's raw error text. */
  error?: { message: string; raw?: string; kind?: string };
  /** Output was cut at a size cap (command kind, long stream logs). */
  truncated?: boolean;
}

/** Why a run's signal fired: a provider stop carries its sentence as the reason; Ctrl-C carries none. */
export function cancelReason(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  return typeof reason === 'string' ? reason : 'cancelled (interrupted)';
}
