import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TourneyError } from '../errors.js';
import { git } from '../git/repo.js';
import { packetSummary } from './packet.js';
import { formatTrailers } from './provenance.js';
import type { PromoteRecord } from './types.js';
import type { Promotable } from './winner.js';
import { unsafeToAdvance, worktreeOf } from './worktrees.js';

export interface MergePlan {
  target: string;
  old: string;
  how: 'up-to-date' | 'fast-forward' | 'merge';
  /** The worktree that has the target checked out (advanced with `git merge --ff-only`), or null. */
  worktree: string | null;
  /** Conflicted paths a real merge would stop on (dry run only; from git merge-tree). */
  conflicts: string[];
}

const refuse = (message: string) => new TourneyError(message, { exitCode: 1 });

async function isAncestor(root: string, a: string, b: string): Promise<boolean> {
  return (await git(root, ['merge-base', '--is-ancestor', a, b])).exitCode === 0;
}

/** What a merge of the winner into `target` would do; changes nothing. */
export async function planMerge(w: Promotable, target: string): Promise<MergePlan> {
  if ((await git(w.root, ['check-ref-format', '--branch', target])).exitCode !== 0) {
    throw new TourneyError(`--into "${target}": not a valid branch name`);
  }
  const rev = await git(w.root, ['rev-parse', '--verify', '--quiet', `refs/heads/${target}^{commit}`]);
  if (rev.exitCode !== 0) throw new TourneyError(`--into ${target}: no such branch in ${w.root} (expected an existing local branch)`);
  const old = rev.stdout.trim();
  const worktree = await worktreeOf(w.root, target);
  const how = (await isAncestor(w.root, w.winnerCommit, old)) ? 'up-to-date' : (await isAncestor(w.root, old, w.winnerCommit)) ? 'fast-forward' : 'merge';
  let conflicts: string[] = [];
  if (how === 'merge') {
    // merge-tree writes objects only (no ref, no index, no worktree): a safe conflict forecast.
    const probe = await git(w.root, ['merge-tree', '--write-tree', '--name-only', '-z', '--no-messages', old, w.winnerCommit]);
    if (probe.exitCode === 1) conflicts = probe.stdout.split('\0').slice(1).filter(Boolean);
  }
  return { target, old, how, worktree, conflicts };
}

/** Author/committer for the merge commit: the user's identity when git has one, else tourney's. */
async function identity(root: string): Promise<Record<string, string>> {
  const name = await git(root, ['config', 'user.name']);
  const email = await git(root, ['config', 'user.email']);
  if (name.exitCode === 0 && email.exitCode === 0 && name.stdout && email.stdout) return {};
  return { GIT_AUTHOR_NAME: 'tourney', GIT_AUTHOR_EMAIL: 'tourney@localhost', GIT_COMMITTER_NAME: 'tourney', GIT_COMMITTER_EMAIL: 'tourney@localhost' };
}

/**
 * The merge commit of `old` and the winner, made in a throw-away detached worktree (never the
 * user's), removed afterwards whatever happens. A conflict refuses with the conflicted paths.
 */
async function mergeCommit(w: Promotable, plan: MergePlan): Promise<string> {
  const scratch = await mkdtemp(join(tmpdir(), 'tourney-merge-'));
  const dir = join(scratch, 'worktree');
  try {
    const add = await git(w.root, ['worktree', 'add', '--detach', '--quiet', dir, plan.old]);
    if (add.exitCode !== 0) throw new Error(`git worktree add failed: ${add.stderr}`);
    const message = `${packetSummary(w.result, { markdown: false })}\n\n${formatTrailers(w.provenance)}`;
    const merged = await git(dir, ['merge', '--no-ff', '--no-edit', '--no-verify', '-m', message, w.winnerCommit], { env: await identity(w.root) });
    if (merged.exitCode !== 0) {
      const unmerged = await git(dir, ['diff', '--name-only', '--diff-filter=U']);
      const paths = unmerged.stdout.split('\n').filter(Boolean);
      await git(dir, ['merge', '--abort']);
      throw refuse(paths.length
        ? `cannot merge ${w.winnerBranch} into ${plan.target}: conflict in ${paths.join(', ')}; ${plan.target} was not changed (merge it by hand, or promote with --to pr)`
        : `cannot merge ${w.winnerBranch} into ${plan.target}: ${(merged.stderr || merged.stdout).trim().split('\n')[0]}; ${plan.target} was not changed`);
    }
    return (await git(dir, ['rev-parse', 'HEAD'])).stdout.trim();
  } finally {
    await git(w.root, ['worktree', 'remove', '--force', dir]);
    await rm(scratch, { recursive: true, force: true });
    await git(w.root, ['worktree', 'prune']);
  }
}

