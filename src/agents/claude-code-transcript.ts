// Folds Claude Code's stream-json events into what tourney reports: the normalised transcript, turns, tool calls,
// tokens, cost and denied permissions. Claude Code emits one `assistant` event per content block of a model
// message (same message id), and the tool results as `user` events; the `result` event ends the run with totals.
import { emptyTokens, type TokenUsage } from '../types.js';
import type { TranscriptMessage, TranscriptPart } from './kind.js';
import type { StreamBlock, StreamEvent, StreamUsage } from './claude-code-stream.js';

/** Tool output kept per call in the transcript; the rest is cut (the report shows a summary, not whole files). */
export const MAX_TOOL_OUTPUT_CHARS = 20_000;
/** Messages kept; a run past it keeps counting but stops recording (a looping agent cannot fill the disk). */
export const MAX_MESSAGES = 5_000;

type ToolPart = Extract<TranscriptPart, { type: 'tool' }>;

export interface ApiRetry {
  status: number | null;
  error: string;
  attempt: number;
}

export interface ClaudeResult {
  isError: boolean;
  subtype: string;
  text: string;
  apiErrorStatus: number | null;
  errors: string[];
}

export class ClaudeCodeTranscript {
  readonly messages: TranscriptMessage[] = [];
  truncated = false;
  sessionId: string | undefined;
  version: string | undefined;
  /** Model messages seen (distinct assistant message ids): the agent's turns. */
  turns = 0;
  toolCalls = 0;
  lastTool: string | undefined;
  result: ClaudeResult | undefined;
  costUsd = 0;
  private resultTokens: TokenUsage | undefined;
  private readonly denied: string[] = [];
  private readonly tools = new Map<string, ToolPart>();
  /** Per assistant message id: its latest usage (streamed events repeat and grow it). */
  private readonly usageById = new Map<string, StreamUsage>();
  private current: { id: string | undefined; message: TranscriptMessage } | undefined;

  constructor(prompt: string) {
    this.messages.push({ role: 'user', parts: [{ type: 'text', text: prompt }] });
  }

  /** Folds one event in; returns what it was, for progress and early stops. */
  add(event: StreamEvent): { turn?: number; tool?: string; retry?: ApiRetry } {
    switch (event.type) {
      case 'system':
        if (event.subtype === 'init') {
          this.sessionId = event.session_id;
          this.version = event.claude_code_version;
          return {};
        }
        return { retry: { status: event.error_status ?? null, error: event.error ?? 'unknown error', attempt: event.attempt ?? 0 } };
      case 'assistant':
        return this.assistant(event.message, event.error ?? undefined);
      case 'user':
        this.toolResults(event.message.content);
        return {};
      case 'result':
        this.result = {
          isError: event.is_error === true,
          subtype: event.subtype ?? '',
          text: event.result ?? '',
          apiErrorStatus: event.api_error_status ?? null,
          errors: event.errors ?? [],
        };
        this.costUsd = event.total_cost_usd ?? 0;
        if (event.usage) this.resultTokens = tokensOf(event.usage);
        for (const denial of event.permission_denials ?? []) this.deny(denial.tool_name, denial.tool_input, denial.tool_use_id);
        return {};
    }
  }

  /** From the result event when there was one, else summed over the messages seen (a run cut at its time limit). */
  tokens(): TokenUsage {
    if (this.resultTokens) return this.resultTokens;
    let sum = emptyTokens();
    for (const usage of this.usageById.values()) sum = addTokens(sum, tokensOf(usage));
    return sum;
  }

  deniedPermissions(): string[] {
    return [...this.denied];
  }

  private assistant(event: { id?: string; model?: string; content: StreamBlock[]; usage?: StreamUsage | null }, error: string | undefined) {
    const out: { turn?: number; tool?: string } = {};
    const { id } = event;
    // Tool results stream in between the blocks of one message (Claude Code runs each call as its block ends),
    // so a new turn is a new message id, not the first event after a result.
    if (!this.current || id === undefined || this.current.id !== id) {
      this.current = { id, message: { role: 'assistant', parts: [] } };
      this.push(this.current.message);
      if (event.model !== '<synthetic>') {
        this.turns += 1;
        out.turn = this.turns;
      }
    }
    const message = this.current.message;
    if (id !== undefined && event.usage && event.model !== '<synthetic>') this.usageById.set(id, event.usage);
    if (error) message.error = error;
    for (const block of event.content) {
      if (block.type === 'text') message.parts.push({ type: 'text', text: block.text });
      else if (block.type === 'thinking') message.parts.push({ type: 'reasoning', text: block.thinking });
      else if (block.type === 'tool_use') {
        const part: ToolPart = { type: 'tool', name: block.name, input: block.input, status: 'running', ...titleOf(block.input) };
        message.parts.push(part);
        this.tools.set(block.id, part);
        this.toolCalls += 1;
        this.lastTool = `${block.name}${part.title ? ` ${part.title}` : ''}`;
        out.tool = this.lastTool;
      }
    }
    return out;
  }

  private toolResults(blocks: StreamBlock[]): void {
    for (const block of blocks) {
      if (block.type !== 'tool_result') continue;
      const part = this.tools.get(block.tool_use_id);
      if (!part) continue;
      part.output = clip(resultText(block.content));
      part.status = block.is_error ? 'error' : 'completed';
    }
  }

  private deny(tool: string, input: unknown, id: string | undefined): void {
    const title = titleOf(input).title;
    this.denied.push(`${tool}${title ? ` ${title}` : ''}`);
    const part = id === undefined ? undefined : this.tools.get(id);
    if (part) part.status = 'denied';
  }

  private push(message: TranscriptMessage): void {
    if (this.messages.length >= MAX_MESSAGES) {
      this.truncated = true;
      return;
    }
    this.messages.push(message);
  }
}

/** The label of a call: the file it touches, or the first line of its command. */
function titleOf(input: unknown): { title?: string } {
  if (!input || typeof input !== 'object') return {};
  const fields = input as Record<string, unknown>;
  for (const key of ['file_path', 'path', 'pattern', 'command']) {
    const value = fields[key];
    if (typeof value === 'string' && value !== '') return { title: (value.split('\n')[0] ?? '').slice(0, 200) };
  }
  return {};
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part: unknown) => (part && typeof part === 'object' && 'text' in part && typeof part.text === 'string' ? part.text : '')).join('');
  }
  return '';
}

function clip(text: string): string {
  return text.length > MAX_TOOL_OUTPUT_CHARS ? `${text.slice(0, MAX_TOOL_OUTPUT_CHARS)}\n[... ${text.length - MAX_TOOL_OUTPUT_CHARS} more characters]` : text;
}

function tokensOf(usage: StreamUsage): TokenUsage {
  return {
    input: usage.input_tokens ?? 0,
    output: usage.output_tokens ?? 0,
    reasoning: 0,
    cacheRead: usage.cache_read_input_tokens ?? 0,
    cacheWrite: usage.cache_creation_input_tokens ?? 0,
  };
}

function addTokens(a: TokenUsage, b: TokenUsage): TokenUsage {
  return { input: a.input + b.input, output: a.output + b.output, reasoning: a.reasoning + b.reasoning, cacheRead: a.cacheRead + b.cacheRead, cacheWrite: a.cacheWrite + b.cacheWrite };
}
