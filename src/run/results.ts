import { join } from 'node:path';
import { createBranchFromPatch, patchNumstat } from '../git/repo.js';
import type { EntrantConfig, EntrantResult, TestCheck } from '../types.js';
import type { EntrantRunOutput } from './entrant.js';

/** One entrant's line in result.json, from what its run and the referee produced. */
export async function toEntrantResult(
  runDir: string,
  entrant: EntrantConfig,
  output: EntrantRunOutput,
  tests: TestCheck | null,
): Promise<EntrantResult> {
  const diffPath = `entrants/${entrant.name}/diff.patch`;
  const numstat = await patchNumstat(join(runDir, diffPath));
  return {
    name: entrant.name,
    agent: entrant.agent,
    model: entrant.model,
    approach: entrant.approach,
    status: output.status,
    error: output.error,
    diff: {
      files: numstat.length,
      additions: numstat.reduce((sum, f) => sum + f.additions, 0),
      deletions: numstat.reduce((sum, f) => sum + f.deletions, 0),
    },
    tokens: output.tokens,
    costUsd: output.costUsd,
    durationMs: output.durationMs,
    branch: null,
    diffPath,
    transcriptPath: output.transcriptSaved ? `entrants/${entrant.name}/transcript.json` : null,
    checks: { tests },
    rank: null,
  };
}

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
