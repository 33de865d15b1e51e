import type { EntrantStatus, RunResult } from '../types.js';

export type Phase = 'image' | 'prepare' | 'sandboxes' | 'agents' | 'referee' | 'judge' | 'branches' | 'report';

export type EntrantState = 'queued' | 'starting' | 'running' | EntrantStatus | 'refereeing' | 'tested';

/**
 * Where an entrant's run is now, for the live view. Emitted by the entrant runner (sandbox, extracting)
 * and from what its agent kind reports (agent-start, turn): the agent's protocol stays in src/agents/.
 */
export type EntrantStep =
  /** Container starting, repository copied in. */
  | { step: 'sandbox' }
  /** The agent's process or server starting, before its first model request. */
  | { step: 'agent-start' }
  /** The agent's model turn `turn` (1-based); `tool` is its latest tool call ("edit src/a.js"), if any. */
  | { step: 'turn'; turn: number; tool?: string }
  /** Agent stopped; its changes being read from the stopped container. */
  | { step: 'extracting' };

/** What a tournament tells its reporters, in order. Reporters only observe; they never steer. */
export type RunEvent =
  | { type: 'run-start'; runId: string; runDir: string; specTitle: string; entrants: { name: string; model: string }[] }
  | { type: 'phase-start'; phase: Phase; detail?: string }
  | { type: 'phase-end'; phase: Phase; ms: number; detail?: string }
  | { type: 'image-progress'; line: string }
  /** The prepare stage: toolchain build lines, setup commands starting. */
  | { type: 'prepare'; line: string }
  | { type: 'entrant'; name: string; state: EntrantState; detail?: string }
  | { type: 'activity'; name: string; line: string }
  /** `limitMs` is the entrant's whole time limit, counted from its `starting` event. */
  | { type: 'step'; name: string; step: EntrantStep; limitMs: number }
  | { type: 'judge'; line: string }
  /** One judge decision (a pairwise match or a rubric grading) started, or decided when `outcome` is set. */
  | { type: 'judge-call'; id: string; label: string; outcome?: string }
  | { type: 'warning'; message: string }
  | { type: 'note'; message: string }
  | { type: 'run-end'; result: RunResult };

export interface Reporter {
  onEvent(event: RunEvent): void;
  close?(): void;
}
