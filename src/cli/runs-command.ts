// Past runs of a repository: `tourney ls` lists them, `show` prints one's scorecard, `open` opens its
// report. Everything comes from the run dirs on disk; nothing here needs Docker or a model.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { openRepo } from '../git/repo.js';
import { TourneyError } from '../errors.js';
import { listRunIds, loadRunResult, resolveRunDir, runsDir } from '../run/run-dirs.js';
import { runIsLive } from '../run/leftovers.js';
import { stripControl } from '../text/control.js';
import { summaryTable, describe } from './reporters.js';
import type { RunResult } from '../types.js';

/** `corrupt`: result.json is not valid JSON or not a tourney result (see problem); `unreadable`: it cannot be read at all. */
export type RunStatus = 'winner' | 'no winner' | 'running' | 'incomplete' | 'corrupt' | 'unreadable';

export interface RunListing {
  id: string;
  dir: string;
  status: RunStatus;
  startedAt: string | null;
  mode: RunResult['mode'] | null;
  spec: string | null;
  winner: string | null;
  score: number | null;
  entrants: number | null;
  /** Why a run dir could not be read (a result.json from another version, say). */
  problem?: string;
}

/** Every run dir of the repository, newest first. */
export async function listRuns(repoDir: string): Promise<RunListing[]> {
  const { root } = await openRepo(repoDir);
  const ids = (await listRunIds(root)).reverse();
  return Promise.all(ids.map(async (id): Promise<RunListing> => {
    const dir = join(runsDir(root), id);
    const base = { id, dir, startedAt: null, mode: null, spec: null, winner: null, score: null, entrants: null };
    const hasResult = await stat(join(dir, 'result.json')).then((s) => s.isFile(), () => false);
    if (!hasResult) return { ...base, status: (await runIsLive(dir)) ? 'running' : 'incomplete' };
    try {
      const r = await loadRunResult(dir);
      const win = r.entrants.find((e) => e.name === r.winner);
      return {
        ...base,
        status: r.winner ? 'winner' : 'no winner',
        startedAt: r.startedAt ?? null,
        mode: r.mode ?? null,
        spec: r.spec?.title ?? null,
        winner: r.winner,
        score: win?.score?.total ?? null,
        entrants: r.entrants.length,
      };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const corrupt = err instanceof TourneyError && !/: cannot read|: is (a|an) /.test(message);
      return { ...base, status: corrupt ? 'corrupt' : 'unreadable', problem: shortProblem(message, join(dir, 'result.json'), id) };
    }
  }));
}

/** The first thing wrong, without the file name (the listing has the run id), and how many more. */
function shortProblem(message: string, file: string, id: string): string {
  const lines = message.split('\n').map((l) => (l.startsWith(`${file}: `) ? l.slice(file.length + 2) : l));
  const issues = lines.length > 1 ? lines.slice(1) : lines;
  const more = issues.length > 1 ? ` (and more: tourney show ${id})` : '';
  return `${issues[0] ?? message}${more}`;
}

const cell = (s: string | null | undefined, width: number) => {
  const text = stripControl(s ?? '-').replace(/\s+/g, ' ');
  return (text.length > width ? `${text.slice(0, width - 1)}…` : text).padEnd(width);
};

export function formatRunList(runs: readonly RunListing[]): string {
  if (runs.length === 0) return 'no runs yet in this repository (tourney run SPEC starts one)';
  const header = `${cell('RUN', 21)}  ${cell('STARTED', 16)}  ${cell('MODE', 5)}  ${cell('STATUS', 10)}  ${cell('WINNER', 16)}  ${cell('SCORE', 5)}  SPEC`;
  const lines = runs.map((r) => [
    cell(r.id, 21),
    cell(r.startedAt ? r.startedAt.replace('T', ' ').slice(0, 16) : null, 16),
    cell(r.mode, 5),
    cell(r.status, 10),
    cell(r.winner, 16),
    cell(r.score === null ? null : r.score.toFixed(1), 5),
    stripControl(r.spec ?? r.problem ?? '-').slice(0, 80),
  ].join('  ').trimEnd());
  return [header, ...lines].join('\n');
}

export async function lsCommand(options: { repo: string; json?: boolean }): Promise<void> {
  const runs = await listRuns(options.repo);
  process.stdout.write(options.json ? JSON.stringify(runs, null, 2) + '\n' : formatRunList(runs) + '\n');
}

async function runOf(repo: string, ref: string): Promise<{ dir: string; result: RunResult }> {
  // A run dir given as a path works outside any repository, too.
  const root = await openRepo(repo).then((r) => r.root, () => process.cwd());
  const dir = await resolveRunDir(root, ref);
  return { dir, result: await loadRunResult(dir) };
}

/** The run's scorecard, as the terminal showed it when the run ended. */
export async function showCommand(ref: string, options: { repo: string; json?: boolean }): Promise<void> {
  const { result } = await runOf(options.repo, ref);
  if (options.json) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return;
  }
  const head = `run ${result.runId} · ${result.mode} · started ${result.startedAt.replace('T', ' ').slice(0, 19)} UTC\nspec: ${result.spec.title}\n`;
  process.stdout.write(stripControl(`${head}\n${describe({ type: 'run-end', result }) ?? summaryTable(result)}\n`));
}

/** Opens report.html in the desktop's browser when there is one; prints its path either way. */
export async function openCommand(ref: string, options: { repo: string; print?: boolean }): Promise<void> {
  const { dir } = await runOf(options.repo, ref);
  const report = join(dir, 'report.html');
  if (!(await stat(report).then((s) => s.isFile(), () => false))) {
    throw new TourneyError(`${report}: no such file (the run has no report; "tourney report ${dir}" renders it from result.json)`);
  }
  process.stdout.write(`${report}\n`);
  if (options.print) return;
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  // No desktop (CI, SSH): the path above is the answer.
  const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  if (!hasDisplay) return;
  await execa(opener, [report], { reject: false, detached: true, stdio: 'ignore' });
}
