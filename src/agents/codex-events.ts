// The JSONL events of `codex exec --json` (codex-rs/exec/src/exec_events.rs, Codex 0.171.0), read as hostile
// data: every line is size-capped, validated, and an unknown event or item type is ignored, never trusted.
import { z } from 'zod';

/** Longer lines are dropped unread (a command's output is the only thing that can make a line large). */
export const MAX_LINE_CHARS = 4 * 1024 * 1024;
/** Texts kept from one item (a message, a command's output): enough to read, bounded in memory. */
export const MAX_TEXT_CHARS = 64 * 1024;

export interface CodexUsage {
  input: number;
  cachedInput: number;
  cacheWrite: number;
  output: number;
  reasoning: number;
}

export type CodexItem =
  | { kind: 'agent_message'; id: string; text: string }
  | { kind: 'reasoning'; id: string; text: string }
  | { kind: 'command_execution'; id: string; command: string; output: string; exitCode: number | null; status: string }
  | { kind: 'file_change'; id: string; changes: { path: string; change: string }[]; status: string }
  | { kind: 'mcp_tool_call'; id: string; tool: string; arguments: unknown; status: string; error?: string }
  | { kind: 'web_search'; id: string; query: string }
  | { kind: 'todo_list'; id: string; items: { text: string; completed: boolean }[] }
  | { kind: 'error'; id: string; message: string };

export type CodexEvent =
  | { type: 'thread.started'; threadId: string }
  | { type: 'turn.started' }
  | { type: 'turn.completed'; usage: CodexUsage }
  | { type: 'turn.failed'; message: string }
  | { type: 'error'; message: string }
  | { type: 'item'; phase: 'started' | 'updated' | 'completed'; item: CodexItem };

const cap = (s: string) => (s.length > MAX_TEXT_CHARS ? `${s.slice(0, MAX_TEXT_CHARS)}\n[... cut at ${MAX_TEXT_CHARS} characters]` : s);
const text = z.string().transform(cap);
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).catch(0).default(0);

const usageSchema = z.looseObject({
  input_tokens: count,
  cached_input_tokens: count,
  cache_write_input_tokens: count,
  output_tokens: count,
  reasoning_output_tokens: count,
});

const itemSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('agent_message'), id: z.string(), text }),
  z.looseObject({ type: z.literal('reasoning'), id: z.string(), text }),
  z.looseObject({
    type: z.literal('command_execution'),
    id: z.string(),
    command: text,
    aggregated_output: text.catch(''),
    exit_code: z.number().int().nullish(),
    status: z.string().max(40),
  }),
  z.looseObject({
    type: z.literal('file_change'),
    id: z.string(),
    changes: z.array(z.looseObject({ path: text, kind: z.string().max(40) })).max(10_000),
    status: z.string().max(40),
  }),
  z.looseObject({
    type: z.literal('mcp_tool_call'),
    id: z.string(),
    server: text,
    tool: text,
    arguments: z.unknown(),
    status: z.string().max(40),
    error: z.looseObject({ message: text }).nullish(),
  }),
  z.looseObject({ type: z.literal('web_search'), id: z.string(), query: text.catch('') }),
  z.looseObject({ type: z.literal('todo_list'), id: z.string(), items: z.array(z.looseObject({ text, completed: z.boolean() })).max(1000) }),
  z.looseObject({ type: z.literal('error'), id: z.string(), message: text }),
]);

const eventSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('thread.started'), thread_id: z.string().max(200) }),
  z.looseObject({ type: z.literal('turn.started') }),
  z.looseObject({ type: z.literal('turn.completed'), usage: usageSchema }),
  z.looseObject({ type: z.literal('turn.failed'), error: z.looseObject({ message: text }) }),
  z.looseObject({ type: z.literal('error'), message: text }),
  z.looseObject({ type: z.enum(['item.started', 'item.updated', 'item.completed']), item: z.looseObject({ type: z.string() }) }),
]);

function toItem(raw: unknown): CodexItem | null {
  const parsed = itemSchema.safeParse(raw);
  if (!parsed.success) return null;
  const item = parsed.data;
  switch (item.type) {
    case 'agent_message':
    case 'reasoning':
      return { kind: item.type, id: item.id, text: item.text };
    case 'command_execution':
      return { kind: item.type, id: item.id, command: item.command, output: item.aggregated_output, exitCode: item.exit_code ?? null, status: item.status };
    case 'file_change':
      return { kind: item.type, id: item.id, changes: item.changes.map((c) => ({ path: c.path, change: c.kind })), status: item.status };
    case 'mcp_tool_call':
      return { kind: item.type, id: item.id, tool: `${item.server}.${item.tool}`, arguments: item.arguments, status: item.status, ...(item.error ? { error: item.error.message } : {}) };
    case 'web_search':
      return { kind: item.type, id: item.id, query: item.query };
    case 'todo_list':
      return { kind: item.type, id: item.id, items: item.items.map((i) => ({ text: i.text, completed: i.completed })) };
    case 'error':
      return { kind: item.type, id: item.id, message: item.message };
  }
}

/** One stdout line as an event; null for anything else (not JSON, too long, an unknown or malformed type). */
export function parseCodexLine(line: string): CodexEvent | null {
  if (line.length > MAX_LINE_CHARS) return null;
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return null;
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return null;
  }
  const parsed = eventSchema.safeParse(json);
  if (!parsed.success) return null;
  const event = parsed.data;
  switch (event.type) {
    case 'thread.started':
      return { type: event.type, threadId: event.thread_id };
    case 'turn.started':
      return { type: event.type };
    case 'turn.completed': {
      const u = event.usage;
      return { type: event.type, usage: { input: u.input_tokens, cachedInput: u.cached_input_tokens, cacheWrite: u.cache_write_input_tokens, output: u.output_tokens, reasoning: u.reasoning_output_tokens } };
    }
    case 'turn.failed':
      return { type: event.type, message: event.error.message };
    case 'error':
      return { type: event.type, message: event.message };
    default: {
      const item = toItem(event.item);
      if (!item) return null;
      return { type: 'item', phase: event.type === 'item.started' ? 'started' : event.type === 'item.updated' ? 'updated' : 'completed', item };
    }
  }
}
