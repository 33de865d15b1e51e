// The agent's conversation, from the normalised transcript every kind writes (src/agents/kind.ts): the same look for
// opencode, claude-code, codex and command entrants. Everything in it came from the entrant: bounded, control
// characters stripped, and left to Handlebars to escape.
import * as z from 'zod';
import { TRANSCRIPT_FORMAT } from '../agents/kind.js';
import { stripControl } from '../text/control.js';
import { readBounded, resolveInRunDir } from './files.js';

// Status is shown as a badge class too: only the statuses the format defines.
const STATUSES = new Set(['completed', 'error', 'running', 'denied']);
const TRANSCRIPT_BYTES = 4 * 1024 * 1024;
const TEXT_CHARS = 4000;
const INPUT_CHARS = 1500;
const OUTPUT_CHARS = 2000;
const PARTS_SHOWN = 300;

export interface TranscriptPartView {
  role: string;
  text?: string;
  reasoning?: boolean;
  tool?: { name: string; title: string; status: string; failed: boolean; input: string; output: string };
}

export interface TranscriptView {
  agent: string;
  parts: TranscriptPartView[];
  toolCalls: number;
  messages: number;
  /** Parts (or text) left out for length. */
  cut: boolean;
  error: string | null;
}

const partSchema = z.union([
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('reasoning'), text: z.string() }),
  z.object({ type: z.literal('tool'), name: z.string(), input: z.unknown(), output: z.string().optional(), status: z.string(), title: z.string().optional() }),
]);
const transcriptSchema = z.object({
  format: z.literal(TRANSCRIPT_FORMAT),
  agent: z.string(),
  messages: z.array(z.object({ role: z.string(), parts: z.array(z.unknown()) })),
  error: z.object({ message: z.string() }).optional(),
  truncated: z.boolean().optional(),
});

function clip(text: string, max: number): { text: string; cut: boolean } {
  const clean = stripControl(text);
  return clean.length > max ? { text: `${clean.slice(0, max)}\n[… ${clean.length - max} more characters]`, cut: true } : { text: clean, cut: false };
}

function inputText(input: unknown): string {
  if (typeof input === 'string') return input;
  try {
    return JSON.stringify(input, null, 2) ?? '';
  } catch {
    return '';
  }
}

/** The transcript as shown in the report, or null when there is none in the normalised format (older runs: link only). */
export async function transcriptView(runDir: string, rel: string | null | undefined): Promise<TranscriptView | null> {
  const file = await readBounded(resolveInRunDir(runDir, rel), TRANSCRIPT_BYTES);
  if (!file || file.truncated) return null;
  let parsed;
  try {
    parsed = transcriptSchema.safeParse(JSON.parse(file.text));
  } catch {
    return null;
  }
  if (!parsed.success) return null;
  const t = parsed.data;
  const parts: TranscriptPartView[] = [];
  let cut = t.truncated ?? false;
  let toolCalls = 0;
  for (const message of t.messages) {
    // The prompt is tourney's own, the same for every entrant: not repeated here.
    if (message.role === 'user') continue;
    for (const raw of message.parts) {
      const part = partSchema.safeParse(raw);
      if (!part.success) continue;
      const p = part.data;
      if (p.type === 'tool') toolCalls += 1;
      if (parts.length >= PARTS_SHOWN) {
        cut = true;
        continue;
      }
      // A class name in the page: one of a known few, whatever the file says.
      const role = ['assistant', 'system'].includes(message.role) ? message.role : 'other';
      if (p.type === 'tool') {
        const input = clip(inputText(p.input), INPUT_CHARS);
        const output = clip(p.output ?? '', OUTPUT_CHARS);
        cut ||= input.cut || output.cut;
        parts.push({ role, tool: { name: clip(p.name, 80).text, title: clip(p.title ?? '', 200).text, status: STATUSES.has(p.status) ? p.status : 'unknown', failed: p.status !== 'completed', input: input.text, output: output.text } });
      } else {
        if (!p.text.trim()) continue;
        const text = clip(p.text, TEXT_CHARS);
        cut ||= text.cut;
        parts.push({ role, text: text.text, ...(p.type === 'reasoning' && { reasoning: true }) });
      }
    }
  }
  return { agent: stripControl(t.agent).slice(0, 40), parts, toolCalls, messages: t.messages.length, cut, error: t.error ? clip(t.error.message, TEXT_CHARS).text : null };
}
