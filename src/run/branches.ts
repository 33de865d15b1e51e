import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createBranchFromPatch } from '../git/repo.js';
import { formatTrailers, sha256Tag } from '../promote/provenance.js';
import { renderPrPacket } from '../promote/packet.js';
import type { EntrantResult, RunResult, Spec } from '../types.js';

/** The winner's branch name: deterministic, so result.json can name it before the commit exists. */
export function winnerBranchName(runId: string): string {
  return `tourney/${runId}/winner`;
}

/**
 * Keeps every entrant that changed something as `tourney/<run>/<name>` and sets `branch` on the
 * entrants. Returns the name the winner's branch will have (made by createWinnerCommit once
 * result.json is written, because its commit carries result.json's hash).
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
  for (const entrant of entrants) {
    if (entrant.diff.files === 0) continue;
    const branch = `tourney/${runId}/${entrant.name}`;
    await createBranchFromPatch(root, {
      base,
      patchFile: join(runDir, entrant.diffPath),
      branch,
      message: `tourney ${runId}: ${entrant.name} (${entrant.model})\n\nSpec: ${specTitle}`,
    });
    entrant.branch = branch;
  }
  return entrants.some((e) => e.name === winner) ? winnerBranchName(runId) : null;
}

/**
 * `tourney/<run>/winner`: the winner's patch on the base, with the provenance trailers (run id,
 * spec hash, hash of result.json's bytes as written). Call after result.json is final: it is never
 * rewritten afterwards, so `tourney gate --require-winner` can check the hash.
 */
export async function createWinnerCommit(result: RunResult, spec: Pick<Spec, 'path' | 'sha256'>): Promise<string | null> {
  const win = result.entrants.find((e) => e.name === result.winner);
  if (!win || !result.winnerBranch) return null;
  const resultBytes = await readFile(join(result.runDir, 'result.json'));
  const specHash = spec.sha256 ?? sha256Tag(await readFile(spec.path));
  const trailers = formatTrailers({ runId: result.runId, spec: specHash, result: sha256Tag(resultBytes) });
  return createBranchFromPatch(result.repo, {
    base: result.baseCommit,
    patchFile: join(result.runDir, win.diffPath),
    branch: result.winnerBranch,
    message: `tourney ${result.runId}: winner ${win.name} (${win.model})\n\nSpec: ${result.spec.title}\n\n${trailers}`,
  });
}

/** pr.md in the run dir: the PR packet, for `promote --to pr` and for a reviewer reading the run. */
export async function writePrPacket(result: RunResult): Promise<void> {
  await writeFile(join(result.runDir, 'pr.md'), renderPrPacket(result, { relativeTo: result.repo }));
}
