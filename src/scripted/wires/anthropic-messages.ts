// The Anthropic Messages API (`POST /v1/messages`), as @ai-sdk/anthropic (opencode's anthropic provider) calls it.
import { z } from 'zod';
import type { ChatMessage } from '../protocol.js';
import { halves, sseFrame, textOf, type Wire } from './wire.js';

const blockSchema = z.looseObject({ type: z.string(), text: z.string().optional(), content: z.unknown().optional() });
const requestSchema = z.looseObject({
  model: z.string(),
  messages: z.array(z.looseObject({ role: z.string(), content: z.union([z.string(), z.array(blockSchema)]) })),
  system: z.union([z.string(), z.array(blockSchema)]).optional(),
  stream: z.boolean().optional(),
  tools: z.array(z.looseObject({ name: z.string() })).optional(),
});

// Status -> the error type Anthropic's API answers with (docs: "Errors").
const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

export const anthropicMessages: Wire = {
  name: 'anthropic-messages',
  parse(body) {
    const parsed = requestSchema.safeParse(body);
    if (!parsed.success) return 'request body must be JSON with a "model" string and a "messages" list';
    const { model, messages, system, stream, tools } = parsed.data;
    const normal: ChatMessage[] = system === undefined ? [] : [{ role: 'system', content: textOf(system) }];
    for (const message of messages) {
      const content = typeof message.content === 'string'
        ? message.content
        // A tool result's text is what the tool printed: judge turns and workdir lookups read text only.
        : message.content.map((block) => ({ type: block.type, text: block.type === 'tool_result' ? textOf(block.content) : (block.text ?? '') }));
      normal.push({ role: message.role, content });
    }
    return { model, messages: normal, stream: stream === true, includeUsage: true, ...(tools && { tools: tools.map((tool) => ({ type: 'function', name: tool.name })) }) };
  },
  errorBody(status, message) {
    return { type: 'error', error: { type: ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'), message } };
  },
  body(answer, meta, usage) {
    return {
      id: `msg_${meta.id}`,
      type: 'message',
      role: 'assistant',
      model: meta.model,
      content: [
        ...(answer.text ? [{ type: 'text', text: answer.text }] : []),
        ...answer.toolCalls.map((call) => ({ type: 'tool_use', id: toolUseId(call.id), name: call.name, input: JSON.parse(call.arguments) as unknown })),
      ],
      stop_reason: answer.toolCalls.length > 0 ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens },
    };
  },
  frames(answer, meta, usage) {
    const frames = [
      sseFrame({
        type: 'message_start',
        message: { id: `msg_${meta.id}`, type: 'message', role: 'assistant', model: meta.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: usage.prompt_tokens, output_tokens: 1 } },
      }, 'message_start'),
    ];
    let index = 0;
    if (answer.text) {
      frames.push(
        sseFrame({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }, 'content_block_start'),
        sseFrame({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: answer.text } }, 'content_block_delta'),
        sseFrame({ type: 'content_block_stop', index }, 'content_block_stop'),
      );
      index++;
    }
    for (const call of answer.toolCalls) {
      frames.push(sseFrame({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: toolUseId(call.id), name: call.name, input: {} } }, 'content_block_start'));
      for (const piece of halves(call.arguments)) {
        frames.push(sseFrame({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } }, 'content_block_delta'));
      }
      frames.push(sseFrame({ type: 'content_block_stop', index }, 'content_block_stop'));
      index++;
    }
    frames.push(
      sseFrame({ type: 'message_delta', delta: { stop_reason: answer.toolCalls.length > 0 ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: usage.completion_tokens } }, 'message_delta'),
      sseFrame({ type: 'message_stop' }, 'message_stop'),
    );
    return frames;
  },
};

function toolUseId(id: string): string {
  return `toolu_${id}`;
}