/** Moves `target` from plan.old to `next` without ever losing a change (compare-and-swap). */
async function advance(w: Promotable, plan: MergePlan, next: string): Promise<void> {
  if (plan.worktree) {
    // Checked out: git itself moves the branch, index and files together, and refuses to clobber.
    const why = await unsafeToAdvance(plan.worktree, plan.old, next);
    if (why) throw refuse(`cannot promote into ${plan.target}: it is checked out in ${plan.worktree} and ${why}; nothing was changed`);
    const ff = await git(plan.worktree, ['merge', '--ff-only', '--no-verify', '--quiet', next]);
    if (ff.exitCode !== 0) throw refuse(`cannot advance ${plan.target} in ${plan.worktree}: ${(ff.stderr || ff.stdout).trim().split('\n')[0]}; nothing was changed`);
    return;
  }
  const upd = await git(w.root, ['update-ref', '-m', `tourney promote ${w.result.runId}`, `refs/heads/${plan.target}`, next, plan.old]);
  if (upd.exitCode !== 0) throw refuse(`cannot update ${plan.target}: it moved while promoting (${upd.stderr.trim()}); nothing was changed`);
}

export function describeMerge(w: Promotable, plan: MergePlan): string[] {
  const where = plan.worktree ? ` (checked out in ${plan.worktree}: advanced with git merge --ff-only, refused if that would lose a change)` : '';
  switch (plan.how) {
    case 'up-to-date':
      return [`${plan.target} already contains ${w.winnerBranch} (${w.winnerCommit.slice(0, 12)}): nothing to do`];
    case 'fast-forward':
      return [`fast-forward ${plan.target} ${plan.old.slice(0, 12)} -> ${w.winnerCommit.slice(0, 12)} (${w.winnerBranch})${where}`];
    case 'merge':
      return [
        `merge ${w.winnerBranch} (${w.winnerCommit.slice(0, 12)}) into ${plan.target} (${plan.old.slice(0, 12)}, moved since the run's base) in a temporary worktree${where}`,
        ...(plan.conflicts.length ? [`would conflict in ${plan.conflicts.join(', ')}: the merge would be refused`] : []),
      ];
  }
}

export async function promoteMerge(w: Promotable, target: string, dryRun: boolean): Promise<PromoteRecord> {
  const plan = await planMerge(w, target);
  const base = {
    mode: 'merge' as const, runId: w.result.runId, winner: w.winner, winnerBranch: w.winnerBranch, winnerCommit: w.winnerCommit,
    target, oldSha: plan.old, worktree: plan.worktree, dryRun, plan: describeMerge(w, plan),
  };
  if (dryRun) return { ...base, action: 'planned', newSha: null, at: new Date().toISOString() };
  if (plan.how === 'up-to-date') return { ...base, action: 'up-to-date', newSha: plan.old, at: new Date().toISOString() };
  if (plan.worktree) {
    // Refuse before making anything when the checkout is dirty.
    const why = await unsafeToAdvance(plan.worktree, plan.old, w.winnerCommit);
    if (why) throw refuse(`cannot promote into ${plan.target}: it is checked out in ${plan.worktree} and ${why}; nothing was changed`);
  }
  const next = plan.how === 'fast-forward' ? w.winnerCommit : await mergeCommit(w, plan);
  await advance(w, plan, next);
  return { ...base, action: plan.how, newSha: next, at: new Date().toISOString() };
}
