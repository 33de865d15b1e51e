import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, posix } from 'node:path';
import type { Engine } from '../sandbox/engine.js';
import { Sandbox, type ExecResult, type SandboxLimits } from '../sandbox/container.js';
import { overlayTar, type Overlay } from '../sandbox/overlay.js';
import { applyPatch, prepareWorkspace, SANDBOX_USER, WORKDIR } from '../sandbox/workspace.js';
import { tarOf } from '../sandbox/tar.js';
import { SANDBOX_UID } from '../sandbox/labels.js';
import { errorMessage } from '../errors.js';
import { packagePath } from '../paths.js';
import { interleave, parseRunnerOutput, summariseSession, type RunnerFile, type SideRounds } from './perf-stats.js';
import type { PerfCheck } from './types.js';

/** One candidate in an interleaved session. */
export interface PerfCandidate {
  name: string;
  /** Its prepared environment (the run's, unless its dependency change made it re-prepare). */
  image: string;
  patch: string;
  logFile: string;
  logRelPath: string;
}

export interface PerfSessionInput {
  /** The run's prepared environment, for the base side. */
  baseImage: string;
  runId: string;
  baseTar: string;
  candidates: PerfCandidate[];
  /** Repo-relative bench modules (format: containers/perf-runner.mjs), as they exist after overlays. */
  benchFiles: string[];
  /** Files from outside the repository (hidden benches) copied into every tree after the patch. */
  overlays: Overlay[];
  limits: SandboxLimits;
  rounds?: number;
  threshold?: number;
  /** Per runner invocation (one bench file on one side). */
  timeoutMs: number;
  /** Candidates whose speed may set the reference when base cannot run a task (default: all). */
  referencePool?: string[];
  /** The whole session's log (base and every candidate); absent: only the per-candidate logs. */
  sessionLogFile?: string;
  sessionLogRelPath?: string;
  signal?: AbortSignal;
}

/** The single-candidate form (tests, and callers that measure one entrant). */
export interface PerfCheckInput extends Omit<PerfSessionInput, 'candidates'> {
  entrantImage: string;
  entrant: string;
  patch: string;
  logFile: string;
  logRelPath: string;
}

const OPT = '/opt/tourney';
export const RUNNER_IN_CONTAINER = `${OPT}/perf-runner.mjs`;
const BASE = Symbol('base');
type SideId = typeof BASE | string;

/** Base and base + patch, as a session of one candidate. Never throws. */
export async function runPerfCheck(engine: Engine, input: PerfCheckInput): Promise<PerfCheck> {
  const { entrantImage, entrant, patch, logFile, logRelPath, ...rest } = input;
  const checks = await runPerfSession(engine, { ...rest, candidates: [{ name: entrant, image: entrantImage, patch, logFile, logRelPath }] });
  return checks.get(entrant)!;
}

/**
 * Benchmarks base and every candidate in one interleaved session: one fresh network-less container per
 * side (same limits), and for each bench file, `rounds` rounds in which every side runs once, in an
 * order rotated each round (interleave), so machine noise falls on every side alike and base is
 * measured once per round rather than once per candidate. Sides run one at a time. Never throws;
 * every container is removed on every path.
 */
