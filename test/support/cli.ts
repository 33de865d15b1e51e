import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { RunResult } from '../../src/types.js';

/** Runs the CLI in process, as a user would from a shell; returns the exit code, stdout and stderr. */
export async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((stdout += String(c)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((stderr += String(c)), true));
  try {
    return { code: await main(['node', 'tourney', ...args]), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** `cli` for commands given --json: the parsed result.json, or null when the run printed none. */
export async function cliResult(...args: string[]): Promise<{ code: number; result: RunResult | null; stderr: string }> {
  const { code, stdout, stderr } = await cli(...args);
  return { code, result: stdout.trim() ? (JSON.parse(stdout) as RunResult) : null, stderr };
}
