import { readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { git } from '../git/repo.js';
import { TourneyError, errorMessage } from '../errors.js';
import { parseTrailers, sha256Tag, TRAILER, type Provenance } from '../promote/provenance.js';
import { winnerCommitMismatch } from '../promote/winner-commit.js';
import { loadRunResult, resolveRunDir, runsDir } from '../run/run-dirs.js';
import type { ProvenanceCheck } from './types.js';

/** `--require-winner RUN|auto`, resolved before anything else runs. */
export type WinnerSource = { kind: 'auto' } | { kind: 'run'; ref: string; runDir: string };

/** RUN (a run dir, run id or `latest`) must name a run now: a bad reference is bad input (exit 2). */
export async function resolveWinnerSource(root: string, value: string): Promise<WinnerSource> {
  if (value === 'auto') return { kind: 'auto' };
  try {
    return { kind: 'run', ref: value, runDir: await resolveRunDir(root, value) };
  } catch (err) {
    if (err instanceof TourneyError) throw new TourneyError(`--require-winner: ${err.message}`, { cause: err });
    throw err;
  }
}

interface Trailered {
  commit: string;
  provenance: Provenance;
}

/**
 * The nearest commit in base..head (every parent followed, children before parents) with one parent
 * whose message ends with a complete Tourney trailer block. Merge commits are passed over: a winner
 * commit has one parent (the run's base), and `promote --to merge` puts the same trailers on its
 * merge commit, whose second parent is the winner commit itself. Commit messages are data: only
 * parseTrailers reads them.
 */
async function nearestTrailered(root: string, base: string, head: string): Promise<{ found: Trailered | null; count: number }> {
  const log = await git(root, ['log', '--topo-order', '-z', '--format=%H %P%n%B', `${base}..${head}`], { maxBuffer: 256 * 1024 * 1024 });
  if (log.exitCode !== 0) throw new Error(`git log ${base}..${head} failed: ${log.stderr}`);
  const entries = log.stdout.split('\0').filter((e) => e.length > 0);
  for (const entry of entries) {
    const nl = entry.indexOf('\n');
    const [commit = '', ...parents] = (nl < 0 ? entry : entry.slice(0, nl)).trim().split(' ');
    if (parents.length !== 1) continue;
    const provenance = parseTrailers(nl < 0 ? '' : entry.slice(nl + 1));
    if (provenance) return { found: { commit, provenance }, count: entries.length };
  }
  return { found: null, count: entries.length };
}

const short = (sha: string) => sha.slice(0, 12);

/**
 * `--require-winner`: proves that head is a promoted winner commit, or one plus later commits.
 * Cheap (git and a few files, no containers), so it runs before the referee and fails fast. Each
 * failure says which check failed: a trailer block can be typed by anyone, so every value in it is
 * checked against the run dir, and the commit's tree is rebuilt from the run's base and the
 * winner's diff (a forged block on another tree fails there).
 */
export async function verifyWinner(options: { root: string; base: string; head: string; specPath: string; source: WinnerSource }): Promise<ProvenanceCheck> {
  const { root, base, head, source } = options;
  const { found, count } = await nearestTrailered(root, base, head);
  if (!found) {
    return {
      passed: false,
      reason: `no commit in ${short(base)}..${short(head)} (${count} commit${count === 1 ? '' : 's'}) carries the trailers ${TRAILER.run}, ${TRAILER.spec} and ${TRAILER.result} (merge commits aside): head is not a promoted tournament winner`,
    };
  }
  const { commit, provenance } = found;
  const at = `commit ${short(commit)}`;
  const fail = (reason: string, extra: Partial<ProvenanceCheck> = {}): ProvenanceCheck => ({ passed: false, reason: `${at}: ${reason}`, commit, runId: provenance.runId, ...extra });

  let runDir: string;
  if (source.kind === 'auto') {
    runDir = join(runsDir(root), provenance.runId);
    if (!(await stat(runDir).then((s) => s.isDirectory(), () => false))) {
      return fail(`its ${TRAILER.run} trailer names run ${provenance.runId}, but ${runDir} does not exist (in CI, download that run's directory artifact into .tourney/runs/ first, or pass --require-winner DIR)`);
    }
  } else {
    runDir = source.runDir;
  }
  // A run dir that the gated head itself carries proves nothing: its author wrote it along with the
  // trailers. It must come from outside the change (a run on this machine, a downloaded artifact).
  const rel = relative(await realpath(root).catch(() => root), await realpath(runDir).catch(() => resolve(runDir)));
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
    const carried = await git(root, ['ls-tree', '-r', '--name-only', head, '--', `:(literal)${rel || '.'}`]);
    if (carried.stdout.trim() !== '') {
      return fail(`the run dir ${runDir} is part of the gated head (committed with the change), so it cannot vouch for it; use a run dir from outside the change`, { runDir });
    }
  }
  const resultFile = join(runDir, 'result.json');
  const bytes = await readFile(resultFile).catch(() => null);
  if (!bytes) return fail(`${resultFile}: no such file (expected the run dir of a finished run)`, { runDir });
  // The result's hash first: a result.json that is not the one the trailers name is not read further.
  const resultHash = sha256Tag(bytes);
  if (resultHash !== provenance.result) {
    return fail(`${TRAILER.result} is ${provenance.result}, but ${resultFile} hashes to ${resultHash} (another run's result, or result.json was changed after the promotion)`, { runDir });
  }
  const specBytes = await readFile(options.specPath).catch(() => null);
  if (!specBytes) return fail(`${options.specPath}: cannot read the spec`, { runDir });
  const specHash = sha256Tag(specBytes);
  if (specHash !== provenance.spec) {
    return fail(`${TRAILER.spec} is ${provenance.spec}, but the spec ${options.specPath} hashes to ${specHash} (the winner was chosen for another spec, or the spec changed since)`, { runDir });
  }
  let result;
  try {
    result = await loadRunResult(runDir);
  } catch (err) {
    return fail(errorMessage(err), { runDir });
  }
  const mismatch = await winnerCommitMismatch({ root, commit, provenance, runDir, resultBytes: bytes, result });
  if (mismatch) return fail(mismatch, { runDir, ...(result.winner ? { winner: result.winner } : {}) });
  const winner = result.winner!;
  if (result.selection && !result.selection.confident) return fail(`run ${result.runId}'s selection of ${winner} is not confident: ${result.selection.summary}`, { runDir, winner });

  const later = await git(root, ['rev-list', '--count', `${commit}..${head}`]);
  const laterCommits = Number(later.stdout) || 0;
  return {
    passed: true,
    reason: `${at} is ${winner}, the winner of run ${result.runId}${laterCommits > 0 ? `, with ${laterCommits} later commit${laterCommits === 1 ? '' : 's'} (refereed with it)` : ''}`,
    commit,
    runId: result.runId,
    runDir,
    winner,
    laterCommits,
  };
}
