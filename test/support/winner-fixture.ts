import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { formatTrailers, sha256Tag, type Provenance } from '../../src/promote/provenance.js';
import { readFileSync } from 'node:fs';
import type { RunResult } from '../../src/types.js';

/** A real run's result.json (a demo run), the base of every fixture run: it passes the result schema. */
const REAL = JSON.parse(readFileSync(new URL('../fixtures/results/demo-run.json', import.meta.url), 'utf8')) as RunResult;

// A promoted winner commit made by hand, exactly as src/promote/provenance.ts describes one: a
// run dir holding entrants/<winner>/diff.patch and a result.json (written first, never rewritten),
// then a commit whose only parent is the run's base, whose tree is base + the diff, and whose
// message ends with formatTrailers({ runId, spec hash, result.json hash }).

export interface WinnerRun {
  runId: string;
  runDir: string;
  winner: string;
  provenance: Provenance;
}

export async function gitIn(repo: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const r = await execa('git', ['-c', 'user.name=fixture', '-c', 'user.email=f@x', ...args], { cwd: repo, env });
  return r.stdout;
}

/** A run dir in `repo`'s .tourney/runs/ that chose `winner`, whose change is `patch` on `base`. */
export async function makeWinnerRun(repo: string, options: { runId: string; base: string; patch: string; specPath: string; winner?: string; result?: Record<string, unknown> }): Promise<WinnerRun> {
  const winner = options.winner ?? 'alpha';
  const runDir = join(repo, '.tourney', 'runs', options.runId);
  await mkdir(join(runDir, 'entrants', winner), { recursive: true });
  await writeFile(join(runDir, 'entrants', winner, 'diff.patch'), options.patch);
  const [first] = REAL.entrants;
  const result = {
    ...REAL,
    runDir,
    reportPath: join(runDir, 'report.html'),
    runId: options.runId,
    mode: 'run',
    baseCommit: options.base,
    winner,
    winnerBranch: `tourney/${options.runId}/winner`,
    selection: { decidedBy: 'gates', leader: winner, runnerUp: null, margin: null, decidingParts: [], tieBreak: null, minMargin: null, confident: true, summary: 'the only entrant' },
    entrants: [{ ...first!, name: winner, branch: `tourney/${options.runId}/${winner}`, rank: 1, diffPath: `entrants/${winner}/diff.patch` }],
    ...options.result,
  };
  const bytes = JSON.stringify(result, null, 2) + '\n';
  await writeFile(join(runDir, 'result.json'), bytes);
  const provenance = { runId: options.runId, spec: sha256Tag(await readFile(options.specPath)), result: sha256Tag(bytes) };
  return { runId: options.runId, runDir, winner, provenance };
}

/** A commit of base + patch (temp index) with `message`, on `parent` (default: base); returns its id. */
export async function commitPatch(repo: string, options: { base: string; patch: string; message: string; parent?: string }): Promise<string> {
  const scratch = await mkdtemp(join(tmpdir(), 'winner-index-'));
  try {
    const env = { GIT_INDEX_FILE: join(scratch, 'index') };
    await gitIn(repo, ['read-tree', options.base], env);
    if (options.patch.trim()) {
      await writeFile(join(scratch, 'p.patch'), options.patch);
      await gitIn(repo, ['apply', '--cached', join(scratch, 'p.patch')], env);
    }
    const tree = await gitIn(repo, ['write-tree'], env);
    return await gitIn(repo, ['commit-tree', tree, '-p', options.parent ?? options.base, '-m', options.message], env);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export function winnerMessage(title: string, provenance: Provenance): string {
  return `${title}\n\nPromoted by tourney.\n\n${formatTrailers(provenance)}`;
}

/** The patch from `from` to `to`, as the run dir keeps it. */
export async function diffOf(repo: string, from: string, to: string): Promise<string> {
  const d = await gitIn(repo, ['diff', '--binary', from, to]);
  return d.length > 0 ? `${d}\n` : '';
}
