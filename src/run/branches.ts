import { join } from 'node:path';
import { createBranchFromPatch } from '../git/repo.js';
import type { EntrantResult } from '../types.js';

/**
 * Keeps every entrant that changed something as `tourney/<run>/<name>` and the winner also as
 * `tourney/<run>/winner`. Sets `branch` on the entrants; returns the winner's branch.
 */
export async function keepBranches(
  root: string,
  base: string,
  runDir: string,
  runId: string,
  specTitle: string,
  entrants: EntrantResult[],
  winner: string | null,
): Promise<string | null> {
  const keep = async (entrant: EntrantResult, branch: string, label: string) => {
    await createBranchFromPatch(root, {
      base,
      patchFile: join(runDir, entrant.diffPath),
      branch,
      message: `tourney ${runId}: ${label} (${entrant.model})\n\nSpec: ${specTitle}`,
    });
    return branch;
  };
  for (const entrant of entrants) {
    if (entrant.diff.files > 0) entrant.branch = await keep(entrant, `tourney/${runId}/${entrant.name}`, entrant.name);
  }
  const win = entrants.find((e) => e.name === winner);
  return win ? keep(win, `tourney/${runId}/winner`, `winner ${win.name}`) : null;
}
