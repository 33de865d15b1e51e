import { writeFile } from 'node:fs/promises';
import type { Engine } from '../sandbox/engine.js';
import { Sandbox, type ExecResult, type SandboxLimits } from '../sandbox/container.js';
import { applyPatch, prepareWorkspace, runShell } from '../sandbox/workspace.js';
import { overlayTar, type Overlay } from '../sandbox/overlay.js';
import { errorMessage } from '../errors.js';
import type { TestCheck } from '../types.js';
import { parseTestCounts } from './counts.js';
import type { TestFileContent } from './sentinel.js';
import { tarOf } from '../sandbox/tar.js';
import { SANDBOX_UID } from '../sandbox/labels.js';

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
}

/**
 * Runs commands on base + patch in a fresh container with no network, started from the prepared
 * environment (the setup already ran there, once). Nothing from the entrant's own container is
 * trusted: only its patch crosses over, as data. Commands run in order; a failed one does not stop
 * the next (each result stands on its own).
 */
export async function runCommands(engine: Engine, input: CommandRunInput): Promise<Record<string, TestCheck>> {
  const results: Record<string, TestCheck> = {};
  const notRun = async (error: string, log: string) => {
    for (const c of input.commands) {
      await writeFile(c.logFile, log);
      results[c.key] = { passed: null, exitCode: null, counts: null, durationMs: 0, logPath: c.logRel, error };
    }
    return results;
  };

  let sandbox: Sandbox | undefined;
  try {
    sandbox = await Sandbox.create(engine, {
      image: input.image,
      runId: input.runId,
      role: `referee:${input.entrant}`,
      name: `tourney-${input.runId}-${input.purpose}-${input.entrant}`,
      limits: input.limits,
      network: 'none',
      // Each command's own limit, plus room for the repository copy and the patch.
      lifetimeSec: (input.commands.length * input.timeoutMs) / 1000 + 15 * 60,
    });
    await prepareWorkspace(sandbox, input.baseTar);
    const applied = await applyPatch(sandbox, input.patch);
    if (!applied.ok) return await notRun(`the entrant's patch does not apply: ${applied.message.trim()}`, applied.message);
    if (input.overlays?.length) await sandbox.putTar(await overlayTar(input.overlays), '/work/repo');
    const lay = async (files: TestFileContent[]) => sandbox!.putTar(await tarOf(files.map((f) => ({ name: f.path, content: f.content })), SANDBOX_UID), '/work/repo');
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
    return await notRun(`the referee could not run: ${errorMessage(err)}`, `[tourney: referee error: ${errorMessage(err)}]`);
  } finally {
    await sandbox?.remove();
  }
}

