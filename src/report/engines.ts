// Where the run's containers ran, when there was more than one engine or one was lost: the report's Engines line and
// each entrant's engine (one engine, the usual case, says nothing).
import type { EntrantResult, RunResult } from '../types.js';

export interface EnginesView {
  engines: { name: string; host: string; slots: number; lost: string | null }[];
}

export interface EntrantEngineView {
  /** "agent on e2, referee on local" */
  summary: string;
  /** "Ran again on local: its first engine e2 was lost mid-run: it stopped answering (...)." */
  retried: string | null;
}

function pooled(r: RunResult): boolean {
  return (r.engines?.length ?? 0) > 1 || Boolean(r.engines?.some((e) => e.lost));
}

export function enginesView(r: RunResult): EnginesView | null {
  if (!pooled(r)) return null;
  return { engines: (r.engines ?? []).map((e) => ({ name: e.name, host: e.host, slots: e.slots, lost: e.lost ?? null })) };
}

export function entrantEngineView(r: RunResult, e: EntrantResult): EntrantEngineView | null {
  if (!pooled(r) || (e.engine === undefined && e.refereeEngine === undefined)) return null;
  const parts = [e.engine && `agent on ${e.engine}`, e.refereeEngine && `referee on ${e.refereeEngine}`].filter(Boolean);
  return {
    summary: `Engines: ${parts.join(', ')}`,
    retried: e.retried ? `Ran again on ${e.engine ?? 'another engine'}: its first engine ${e.retried.engine} was lost mid-run: ${e.retried.reason}.` : null,
  };
}
