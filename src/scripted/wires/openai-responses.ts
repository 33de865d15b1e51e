// The OpenAI Responses API (`POST /v1/responses`): opencode's openai provider calls it for every model
// (its loader returns sdk.responses(modelID)), and Codex speaks it too.
import { z } from 'zod';
import type { AdvertisedTool } from '../codex-tools.js';
import type { ChatMessage, RequestPurpose } from '../protocol.js';
import { openaiErrorBody } from './openai-chat.js';
import { halves, sseFrame, textOf, type Reply, type Wire } from './wire.js';

const itemSchema = z.looseObject({ type: z.string().optional(), role: z.string().optional(), content: z.unknown().optional(), output: z.unknown().optional() });
const toolSchema = z.looseObject({ type: z.string(), name: z.string().optional() });
const requestSchema = z.looseObject({
  model: z.string(),
  input: z.union([z.string(), z.array(itemSchema)]),
  instructions: z.string().nullish(),
  stream: z.boolean().optional(),
  tools: z.array(toolSchema).nullish(),
  client_metadata: z.record(z.string(), z.unknown()).nullish(),
});

type Item = z.infer<typeof itemSchema>;

// An assistant turn arrives as several items (its message, each tool call, reasoning): they are one turn.
const ASSISTANT_ITEMS = new Set(['function_call', 'custom_tool_call', 'local_shell_call', 'reasoning']);
const isAssistantItem = (item: Item) => item.role === 'assistant' || ASSISTANT_ITEMS.has(item.type ?? '');
const TOOL_OUTPUTS = new Set(['function_call_output', 'custom_tool_call_output', 'local_shell_call_output']);

/**
 * Codex names the kind of every request in its turn metadata: only a `turn` plays a script turn (a
 * `compaction` asks for a summary of the history, and must not use up the next turn).
 */
function codexPurpose(metadata: Record<string, unknown> | null | undefined): RequestPurpose | undefined {
  const raw = metadata?.['x-codex-turn-metadata'];
  if (typeof raw !== 'string' || raw.length > 64 * 1024) return undefined;
  try {
    const kind: unknown = (JSON.parse(raw) as { request_kind?: unknown }).request_kind;
    return typeof kind === 'string' && kind !== 'turn' ? 'summary' : undefined;
  } catch {
    return undefined;
  }
}

export const openaiResponses: Wire = {
  name: 'openai-responses',
  parse(body) {
    const parsed = requestSchema.safeParse(body);
    if (!parsed.success) return 'request body must be JSON with a "model" string and an "input" list';
    const { model, input, instructions, stream, tools, client_metadata } = parsed.data;
    const messages: ChatMessage[] = instructions ? [{ role: 'system', content: instructions }] : [];
    const items = typeof input === 'string' ? [{ role: 'user', content: input }] : input;
    for (const item of items) {
      const last = messages.at(-1);
      if (isAssistantItem(item)) {
        const text = item.role === 'assistant' ? textOf(item.content) : '';
        if (last?.role === 'assistant') last.content = `${typeof last.content === 'string' ? last.content : ''}${text}`;
        else messages.push({ role: 'assistant', content: text });
      } else if (TOOL_OUTPUTS.has(item.type ?? '')) {
        messages.push({ role: 'tool', content: textOf(item.output) });
      } else {
        const role = item.role === 'developer' ? 'system' : (item.role ?? 'user');
        messages.push({ role, content: textOf(item.content) });
      }
    }
    const advertised: AdvertisedTool[] = (tools ?? []).map((t) => ({ type: t.type, name: t.name ?? t.type }));
    const purpose = codexPurpose(client_metadata);
    return { model, messages, stream: stream === true, includeUsage: true, ...(tools ? { tools: advertised } : {}), ...(purpose ? { purpose } : {}) };
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
      } else if (item.type === 'custom_tool_call') {
        frames.push(
          frame({ type: 'response.output_item.added', output_index: index, item: { ...item, input: '', status: 'in_progress' } }),
          ...halves(item.input).map((delta) => frame({ type: 'response.custom_tool_call_input.delta', item_id: item.id, output_index: index, delta })),
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
  | { type: 'function_call'; id: string; call_id: string; name: string; arguments: string; status: 'completed' }
  | { type: 'custom_tool_call'; id: string; call_id: string; name: string; input: string; status: 'completed' };

function outputItems(answer: Reply, meta: { id: string }): OutputItem[] {
  const items: OutputItem[] = [];
  if (answer.text) items.push({ type: 'message', id: `msg_${meta.id}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: answer.text, annotations: [] }] });
  for (const call of answer.toolCalls) {
    if (call.format === 'custom') items.push({ type: 'custom_tool_call', id: `ctc_${call.id}`, call_id: call.id, name: call.name, input: call.arguments, status: 'completed' });
    else items.push({ type: 'function_call', id: `fc_${call.id}`, call_id: call.id, name: call.name, arguments: call.arguments, status: 'completed' });
  }
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
