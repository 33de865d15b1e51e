import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { git } from '../git/repo.js';
import { RESERVED_NAMES } from '../config/schema.js';
import { TourneyError } from '../errors.js';
import { stripControl } from '../text/control.js';
import { checkDiffSize, DiffTooLarge } from '../diff-limit.js';

export interface CandidateSource {
  name: string;
  /** What the user wrote after "=". */
  source: string;
  kind: 'ref' | 'patch';
  /** Commit id for refs, absolute path for patch files. */
  resolved: string;
}

const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,39}$/;

/** Parses `--candidate NAME=REF_OR_PATCH` values; a path to an existing file is a patch, anything else a git ref. */
export async function parseCandidates(root: string, values: string[]): Promise<CandidateSource[]> {
  if (values.length === 0) throw new TourneyError('--candidate: expected at least one, e.g. --candidate a=feature-branch --candidate b=fix.patch');
  const seen = new Set<string>();
  const out: CandidateSource[] = [];
  for (const value of values) {
    const eq = value.indexOf('=');
    const name = value.slice(0, eq);
    const source = value.slice(eq + 1);
    if (eq < 1 || source.length === 0) throw new TourneyError(`--candidate "${value}": expected NAME=REF_OR_PATCH, e.g. claude=agent/claude-attempt or fix=./fix.patch`);
    if (!NAME_RE.test(name) || name.includes('..') || name.endsWith('.lock')) {
      throw new TourneyError(`--candidate "${value}": expected a name of 1-40 lower-case letters, digits, ".", "_" or "-" before "=" (it becomes a branch name), got "${name}"`);
    }
    if ((RESERVED_NAMES as readonly string[]).includes(name)) throw new TourneyError(`--candidate "${value}": expected a name other than "${name}": tourney keeps the winner's branch as tourney/<run>/winner`);
    if (seen.has(name)) throw new TourneyError(`--candidate "${value}": the name "${name}" is used by another candidate`);
    seen.add(name);
    const file = resolve(source);
    const isFile = await stat(file).then((s) => s.isFile(), () => false);
    if (isFile) {
      out.push({ name, source, kind: 'patch', resolved: file });
      continue;
    }
    const commit = await git(root, ['rev-parse', '--verify', '--quiet', `${source}^{commit}`]);
    if (commit.exitCode !== 0) throw new TourneyError(`--candidate "${value}": "${source}" is neither a patch file nor a git ref (branch, tag or commit) in ${root}`);
    out.push({ name, source, kind: 'ref', resolved: commit.stdout });
  }
  return out;
}

/** `--base REF`, else the merge base of HEAD and every ref candidate (patches are taken to apply to HEAD). */
export async function resolveBase(root: string, head: string, candidates: CandidateSource[], base?: string): Promise<string> {
  if (base) {
    const commit = await git(root, ['rev-parse', '--verify', '--quiet', `${base}^{commit}`]);
    if (commit.exitCode !== 0) throw new TourneyError(`--base "${base}": not a git ref (branch, tag or commit) in ${root}`);
    return commit.stdout;
  }
  const refs = candidates.filter((c) => c.kind === 'ref').map((c) => c.resolved);
  if (refs.length === 0) return head;
  const merged = await git(root, ['merge-base', '--octopus', head, ...refs]);
  if (merged.exitCode !== 0 || !merged.stdout) {
    throw new TourneyError(`the candidates share no history with HEAD (${head.slice(0, 12)}); pass --base REF to say which commit they start from`);
  }
  return merged.stdout;
}

/**
 * The candidate's change against `base`, as a binary-safe patch; DiffTooLarge beyond `maxBytes`.
 * `exclude`: repo-relative paths left out of a ref's diff (the gate's spec and hidden tests).
 */
export async function candidatePatch(root: string, base: string, candidate: CandidateSource, maxBytes = Infinity, exclude: string[] = []): Promise<string> {
  if (candidate.kind === 'patch') {
    if ((await stat(candidate.resolved)).size > maxBytes) throw new DiffTooLarge(maxBytes);
    return readFile(candidate.resolved, 'utf8');
  }
  const diff = await git(root, ['-c', 'diff.external=', 'diff', '--binary', '--no-ext-diff', '--no-textconv', '--no-color', base, candidate.resolved, ...(exclude.length > 0 ? ['--', '.', ...exclude.map((path) => `:(exclude,literal)${path}`)] : [])], {
    ...(Number.isFinite(maxBytes) && { maxBuffer: maxBytes + 1 }),
  });
  if (diff.isMaxBuffer) throw new DiffTooLarge(maxBytes);
  if (diff.exitCode !== 0) throw new TourneyError(`--candidate ${candidate.name}: git diff ${base.slice(0, 12)} ${candidate.source} failed: ${diff.stderr}`);
  return checkDiffSize(diff.stdout.length > 0 ? `${diff.stdout}\n` : '', maxBytes);
}

/**
 * Patch-file candidates must be patches that apply to the base: checked with `git apply --check`
 * against a temporary index of the base (the user's index and working tree are never touched), so an
 * empty, binary-without-index or stale patch is bad input now, not a referee failure minutes later.
 */
export async function checkPatchesApply(root: string, base: string, candidates: CandidateSource[]): Promise<void> {
  const patches = candidates.filter((c) => c.kind === 'patch');
  if (patches.length === 0) return;
  const dir = await mkdtemp(join(tmpdir(), 'tourney-patch-check-'));
  try {
    const env = { GIT_INDEX_FILE: join(dir, 'index') };
    const read = await git(root, ['read-tree', base], { env });
    if (read.exitCode !== 0) throw new Error(`git read-tree ${base} failed: ${read.stderr}`);
    for (const c of patches) {
      const text = await readFile(c.resolved);
      if (text.toString('utf8').trim() === '') throw new TourneyError(`--candidate ${c.name}=${c.source}: the patch file is empty (expected a diff, e.g. from "git diff" or "git format-patch")`);
      const check = await git(root, ['apply', '--cached', '--check', '--whitespace=nowarn', c.resolved], { env });
      if (check.exitCode !== 0) {
        const why = stripControl(check.stderr).trim().split('\n').slice(0, 3).join('; ');
        throw new TourneyError(`--candidate ${c.name}=${c.source}: the patch does not apply to the base ${base.slice(0, 12)} (${why || 'git apply found no change in it'}); pass --base REF for the commit it was made on`);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
