import { writeFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import { Sandbox, type SandboxLimits } from '../sandbox/container.js';
import { applyPatch, prepareWorkspace, runShell } from '../sandbox/workspace.js';
import { errorMessage } from '../errors.js';
import type { TestCheck } from '../types.js';
import { parseTestCounts } from './counts.js';

export interface TestCheckInput {
  image: string;
  runId: string;
  entrant: string;
  baseTar: string;
  patch: string;
  test: string;
  setup?: string;
  limits: SandboxLimits;
  timeoutMs: number;
  /** Absolute path for the log; `logPath` in the result is `logRelPath`. */
  logFile: string;
  logRelPath: string;
}

/**
 * Runs the spec's test command on base + patch in a fresh container with no network. Nothing from
 * the entrant's own container is trusted: only its patch crosses over, as data.
 */
export async function runTestCheck(docker: Docker, input: TestCheckInput): Promise<TestCheck> {
  const started = Date.now();
  const log: string[] = [];
  const finish = async (check: Omit<TestCheck, 'durationMs' | 'logPath'>): Promise<TestCheck> => {
    await writeFile(input.logFile, log.join('\n'));
    return { ...check, durationMs: Date.now() - started, logPath: input.logRelPath };
  };

  let sandbox: Sandbox | undefined;
  try {
    sandbox = await Sandbox.create(docker, {
      image: input.image,
      runId: input.runId,
      role: `referee:${input.entrant}`,
      name: `tourney-${input.runId}-referee-${input.entrant}`,
      limits: input.limits,
      network: 'none',
    });
    await prepareWorkspace(sandbox, input.baseTar);
    const applied = await applyPatch(sandbox, input.patch);
    if (!applied.ok) {
      log.push(`$ git apply entrant.patch`, applied.message);
      return await finish({ passed: false, exitCode: null, counts: null, error: `the entrant's patch does not apply: ${applied.message.trim()}` });
    }
    if (input.setup) {
      log.push(`$ ${input.setup}`);
      const setup = await runShell(sandbox, input.setup, input.timeoutMs);
      log.push(setup.stdout);
      if (setup.exitCode !== 0) {
        const why = setup.timedOut ? 'timed out' : `exited with ${setup.exitCode}`;
        return await finish({ passed: false, exitCode: setup.exitCode, counts: null, error: `setup command ${why}` });
      }
    }
    log.push(`$ ${input.test}`);
    const test = await runShell(sandbox, input.test, input.timeoutMs);
    log.push(test.stdout);
    if (test.timedOut) log.push(`[tourney: test command killed after ${Math.round(input.timeoutMs / 1000)} s]`);
    return await finish({
      passed: test.exitCode === 0,
      exitCode: test.exitCode,
      counts: parseTestCounts(test.stdout),
      ...(test.timedOut ? { error: `test command timed out after ${Math.round(input.timeoutMs / 1000)} s` } : {}),
    });
  } catch (err) {
    log.push(`[tourney: referee error: ${errorMessage(err)}]`);
    return await finish({ passed: null, exitCode: null, counts: null, error: `referee could not run the tests: ${errorMessage(err)}` });
  } finally {
    await sandbox?.remove();
  }
}
