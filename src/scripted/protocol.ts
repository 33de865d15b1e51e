// The OpenAI chat-completions wire format, reduced to what the scripted model needs.
import { z } from 'zod';
import { judgeAnswerText } from './judge.js';
import type { Turn } from './script.js';

const contentSchema = z.union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() })), z.null()]);

const messageSchema = z.looseObject({
  role: z.string(),
  content: contentSchema.optional(),
  tool_calls: z.array(z.looseObject({ function: z.looseObject({ name: z.string(), arguments: z.string() }) })).optional(),
});

export const chatRequestSchema = z.looseObject({
  model: z.string(),
  messages: z.array(messageSchema),
  stream: z.boolean().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
});

export type ChatRequest = z.infer<typeof chatRequestSchema>;
export type ChatMessage = z.infer<typeof messageSchema>;

/** What one request is answered with, after the script turn has been picked and filled in. */
export type Answer =
  | { kind: 'reply'; text?: string; toolCalls: { id: string; name: string; arguments: string; format?: 'custom' }[] }
  | { kind: 'error'; status: number; message: string }
  | { kind: 'hang' };

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** Model name that always answers with a title, for opencode's `small_model`. */
export const TITLE_MODEL = '_title';
export const TITLE_TEXT = 'Scripted session';
export const SUMMARY_TEXT = 'Scripted session: the scripted model replayed its turns.';

// Codex replaces its history with the summary (a user message) when it compacts: the summary says how many
// turns were played, so the next request resumes the script instead of starting it again.
const PLAYED = /\[scripted turns played: (\d{1,6})\]/g;

/** The answer to a summary request, recording the turns played so far. */
export function summaryText(turnsPlayed: number): string {
  return `${SUMMARY_TEXT} [scripted turns played: ${turnsPlayed}]`;
}

function turnsBeforeSummary(messages: readonly ChatMessage[]): number {
  let played = 0;
  for (const m of messages) {
    if (m.role !== 'user') continue;
    for (const match of contentText(m).matchAll(PLAYED)) played = Math.max(played, Number(match[1]));
  }
  return played;
}
export const SCRIPT_COMPLETE_TEXT = 'Script complete.';

// Prompts of opencode's hidden helper agents (measured on opencode 1.18.33). They may be sent to the
// main model when no small_model is set, and must not consume a script turn.
const TITLE_PROMPT = 'You are a title generator';
const SUMMARY_PROMPTS = ['You are a context summarization agent', 'Summarize what was done in this conversation'];

export type RequestPurpose = 'title' | 'summary' | 'script';

export function requestPurpose(req: { model: string; messages: readonly ChatMessage[] }): RequestPurpose {
  if (req.model === TITLE_MODEL) return 'title';
  const system = req.messages.filter((m) => m.role === 'system').map(contentText).join('\n');
  if (system.includes(TITLE_PROMPT)) return 'title';
  if (SUMMARY_PROMPTS.some((p) => system.includes(p))) return 'summary';
  return 'script';
}

export function contentText(message: ChatMessage): string {
  const { content } = message;
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content.map((part) => part.text ?? '').join('');
}

/**
 * The turn to play: the number of assistant messages after the first user message. Derived from the
 * request alone so parallel sessions and retried requests get the same answer.
 */
export function turnIndex(messages: readonly ChatMessage[]): number {
  const firstUser = messages.findIndex((m) => m.role === 'user');
  if (firstUser < 0) return 0;
  return turnsBeforeSummary(messages) + messages.slice(firstUser + 1).filter((m) => m.role === 'assistant').length;
}

/** The `Working directory: /path` line of opencode's system prompt, or the `<cwd>` of Codex's environment context. */
export function findWorkdir(messages: readonly ChatMessage[]): string | undefined {
  for (const m of messages) {
    if (m.role !== 'system') continue;
    const match = /^\s*Working directory:\s*(\S.*?)\s*$/m.exec(contentText(m));
    if (match?.[1]) return match[1];
  }
  // Only the message Codex itself opens with <environment_context>: a prompt quoting a <cwd> tag is not it.
  const context = messages.find((m) => m.role === 'user' && contentText(m).trimStart().startsWith('<environment_context>'));
  const cwd = context ? /^\s*<cwd>([^<\n]+)<\/cwd>\s*$/m.exec(contentText(context)) : null;
  return cwd?.[1]?.trim() || undefined;
}

