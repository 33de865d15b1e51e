import { join } from 'node:path';
import { perfNotRun, runPerfSession, type PerfCandidate } from '../checks/perf.js';
import { notRunTasks } from '../checks/perf-stats.js';
import type { PerfCheck } from '../checks/types.js';
import type { GateResult } from '../ranking/types.js';
import type { RefereeContext, RefereeVerdict } from './referee.js';

export interface PerfEntry {
  name: string;
  patch: string;
  verdict: RefereeVerdict;
  /** The first gate this entrant already failed (every gate but performance), or null while it is in the running. */
  outOn: GateResult | null;
}

export const SESSION_LOG = 'perf-session.log';

/**
 * The benchmarks, once every candidate's other checks are in: one interleaved session (runPerfSession)
 * for base and every candidate still in the running, plus, with `full`, those already out on a gate.
 * The others get a check that says `skipped: out on gate X` and no number. Returns a check per entrant
 * that has an environment; entrants whose patch never applied get none.
 */
export async function refereePerformance(
  ctx: RefereeContext, entries: PerfEntry[], options: { full?: boolean; signal?: AbortSignal } = {},
): Promise<Map<string, PerfCheck>> {
  const bench = ctx.spec.bench ?? [];
  const out = new Map<string, PerfCheck>();
  if (bench.length === 0) return out;
  const logOf = (name: string) => ({ logFile: join(ctx.runDir, 'entrants', name, 'perf.log'), logRelPath: `entrants/${name}/perf.log` });
  const { threshold, rounds } = ctx.scoring.performance;

  const measure: PerfCandidate[] = [];
  const skipped: PerfEntry[] = [];
  for (const entry of entries) {
    const where = entry.verdict.bench;
    if (!where) continue; // the patch did not apply: there is nothing to measure
    const { logFile, logRelPath } = logOf(entry.name);
    if (where.image === null) out.set(entry.name, await perfNotRun(where.error ?? 'no environment', logFile, logRelPath));
    else if (entry.outOn && !options.full) skipped.push(entry);
    else measure.push({ name: entry.name, image: where.image, patch: entry.patch, logFile, logRelPath });
  }

  let tasks: { file: string; task: string }[] = [];
  if (measure.length > 0) {
    const hidden = ctx.spec.hidden;
    const checks = await runPerfSession(ctx.engine, {
      baseImage: ctx.environment.image,
      runId: ctx.runId,
      baseTar: ctx.baseTar,
      candidates: measure,
      benchFiles: bench,
      overlays: hidden ? hidden.files.map((hostPath) => ({ hostPath, repoPath: hidden.into })) : [],
      limits: ctx.limits,
      rounds,
      threshold,
      timeoutMs: ctx.timeoutMs,
      // Only candidates in the running set the bar where base cannot run a task.
      referencePool: entries.filter((e) => e.outOn === null).map((e) => e.name),
      sessionLogFile: join(ctx.runDir, SESSION_LOG),
      sessionLogRelPath: SESSION_LOG,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    for (const [name, check] of checks) out.set(name, check);
    tasks = [...checks.values()].find((c) => c.tasks.length > 0)?.tasks ?? [];
  }
  for (const entry of skipped) {
    const gate = entry.outOn!;
    const reason = `skipped: out on gate ${gate.gate}`;
    const { logFile, logRelPath } = logOf(entry.name);
    out.set(entry.name, await perfNotRun(`${reason} (${gate.reason}); --full measures it anyway`, logFile, logRelPath, {
      skipped: { gate: gate.gate, reason },
      tasks: notRunTasks(tasks, reason),
      threshold,
      rounds,
    }));
  }
  return out;
}
