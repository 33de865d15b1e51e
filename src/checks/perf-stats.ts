import { z } from 'zod';
import type { PerfBasis, PerfTaskResult } from './types.js';

// Pure half of the performance check: reading containers/perf-runner.mjs output and combining rounds.

export const RUNNER_MARKER = 'TOURNEY_PERF ';

const runnerTask = z.object({
  name: z.string(),
  opsPerSec: z.number(),
  rme: z.number(),
  samples: z.number(),
  error: z.string().optional(),
});
const runnerFile = z.object({ file: z.string(), error: z.string().optional(), tasks: z.array(runnerTask) });
const runnerOutput = z.object({ files: z.array(runnerFile) });

export type RunnerFile = z.infer<typeof runnerFile>;

/** The runner's result line, or null when it never printed one (crash, timeout, process.exit in a bench). */
export function parseRunnerOutput(stdout: string, nonce: string): RunnerFile[] | null {
  // Only the runner knows the run's secret (it took it before the bench code loaded). Exactly one
  // line must carry it: more than one means someone replayed or duplicated the runner's output.
  const prefix = `${RUNNER_MARKER}${nonce} `;
  if (!/^[0-9a-f]{32,}$/.test(nonce)) return null;
  const lines = stdout.split('\n').filter((l) => l.startsWith(prefix));
  if (lines.length !== 1) return null;
  try {
    const parsed = runnerOutput.safeParse(JSON.parse(lines[0]!.slice(prefix.length)));
    return parsed.success ? parsed.data.files : null;
  } catch {
    return null;
  }
}

/**
 * One side's runs, one entry per round: the runner's files, or why that round produced nothing.
 * perf.ts runs one file per invocation and records a failed invocation as that file's `error`.
 */
export type SideRounds = (RunnerFile[] | { failure: string; timedOut?: boolean })[];

/**
 * The order of every round of an interleaved session: each side exactly once per round (base once,
 * not once per candidate), the order rotated by one each round so that no side always goes first
 * (a warming or throttling machine would favour it). With two sides this alternates.
 */
export function interleave<T>(sides: readonly T[], rounds: number): T[][] {
  return Array.from({ length: rounds }, (_, round) => sides.map((_, i) => sides[(i + round) % sides.length] as T));
}

/** The performance part of the score from a check's ratio: 0.5 at the reference's speed, 1 at twice it, 0 at half, clamped. */
export function perfPartScore(ratio: number): number {
  return Math.min(1, Math.max(0, 0.5 + 0.5 * Math.log2(ratio)));
}

export interface PerfSummary {
  tasks: PerfTaskResult[];
  ratio: number | null;
  relativeTo: PerfBasis | 'mixed' | null;
  regression: boolean;
  /** Failures on the entrant's side: each one makes the check a regression. */
  entrantErrors: string[];
  /** Tasks base could not run, with why and what they were compared with instead. */
  baseFailed: string[];
}

export interface SessionRounds {
  base: SideRounds;
  /** Per candidate name. */
  candidates: Record<string, SideRounds>;
}

interface Samples {
  ops: number[];
  rme: number[];
}

/** `what` is '' for a whole round, else a file or `file › task`. */
class Side {
  readonly samples = new Map<string, Samples>();
  readonly errors = new Map<string, string>();
  readonly errorLines: string[] = [];
  constructor(rounds: SideRounds, benchFiles: string[], onTask: (file: string, task: string) => void) {
    const fail = (what: string, round: number, error: string) => {
      if (!this.errors.has(what)) this.errors.set(what, error);
      this.errorLines.push(`${what || 'runner'} (round ${round}): ${error}`);
    };
    rounds.forEach((files, index) => {
      if (!Array.isArray(files)) return fail('', index + 1, files.failure);
      for (const file of files) {
        if (!benchFiles.includes(file.file)) continue;
        if (file.error) fail(file.file, index + 1, file.error);
        for (const task of file.tasks) {
          onTask(file.file, task.name);
          const name = `${file.file} › ${task.name}`;
          if (task.error) fail(name, index + 1, task.error);
          else {
            const entry = this.samples.get(name) ?? { ops: [], rme: [] };
            entry.ops.push(task.opsPerSec);
            entry.rme.push(task.rme);
            this.samples.set(name, entry);
          }
        }
      }
    });
  }

  /** Why this side has no (clean) number for a task, or null when it has one. */
  failure(file: string, name: string): string | null {
    const error = this.errors.get(name) ?? this.errors.get(file) ?? this.errors.get('');
    if (error !== undefined) return error;
    return this.samples.has(name) ? null : 'did not run';
  }

  median(name: string): number {
    return median(this.samples.get(name)?.ops ?? []);
  }

  rme(name: string): number {
    return mean(this.samples.get(name)?.rme ?? []);
  }
}

