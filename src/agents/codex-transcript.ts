// Follows one `codex exec --json` run: the items it reports, its usage, its errors, and from them the
// normalised transcript, the tool-call count and the model turn for the live view.
import { emptyTokens, type TokenUsage } from '../types.js';
import type { CodexEvent, CodexItem } from './codex-events.js';
import { TRANSCRIPT_FORMAT, type AgentTranscript, type TranscriptMessage, type TranscriptPart } from './kind.js';

/** A flood of items is cut here (the transcript says so); counts go on. */
export const MAX_ITEMS = 5000;

const TOOL_KINDS = new Set<CodexItem['kind']>(['command_execution', 'file_change', 'mcp_tool_call', 'web_search', 'todo_list']);

/** Codex retries a failed request itself and says so in an `error` event: not the run's failure (yet). */
export const isRetryNotice = (message: string) => /^Reconnecting\.\.\./.test(message);

export interface Progress {
  /** Set when this event began a new model turn (1-based). */
  turn?: number;
  /** A short label of the tool call this event started ("shell: node --test"). */
  tool?: string;
}

export class CodexRun {
  /** In the order first seen; each with the model turn it belongs to. */
  private readonly items = new Map<string, { item: CodexItem; turn: number }>();
  private truncated = false;
  private readonly toolIds = new Set<string>();
  private readonly denied = new Set<string>();
  readonly tokens: TokenUsage = emptyTokens();
  /** Model turns seen so far (0 until the first item). */
  turns = 0;
  private toolsRunning = new Set<string>();
  private toolFinishedSinceTurn = false;
  /** The turn's failure or the last error Codex reported that was not a retry notice. */
  failure: string | undefined;
  /** The latest retry notice (a 401 shows here first, before Codex gives up). */
  lastRetry: string | undefined;
  completed = false;

  onEvent(event: CodexEvent): Progress {
    switch (event.type) {
      case 'turn.completed':
        this.completed = true;
        this.addUsage(event.usage);
        return {};
      case 'turn.failed':
        this.failure = event.message;
        return {};
      case 'error':
        if (isRetryNotice(event.message)) this.lastRetry = event.message;
        else this.failure = event.message;
        return {};
      case 'item':
        return this.onItem(event.phase, event.item);
      default:
        return {};
    }
  }

  private addUsage(u: { input: number; cachedInput: number; cacheWrite: number; output: number; reasoning: number }): void {
    // Codex's input_tokens include the cached ones, as OpenAI counts them; tourney counts fresh input apart.
    this.tokens.input += Math.max(0, u.input - u.cachedInput);
    this.tokens.cacheRead += u.cachedInput;
    this.tokens.cacheWrite += u.cacheWrite;
    this.tokens.output += u.output;
    this.tokens.reasoning += u.reasoning;
  }

  private onItem(phase: 'started' | 'updated' | 'completed', item: CodexItem): Progress {
    const progress: Progress = {};
    const known = this.items.get(item.id);
    if (!known && item.kind !== 'error') {
      // A tool's result has to go back to the model before anything new appears: the next new item
      // after a finished tool (with none still running) is the model's next turn.
      if (this.turns === 0 || (this.toolFinishedSinceTurn && this.toolsRunning.size === 0)) {
        this.turns += 1;
        this.toolFinishedSinceTurn = false;
        progress.turn = this.turns;
      }
    }
    if (known) known.item = item;
    else if (this.items.size < MAX_ITEMS) this.items.set(item.id, { item, turn: this.turns });
    else this.truncated = true;

    if (TOOL_KINDS.has(item.kind)) {
      if (!this.toolIds.has(item.id)) {
        this.toolIds.add(item.id);
        progress.tool = toolLabel(item);
      }
      if (phase === 'completed') {
        this.toolsRunning.delete(item.id);
        this.toolFinishedSinceTurn = true;
      } else {
        this.toolsRunning.add(item.id);
      }
      if (item.kind === 'command_execution' && item.status === 'declined') this.denied.add(item.command.slice(0, 200));
    }
    return progress;
  }

  get toolCalls(): number {
    return this.toolIds.size;
  }

  get deniedPermissions(): string[] {
    return [...this.denied];
  }

  transcript(model: string, prompt: string, error?: AgentTranscript['error']): AgentTranscript {
    const messages: TranscriptMessage[] = [{ role: 'user', parts: [{ type: 'text', text: prompt }] }];
    const notices: TranscriptPart[] = [];
    let current: { turn: number; message: TranscriptMessage } | undefined;
    for (const { item, turn } of this.items.values()) {
      if (item.kind === 'error') {
        notices.push({ type: 'text', text: item.message });
        continue;
      }
      if (!current || current.turn !== turn) {
        current = { turn, message: { role: 'assistant', parts: [] } };
        messages.push(current.message);
      }
      current.message.parts.push(toPart(item));
    }
    if (notices.length > 0) messages.splice(1, 0, { role: 'system', parts: notices });
    const last = messages.at(-1);
    if (last?.role === 'assistant') Object.assign(last, { tokens: { ...this.tokens }, costUsd: 0 });
    if (error && last?.role === 'assistant') last.error = error.message;
    return {
      format: TRANSCRIPT_FORMAT,
      agent: 'codex',
      model,
      prompt,
      messages,
      ...(error ? { error } : {}),
      ...(this.truncated ? { truncated: true } : {}),
    };
  }
}

function status(s: string): 'completed' | 'error' | 'running' | 'denied' {
  if (s === 'completed') return 'completed';
  if (s === 'declined') return 'denied';
  if (s === 'in_progress') return 'running';
  return 'error';
}

function toPart(item: Exclude<CodexItem, { kind: 'error' }>): TranscriptPart {
  switch (item.kind) {
    case 'agent_message':
      return { type: 'text', text: item.text };
    case 'reasoning':
      return { type: 'reasoning', text: item.text };
    case 'command_execution':
      return { type: 'tool', name: 'shell', input: { command: item.command }, output: item.output, status: status(item.status), title: item.command.slice(0, 200) };
    case 'file_change':
      return { type: 'tool', name: 'apply_patch', input: { changes: item.changes }, status: status(item.status), title: item.changes.map((c) => c.path).join(', ').slice(0, 200) };
    case 'mcp_tool_call':
      return { type: 'tool', name: item.tool, input: item.arguments, status: status(item.status), ...(item.error ? { output: item.error } : {}) };
    case 'web_search':
      return { type: 'tool', name: 'web_search', input: { query: item.query }, status: 'completed', title: item.query.slice(0, 200) };
    case 'todo_list':
      return { type: 'tool', name: 'update_plan', input: { items: item.items }, status: 'completed' };
  }
}

/** "shell: node --test", "apply_patch: src/a.js" (untrusted text: the reporter strips control characters). */
export function toolLabel(item: CodexItem): string {
  const short = (s: string) => (s.length > 120 ? `${s.slice(0, 117)}...` : s);
  switch (item.kind) {
    case 'command_execution':
      return `shell: ${short(unwrapShell(item.command))}`;
    case 'file_change':
      return `apply_patch: ${short(item.changes.map((c) => c.path).join(', '))}`;
    case 'mcp_tool_call':
      return short(item.tool);
    case 'web_search':
      return `web_search: ${short(item.query)}`;
    case 'todo_list':
      return 'update_plan';
    default:
      return item.kind;
  }
}

/** Codex reports `/bin/bash -lc 'node --test'`: the command the model ran is the quoted part. */
export function unwrapShell(command: string): string {
  const m = /^\/bin\/(?:ba)?sh -lc (['"])([\s\S]*)\1$/.exec(command);
  return m?.[2] ?? command;
}
