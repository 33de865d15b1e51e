// A repository with a finished run in it, made the way settle makes one (entrant branches,
// result.json, then the winner commit with its trailers, then pr.md), without Docker or agents.
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { ensureIgnored } from '../../src/git/repo.js';
import { createWinnerCommit, keepBranches, writePrPacket } from '../../src/run/branches.js';
import { sha256Tag } from '../../src/promote/provenance.js';
import type { RunResult } from '../../src/types.js';
import { makeRun } from '../report/fixture.js';

export const RUN_ID = '20260102-030405-abc123';

export interface PromoteFixture {
  repo: string;
  base: string;
  runDir: string;
  result: RunResult;
  specPath: string;
  git: (...args: string[]) => Promise<string>;
  cleanup: () => Promise<void>;
}

export async function gitIn(cwd: string, ...args: string[]): Promise<string> {
  const r = await execa('git', args, { cwd, env: { GIT_AUTHOR_DATE: '2026-01-02T03:04:05Z', GIT_COMMITTER_DATE: '2026-01-02T03:04:05Z' } });
  return r.stdout;
}

async function writeTree(root: string, files: Record<string, string | null>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    if (content === null) await rm(abs, { force: true });
    else {
      await mkdir(path.dirname(abs), { recursive: true });
      await writeFile(abs, content);
    }
  }
}

const patches = new Map<Record<string, string | null>, string>();

/**
 * The patch that turns the committed tree into base + `files`, as an entrant's diff.patch (made by
 * git once per process: the base is always the same tree, so the patch is too).
 */
async function patchOf(repo: string, files: Record<string, string | null>): Promise<string> {
  const known = patches.get(files);
  if (known) return known;
  await writeTree(repo, files);
  await gitIn(repo, 'add', '-A');
  const patch = await gitIn(repo, 'diff', '--cached', '--binary');
  await gitIn(repo, 'reset', '-q', '--hard', 'HEAD');
  patches.set(files, patch + '\n');
  return patch + '\n';
}

export const BASE_FILES = { 'README.md': '# slugs\n', 'src/slug.js': 'export const slug = (s) => s;\n', 'test/slug.test.js': 'ok\n' };
export const WINNER_CHANGE = { 'src/slug.js': "export const slug = (s) => s.toLowerCase().replace(/ /g, '-');\n", 'src/new.js': 'export {};\n' };
export const LOSER_CHANGE = { 'src/slug.js': 'export const slug = (s) => s.trim();\n' };

export async function makePromoteFixture(options: { winner?: string | null; startBranch?: string | null } = {}): Promise<PromoteFixture> {
  const repo = await mkdtemp(path.join(tmpdir(), 'tourney-promote-'));
  const git = (...args: string[]) => gitIn(repo, ...args);
  await git('init', '-q', '-b', 'main');
  await writeFile(path.join(repo, '.git', 'config'), '[user]\n\tname = Dev\n\temail = dev@example.com\n', { flag: 'a' });
  await writeTree(repo, BASE_FILES);
  const specPath = path.join(repo, 'specs', 'slug.md');
  await writeTree(repo, { 'specs/slug.md': '---\ntest: npm test\n---\n# Add a slugify helper\n' });
  await git('add', '-A');
  await git('commit', '-q', '-m', 'base');
  const base = await git('rev-parse', 'HEAD');
  await ensureIgnored(repo, '.tourney/');

  const { result: sample, runDir: sampleDir } = await makeRun('pairwise');
  const runDir = path.join(repo, '.tourney', 'runs', RUN_ID);
  await mkdir(runDir, { recursive: true });
  // The sample run's logs and reports, then real patches against this repository.
  await cp(sampleDir, runDir, { recursive: true });
  await rm(sampleDir, { recursive: true, force: true });
  const winner = options.winner === undefined ? 'careful' : options.winner;
  const result: RunResult = {
    ...sample,
    runId: RUN_ID,
    repo,
    baseCommit: base,
    startBranch: options.startBranch === undefined ? 'main' : options.startBranch,
    spec: { ...sample.spec, path: specPath, sha256: sha256Tag(await readFile(specPath)) },
    winner,
    winnerBranch: null,
    runDir,
    reportPath: path.join(runDir, 'report.html'),
    entrants: sample.entrants.map((e) => ({ ...e, branch: null })),
  };
  // A whole Selection: result.json is checked against the full result shape when promote reads it.
  if (!winner) result.selection = { decidedBy: 'none', leader: null, runnerUp: null, margin: null, decidingParts: [], tieBreak: null, minMargin: null, confident: false, summary: 'no entrant passed every gate' };
  for (const e of result.entrants) {
    if (e.diff.files === 0) continue;
    await writeFile(path.join(runDir, e.diffPath), await patchOf(repo, e.name === 'careful' ? WINNER_CHANGE : LOSER_CHANGE));
  }
  result.winnerBranch = await keepBranches(repo, base, runDir, RUN_ID, result.spec.title, result.entrants, winner);
  await writeFile(path.join(runDir, 'result.json'), JSON.stringify(result, null, 2) + '\n');
  await createWinnerCommit(result, { path: specPath });
  await writePrPacket(result);
  return { repo, base, runDir, result, specPath, git, cleanup: () => rm(repo, { recursive: true, force: true }) };
}

/**
 * Everything promote could change: every ref, the index, the status (ignored files included),
 * each worktree's HEAD, and the bytes of every file outside .git.
 */
export async function snapshot(repo: string): Promise<string> {
  const refs = await gitIn(repo, 'for-each-ref', '--format=%(refname) %(objectname)');
  const head = await gitIn(repo, 'symbolic-ref', '-q', 'HEAD').catch(() => 'detached');
  const index = await gitIn(repo, 'ls-files', '-s');
  const status = await gitIn(repo, 'status', '--porcelain=v1', '--untracked-files=all', '--ignored');
  const worktrees = await gitIn(repo, 'worktree', 'list', '--porcelain');
  const files: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name === '.git') continue;
      const abs = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(abs);
      else files.push(`${path.relative(repo, abs)} ${createHash('sha256').update(await readFile(abs)).digest('hex')}`);
    }
  };
  await walk(repo);
  return [refs, head, index, status, worktrees, files.sort().join('\n')].join('\n--\n');
}
