import type { Sandbox } from './container.js';
import { SANDBOX_UID } from './labels.js';
import { FILE_LIST_ENTRY, tarOf } from './tar.js';
import { DiffTooLarge } from '../diff-limit.js';

/** Where the repository copy lives inside every sandbox. */
export const WORKDIR = '/work/repo';
export const SANDBOX_USER = String(SANDBOX_UID);
const FILE_LIST = `/work/${FILE_LIST_ENTRY}`;

// Hooks, external diff drivers and textconv filters are all ways a repo (or an agent that edited
// .git/config) could run code or hide changes when tourney itself calls git.
const SAFE_GIT = ['git', '-c', 'core.hooksPath=/dev/null', '-c', 'diff.external=', '-c', 'core.fsmonitor=false'];

/** What a prepared environment installed (node_modules/, .venv/...): gitignore patterns, kept out of every diff. */
export const ENV_EXCLUDE_FILE = '/work/.tourney-env/exclude';

/**
 * Unpacks the base snapshot (a tar with a `repo/` prefix and its file list, owned by the sandbox
 * user) and commits exactly the listed files, so opencode sees a project with history and tourney
 * can diff against a known commit. What the image already holds under the repository (a prepared
 * environment's installs) is neither committed nor, through .git/info/exclude, ever part of a diff.
 */
export async function prepareWorkspace(sandbox: Sandbox, baseTar: string): Promise<string> {
  await sandbox.putTar(baseTar, '/work');
  const init = await sandbox.exec(['sh', '-c', [...WORKSPACE_SCRIPT, 'git rev-parse HEAD'].join('\n')], { user: SANDBOX_USER, workdir: WORKDIR, timeoutMs: 120_000 });
  if (init.exitCode !== 0) throw new Error(`could not prepare the repository copy: ${init.stderr || init.stdout}`);
  return init.stdout.trim();
}

const WORKSPACE_SCRIPT = [
  'set -e',
  'git init -q',
  `if [ -f ${ENV_EXCLUDE_FILE} ]; then cat ${ENV_EXCLUDE_FILE} >> .git/info/exclude; fi`,
  // update-index takes literal paths, ignores .gitignore (the list is what was committed) and is
  // linear in the file count, where `git add --pathspec-from-file` matches every path against every
  // pathspec. (A snapshot without a list, from an older caller, commits what git would add.)
  `if [ -s ${FILE_LIST} ]; then git update-index --add -z --stdin < ${FILE_LIST}; elif [ ! -e ${FILE_LIST} ]; then git add -A; fi`,
  'git commit -q --allow-empty --no-verify -m "tourney base"',
  `rm -f ${FILE_LIST}`,
];

const PATCH_FAILED_EXIT = 91;

/**
 * prepareWorkspace, then applyPatch, in one exec (the referee starts two containers per entrant, and
 * each round trip to the engine counts there). Throws as prepareWorkspace does; a patch that does not
 * apply is `ok: false` with git's message, as from applyPatch.
 */
export async function prepareWorkspaceWithPatch(sandbox: Sandbox, baseTar: string, patch: string): Promise<{ ok: boolean; message: string }> {
  if (patch.trim().length === 0) {
    await prepareWorkspace(sandbox, baseTar);
    return { ok: true, message: 'empty patch' };
  }
  await sandbox.putTar(baseTar, '/work');
  await sandbox.putTar(await tarOf([{ name: 'entrant.patch', content: patch }], SANDBOX_UID), '/work');
  const apply = `${SAFE_GIT.join(' ')} apply --binary --whitespace=nowarn /work/entrant.patch 1>&2 || exit ${PATCH_FAILED_EXIT}`;
  const run = await sandbox.exec(['sh', '-c', [...WORKSPACE_SCRIPT, apply].join('\n')], { user: SANDBOX_USER, workdir: WORKDIR, timeoutMs: 240_000 });
  if (run.exitCode === PATCH_FAILED_EXIT) return { ok: false, message: run.stderr || run.stdout };
  if (run.exitCode !== 0) throw new Error(`could not prepare the repository copy: ${run.stderr || run.stdout}`);
  return { ok: true, message: run.stderr || run.stdout };
}

/** Runs a shell command from the spec (setup, test) in the repo copy, as the sandbox user. */
export async function runShell(sandbox: Sandbox, command: string, timeoutMs: number, env?: Record<string, string>) {
  return sandbox.exec(shellCommand(command), { user: SANDBOX_USER, workdir: WORKDIR, timeoutMs, env });
}

/** `sh -c` with stderr folded into stdout for the whole command, so `a && b` logs a's errors too. */
export function shellCommand(command: string): string[] {
  return ['sh', '-c', `exec 2>&1\n${command}`];
}

const TOO_LARGE_EXIT = 90;

/** Everything the agent changed relative to the base commit, as a binary-safe patch of at most `maxBytes`. */
export async function extractDiff(sandbox: Sandbox, baseCommit: string, options: { timeoutMs?: number; maxBytes?: number } = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const diff = `${SAFE_GIT.join(' ')} diff --cached --binary --no-ext-diff --no-textconv --no-color ${baseCommit}`;
  // Measured first without keeping it (head stops reading past the cap), so an oversized diff is
  // neither written to the container's disk nor sent to the host.
  const script = [
    // The entrant wrote .git/ too: its filter, diff and merge drivers must not run while its changes are read
    // (info/attributes overrides .gitattributes; a symlinked .git/info is replaced, not written through).
    `{ if [ -L .git/info ]; then rm -f .git/info; fi; mkdir -p .git/info && rm -f .git/info/attributes && printf '* !filter !diff !merge\\n' > .git/info/attributes; }`,
    `${SAFE_GIT.join(' ')} add -A`,
    `n=$(${diff} | head -c ${maxBytes + 1} | wc -c)`,
    `if [ "$n" -gt ${maxBytes} ]; then exit ${TOO_LARGE_EXIT}; fi`,
    diff,
  ].join(' && ');
  const result = await sandbox.exec(['sh', '-c', script], {
    user: SANDBOX_USER,
    workdir: WORKDIR,
    timeoutMs,
    maxOutputBytes: maxBytes + 64 * 1024,
  });
  if (result.timedOut) throw new Error(`reading the entrant's changes took longer than ${Math.round(timeoutMs / 1000)} s`);
  if (result.exitCode === TOO_LARGE_EXIT) throw new DiffTooLarge(maxBytes);
  if (result.exitCode !== 0) throw new Error(`could not read the entrant's changes: ${result.stderr}`);
  return result.stdout;
}

/** Copies a patch into the sandbox and applies it to the repo copy; with `only`, just those paths of it. */
export async function applyPatch(sandbox: Sandbox, patch: string, only?: string[]): Promise<{ ok: boolean; message: string }> {
  if (patch.trim().length === 0) return { ok: true, message: 'empty patch' };
  await sandbox.putTar(await tarOf([{ name: 'entrant.patch', content: patch }], SANDBOX_UID), '/work');
  // --include takes wildmatch patterns: escape a path's own glob characters.
  const include = (only ?? []).map((path) => `--include=${path.replace(/[\\*?[]/g, (c) => `\\${c}`)}`);
  const result = await sandbox.exec([...SAFE_GIT, 'apply', '--binary', '--whitespace=nowarn', ...include, '/work/entrant.patch'], {
    user: SANDBOX_USER,
    workdir: WORKDIR,
    timeoutMs: 120_000,
  });
  return { ok: result.exitCode === 0, message: result.stderr || result.stdout };
}
