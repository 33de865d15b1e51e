import { TourneyError } from '../errors.js';
import { promoteBranch } from './branch.js';
import { promoteMerge } from './merge.js';
import { promotePr } from './pr.js';
import { writePromoteRecord } from './record.js';
import type { PromoteOptions, PromoteRecord } from './types.js';
import { loadPromotable } from './winner.js';

export interface Promoted {
  record: PromoteRecord;
  runDir: string;
}

/** `tourney promote`: checks the run's winner against its branch, then hands it over by `mode`. */
export async function promote(options: PromoteOptions): Promise<Promoted> {
  const w = await loadPromotable(options.repo, options.run);
  let record: PromoteRecord;
  switch (options.mode) {
    case 'branch':
      record = promoteBranch(w, options.dryRun);
      break;
    case 'merge': {
      const into = options.into ?? w.result.startBranch ?? null;
      if (!into) throw new TourneyError(`run ${w.result.runId} started on a detached HEAD, so there is no branch to merge into by default; pass --into <branch>`);
      record = await promoteMerge(w, into, options.dryRun);
      break;
    }
    case 'pr':
      record = await promotePr(w, options);
      break;
  }
  await writePromoteRecord(w.runDir, record);
  return { record, runDir: w.runDir };
}
