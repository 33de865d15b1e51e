// OpenAI chat completions (`POST /v1/chat/completions`): what @ai-sdk/openai-compatible calls.
import { chatRequestSchema, completionBody, errorBody, streamFrames } from '../protocol.js';
import type { Wire } from './wire.js';

export const openaiChat: Wire = {
  name: 'openai-chat',
  parse(body) {
    const parsed = chatRequestSchema.safeParse(body);
    if (!parsed.success) return 'request body must be JSON with a "model" string and a "messages" list';
    const { model, messages, stream, stream_options } = parsed.data;
    return { model, messages, stream: stream === true, includeUsage: stream_options?.include_usage === true };
  },
  errorBody: openaiErrorBody,
  body: (answer, meta, usage) => completionBody(answer, meta, usage),
  frames: (answer, meta, usage, request) => streamFrames(answer, meta, request.includeUsage ? usage : undefined),
};

/** OpenAI's error object; the type and code follow what api.openai.com answers for each status. */
export function openaiErrorBody(status: number, message: string, code?: string): object {
  if (status === 401) return errorBody(message, 'invalid_request_error', code ?? 'invalid_api_key');
  if (status === 429) return errorBody(message, code === 'insufficient_quota' ? 'insufficient_quota' : 'requests', code ?? 'rate_limit_exceeded');
  return errorBody(message, status >= 500 ? 'server_error' : 'invalid_request_error', code ?? null);
}
