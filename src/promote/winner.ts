import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TourneyError } from '../errors.js';
import { git, openRepo } from '../git/repo.js';
import { loadRunResult, resolveRunDir } from '../run/run-dirs.js';
import type { RunResult } from '../types.js';
import { parseTrailers, sha256Tag, type Provenance } from './provenance.js';
import { winnerCommitMismatch } from './winner-commit.js';

/** A run's winner, checked against its branch: what every promote mode starts from. */
export interface Promotable {
  root: string;
  runDir: string;
  result: RunResult;
  winner: string;
  winnerBranch: string;
  winnerCommit: string;
  provenance: Provenance;
}

const bad = (message: string) => new TourneyError(message, { exitCode: 2 });

/**
 * Loads the run and proves that `tourney/<run>/winner` is the commit that run made: its trailers
 * name the run and the exact bytes of result.json, and its parent is the run's base commit.
 * No winner: exit 1; a missing or mismatched result.json or branch: exit 2.
 */
export async function loadPromotable(repo: string, run: string): Promise<Promotable> {
  const { root } = await openRepo(repo);
  const runDir = await resolveRunDir(root, run);
  const result = await loadRunResult(runDir);
  const resultFile = join(runDir, 'result.json');
  const bytes = await readFile(resultFile);
  if (!result.winner) {
    throw new TourneyError(`run ${result.runId}: no winner (${result.selection?.summary ?? 'no entrant passed every gate'}); nothing to promote`, { exitCode: 1 });
  }
  const branch = result.winnerBranch;
  if (!branch) throw bad(`${resultFile}: key "winnerBranch" is null although "winner" is ${JSON.stringify(result.winner)}; expected the winner's branch name`);
  const rev = await git(root, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`]);
  if (rev.exitCode !== 0) {
    throw bad(`branch ${branch} (the winner of run ${result.runId}) does not exist in ${root}; was it deleted, or pruned by "tourney clean"?`);
  }
  const commit = rev.stdout.trim();
  const message = await git(root, ['log', '-1', '--format=%B', commit]);
  const provenance = parseTrailers(message.stdout);
  if (!provenance) {
    throw bad(`branch ${branch}: its commit ${commit.slice(0, 12)} has no Tourney-Run/Tourney-Spec/Tourney-Result trailers (made by an older tourney, or not a tourney winner)`);
  }
  if (provenance.runId !== result.runId) {
    throw bad(`branch ${branch}: its commit names run ${provenance.runId}, but ${resultFile} is run ${result.runId}`);
  }
  const hash = sha256Tag(bytes);
  if (provenance.result !== hash) {
    throw bad(`${resultFile}: does not match the winner commit's Tourney-Result trailer (${provenance.result}, file is ${hash}); result.json was changed after the run`);
  }
  // The same proof `gate --require-winner` asks for: one parent, the run's base, and the winner's diff as its tree.
  const mismatch = await winnerCommitMismatch({ root, commit, provenance, runDir, resultBytes: bytes, result });
  if (mismatch) throw bad(`branch ${branch}, commit ${commit.slice(0, 12)}: ${mismatch}`);
  return { root, runDir, result, winner: result.winner, winnerBranch: branch, winnerCommit: commit, provenance };
}
