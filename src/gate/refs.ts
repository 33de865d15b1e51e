import { git } from '../git/repo.js';
import { TourneyError } from '../errors.js';

export interface GateRefs {
  head: string;
  base: string;
  baseSource: string;
}

async function commitOf(root: string, ref: string): Promise<string | null> {
  const r = await git(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  return r.exitCode === 0 && r.stdout ? r.stdout : null;
}

async function mergeBase(root: string, head: string, other: string, what: string): Promise<string> {
  const r = await git(root, ['merge-base', head, other]);
  if (r.exitCode !== 0 || !r.stdout) throw new TourneyError(`head ${head.slice(0, 12)} shares no history with ${what}; pass --base REF to say which commit to gate against`);
  return r.stdout;
}

/**
 * The commits a gate compares. `--base` wins; else, in a GitHub pull request ($GITHUB_BASE_REF),
 * the merge base with origin/<base ref> (or the local branch); else the merge base with the default
 * branch (origin/HEAD, then main, then master, each local or on origin). Bad refs are bad input.
 */
export async function resolveGateRefs(root: string, options: { head?: string; base?: string; env?: NodeJS.ProcessEnv }): Promise<GateRefs> {
  const headRef = options.head ?? 'HEAD';
  const head = await commitOf(root, headRef);
  if (!head) throw new TourneyError(`--head "${headRef}": not a commit (branch, tag or commit id) in ${root}`);
  if (options.base !== undefined) {
    const base = await commitOf(root, options.base);
    if (!base) throw new TourneyError(`--base "${options.base}": not a commit (branch, tag or commit id) in ${root}`);
    return { head, base, baseSource: `--base ${options.base}` };
  }
  const env = options.env ?? process.env;
  const baseRef = env.GITHUB_BASE_REF?.trim();
  if (baseRef) {
    for (const [ref, shown] of [[`refs/remotes/origin/${baseRef}`, `origin/${baseRef}`], [`refs/heads/${baseRef}`, baseRef]] as const) {
      const commit = await commitOf(root, ref);
      if (commit) return { head, base: await mergeBase(root, head, commit, shown), baseSource: `merge base with ${shown} ($GITHUB_BASE_REF)` };
    }
    throw new TourneyError(
      `$GITHUB_BASE_REF is "${baseRef}", but neither origin/${baseRef} nor a local branch ${baseRef} exists in ${root}`,
      { hint: `fetch it first (actions/checkout with fetch-depth: 0, or git fetch origin ${baseRef}), or pass --base REF` },
    );
  }
  const defaults: [ref: string, shown: string][] = [
    ['refs/remotes/origin/HEAD', 'origin/HEAD'],
    ['refs/heads/main', 'main'],
    ['refs/remotes/origin/main', 'origin/main'],
    ['refs/heads/master', 'master'],
    ['refs/remotes/origin/master', 'origin/master'],
  ];
  for (const [ref, shown] of defaults) {
    const commit = await commitOf(root, ref);
    if (commit) return { head, base: await mergeBase(root, head, commit, shown), baseSource: `merge base with ${shown} (the default branch)` };
  }
  throw new TourneyError(`cannot tell which commit to gate against in ${root}: no --base, no $GITHUB_BASE_REF, and none of origin/HEAD, main or master exists; pass --base REF`);
}

/**
 * Whether head changes anything the referee would see: not when it is the base, has the base's tree,
 * or differs only in `exclude` (repo-relative: the spec and its hidden tests, which are not its code).
 */
export async function changesAnything(root: string, base: string, head: string, exclude: string[] = []): Promise<boolean> {
  if (base === head) return false;
  const pathspec = exclude.length > 0 ? ['--', '.', ...exclude.map((path) => `:(exclude,literal)${path}`)] : [];
  const diff = await git(root, ['diff', '--quiet', '--no-ext-diff', base, head, ...pathspec]);
  if (diff.exitCode !== 0 && diff.exitCode !== 1) throw new Error(`git diff ${base} ${head} failed: ${diff.stderr}`);
  return diff.exitCode === 1;
}
