import type { PromoteRecord } from './types.js';
import type { Promotable } from './winner.js';

/** `--to branch`: the run already made the branch; promote only checks it and says where it is. */
export function promoteBranch(w: Promotable, dryRun: boolean): PromoteRecord {
  return {
    mode: 'branch', runId: w.result.runId, winner: w.winner, winnerBranch: w.winnerBranch, winnerCommit: w.winnerCommit,
    action: dryRun ? 'planned' : 'kept', target: w.winnerBranch, oldSha: w.winnerCommit, newSha: w.winnerCommit, dryRun,
    plan: [`the winner ${w.winner} is on branch ${w.winnerBranch} at ${w.winnerCommit.slice(0, 12)} (one commit on the base ${w.result.baseCommit.slice(0, 12)}); "git merge ${w.winnerBranch}" takes it`],
    at: new Date().toISOString(),
  };
}
