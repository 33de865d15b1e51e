// Claude Code's `--output-format stream-json --verbose` output: one JSON event per line (system, assistant, user,
// result...). The lines come from inside an entrant's container, so they are hostile data: each is size-bounded,
// parsed against the few shapes tourney reads, and anything else (unknown types, broken JSON) is ignored.
import { z } from 'zod';

/** Longer lines are dropped unparsed: one event never holds a whole repository, and JSON.parse of it would. */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

const num = z.number().finite().nonnegative().catch(0);
const str = z.string().max(1_000_000);

const usageSchema = z.looseObject({
  input_tokens: num.optional(),
  output_tokens: num.optional(),
  cache_creation_input_tokens: num.nullish(),
  cache_read_input_tokens: num.nullish(),
});

const blockSchema = z.union([
  z.looseObject({ type: z.literal('text'), text: str }),
  z.looseObject({ type: z.literal('thinking'), thinking: str }),
  z.looseObject({ type: z.literal('tool_use'), id: str, name: str, input: z.unknown() }),
  z.looseObject({ type: z.literal('tool_result'), tool_use_id: str, content: z.unknown().optional(), is_error: z.boolean().nullish() }),
  // Anything else (images, redacted thinking, future block types) is kept as its type only.
  z.looseObject({ type: str }).transform((block) => ({ type: 'other' as const, of: block.type })),
]);

const messageSchema = z.looseObject({
  id: str.optional(),
  /** `<synthetic>` for the messages Claude Code writes itself (an API error shown as text). */
  model: str.optional(),
  content: z.union([str.transform((text) => [{ type: 'text' as const, text }]), z.array(blockSchema).max(10_000)]),
  usage: usageSchema.nullish(),
});

const initSchema = z.looseObject({
  type: z.literal('system'),
  subtype: z.literal('init'),
  session_id: str.optional(),
  model: str.optional(),
  tools: z.array(str).max(1000).optional(),
  permissionMode: str.optional(),
  claude_code_version: str.optional(),
});

const retrySchema = z.looseObject({
  type: z.literal('system'),
  subtype: z.literal('api_retry'),
  attempt: num.optional(),
  max_retries: num.optional(),
  error_status: z.number().int().nullish(),
  error: str.nullish(),
});

const assistantSchema = z.looseObject({ type: z.literal('assistant'), message: messageSchema, error: str.nullish() });
const userSchema = z.looseObject({ type: z.literal('user'), message: messageSchema });

const denialSchema = z.looseObject({ tool_name: str, tool_use_id: str.optional(), tool_input: z.unknown().optional() });

const resultSchema = z.looseObject({
  type: z.literal('result'),
  subtype: str.optional(),
  is_error: z.boolean().optional(),
  result: str.optional(),
  api_error_status: z.number().int().nullish(),
  total_cost_usd: num.optional(),
  num_turns: num.optional(),
  usage: usageSchema.nullish(),
  permission_denials: z.array(denialSchema).max(10_000).catch([]).optional(),
  errors: z.array(str).max(100).nullish().catch(null),
});

export type StreamUsage = z.infer<typeof usageSchema>;
export type StreamBlock = z.infer<typeof blockSchema>;
export type StreamEvent =
  | z.infer<typeof initSchema>
  | z.infer<typeof retrySchema>
  | z.infer<typeof assistantSchema>
  | z.infer<typeof userSchema>
  | z.infer<typeof resultSchema>;

const SCHEMAS = [initSchema, retrySchema, assistantSchema, userSchema, resultSchema] as const;

/** One stdout line as an event tourney reads, or null (blank, too long, not JSON, or an event it does not use). */
export function parseStreamLine(line: string): StreamEvent | null {
  if (line.length === 0 || Buffer.byteLength(line, 'utf8') > MAX_LINE_BYTES) return null;
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch {
    return null;
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) return null;
  for (const schema of SCHEMAS) {
    const parsed = schema.safeParse(data);
    if (parsed.success) return parsed.data;
  }
  return null;
}
