import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, posix } from 'node:path';
import type Docker from 'dockerode';
import { Sandbox, type ExecResult, type SandboxLimits } from '../sandbox/container.js';
import { overlayTar, type Overlay } from '../sandbox/overlay.js';
import { applyPatch, prepareWorkspace, SANDBOX_USER, WORKDIR } from '../sandbox/workspace.js';
import { errorMessage } from '../errors.js';
import { packagePath } from '../paths.js';
import { parseRunnerOutput, summarise, type SideRounds } from './perf-stats.js';
import type { PerfCheck } from './types.js';

export interface PerfCheckInput {
  /** Prepared environments: the run's for the base side, the entrant's (same unless it re-prepared). */
  baseImage: string;
  entrantImage: string;
  runId: string;
  entrant: string;
  baseTar: string;
  patch: string;
  /** Repo-relative bench modules (format: containers/perf-runner.mjs), as they exist after overlays. */
  benchFiles: string[];
  /** Files from outside the repository (hidden benches) copied into both trees after the patch. */
  overlays: Overlay[];
  limits: SandboxLimits;
  rounds?: number;
  threshold?: number;
  /** Per runner invocation. */
  timeoutMs: number;
  logFile: string;
  logRelPath: string;
}

interface Prepared {
  sandbox: Sandbox;
  failure?: string;
}

const OPT = '/opt/tourney';
export const RUNNER_IN_CONTAINER = `${OPT}/perf-runner.mjs`;

/**
 * Benchmarks base and base + patch in two fresh network-less containers, alternating rounds
 * between them so machine noise falls on both sides alike. Never throws.
 */