export async function runPerfSession(engine: Engine, input: PerfSessionInput): Promise<Map<string, PerfCheck>> {
  const started = Date.now();
  const rounds = input.rounds ?? 3;
  const threshold = input.threshold ?? 0.1;
  const names = input.candidates.map((c) => c.name);
  const sessionLog: string[] = [];
  const logs = new Map<string, string[]>(names.map((n) => [n, []]));
  const note = (side: SideId, ...lines: string[]) => {
    sessionLog.push(...lines);
    if (side === BASE) for (const l of logs.values()) l.push(...lines);
    else logs.get(side)?.push(...lines);
  };
  const results = new Map<string, PerfCheck>();
  // One session, one duration: every candidate's check reports the same time.
  let endedAt: number | undefined;
  const finish = async (name: string, check: Pick<PerfCheck, 'ran'> & Partial<PerfCheck>) => {
    const candidate = input.candidates.find((c) => c.name === name)!;
    const result: PerfCheck = {
      tasks: [], ratio: null, relativeTo: null, regression: false, ...check, threshold, rounds, durationMs: (endedAt ?? Date.now()) - started,
      logPath: candidate.logRelPath, ...(input.sessionLogRelPath ? { sessionLogPath: input.sessionLogRelPath } : {}),
    };
    const log = logs.get(name) ?? [];
    if (result.error) log.push(`[tourney: ${result.error}]`);
    if (!(await writeLog(candidate.logFile, log))) result.logPath = null;
    results.set(name, result);
  };
  const finishAll = async (check: Pick<PerfCheck, 'ran'> & Partial<PerfCheck>) => {
    for (const name of names) if (!results.has(name)) await finish(name, check);
  };

  const invalid = validate(input, rounds, threshold);
  const sandboxes: Sandbox[] = [];
  try {
    if (invalid) {
      await finishAll({ ran: false, error: invalid });
      return results;
    }
    const binds = [`${tinybenchDir()}:${OPT}/node_modules/tinybench`, `${packagePath('containers', 'perf-runner.mjs')}:${RUNNER_IN_CONTAINER}`];
    const overlays = input.overlays.length > 0 ? await overlayTar(input.overlays) : null;
    const keepalive = new Map<SideId, string[]>();
    const prepare = async (side: SideId): Promise<Sandbox> => {
      const candidate = side === BASE ? null : input.candidates.find((c) => c.name === side)!;
      const label = candidate ? `perf:${candidate.name}` : 'perf-base';
      const sandbox = await Sandbox.create(engine, {
        image: candidate?.image ?? input.baseImage, runId: input.runId, role: label, name: `tourney-${input.runId}-${candidate ? `perf-entrant-${candidate.name}` : 'perf-base'}`,
        limits: input.limits, network: 'none', readOnlyBinds: binds,
      });
      sandboxes.push(sandbox);
      await prepareWorkspace(sandbox, input.baseTar);
      if (candidate) {
        const applied = await applyPatch(sandbox, candidate.patch);
        if (!applied.ok) throw new Error(`the entrant's patch does not apply: ${applied.message.trim()}`);
      }
      if (overlays) await sandbox.putTar(overlays, WORKDIR);
      keepalive.set(side, await containerPids(sandbox));
      return sandbox;
    };
    const sides: SideId[] = [BASE, ...names];
    const settled = await Promise.allSettled(sides.map(prepare));
    if (settled[0]?.status === 'rejected') throw settled[0].reason;
    const ready = new Map<SideId, Sandbox>();
    for (const [i, s] of settled.entries()) {
      const side = sides[i]!;
      if (s.status === 'fulfilled') ready.set(side, s.value);
      else if (side !== BASE) await finish(side, { ran: false, error: errorMessage(s.reason) });
    }
    const measured = sides.filter((s) => ready.has(s));
    const collected = new Map<SideId, SideRounds>(measured.map((s) => [s, Array.from({ length: rounds }, () => [])]));
    const label = (side: SideId) => (side === BASE ? 'base' : side);
    note(BASE, `# interleaved session: base + ${measured.length - 1} candidate(s), ${rounds} round(s) per bench file`);

    for (const file of input.benchFiles) {
      const timedOut = new Set<SideId>();
      for (const [index, order] of interleave(measured, rounds).entries()) {
        note(BASE, `## ${file}, round ${index + 1}: ${order.map(label).join(', ')}`);
        for (const side of order) {
          if (input.signal?.aborted) throw new Error('interrupted');
          const round = collected.get(side)![index] as RunnerFile[];
          if (timedOut.has(side)) {
            // It would only time out again.
            round.push({ file, error: 'skipped: timed out in an earlier round', tasks: [] });
            continue;
          }
          const sandbox = ready.get(side)!;
          // Nothing of this side may outlive its turn: a process left running by the bench code would
          // take CPU from the sides measured next (or wait to read the next run's secret).
          await killLeftovers(sandbox, keepalive.get(side)!);
          const nonce = randomBytes(16).toString('hex');
          await sandbox.putTar(await tarOf([{ name: NONCE_FILE_NAME, content: nonce, mode: 0o400 }], SANDBOX_UID), '/work');
          const run = await sandbox.exec(['node', RUNNER_IN_CONTAINER, file], { user: SANDBOX_USER, workdir: WORKDIR, timeoutMs: input.timeoutMs });
          await killLeftovers(sandbox, keepalive.get(side)!);
          note(side, `## round ${index + 1}, ${side === BASE ? 'base' : 'entrant'}${side === BASE ? '' : ` ${side}`}: ${file} (${run.durationMs} ms, exit ${run.exitCode ?? 'none'})`, run.stdout.trimEnd());
          if (run.stderr.trim()) note(side, '--- stderr', run.stderr.trimEnd());
          if (run.timedOut) timedOut.add(side);
          // The runner exits 0 after its line; any other end means the bench code cut it short.
          const parsed = run.exitCode === 0 ? parseRunnerOutput(run.stdout, nonce)?.filter((f) => f.file === file) : null;
          round.push(...(parsed && parsed.length > 0 ? parsed : [{ file, error: runnerFailure(run, input.timeoutMs), tasks: [] }]));
        }
      }
    }

    endedAt = Date.now();
    const measuredNames = measured.filter((s): s is string => s !== BASE);
    const summaries = summariseSession(
      { base: collected.get(BASE)!, candidates: Object.fromEntries(measuredNames.map((n) => [n, collected.get(n)!])) },
      input.benchFiles, threshold, input.referencePool,
    );
    for (const name of measuredNames) {
      const summary = summaries[name]!;
      if (summary.baseFailed.length > 0) note(name, `## tasks base could not run (${name})`, ...summary.baseFailed);
      if (summary.entrantErrors.length > 0) note(name, `## failures on ${name}'s side`, ...summary.entrantErrors);
      await finish(name, {
        ran: true,
        tasks: summary.tasks,
        ratio: summary.ratio,
        relativeTo: summary.relativeTo,
        regression: summary.regression,
        ...(summary.entrantErrors.length > 0 ? { error: `the bench failed on the entrant's side: ${summary.entrantErrors.slice(0, 3).join('; ')}` } : {}),
      });
    }
  } catch (err) {
    await finishAll({ ran: false, error: `performance check could not run: ${errorMessage(err)}` });
  } finally {
    await Promise.all(sandboxes.map((s) => s.remove()));
    if (input.sessionLogFile) await writeLog(input.sessionLogFile, sessionLog);
  }
  return results;
}

