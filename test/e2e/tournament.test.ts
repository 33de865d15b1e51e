import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, readFile, rm, writeFile, appendFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../../src/sandbox/engine.js';
import { execa } from 'execa';
import { createDemoRepo } from '../../src/demo/demo.js';
import { main } from '../../src/cli/main.js';
import { rerenderReport } from '../../src/cli/report-command.js';
import { runTournament } from '../../src/run/tournament.js';
import { loadRunResult } from '../../src/run/run-dirs.js';
import type { RunEvent } from '../../src/run/events.js';
import type { RunResult } from '../../src/types.js';
import { TourneyError } from '../../src/errors.js';
import { ensureTestImage, leftoverResources } from '../support/docker.js';

const git = async (cwd: string, ...args: string[]) => (await execa('git', args, { cwd })).stdout;

/** What a user would notice if tourney touched their checkout. */
async function userState(repo: string) {
  return {
    head: await git(repo, 'rev-parse', 'HEAD'),
    branch: await git(repo, 'symbolic-ref', '--short', 'HEAD'),
    status: await git(repo, 'status', '--porcelain'),
    readme: await readFile(join(repo, 'README.md'), 'utf8'),
    index: await git(repo, 'diff', '--cached', '--stat'),
  };
}

describe('a tournament on Docker with scripted entrants, through the CLI', () => {
  let engine: Engine;
  let repo: string;
  let before: Awaited<ReturnType<typeof userState>>;
  let result: RunResult;
  let exitCode: number;
  let stderr = '';

  beforeAll(async () => {
    engine = await ensureTestImage();
    repo = await createDemoRepo(await mkdtemp(join(tmpdir(), 'tourney-e2e-')));
    // The demo's three entrants plus one that reports what it can see and reach.
    await appendFile(
      join(repo, 'tourney.config.yaml'),
      ['scripts: [./e2e-scripts]', ''].join('\n'),
    );
    const config = await readFile(join(repo, 'tourney.config.yaml'), 'utf8');
    await writeFile(
      join(repo, 'tourney.config.yaml'),
      config.replace('judge:', '  - name: snoop\n    model: scripted/snoop\njudge:'),
    );
    await execa('cp', ['-r', fileURLToPath(new URL('../fixtures/e2e-scripts', import.meta.url)), join(repo, 'e2e-scripts')]);
    await git(repo, 'add', '-A');
    await git(repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'add snoop entrant');
    // Uncommitted work the user has in progress: it must survive untouched and not reach entrants.
    await appendFile(join(repo, 'README.md'), '\nwork in progress\n');
    await writeFile(join(repo, 'notes.txt'), 'untracked notes\n');
    before = await userState(repo);

    const out: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
    try {
      exitCode = await main(['node', 'tourney', 'run', join(repo, 'feature.md'), '--repo', repo, '--json']);
    } finally {
      stdout.mockRestore();
      err.mockRestore();
    }
    result = JSON.parse(out.join('')) as RunResult;
  }, 600_000);

  afterAll(async () => {
    if (repo) await rm(repo, { recursive: true, force: true });
  });

  it('picks the entrant whose change passes the tests, and exits 0', () => {
    expect(exitCode).toBe(0);
    expect(result.winner).toBe('tidy');
    expect(result.winnerBranch).toBe(`tourney/${result.runId}/winner`);
    expect(result.entrants.find((e) => e.name === 'tidy')?.rank).toBe(1);
  });

  it('records each entrant as it ended, with the referee verdicts', () => {
    const by = Object.fromEntries(result.entrants.map((e) => [e.name, e]));
    expect(by.tidy?.status).toBe('finished');
    expect(by.tidy?.checks.tests?.passed).toBe(true);
    expect(by.tidy?.checks.tests?.counts).toEqual({ passed: 6, failed: 0, skipped: 0 });
    expect(by.tidy?.diff).toEqual({ files: 2, additions: expect.any(Number), deletions: 0 });
    expect(by.tidy?.tokens.input).toBeGreaterThan(0);
    expect(by.tidy?.checks.hiddenTests?.passed).toBe(true);
    expect(by.tidy?.gates.every((g) => g.passed)).toBe(true);
    expect(by.tidy?.score?.total).toBeGreaterThan(50);

    expect(by.hasty?.status).toBe('finished');
    expect(by.hasty?.checks.tests?.passed).toBe(false);
    expect(by.hasty?.checks.tests?.counts?.failed).toBeGreaterThanOrEqual(1);
    expect(by.hasty?.rank).toBeNull();
    expect(by.hasty?.gates.filter((g) => !g.passed).map((g) => g.gate)).toEqual(['tests', 'hiddenTests']);

    expect(by.stuck?.status).toBe('timeout');
    expect(by.stuck?.error).toMatch(/time limit/);
    expect(by.stuck?.checks.tests).toBeNull();
  });

  it('keeps every entrant with a change as a branch, built from its diff on the base commit', async () => {
    const branches = (await git(repo, 'branch', '--list', `tourney/${result.runId}/*`, '--format=%(refname:short)')).split('\n').sort();
    expect(branches).toEqual(['hasty', 'snoop', 'terse', 'tidy', 'winner'].map((n) => `tourney/${result.runId}/${n}`));
    expect(await git(repo, 'rev-parse', `tourney/${result.runId}/winner^{tree}`)).toBe(await git(repo, 'rev-parse', `tourney/${result.runId}/tidy^{tree}`));
    expect(await git(repo, 'rev-parse', `tourney/${result.runId}/tidy^`)).toBe(before.head);
    expect(await git(repo, 'show', `tourney/${result.runId}/winner:src/strings.js`)).toContain('export function slugify');
  });

  it("never touches the user's working tree, index or branch", async () => {
    expect(await userState(repo)).toEqual(before);
  });

  it('gives entrants HEAD only: no spec, no .tourney, no uncommitted work, no internet, not root', async () => {
    const seen = await git(repo, 'show', `tourney/${result.runId}/snoop:seen.txt`);
    expect(seen).toContain('spec=absent');
    expect(seen).toContain('tourney-dir=absent');
    expect(seen).toContain('internet=blocked');
    expect(seen).toContain('user=10001');
    expect(seen).not.toContain('notes.txt');
    expect(seen).not.toContain('acceptance');
    expect(seen).toContain('package.json');
  });

  it('writes result.json, diffs, transcripts, logs and the report into the run directory', async () => {
    const runDir = join(repo, '.tourney', 'runs', result.runId);
    const saved = JSON.parse(await readFile(join(runDir, 'result.json'), 'utf8')) as RunResult;
    expect(saved).toEqual(result);
    // The file a real run writes passes the result schema every reader checks, and reads back unchanged.
    expect(await loadRunResult(runDir)).toEqual(result);
    expect(saved.schemaVersion).toBe(2);
    expect(saved.reportPath).toBe(join(runDir, 'report.html'));
    const html = await readFile(saved.reportPath, 'utf8');
    expect(html).toContain('Add slugify to the string helpers');
    expect(await readFile(join(runDir, 'entrants', 'tidy', 'diff.patch'), 'utf8')).toContain('+export function slugify');
    const transcript = JSON.parse(await readFile(join(runDir, 'entrants', 'tidy', 'transcript.json'), 'utf8')) as { messages: unknown[] };
    expect(transcript.messages.length).toBeGreaterThan(2);
    expect(await readFile(join(runDir, 'entrants', 'hasty', 'test.log'), 'utf8')).toMatch(/fail/);
    // The report is a pure function of saved state: it can be rendered again without re-running anything.
    await rm(saved.reportPath);
    expect(await rerenderReport(runDir)).toBe(saved.reportPath);
    expect(await readFile(saved.reportPath, 'utf8')).toContain('Add slugify to the string helpers');
    // .tourney/ is ignored without touching a tracked file.
    expect(await git(repo, 'status', '--porcelain', '.tourney')).toBe('');
  });

  it('lets the judge decide between the two finalists, and shows why', () => {
    const judge = result.judge;
    expect(judge.ran).toBe(true);
    if (!judge.ran) return;
    expect(judge.matches).toHaveLength(1);
    expect(judge.matches[0]!.calls).toHaveLength(2);
    expect(judge.matches[0]!.calls[0]!.rationale).toMatch(/adds tests/);
    expect(judge.scores.tidy!).toBeGreaterThan(judge.scores.terse!);
    // Without the judge, terse's smaller diff would have won the tie.
    const terse = result.entrants.find((e) => e.name === 'terse')!;
    expect(terse.eligible).toBe(true);
    expect(terse.rank).toBe(2);
  });

  it('reports progress on stderr, one line per event', () => {
    expect(stderr).toMatch(/\[agents\] start/);
    expect(stderr).toMatch(/\[stuck\] timeout/);
    expect(stderr).toMatch(/winner: tidy/);
  });

  it('leaves no container or network behind', async () => {
    expect(await leftoverResources(engine)).toEqual([]);
  });
});

describe('an interrupted tournament', () => {
  it('stops, removes its containers and creates no branch', async () => {
    const engine = await ensureTestImage();
    const repo = await createDemoRepo(await mkdtemp(join(tmpdir(), 'tourney-e2e-int-')));
    try {
      const controller = new AbortController();
      const events: RunEvent[] = [];
      const run = runTournament(
        { repoDir: repo, specPath: join(repo, 'feature.md'), signal: controller.signal },
        {
          onEvent: (event) => {
            events.push(event);
            if (event.type === 'entrant' && event.state === 'running') controller.abort();
          },
        },
      );
      await expect(run).rejects.toBeInstanceOf(TourneyError);
      expect(await leftoverResources(engine)).toEqual([]);
      expect(await git(repo, 'branch', '--list', 'tourney/*')).toBe('');
      await expect(access(join(repo, 'src', 'slugify.js'))).rejects.toThrow();
    } finally {
      await rm(repo, { recursive: true, force: true });
    }
  }, 300_000);
});