export async function runPerfCheck(docker: Docker, input: PerfCheckInput): Promise<PerfCheck> {
  const started = Date.now();
  const rounds = input.rounds ?? 3;
  const threshold = input.threshold ?? 0.1;
  const log: string[] = [];
  const finish = async (check: Pick<PerfCheck, 'ran' | 'error'> & Partial<PerfCheck>): Promise<PerfCheck> => {
    const result: PerfCheck = { tasks: [], ratio: null, regression: false, ...check, threshold, rounds, durationMs: 0, logPath: input.logRelPath };
    if (result.error) log.push(`[tourney: ${result.error}]`);
    try {
      await mkdir(dirname(input.logFile), { recursive: true });
      await writeFile(input.logFile, `${log.join('\n')}\n`);
    } catch {
      result.logPath = null;
    }
    return { ...result, durationMs: Date.now() - started };
  };

  const invalid = validate(input, rounds, threshold);
  if (invalid) return finish({ ran: false, error: invalid });

  const sandboxes: Sandbox[] = [];
  try {
    const binds = [`${tinybenchDir()}:${OPT}/node_modules/tinybench`, `${packagePath('containers', 'perf-runner.mjs')}:${RUNNER_IN_CONTAINER}`];
    const overlays = input.overlays.length > 0 ? await overlayTar(input.overlays) : null;
    const create = async (side: 'base' | 'entrant') => {
      const role = side === 'base' ? `perf-base:${input.entrant}` : `perf:${input.entrant}`;
      const name = `tourney-${input.runId}-${side === 'base' ? 'perf-base' : 'perf'}-${input.entrant}`;
      const image = side === 'base' ? input.baseImage : input.entrantImage;
      const sandbox = await Sandbox.create(docker, { image, runId: input.runId, role, name, limits: input.limits, network: 'none', readOnlyBinds: binds });
      sandboxes.push(sandbox);
      return sandbox;
    };
    const prepare = async (side: 'base' | 'entrant'): Promise<Prepared> => {
      const sandbox = await create(side);
      await prepareWorkspace(sandbox, input.baseTar);
      if (side === 'entrant') {
        const applied = await applyPatch(sandbox, input.patch);
        if (!applied.ok) throw new Error(`the entrant's patch does not apply: ${applied.message.trim()}`);
      }
      if (overlays) await sandbox.putTar(overlays, WORKDIR);
      return { sandbox };
    };
    const settled = await Promise.allSettled([prepare('base'), prepare('entrant')]);
    const [base, entrant] = settled.map((s) => {
      if (s.status === 'rejected') throw s.reason;
      return s.value;
    }) as [Prepared, Prepared];
    if (base.failure) return await finish({ ran: false, error: base.failure });
    if (entrant.failure) return await finish({ ran: true, regression: true, error: entrant.failure });

    const results: Record<'base' | 'entrant', SideRounds> = { base: [], entrant: [] };
    for (let round = 1; round <= rounds; round++) {
      // Alternating who goes first keeps a warming (or throttling) machine from favouring one side.
      const order: ('base' | 'entrant')[] = round % 2 === 1 ? ['base', 'entrant'] : ['entrant', 'base'];
      for (const side of order) {
        const previous = results[side].at(-1);
        if (previous && !Array.isArray(previous) && previous.timedOut) {
          results[side].push({ failure: 'skipped: timed out in an earlier round', timedOut: true }); // it would only time out again
          continue;
        }
        const run = await (side === 'base' ? base : entrant).sandbox.exec(['node', RUNNER_IN_CONTAINER, ...input.benchFiles], {
          user: SANDBOX_USER,
          workdir: WORKDIR,
          timeoutMs: input.timeoutMs,
        });
        log.push(`## round ${round}, ${side} (${run.durationMs} ms, exit ${run.exitCode ?? 'none'})`, run.stdout.trimEnd());
        if (run.stderr.trim()) log.push('--- stderr', run.stderr.trimEnd());
        results[side].push(parseRunnerOutput(run.stdout) ?? { failure: runnerFailure(run, input.timeoutMs), timedOut: run.timedOut });
      }
    }

    const summary = summarise(results.base, results.entrant, input.benchFiles, threshold);
    if (summary.baseUnknown.length > 0) log.push('## tasks left out of the ratio (no base measurement)', ...summary.baseUnknown);
    if (summary.entrantErrors.length > 0) log.push("## failures on the entrant's side", ...summary.entrantErrors);
    return await finish({
      ran: true,
      tasks: summary.tasks,
      ratio: summary.ratio,
      regression: summary.regression,
      ...(summary.entrantErrors.length > 0 ? { error: `the bench failed on the entrant's side: ${summary.entrantErrors.slice(0, 3).join('; ')}` } : {}),
    });
  } catch (err) {
    return await finish({ ran: false, error: `performance check could not run: ${errorMessage(err)}` });
  } finally {
    await Promise.all(sandboxes.map((s) => s.remove()));
  }
}

/** The check when the entrant's side has no environment to run in (its dependency change broke the setup). */
export async function perfNotRun(error: string, logFile: string, logRelPath: string): Promise<PerfCheck> {
  await mkdir(dirname(logFile), { recursive: true });
  await writeFile(logFile, `[tourney: not run: ${error}]\n`);
  return { ran: false, tasks: [], ratio: null, regression: false, error, threshold: 0, rounds: 0, durationMs: 0, logPath: logRelPath };
}

function runnerFailure(run: ExecResult, timeoutMs: number): string {
  if (run.timedOut) return `timed out after ${Math.round(timeoutMs / 1000)} s`;
  const tail = run.stderr.trim().split('\n').slice(-3).join(' | ');
  return `the runner exited with ${run.exitCode} without a result${tail ? `: ${tail}` : ''}`;
}

function validate(input: PerfCheckInput, rounds: number, threshold: number): string | null {
  if (!Number.isInteger(rounds) || rounds < 1) return `rounds must be a positive integer, got ${rounds}`;
  if (!(threshold >= 0 && threshold < 1)) return `threshold must be in [0, 1), got ${threshold}`;
  if (input.benchFiles.length === 0) return 'no bench files to run';
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
