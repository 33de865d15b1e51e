/** How `tourney promote` hands the winner over. */
export type PromoteMode = 'branch' | 'merge' | 'pr';
export const PROMOTE_MODES: readonly PromoteMode[] = ['branch', 'merge', 'pr'];

export interface PromoteOptions {
  /** Repository root (or any directory inside it). */
  repo: string;
  /** A run dir, a run id or `latest`. */
  run: string;
  mode: PromoteMode;
  /** Target branch; default the run's startBranch (for `pr`, else the repository's default branch on GitHub). */
  into?: string;
  remote: string;
  draft: boolean;
  labels: string[];
  /** owner/name, over GITHUB_REPOSITORY and the remote URL. */
  githubRepo?: string;
  dryRun: boolean;
  /** Environment to read GITHUB_TOKEN / GH_TOKEN / GITHUB_API_URL / GITHUB_REPOSITORY from. */
  env: NodeJS.ProcessEnv;
}

/**
 * What promote did, saved as promote.json in the run dir (one record per mode; the latest wins).
 * `action`: fast-forward / merge (a merge commit) / up-to-date (already there) / pushed + pr-opened
 * / pr-exists / kept (branch mode) / planned (a dry run, nothing changed).
 */
export interface PromoteRecord {
  mode: PromoteMode;
  runId: string;
  winner: string;
  winnerBranch: string;
  winnerCommit: string;
  action: 'kept' | 'fast-forward' | 'merge' | 'up-to-date' | 'pr-opened' | 'pr-exists' | 'planned';
  /** Branch merged into (merge) or the PR's base (pr). */
  target: string | null;
  oldSha: string | null;
  newSha: string | null;
  /** Worktree whose checkout was advanced (merge into a checked-out branch). */
  worktree?: string | null;
  remote?: string;
  repository?: string;
  prUrl?: string;
  prNumber?: number;
  labels?: string[];
  draft?: boolean;
  dryRun: boolean;
  at: string;
  /** Human lines: what was (or would be) done. */
  plan: string[];
}
