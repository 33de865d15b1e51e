// The OpenAI Responses API (`POST /v1/responses`): opencode's openai provider calls it for every model
// (its loader returns sdk.responses(modelID)), and Codex speaks it too.
import { z } from 'zod';
import type { ChatMessage } from '../protocol.js';
import { openaiErrorBody } from './openai-chat.js';
import { halves, sseFrame, textOf, type Reply, type Wire } from './wire.js';

const itemSchema = z.looseObject({ type: z.string().optional(), role: z.string().optional(), content: z.unknown().optional(), output: z.unknown().optional() });
const requestSchema = z.looseObject({
  model: z.string(),
  input: z.union([z.string(), z.array(itemSchema)]),
  instructions: z.string().nullish(),
  stream: z.boolean().optional(),
});

type Item = z.infer<typeof itemSchema>;

// An assistant turn arrives as several items (its message, each function call, reasoning): they are one turn.
const isAssistantItem = (item: Item) => item.role === 'assistant' || item.type === 'function_call' || item.type === 'reasoning';

export const openaiResponses: Wire = {
  name: 'openai-responses',
  parse(body) {
    const parsed = requestSchema.safeParse(body);
    if (!parsed.success) return 'request body must be JSON with a "model" string and an "input" list';
    const { model, input, instructions, stream } = parsed.data;
    const messages: ChatMessage[] = instructions ? [{ role: 'system', content: instructions }] : [];
    const items = typeof input === 'string' ? [{ role: 'user', content: input }] : input;
    for (const item of items) {
      const last = messages.at(-1);
      if (isAssistantItem(item)) {
        const text = item.role === 'assistant' ? textOf(item.content) : '';
        if (last?.role === 'assistant') last.content = `${typeof last.content === 'string' ? last.content : ''}${text}`;
        else messages.push({ role: 'assistant', content: text });
      } else if (item.type === 'function_call_output') {
        messages.push({ role: 'tool', content: textOf(item.output) });
      } else {
        const role = item.role === 'developer' ? 'system' : (item.role ?? 'user');
        messages.push({ role, content: textOf(item.content) });
      }
    }
    return { model, messages, stream: stream === true, includeUsage: true };
  },
  errorBody: openaiErrorBody,
  body(answer, meta, usage) {
    return { ...responseObject(meta, 'completed', usage), output: outputItems(answer, meta) };
  },
  frames(answer, meta, usage) {
    let sequence = 0;
    const frame = (data: { type: string } & Record<string, unknown>) => sseFrame({ ...data, sequence_number: sequence++ }, data.type);
    const frames = [frame({ type: 'response.created', response: responseObject(meta, 'in_progress') })];
    outputItems(answer, meta).forEach((item, index) => {
      if (item.type === 'message') {
        frames.push(
          frame({ type: 'response.output_item.added', output_index: index, item: { ...item, content: [], status: 'in_progress' } }),
          frame({ type: 'response.output_text.delta', item_id: item.id, output_index: index, content_index: 0, delta: answer.text ?? '' }),
          frame({ type: 'response.output_item.done', output_index: index, item }),
        );
      } else {
        frames.push(frame({ type: 'response.output_item.added', output_index: index, item: { ...item, arguments: '', status: 'in_progress' } }));
        for (const piece of halves(item.arguments)) frames.push(frame({ type: 'response.function_call_arguments.delta', item_id: item.id, output_index: index, delta: piece }));
        frames.push(
          frame({ type: 'response.function_call_arguments.done', item_id: item.id, output_index: index, arguments: item.arguments }),
          frame({ type: 'response.output_item.done', output_index: index, item }),
        );
      }
    });
    frames.push(frame({ type: 'response.completed', response: { ...responseObject(meta, 'completed', usage), output: outputItems(answer, meta) } }));
    return frames;
  },
};

type OutputItem =
  | { type: 'message'; id: string; role: 'assistant'; status: 'completed'; content: { type: 'output_text'; text: string; annotations: [] }[] }
  | { type: 'function_call'; id: string; call_id: string; name: string; arguments: string; status: 'completed' };

function outputItems(answer: Reply, meta: { id: string }): OutputItem[] {
  const items: OutputItem[] = [];
  if (answer.text) items.push({ type: 'message', id: `msg_${meta.id}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: answer.text, annotations: [] }] });
  for (const call of answer.toolCalls) items.push({ type: 'function_call', id: `fc_${call.id}`, call_id: call.id, name: call.name, arguments: call.arguments, status: 'completed' });
  return items;
}

function responseObject(meta: { id: string; model: string; created: number }, status: string, usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number }) {
  return {
    id: `resp_${meta.id}`,
    object: 'response',
    created_at: meta.created,
    model: meta.model,
    status,
    output: [],
    incomplete_details: null,
    ...(usage
      ? { usage: { input_tokens: usage.prompt_tokens, input_tokens_details: { cached_tokens: 0 }, output_tokens: usage.completion_tokens, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: usage.total_tokens } }
      : {}),
  };
}