/**
 * Every candidate's check from one interleaved session. A task base measured compares with base; a task
 * base could not run (a bench of a function the candidates add) compares with the fastest candidate that
 * measured it cleanly, chosen among `referencePool` when any of those measured it (the candidates still
 * in the running, so that one out on a gate and measured only under --full cannot set the bar), else
 * among all. The same threshold applies to both kinds of ratio.
 */
export function summariseSession(rounds: SessionRounds, benchFiles: string[], threshold: number, referencePool?: readonly string[]): Record<string, PerfSummary> {
  const keys = new Map<string, { file: string; task: string }>();
  const onTask = (file: string, task: string) => {
    const name = `${file} › ${task}`;
    if (!keys.has(name)) keys.set(name, { file, task });
  };
  const base = new Side(rounds.base, benchFiles, onTask);
  const candidates = Object.entries(rounds.candidates).map(([name, r]) => [name, new Side(r, benchFiles, onTask)] as const);
  const ordered = [...keys.entries()].sort(([, a], [, b]) => benchFiles.indexOf(a.file) - benchFiles.indexOf(b.file));
  const pool = new Set(referencePool ?? candidates.map(([name]) => name));

  const fastest = (file: string, name: string): { name: string; opsPerSec: number } | null => {
    const clean = candidates.filter(([, side]) => side.failure(file, name) === null).map(([who, side]) => ({ name: who, opsPerSec: side.median(name) }));
    const preferred = clean.filter((c) => pool.has(c.name));
    const from = preferred.length > 0 ? preferred : clean;
    return from.reduce<{ name: string; opsPerSec: number } | null>((best, c) => (best === null || c.opsPerSec > best.opsPerSec ? c : best), null);
  };

  const out: Record<string, PerfSummary> = {};
  for (const [who, side] of candidates) {
    const tasks: PerfTaskResult[] = [];
    const entrantErrors = [...side.errorLines];
    const baseFailed: string[] = [];
    for (const [name, { file, task }] of ordered) {
      const numbers = { file, task, baseOpsPerSec: base.median(name), baseRme: base.rme(name), opsPerSec: side.median(name), rme: side.rme(name) };
      const own = side.failure(file, name);
      const baseWhy = base.failure(file, name);
      if (own !== null) {
        // The runner's own error lines already say what failed; a task missing without one is new here.
        if (own === 'did not run') entrantErrors.push(`${name}: did not run on the entrant's side`);
        tasks.push({ ...numbers, opsPerSec: 0, ratio: null, relativeTo: null, state: 'entrant failed', detail: `failed on this candidate's side: ${own}` });
        continue;
      }
      if (base.samples.has(name)) {
        const ratio = numbers.opsPerSec / numbers.baseOpsPerSec;
        tasks.push({ ...numbers, ratio, relativeTo: 'base', state: 'measured', detail: `${formatX(ratio)} base` });
        continue;
      }
      // Base cannot run it: the candidates are measured against each other (same session, same rounds).
      const ref = fastest(file, name);
      const ratio = ref && ref.opsPerSec > 0 ? numbers.opsPerSec / ref.opsPerSec : null;
      const against = ref === null ? 'no candidate measured it' : ref.name === who ? 'the fastest candidate' : `${formatX(ratio ?? 0)} the fastest candidate (${ref.name})`;
      const detail = `base could not run it (${baseWhy ?? 'did not run'}); ${against}`;
      baseFailed.push(`${name}: ${detail}`);
      tasks.push({ ...numbers, ratio, relativeTo: ratio === null ? null : 'fastest candidate', ...(ref ? { reference: ref } : {}), state: 'base failed', detail });
    }
    const compared = tasks.filter((t): t is PerfTaskResult & { ratio: number } => t.ratio !== null && Number.isFinite(t.ratio) && t.ratio > 0);
    const ratio = compared.length > 0 ? Math.exp(mean(compared.map((t) => Math.log(t.ratio)))) : null;
    const bases = new Set(compared.map((t) => t.relativeTo));
    const relativeTo = bases.size === 0 ? null : bases.size > 1 ? 'mixed' : (compared[0]?.relativeTo ?? null);
    const slower = compared.some((t) => t.ratio < 1 - threshold);
    out[who] = { tasks, ratio, relativeTo, regression: slower || entrantErrors.length > 0, entrantErrors, baseFailed };
  }
  return out;
}

/** The task list for a candidate whose benchmarks did not run, so the report still says, per task, why. */
export function notRunTasks(tasks: readonly { file: string; task: string }[], why: string): PerfTaskResult[] {
  return tasks.map(({ file, task }) => ({
    file, task, baseOpsPerSec: 0, baseRme: 0, opsPerSec: 0, rme: 0, ratio: null, relativeTo: null, state: 'not run', detail: why,
  }));
}

const formatX = (ratio: number): string => `${ratio.toFixed(2)}x`;

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, v) => sum + v, 0) / values.length;
}
