import { mkdtemp, rm, appendFile, readFile, mkdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { TourneyError } from '../errors.js';

/** Runs git in `cwd` with no pager, no hooks and no user prompts: tourney never wants interaction. */
export async function git(cwd: string, args: string[], options: { env?: Record<string, string>; input?: string; maxBuffer?: number } = {}) {
  const result = await execa('git', ['-c', 'core.hooksPath=/dev/null', ...args], {
    cwd,
    env: { GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', ...options.env },
    input: options.input,
    ...(options.maxBuffer !== undefined && { maxBuffer: options.maxBuffer }),
    reject: false,
    stripFinalNewline: true,
  });
  return result;
}

async function gitOrThrow(cwd: string, args: string[], env?: Record<string, string>): Promise<string> {
  const result = await git(cwd, args, { env });
  if (result.exitCode !== 0) {
    throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${result.stderr || result.stdout}`);
  }
  return result.stdout;
}

export interface RepoInfo {
  root: string;
  head: string;
  /** Branch name, or null on a detached HEAD. */
  branch: string | null;
  dirty: boolean;
}

/** The repository that contains `dir`, with a clear error for "not a repo" and "no commit yet". */
export async function openRepo(dir: string): Promise<RepoInfo> {
  const abs = resolve(dir);
  const kind = await stat(abs).catch(() => null);
  if (!kind) throw new TourneyError(`${abs}: no such directory (the repository, --repo)`);
  if (!kind.isDirectory()) throw new TourneyError(`${abs}: is a file, expected the repository's directory (--repo)`);
  const top = await git(abs, ['rev-parse', '--show-toplevel']);
  if (top.failed && (top as { code?: string }).code === 'ENOENT') {
    throw new TourneyError('git is not installed (or not on PATH): tourney needs git to read the repository and keep branches', { exitCode: 3 });
  }
  if (top.exitCode !== 0) {
    throw new TourneyError(`${abs}: not a git repository (tourney needs a repository with at least one commit; run "git init" and commit first)`);
  }
  const root = top.stdout;
  const head = await git(root, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  if (head.exitCode !== 0) {
    throw new TourneyError(`${root}: the repository has no commit yet (entrants start from HEAD; commit your code first)`);
  }
  const branch = await git(root, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  const status = await git(root, ['status', '--porcelain', '--untracked-files=no']);
  return { root, head: head.stdout, branch: branch.exitCode === 0 ? branch.stdout : null, dirty: status.stdout.length > 0 };
}

/** Keeps `.tourney/` out of `git status` without touching a tracked file (.git/info/exclude is local). */
export async function ensureIgnored(root: string, pattern: string): Promise<void> {
  const probe = pattern.replace(/\/$/, '') + '/probe';
  const ignored = await git(root, ['check-ignore', '-q', '--no-index', probe]);
  if (ignored.exitCode === 0) return;
  const gitDir = resolve(root, await gitOrThrow(root, ['rev-parse', '--git-common-dir']));
  try {
    await mkdir(join(gitDir, 'info'), { recursive: true });
  } catch (err) {
    throw new TourneyError(`${join(gitDir, 'info')}: cannot be made a directory (${(err as NodeJS.ErrnoException).code ?? String(err)}); tourney keeps .tourney/ out of git status through .git/info/exclude`, { cause: err });
  }
  const excludeFile = join(gitDir, 'info', 'exclude');
  const current = await readFile(excludeFile, 'utf8').catch(() => '');
  const sep = current.length > 0 && !current.endsWith('\n') ? '\n' : '';
  await appendFile(excludeFile, `${sep}# added by tourney: run directories\n${pattern}\n`);
}

/**
 * Writes the tree of `commit` as a tar file: exactly what was committed, never uncommitted work.
 * `exclude` paths (repo-relative: the spec, .tourney/) never reach entrants.
 */
export async function archiveCommit(root: string, commit: string, outFile: string, exclude: string[] = [], prefix = ''): Promise<void> {
  const pathspec = ['.', ...exclude.map((path) => `:(exclude,literal)${path}`)];
  const result = await git(root, ['archive', '--format=tar', `--prefix=${prefix}`, '-o', outFile, commit, '--', ...pathspec]);
  if (result.exitCode === 0) return;
  // An empty tree, or one holding only excluded files (a new repository with just the spec), is a
  // valid start: entrants create everything. git archive refuses a pathspec that matches nothing.
  if (/did not match any files/.test(result.stderr)) {
    await writeFile(outFile, Buffer.alloc(1024)); // an empty tar: two zero blocks
    return;
  }
  throw new Error(`git archive ${commit} failed: ${result.stderr}`);
}

export interface BranchFromPatch {
  base: string;
  patchFile: string;
  branch: string;
  message: string;
}

/**
 * Creates `branch` = base + patch using a throw-away index, so the user's working tree,
 * index and current branch are never touched. Refuses to move an existing branch.
 */
export async function createBranchFromPatch(root: string, spec: BranchFromPatch): Promise<string> {
  const ref = `refs/heads/${spec.branch}`;
  const exists = await git(root, ['rev-parse', '--verify', '--quiet', ref]);
  if (exists.exitCode === 0) {
    throw new TourneyError(`branch ${spec.branch} already exists in ${root}; tourney does not overwrite branches`);
  }
  const scratch = await mkdtemp(join(tmpdir(), 'tourney-index-'));
  try {
    const env = { GIT_INDEX_FILE: join(scratch, 'index') };
    await gitOrThrow(root, ['read-tree', spec.base], env);
    const patch = await readFile(spec.patchFile, 'utf8');
    if (patch.trim().length > 0) {
      const applied = await git(root, ['apply', '--cached', '--binary', '--whitespace=nowarn', spec.patchFile], { env });
      if (applied.exitCode !== 0) throw new Error(`patch ${spec.patchFile} does not apply to ${spec.base}: ${applied.stderr}`);
    }
    const tree = await gitOrThrow(root, ['write-tree'], env);
    const commit = await gitOrThrow(root, ['commit-tree', tree, '-p', spec.base, '-m', spec.message], {
      ...env,
      GIT_AUTHOR_NAME: 'tourney',
      GIT_AUTHOR_EMAIL: 'tourney@localhost',
      GIT_COMMITTER_NAME: 'tourney',
      GIT_COMMITTER_EMAIL: 'tourney@localhost',
    });
    // The empty old-value makes update-ref fail rather than clobber a branch created meanwhile.
    await gitOrThrow(root, ['update-ref', ref, commit, '']);
    return commit;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export interface NumstatEntry {
  path: string;
  additions: number;
  deletions: number;
}

/** Per-file line counts of a patch, from git itself (binary files count 0 lines). */
export async function patchNumstat(patchFile: string): Promise<NumstatEntry[]> {
  const text = await readFile(patchFile, 'utf8');
  if (text.trim().length === 0) return [];
  const result = await execa('git', ['apply', '--numstat', patchFile], { reject: false, cwd: tmpdir() });
  if (result.exitCode !== 0) throw new Error(`cannot read patch ${patchFile}: ${result.stderr}`);
  return result.stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const [add = '0', del = '0', ...rest] = line.split('\t');
      return { path: rest.join('\t'), additions: add === '-' ? 0 : Number(add), deletions: del === '-' ? 0 : Number(del) };
    });
}
