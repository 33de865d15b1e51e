import { TourneyError } from '../errors.js';
import { claudeCodeKind } from './claude-code-kind.js';
import type { AgentKind, AgentKindName } from './kind.js';

// One line per kind. A kind missing here is refused at config load (see the schema's `agent` key).
const KINDS: { readonly [K in AgentKindName]?: AgentKind } = {
  'claude-code': claudeCodeKind,
};

export function agentKind(name: AgentKindName): AgentKind {
  const kind = KINDS[name];
  if (!kind) throw new TourneyError(`agent kind "${name}" is not available in this build of tourney`);
  return kind;
}

/** The kinds this build implements, for the config schema and `tourney doctor`. */
export function availableKinds(): AgentKindName[] {
  return Object.keys(KINDS) as AgentKindName[];
}
