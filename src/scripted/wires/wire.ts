// One model API as the scripted server speaks it: how a request reads and how an answer is written.
// Every wire maps onto the same script turns, so one script drives any agent through any provider SDK.
import type http from 'node:http';
import type { AdvertisedTool } from '../codex-tools.js';
import type { Answer, ChatMessage, RequestPurpose, Usage } from '../protocol.js';

export type WireName = 'openai-chat' | 'openai-responses' | 'anthropic-messages';

/** A request in the terms script turns are picked by (roles, text, the turn count). */
export interface NormalRequest {
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  /** OpenAI chat only: whether the client asked for a usage chunk at the end of the stream. */
  includeUsage: boolean;
  /** The tools the request offers (Responses only, for now): script calls are mapped onto them. */
  tools?: AdvertisedTool[];
  /** Set when the request itself says it plays no script turn (Codex's turn metadata: a compaction). */
  purpose?: RequestPurpose;
}

export type Reply = Extract<Answer, { kind: 'reply' }>;

export interface AnswerMeta {
  id: string;
  model: string;
  /** Seconds since the epoch. */
  created: number;
}

export interface Wire {
  name: WireName;
  /** The request, or a sentence saying what the body lacks. */
  parse(body: unknown): NormalRequest | string;
  /** The provider's own error body for `status`, so its SDK reports the error the way it would for the real service. */
  errorBody(status: number, message: string, code?: string): object;
  body(answer: Reply, meta: AnswerMeta, usage: Usage): object;
  /** Every server-sent-event frame of a streamed answer, in order. */
  frames(answer: Reply, meta: AnswerMeta, usage: Usage, request: NormalRequest): string[];
}

/** The API key a client sent, in whichever header its SDK uses. */
export function presentedKey(req: http.IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^Bearer\s+/i.test(auth)) return auth.replace(/^Bearer\s+/i, '').trim();
  for (const name of ['x-api-key', 'api-key']) {
    const value = req.headers[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/** The text of a content value: a string, or the `text` of each part of a list of parts. */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((part) => (part && typeof part === 'object' && 'text' in part && typeof part.text === 'string' ? part.text : '')).join('');
  return '';
}

export function sseFrame(data: object, event?: string): string {
  return `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
}

/** Tool-call arguments in two pieces, as real servers stream them: the client must join them. */
export function halves(text: string): string[] {
  const half = Math.ceil(text.length / 2);
  return [text.slice(0, half), text.slice(half)].filter((piece) => piece !== '');
}