/** Replaces `{{workdir}}` in every string inside `value`; other values are returned unchanged. */
export function substituteWorkdir<T>(value: T, workdir: string | undefined): T {
  if (workdir === undefined) return value;
  return substitute(value, workdir) as T;
}

function substitute(value: unknown, workdir: string): unknown {
  if (typeof value === 'string') return value.replaceAll('{{workdir}}', workdir);
  if (Array.isArray(value)) return value.map((v) => substitute(v, workdir));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, workdir)]));
  }
  return value;
}

/** `messages` are the request's: a judge turn reads the candidate diffs from its user messages. */
export function answerForTurn(turn: Turn, index: number, workdir: string | undefined, messages: readonly ChatMessage[] = []): Answer {
  if (turn.kind === 'hang') return { kind: 'hang' };
  if (turn.kind === 'error') return { kind: 'error', status: turn.status, message: turn.message };
  if (turn.kind === 'judge') {
    const userTexts = messages.filter((m) => m.role === 'user').map(contentText);
    return { kind: 'reply', text: judgeAnswerText(turn, userTexts), toolCalls: [] };
  }
  return {
    kind: 'reply',
    ...(turn.text === undefined ? {} : { text: substituteWorkdir(turn.text, workdir) }),
    toolCalls: turn.tools.map((tool, i) => ({
      id: `call_${index}_${i}`,
      name: tool.name,
      arguments: JSON.stringify(substituteWorkdir(tool.args, workdir)),
    })),
  };
}

/** Deterministic token counts: a quarter of the characters, rounded up. */
export function usageFor(messages: readonly ChatMessage[], answer: Answer): Usage {
  const promptChars = messages.reduce((sum, m) => sum + contentText(m).length, 0);
  let outputChars = 0;
  if (answer.kind === 'reply') {
    outputChars = (answer.text?.length ?? 0) + answer.toolCalls.reduce((sum, c) => sum + c.name.length + c.arguments.length, 0);
  }
  const prompt = Math.ceil(promptChars / 4);
  const completion = Math.ceil(outputChars / 4);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

export interface CompletionMeta {
  id: string;
  model: string;
  created: number;
}

type Reply = Extract<Answer, { kind: 'reply' }>;

function finishReason(answer: Reply): 'tool_calls' | 'stop' {
  return answer.toolCalls.length > 0 ? 'tool_calls' : 'stop';
}

export function completionBody(answer: Reply, meta: CompletionMeta, usage: Usage): object {
  const toolCalls = answer.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: answer.text ?? null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
        finish_reason: finishReason(answer),
      },
    ],
    usage,
  };
}

/** The SSE events of a streamed answer, each a complete `data: ...\n\n` frame, ending with `[DONE]`. */
export function streamFrames(answer: Reply, meta: CompletionMeta, usage: Usage | undefined): string[] {
  const chunk = (delta: object, finish: string | null = null) =>
    frame({ id: meta.id, object: 'chat.completion.chunk', created: meta.created, model: meta.model, choices: [{ index: 0, delta, finish_reason: finish }] });
  const frames = [chunk({ role: 'assistant', content: answer.text ?? '' })];
  answer.toolCalls.forEach((call, index) => {
    // Like real servers: name first, then the arguments in pieces the client must concatenate.
    frames.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }));
    const half = Math.ceil(call.arguments.length / 2);
    for (const piece of [call.arguments.slice(0, half), call.arguments.slice(half)]) {
      if (piece) frames.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  frames.push(chunk({}, finishReason(answer)));
  if (usage) frames.push(frame({ id: meta.id, object: 'chat.completion.chunk', created: meta.created, model: meta.model, choices: [], usage }));
  frames.push('data: [DONE]\n\n');
  return frames;
}

function frame(data: object): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

export function errorBody(message: string, type: string, code: string | null = null): object {
  return { error: { message, type, param: null, code } };
}
