import type * as z from 'zod';
import type { AgentAnswerer, AgentConversation } from '../agents/kind.js';
import { errorMessage } from '../errors.js';
import { extractJson } from './prompt.js';

export interface CallInput<T> {
  answerer: AgentAnswerer;
  model: string;
  prompt: string;
  schema: z.ZodType<T>;
  /** Further attempts after an invalid answer. */
  retries: number;
  timeLimitMs: number;
  signal?: AbortSignal;
}

export interface CallOutput<T> {
  answer: T | null;
  error?: string;
  attempts: number;
  durationMs: number;
  tokens: { input: number; output: number };
  costUsd: number;
  /** Every raw reply, for the record. */
  replies: string[];
}

/**
 * One judge decision in a session of its own (no memory of other matches). An answer that is not
 * the required JSON gets a bounded number of chances to be corrected in the same session.
 */
export async function judgeCall<T>(input: CallInput<T>): Promise<CallOutput<T>> {
  const started = Date.now();
  const replies: string[] = [];
  let error: string | undefined;
  let attempts = 0;
  let answer: T | null = null;
  let conversation: AgentConversation | undefined;
  try {
    conversation = await input.answerer.open('tourney judge');
    let text = input.prompt;
    while (attempts <= input.retries) {
      attempts += 1;
      const turn = await conversation.send(text, { timeLimitMs: input.timeLimitMs, ...(input.signal && { signal: input.signal }) });
      if (turn.status !== 'finished') {
        error = turn.status === 'timeout' ? `no answer within ${Math.round(input.timeLimitMs / 1000)} s` : (turn.error ?? 'the judge session failed');
        break;
      }
      const reply = turn.reply;
      replies.push(reply);
      const parsed = parseAnswer(reply, input.schema);
      if (parsed.ok) {
        answer = parsed.value;
        error = undefined;
        break;
      }
      error = `invalid answer: ${parsed.error}`;
      text = [
        `Your previous reply was not valid: ${parsed.error}.`,
        'Reply again with only the JSON object in the required shape, and nothing else.',
      ].join(' ');
    }
  } catch (err) {
    error = errorMessage(err);
  }
  const usage = conversation ? await conversation.usage().catch(() => null) : null;
  return {
    answer,
    ...(answer === null ? { error: error ?? 'no valid answer' } : {}),
    attempts,
    durationMs: Date.now() - started,
    tokens: { input: usage?.tokens.input ?? 0, output: usage?.tokens.output ?? 0 },
    costUsd: usage?.costUsd ?? 0,
    replies,
  };
}

function parseAnswer<T>(reply: string, schema: z.ZodType<T>): { ok: true; value: T } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = extractJson(reply);
  } catch (err) {
    return { ok: false, error: `not JSON (${errorMessage(err)})` };
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, error: result.error.issues.map((i) => `${i.path.join('.') || 'answer'}: ${i.message}`).join('; ') };
}
