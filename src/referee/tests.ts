import { writeFile } from 'node:fs/promises';
import type { Engine } from '../sandbox/engine.js';
import { Sandbox, type ExecResult, type SandboxLimits } from '../sandbox/container.js';
import { prepareWorkspaceWithPatch, runShell } from '../sandbox/workspace.js';
import { overlayTar, type Overlay } from '../sandbox/overlay.js';
import { errorMessage } from '../errors.js';
import type { TestCheck } from '../types.js';
import { parseTestCounts } from './counts.js';
import type { TestFileContent } from './sentinel.js';
import { tarOf } from '../sandbox/tar.js';
import { SANDBOX_UID } from '../sandbox/labels.js';

/** How a test check starts its error when a Docker call failed (tourney's words, never the candidate's output). */
export const REFEREE_COULD_NOT_RUN = 'the referee could not run: ';

export type { Overlay } from '../sandbox/overlay.js';

export interface CommandSpec {
  key: string;
  command: string;
  /** File for this command's log; the result's logPath is `logRel`. */
  logFile: string;
  logRel: string;
  /** Files laid over the copy just before this command, and put back as they were after it (the sentinel run). */
  swap?: { during: TestFileContent[]; after: TestFileContent[] };
  /** Hands the command's whole run (output included, which the result does not carry) to the caller. */
  onRun?: (run: ExecResult) => void;
}

export interface CommandRunInput {
  image: string;
  runId: string;
  entrant: string;
  /** Distinguishes this container from the entrant's other referee containers. */
  purpose: string;
  baseTar: string;
  patch: string;
  overlays?: Overlay[];
  commands: CommandSpec[];
  limits: SandboxLimits;
  timeoutMs: number;
  /** Milliseconds spent starting the container, copying the repository in and removing it, added in by key. */
  phases?: Record<string, number>;
}

/** A container with base + patch (+ overlays) laid in and none of the entrant's code run yet, or why there is none. */
export type StartedRun = { sandbox: Sandbox; error?: undefined } | { sandbox?: undefined; error: { message: string; log: string } };

/**
 * Starts a fresh container with no network from the prepared environment (the setup already ran there,
 * once) and lays base + patch (+ overlays) in. Nothing from the entrant's own container is trusted:
 * only its patch crosses over, as data. Nothing of the entrant's runs here, so the referee starts its
 * containers while the static checks and earlier runs go on: each container is still its own
 * (no file, process or network is shared), only the waiting for Docker overlaps. Never rejects.
 */
export async function startRun(engine: Engine, input: Omit<CommandRunInput, 'commands'> & { commandCount: number }): Promise<StartedRun> {
  const phase = phaseTimer(input.phases);
  let sandbox: Sandbox | undefined;
  try {
    sandbox = await phase('container', () => Sandbox.create(engine, {
      image: input.image,
      runId: input.runId,
      role: `referee:${input.entrant}`,
      name: `tourney-${input.runId}-${input.purpose}-${input.entrant}`,
      limits: input.limits,
      network: 'none',
      // Each command's own limit, plus room for the repository copy and the patch.
      lifetimeSec: (input.commandCount * input.timeoutMs) / 1000 + 15 * 60,
    }));
    const box = sandbox;
    const applied = await phase('workspace', () => prepareWorkspaceWithPatch(box, input.baseTar, input.patch));
    if (!applied.ok) {
      await box.remove();
      return { error: { message: `the entrant's patch does not apply: ${applied.message.trim()}`, log: applied.message } };
    }
    if (input.overlays?.length) await box.putTar(await overlayTar(input.overlays), '/work/repo');
    return { sandbox: box };
  } catch (err) {
    await sandbox?.remove();
    return { error: { message: `${REFEREE_COULD_NOT_RUN}${errorMessage(err)}`, log: `[tourney: referee error: ${errorMessage(err)}]` } };
  }
}

/**
 * Runs the commands in a started container, in order; a failed one does not stop the next (each result
 * stands on its own). The container, and whatever the commands left running in it, is gone when this returns.
 */
export async function finishRun(started: StartedRun, input: Pick<CommandRunInput, 'commands' | 'timeoutMs' | 'phases'>): Promise<Record<string, TestCheck>> {
  const results: Record<string, TestCheck> = {};
  const notRun = async (error: string, log: string) => {
    for (const c of input.commands) {
      await writeFile(c.logFile, log);
      results[c.key] = { passed: null, exitCode: null, counts: null, durationMs: 0, logPath: c.logRel, error };
    }
    return results;
  };
  if (!started.sandbox) return notRun(started.error.message, started.error.log);
  const sandbox = started.sandbox;
  try {
    const lay = async (files: TestFileContent[]) => sandbox.putTar(await tarOf(files.map((f) => ({ name: f.path, content: f.content })), SANDBOX_UID), '/work/repo');
    for (const c of input.commands) {
      if (c.swap) await lay(c.swap.during);
      const run = await runShell(sandbox, c.command, input.timeoutMs);
      if (c.swap) await lay(c.swap.after);
      c.onRun?.(run);
      const killed = run.timedOut ? `\n[tourney: killed after ${Math.round(input.timeoutMs / 1000)} s]` : '';
      await writeFile(c.logFile, `$ ${c.command}\n${run.stdout}${killed}`);
      results[c.key] = {
        passed: run.exitCode === 0,
        exitCode: run.exitCode,
        counts: parseTestCounts(run.stdout),
        durationMs: run.durationMs,
        logPath: c.logRel,
        ...(run.timedOut ? { error: `timed out after ${Math.round(input.timeoutMs / 1000)} s` } : {}),
      };
    }
    return results;
  } catch (err) {
    return await notRun(`${REFEREE_COULD_NOT_RUN}${errorMessage(err)}`, `[tourney: referee error: ${errorMessage(err)}]`);
  } finally {
    await phaseTimer(input.phases)('remove', () => sandbox.remove());
  }
}

/** Runs commands on base + patch in a fresh container of their own (startRun, then finishRun). */
export async function runCommands(engine: Engine, input: CommandRunInput): Promise<Record<string, TestCheck>> {
  return finishRun(await startRun(engine, { ...input, commandCount: input.commands.length }), input);
}

function phaseTimer(phases: Record<string, number> | undefined) {
  return async <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
      return await work();
    } finally {
      if (phases) phases[key] = (phases[key] ?? 0) + Date.now() - t0;
    }
  };
}
