import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { main } from '../../src/cli/main.js';
import { listRuns } from '../../src/cli/runs-command.js';
import { makeRun } from '../report/fixture.js';

let repo: string;
let stdout: string;
let stderr: string;
beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), 'tourney-runs-'));
  await execa('git', ['init', '-q'], { cwd: repo });
  await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'init'], { cwd: repo });
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((stdout += String(c)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((stderr += String(c)), true));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(repo, { recursive: true, force: true });
});

const run = (...args: string[]) => main(['node', 'tourney', ...args]);

/** A finished run dir as a run leaves it (result.json + report.html), under the repo's .tourney/runs. */
async function finishedRun(id: string, winner: string | null) {
  const fx = await makeRun();
  const dir = join(repo, '.tourney', 'runs', id);
  await mkdir(dir, { recursive: true });
  const result = { ...fx.result, runId: id, winner, startedAt: `${id.slice(0, 4)}-${id.slice(4, 6)}-${id.slice(6, 8)}T10:00:00.000Z`, runDir: dir, reportPath: join(dir, 'report.html') };
  await writeFile(join(dir, 'result.json'), JSON.stringify(result));
  await writeFile(join(dir, 'report.html'), '<!doctype html><title>r</title>');
  await rm(fx.runDir, { recursive: true, force: true });
  return dir;
}

describe('tourney ls', () => {
  it('lists every run, newest first, with what each one decided', async () => {
    await finishedRun('20261101-100000-aaaa', 'careful');
    await finishedRun('20261102-100000-bbbb', null);
    await mkdir(join(repo, '.tourney', 'runs', '20261103-100000-cccc'), { recursive: true }); // died before result.json
    const broken = join(repo, '.tourney', 'runs', '20261104-100000-dddd');
    await mkdir(broken, { recursive: true });
    await writeFile(join(broken, 'result.json'), 'null');
    await mkdir(join(repo, '.tourney', 'runs', 'not-a-run'), { recursive: true });
    // Valid JSON, but not a tourney result: an entrant without its name.
    const edited = await finishedRun('20261105-100000-eeee', 'careful');
    const json = JSON.parse(await readFile(join(edited, 'result.json'), 'utf8')) as { entrants: { name?: string }[] };
    delete json.entrants[1]!.name;
    await writeFile(join(edited, 'result.json'), JSON.stringify(json));
    const runs = await listRuns(repo);
    expect(runs.map((r) => [r.id, r.status])).toEqual([
      ['20261105-100000-eeee', 'corrupt'],
      ['20261104-100000-dddd', 'corrupt'],
      ['20261103-100000-cccc', 'incomplete'],
      ['20261102-100000-bbbb', 'no winner'],
      ['20261101-100000-aaaa', 'winner'],
    ]);
    expect(runs[4]).toMatchObject({ winner: 'careful', score: 95.3, spec: 'Add a slugify helper', entrants: 4, mode: 'run' });
    expect(runs[1]!.problem).toMatch(/^expected a JSON object/);
    expect(runs[0]!.problem).toBe('key "entrants[1].name" is missing: expected a string');
    expect(await run('ls', '--repo', repo)).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^RUN\s+STARTED\s+MODE\s+STATUS\s+WINNER\s+SCORE\s+SPEC$/);
    expect(lines[1]).toMatch(/^20261105-100000-eeee\s+-\s+-\s+corrupt\s+-\s+-\s+key "entrants\[1\]\.name" is missing/);
    // tourney show explains, naming the file and the key, and exits 2.
    stderr = '';
    expect(await run('show', '20261105-100000-eeee', '--repo', repo)).toBe(2);
    expect(stderr).toMatch(/eeee\/result\.json: key "entrants\[1\]\.name" is missing: expected a string/);
    expect(lines[5]).toMatch(/^20261101-100000-aaaa\s+2026-11-01 10:00\s+run\s+winner\s+careful\s+95\.3\s+Add a slugify helper$/);
  });

  it('says so when there is no run, and --json gives the same data', async () => {
    expect(await run('ls', '--repo', repo)).toBe(0);
    expect(stdout).toContain('no runs yet');
    stdout = '';
    await finishedRun('20261101-100000-aaaa', 'careful');
    expect(await run('ls', '--repo', repo, '--json')).toBe(0);
    expect(JSON.parse(stdout)).toEqual([expect.objectContaining({ id: '20261101-100000-aaaa', status: 'winner', winner: 'careful' })]);
  });
});

describe('tourney show and open', () => {
  it('show latest prints the newest finished run\'s scorecard and verdict', async () => {
    await finishedRun('20261101-100000-aaaa', 'careful');
    await finishedRun('20261102-100000-bbbb', 'quick');
    await mkdir(join(repo, '.tourney', 'runs', '20261103-100000-cccc'), { recursive: true });
    expect(await run('show', '--repo', repo)).toBe(0);
    expect(stdout).toMatch(/^run 20261102-100000-bbbb · run · started 2026-11-02 10:00:00 UTC\nspec: Add a slugify helper\n/);
    expect(stdout).toMatch(/rank\s+entrant\s+status\s+gates\s+score/);
    expect(stdout).toMatch(/winner: quick/);
  });

  it('show takes a run id or a run dir, and --json prints result.json', async () => {
    const dir = await finishedRun('20261101-100000-aaaa', 'careful');
    expect(await run('show', '20261101-100000-aaaa', '--repo', repo, '--json')).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ runId: '20261101-100000-aaaa', winner: 'careful' });
    stdout = '';
    expect(await run('show', dir)).toBe(0);
    expect(stdout).toContain('winner: careful');
  });

  it('bad references exit 2 and say what was expected', async () => {
    expect(await run('show', '--repo', repo)).toBe(2);
    expect(stderr).toMatch(/no finished run/);
    stderr = '';
    expect(await run('show', '20261101-100000-ffff', '--repo', repo)).toBe(2);
    expect(stderr).toMatch(/run "20261101-100000-ffff": no such run in .*\(expected a run id, a run directory or "latest"\)/);
  });

  it('open --print prints the report path; a run without a report says how to render it', async () => {
    const dir = await finishedRun('20261101-100000-aaaa', 'careful');
    expect(await run('open', 'latest', '--repo', repo, '--print')).toBe(0);
    expect(stdout.trim()).toBe(join(dir, 'report.html'));
    await rm(join(dir, 'report.html'));
    expect(await run('open', 'latest', '--repo', repo, '--print')).toBe(2);
    expect(stderr).toMatch(/no such file \(the run has no report; "tourney report .*" renders it from result\.json\)/);
  });
});
