import type { Sandbox } from './container.js';
import { SANDBOX_UID } from './labels.js';
import { tarOf } from './tar.js';

/** Where the repository copy lives inside every sandbox. */
export const WORKDIR = '/work/repo';
export const SANDBOX_USER = String(SANDBOX_UID);

// Hooks, external diff drivers and textconv filters are all ways a repo (or an agent that edited
// .git/config) could run code or hide changes when tourney itself calls git.
const SAFE_GIT = ['git', '-c', 'core.hooksPath=/dev/null', '-c', 'diff.external=', '-c', 'core.fsmonitor=false'];

/**
 * Unpacks the base snapshot (a tar with a `repo/` prefix, owned by the sandbox user) and commits it,
 * so opencode sees a project with history and tourney can diff against a known commit.
 */
export async function prepareWorkspace(sandbox: Sandbox, baseTar: string): Promise<string> {
  await sandbox.putTar(baseTar, '/work');
  const init = await sandbox.exec(
    ['sh', '-c', 'git init -q && git add -A && git commit -q --allow-empty --no-verify -m "tourney base" && git rev-parse HEAD'],
    { user: SANDBOX_USER, workdir: WORKDIR, timeoutMs: 120_000 },
  );
  if (init.exitCode !== 0) throw new Error(`could not prepare the repository copy: ${init.stderr || init.stdout}`);
  return init.stdout.trim();
}

/** Runs a shell command from the spec (setup, test) in the repo copy, as the sandbox user. */
export async function runShell(sandbox: Sandbox, command: string, timeoutMs: number) {
  return sandbox.exec(['sh', '-c', `${command} 2>&1`], { user: SANDBOX_USER, workdir: WORKDIR, timeoutMs });
}

/** Everything the agent changed relative to the base commit, as a binary-safe patch. */
export async function extractDiff(sandbox: Sandbox, baseCommit: string): Promise<string> {
  const script = [
    `${SAFE_GIT.join(' ')} add -A`,
    `${SAFE_GIT.join(' ')} diff --cached --binary --no-ext-diff --no-textconv --no-color ${baseCommit}`,
  ].join(' && ');
  const result = await sandbox.exec(['sh', '-c', script], {
    user: SANDBOX_USER,
    workdir: WORKDIR,
    timeoutMs: 120_000,
    maxOutputBytes: 64 * 1024 * 1024,
  });
  if (result.exitCode !== 0) throw new Error(`could not read the entrant's changes: ${result.stderr}`);
  return result.stdout;
}

/** Copies a patch into the sandbox and applies it to the repo copy. */
export async function applyPatch(sandbox: Sandbox, patch: string): Promise<{ ok: boolean; message: string }> {
  if (patch.trim().length === 0) return { ok: true, message: 'empty patch' };
  await sandbox.putTar(await tarOf([{ name: 'entrant.patch', content: patch }], SANDBOX_UID), '/work');
  const result = await sandbox.exec([...SAFE_GIT, 'apply', '--binary', '--whitespace=nowarn', '/work/entrant.patch'], {
    user: SANDBOX_USER,
    workdir: WORKDIR,
    timeoutMs: 120_000,
  });
  return { ok: result.exitCode === 0, message: result.stderr || result.stdout };
}
