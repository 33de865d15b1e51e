import type { OpencodeClient } from '@opencode-ai/sdk/v2/client';
import type { AgentAnswerer, AgentConversation } from './kind.js';
import { createSession, promptUntilIdle, settledMessages, usageOf } from './opencode.js';

/** Conversations with one `opencode serve`: a session each, so no decision sees another's. */
export function opencodeAnswerer(client: OpencodeClient, directory: string, model: string): AgentAnswerer {
  return {
    async open(title: string): Promise<AgentConversation> {
      const sessionID = await createSession(client, directory, title);
      return {
        async send(text, options) {
          const turn = await promptUntilIdle(client, { sessionID, directory, model, text, ...options });
          const failure = turn.failure ? { failure: turn.failure } : {};
          if (turn.status !== 'finished' || turn.error) return { status: turn.status === 'finished' ? 'error' : turn.status, ...(turn.error !== undefined && { error: turn.error }), ...failure, reply: '' };
          const messages = await settledMessages(client, sessionID, directory);
          const last = [...messages].reverse().find((m) => m.info.role === 'assistant');
          return { status: 'finished', reply: (last?.parts ?? []).flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n') };
        },
        async usage() {
          return usageOf(await settledMessages(client, sessionID, directory));
        },
      };
    },
  };
}
