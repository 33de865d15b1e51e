import type { Message, Part } from '@opencode-ai/sdk/v2/client';
import type { TranscriptMessage, TranscriptPart } from './kind.js';

/** opencode's messages and parts, in the transcript shape every kind writes (its raw types stop here). */
export function normaliseOpencodeMessages(messages: { info: Message; parts: Part[] }[]): TranscriptMessage[] {
  return messages.map(({ info, parts }) => {
    const out: TranscriptMessage = { role: info.role, parts: parts.flatMap(normalisePart) };
    if (info.role === 'assistant') {
      out.tokens = {
        input: info.tokens.input,
        output: info.tokens.output,
        reasoning: info.tokens.reasoning,
        cacheRead: info.tokens.cache.read,
        cacheWrite: info.tokens.cache.write,
      };
      out.costUsd = info.cost;
      if (info.error) out.error = describe(info.error);
    }
    return out;
  });
}

function normalisePart(part: Part): TranscriptPart[] {
  switch (part.type) {
    case 'text':
      return part.synthetic ? [] : [{ type: 'text', text: part.text }];
    case 'reasoning':
      return [{ type: 'reasoning', text: part.text }];
    case 'tool': {
      const state = part.state;
      const base = { type: 'tool' as const, name: part.tool, input: state.input };
      if (state.status === 'completed') return [{ ...base, status: 'completed', output: state.output, ...(state.title && { title: state.title }) }];
      if (state.status === 'error') return [{ ...base, status: 'error', output: state.error }];
      return [{ ...base, status: 'running' }];
    }
    default:
      // step-start/finish, snapshots, patches: bookkeeping, not conversation.
      return [];
  }
}

function describe(error: unknown): string {
  const named = error as { name?: string; data?: { message?: string } };
  return [named.name, named.data?.message].filter(Boolean).join(': ') || 'error';
}