async function writeLog(file: string, lines: string[]): Promise<boolean> {
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${lines.join('\n')}\n`);
    return true;
  } catch {
    return false;
  }
}

/** Where the runner finds its secret (under /work, which the sandbox user owns; see perf-runner.mjs). */
const NONCE_FILE_NAME = '.tourney-perf-nonce';

/**
 * The container's own processes (init, its time limit, the keepalive), read before any entrant code
 * has run: every other process of the sandbox user can then be killed between turns without stopping
 * the container. PIDs only grow in a fresh PID namespace, so nothing started later can take one over.
 */
async function containerPids(sandbox: Sandbox): Promise<string[]> {
  const run = await sandbox.exec(['sh', '-c', 'for p in /proc/[0-9]*; do echo "${p#/proc/}"; done; echo "self $$"'], { user: SANDBOX_USER, workdir: WORKDIR, timeoutMs: 10_000 });
  const lines = run.stdout.trim().split('\n');
  const self = lines.find((l) => l.startsWith('self '))?.slice(5);
  const pids = lines.filter((l) => /^\d+$/.test(l) && l !== self);
  if (!pids.includes('1')) throw new Error(`cannot list the benchmark container's processes (${run.stderr.trim() || 'no output'})`);
  return pids;
}

/** Kills every process of the sandbox user but the container's own: whatever a bench left running. */
async function killLeftovers(sandbox: Sandbox, keep: string[]): Promise<void> {
  const spared = keep.map((p) => `[ "$p" = ${p} ]`).join(' || ');
  await sandbox.exec(['sh', '-c', `for p in /proc/[0-9]*; do p=\${p#/proc/}; ${spared} || [ "$p" = $$ ] || kill -KILL "$p" 2>/dev/null; done; exit 0`], { user: SANDBOX_USER, workdir: WORKDIR, timeoutMs: 10_000 });
}

/** The check when the entrant's benchmarks do not run: no environment, or (`skipped`) already out on a gate. */
export async function perfNotRun(
  error: string, logFile: string, logRelPath: string,
  extra: { skipped?: PerfCheck['skipped']; tasks?: PerfCheck['tasks']; threshold?: number; rounds?: number } = {},
): Promise<PerfCheck> {
  await mkdir(dirname(logFile), { recursive: true });
  await writeFile(logFile, `[tourney: not run: ${error}]\n`);
  const { skipped, tasks = [], threshold = 0, rounds = 0 } = extra;
  return { ran: false, tasks, ratio: null, relativeTo: null, regression: false, error, threshold, rounds, durationMs: 0, logPath: logRelPath, ...(skipped ? { skipped } : {}) };
}

function runnerFailure(run: ExecResult, timeoutMs: number): string {
  if (run.timedOut) return `timed out after ${Math.round(timeoutMs / 1000)} s`;
  const tail = run.stderr.trim().split('\n').slice(-3).join(' | ');
  return `the runner exited with ${run.exitCode} without a result${tail ? `: ${tail}` : ''}`;
}

function validate(input: PerfSessionInput, rounds: number, threshold: number): string | null {
  if (!Number.isInteger(rounds) || rounds < 1) return `rounds must be a positive integer, got ${rounds}`;
  if (!(threshold >= 0 && threshold < 1)) return `threshold must be in [0, 1), got ${threshold}`;
  if (input.benchFiles.length === 0) return 'no bench files to run';
  if (new Set(input.candidates.map((c) => c.name)).size !== input.candidates.length) return 'candidate names must be distinct';
  const paths = [...input.benchFiles, ...input.overlays.map((o) => o.repoPath)];
  const outside = paths.find((p) => isAbsolute(p) || /^\.\.(\/|$)/.test(posix.normalize(p)) || p.startsWith('-'));
  if (outside !== undefined) return `bench path must stay inside the repository: ${outside}`;
  const missing = input.overlays.find((o) => !existsSync(o.hostPath));
  if (missing) return `overlay file not found: ${missing.hostPath}`;
  return null;
}

/** tinybench's package directory. Its exports hide package.json, so walk up from its entry point. */
function tinybenchDir(): string {
  let dir = dirname(createRequire(import.meta.url).resolve('tinybench'));
  while (dirname(dir) !== dir) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'tinybench') return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot locate the tinybench package');
}
