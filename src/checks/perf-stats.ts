import { z } from 'zod';
import type { PerfTaskResult } from './types.js';

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
export function parseRunnerOutput(stdout: string): RunnerFile[] | null {
  // The last marker line wins: bench code runs before the runner prints, so an earlier one is not the runner's.
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(RUNNER_MARKER));
  if (!line) return null;
  try {
    const parsed = runnerOutput.safeParse(JSON.parse(line.slice(RUNNER_MARKER.length)));
    return parsed.success ? parsed.data.files : null;
  } catch {
    return null;
  }
}

/** One side's runs, one entry per round: the runner's files, or why that round produced nothing. */
export type SideRounds = (RunnerFile[] | { failure: string; timedOut?: boolean })[];

export interface PerfSummary {
  tasks: PerfTaskResult[];
  ratio: number | null;
  regression: boolean;
  /** Failures on the entrant's side: each one makes the check a regression. */
  entrantErrors: string[];
  /** Tasks with no base measurement, left out of the ratio (e.g. a bench of a function the entrant adds). */
  baseUnknown: string[];
}

interface Samples {
  ops: number[];
  rme: number[];
}

interface TaskSamples {
  file: string;
  task: string;
  base: Samples;
  entrant: Samples;
}

export function summarise(base: SideRounds, entrant: SideRounds, benchFiles: string[], threshold: number): PerfSummary {
  const byKey = new Map<string, TaskSamples>();
  const baseErrors = new Map<string, string>();
  const entrantErrors: string[] = [];
  const entrantFailed = new Set<string>();
  const slot = (file: string, task: string): TaskSamples => {
    const key = JSON.stringify([file, task]);
    let entry = byKey.get(key);
    if (!entry) {
      entry = { file, task, base: { ops: [], rme: [] }, entrant: { ops: [], rme: [] } };
      byKey.set(key, entry);
    }
    return entry;
  };
  // `what` is '' for a whole round, else a file or `file › task`.
  type OnError = (what: string, round: number, error: string) => void;
  const collect = (rounds: SideRounds, side: 'base' | 'entrant', onError: OnError) => {
    rounds.forEach((files, index) => {
      if (!Array.isArray(files)) return onError('', index + 1, files.failure);
      for (const file of files) {
        if (!benchFiles.includes(file.file)) continue;
        if (file.error) onError(file.file, index + 1, file.error);
        for (const task of file.tasks) {
          const entry = slot(file.file, task.name);
          if (task.error) onError(`${file.file} › ${task.name}`, index + 1, task.error);
          else {
            entry[side].ops.push(task.opsPerSec);
            entry[side].rme.push(task.rme);
          }
        }
      }
    });
  };
  collect(base, 'base', (what, _round, error) => baseErrors.set(what, error));
  collect(entrant, 'entrant', (what, round, error) => {
    entrantFailed.add(what);
    entrantErrors.push(`${what || 'runner'} (round ${round}): ${error}`);
  });

  const tasks: PerfTaskResult[] = [];
  const baseUnknown: string[] = [];
  const ordered = [...byKey.values()].sort((a, b) => benchFiles.indexOf(a.file) - benchFiles.indexOf(b.file));
  for (const entry of ordered) {
    const name = `${entry.file} › ${entry.task}`;
    const baseOps = median(entry.base.ops);
    const ops = median(entry.entrant.ops);
    const explained = [name, entry.file, ''].some((what) => entrantFailed.has(what));
    if (entry.entrant.ops.length === 0 && !explained) {
      entrantErrors.push(`${name}: did not run on the entrant's side`);
    }
    if (entry.base.ops.length === 0) {
      const why = baseErrors.get(name) ?? baseErrors.get(entry.file) ?? baseErrors.get('') ?? 'not in the base version of the bench';
      baseUnknown.push(`${name}: ${why}`);
    }
    tasks.push({
      file: entry.file,
      task: entry.task,
      baseOpsPerSec: baseOps,
      baseRme: mean(entry.base.rme),
      opsPerSec: ops,
      rme: mean(entry.entrant.rme),
      // null when base has no number: such a task cannot be compared.
      ratio: entry.base.ops.length > 0 ? ops / baseOps : null,
    });
  }
  // A task that failed on the entrant's side has ratio 0; its failure is reported as such, not averaged in.
  const ratios = tasks.map((t) => t.ratio).filter((r): r is number => r !== null && Number.isFinite(r));
  const comparable = ratios.filter((r) => r > 0);
  const ratio = comparable.length > 0 ? Math.exp(mean(comparable.map((r) => Math.log(r)))) : null;
  const slower = ratios.some((r) => r < 1 - threshold);
  return { tasks, ratio, regression: slower || entrantErrors.length > 0, entrantErrors, baseUnknown };
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, v) => sum + v, 0) / values.length;
}
