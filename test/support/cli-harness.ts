// In-process `tourney` for CLI tests: a fresh git repository per test, stdout and stderr captured.
import { afterEach, beforeEach, vi } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { main } from '../../src/cli/main.js';

export interface CliHarness {
  /** The test's repository (or plain directory with `git: false`). */
  readonly dir: string;
  readonly stdout: string;
  readonly stderr: string;
  /** `tourney ARGS...` in this process; resolves to its exit code. */
  run(...args: string[]): Promise<number>;
}

/**
 * Registers the per-test setup and returns its state. `files` are written and committed first (with
 * `git: true`, the default, the repository has one commit even when there are none).
 */
export function useCliHarness(options: { prefix: string; files?: Record<string, string>; git?: boolean }): CliHarness {
  const state = { dir: '', stdout: '', stderr: '' };
  beforeEach(async () => {
    state.dir = await mkdtemp(join(tmpdir(), `tourney-${options.prefix}-`));
    for (const [name, text] of Object.entries(options.files ?? {})) await writeFile(join(state.dir, name), text);
    if (options.git ?? true) {
      await execa('git', ['init', '-q'], { cwd: state.dir });
      await execa('git', ['add', '.'], { cwd: state.dir });
      await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'init'], { cwd: state.dir });
    }
    state.stdout = '';
    state.stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((state.stdout += String(c)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((state.stderr += String(c)), true));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(state.dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return state.dir;
    },
    get stdout() {
      return state.stdout;
    },
    get stderr() {
      return state.stderr;
    },
    run: (...args: string[]) => main(['node', 'tourney', ...args]),
  };
}
