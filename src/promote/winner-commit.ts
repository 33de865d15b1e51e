import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git } from '../git/repo.js';
import type { RunResult } from '../types.js';
import { sha256Tag, TRAILER, type Provenance } from './provenance.js';

const short = (sha: string) => sha.slice(0, 12);

/**
 * Whether `commit` is the winner commit of the run in `runDir`: what promote and `gate
 * --require-winner` both rely on. A trailer block can be typed by anyone, so each value in it is
 * checked against the run dir, and the commit's tree is rebuilt from the run's base and the winner's
 * diff (a copied block on another tree fails there). Returns why not, or null.
 */
export async function winnerCommitMismatch(input: {
  root: string;
  commit: string;
  provenance: Provenance;
  runDir: string;
  /** result.json's bytes as read, and what they parsed to. */
  resultBytes: Buffer;
  result: RunResult;
}): Promise<string | null> {
  const { root, commit, provenance, runDir, result } = input;
  const resultFile = join(runDir, 'result.json');
  const resultHash = sha256Tag(input.resultBytes);
  if (resultHash !== provenance.result) {
    return `${TRAILER.result} is ${provenance.result}, but ${resultFile} hashes to ${resultHash} (another run's result, or result.json was changed after the run)`;
  }
  if (result.runId !== provenance.runId) return `${TRAILER.run} is ${provenance.runId}, but ${resultFile} is of run ${result.runId}`;
  const winner = result.winner;
  if (typeof winner !== 'string' || !/^[\w.-]{1,100}$/.test(winner) || winner.includes('..')) {
    return `run ${result.runId} has no winner (${result.selection?.summary ?? 'no entrant passed every gate'})`;
  }
  const parents = await git(root, ['rev-list', '--parents', '-n', '1', commit]);
  const parentIds = parents.stdout.split(' ').slice(1);
  if (parentIds.length !== 1 || parentIds[0] !== result.baseCommit) {
    const had = parentIds.length === 0 ? 'no parent' : `parent${parentIds.length > 1 ? 's' : ''} ${parentIds.map(short).join(', ')}`;
    return `has ${had}, but run ${result.runId} started from ${short(result.baseCommit)} (a winner commit has the run's base as its only parent)`;
  }
  const expected = await winnerTree(root, result.baseCommit, join(runDir, 'entrants', winner, 'diff.patch'));
  if ('error' in expected) return expected.error;
  const actual = await git(root, ['rev-parse', `${commit}^{tree}`]);
  if (actual.stdout !== expected.tree) {
    return `its tree ${short(actual.stdout)} is not the run's base plus ${winner}'s diff (${short(expected.tree)}): the commit is not the change the run chose`;
  }
  return null;
}

/**
 * base + patch as a tree id, built in a throw-away index: the user's index and working tree are
 * never read or written.
 */
async function winnerTree(root: string, base: string, patchFile: string): Promise<{ tree: string } | { error: string }> {
  const patch = await readFile(patchFile, 'utf8').catch(() => null);
  if (patch === null) return { error: `${patchFile}: no such file (the winner's diff, needed to check the commit's tree)` };
  const scratch = await mkdtemp(join(tmpdir(), 'tourney-winner-index-'));
  try {
    const env = { GIT_INDEX_FILE: join(scratch, 'index') };
    const read = await git(root, ['read-tree', base], { env });
    if (read.exitCode !== 0) return { error: `the run's base commit ${short(base)} is not in this repository (fetch the full history, e.g. actions/checkout with fetch-depth: 0)` };
    if (patch.trim().length > 0) {
      const applied = await git(root, ['apply', '--cached', '--binary', '--whitespace=nowarn', patchFile], { env });
      if (applied.exitCode !== 0) return { error: `${patchFile} does not apply to the run's base ${short(base)}: ${applied.stderr.split('\n')[0] ?? ''}` };
    }
    const tree = await git(root, ['write-tree'], { env });
    if (tree.exitCode !== 0) return { error: `git write-tree failed: ${tree.stderr}` };
    return { tree: tree.stdout };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
