import type { EntrantStatus, RunResult } from '../types.js';

export type Phase = 'image' | 'prepare' | 'sandboxes' | 'agents' | 'referee' | 'judge' | 'branches' | 'report';

export type EntrantState = 'queued' | 'starting' | 'running' | EntrantStatus | 'refereeing' | 'tested';

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
  | { type: 'judge'; line: string }
  | { type: 'warning'; message: string }
  | { type: 'note'; message: string }
  | { type: 'run-end'; result: RunResult };

export interface Reporter {
  onEvent(event: RunEvent): void;
  close?(): void;
}
