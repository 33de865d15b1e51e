// One real scoring run (Docker referee) ending in `--promote merge`, then the packet as a new user
// would ask for it: the winner lands on main, nothing else in the repository changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { cli } from '../support/cli.js';
import type { RunResult } from '../../src/types.js';
import { parseTrailers, sha256Tag } from '../../src/promote/provenance.js';
import { ensureTestImage } from '../support/docker.js';
import { makeScoreFixture, type ScoreFixture } from '../support/score-fixture.js';

describe('tourney score --promote merge', () => {
  let fixture: ScoreFixture;
  let result: RunResult;
  let run: { code: number; stdout: string; stderr: string };
  let refsBefore: string;
  const git = async (...args: string[]) => (await execa('git', args, { cwd: fixture.repo })).stdout;

  beforeAll(async () => {
    await ensureTestImage();
    fixture = await makeScoreFixture();
    refsBefore = await git('for-each-ref', '--format=%(refname) %(objectname)');
    run = await cli('score', fixture.spec, '--repo', fixture.repo, '--candidate', 'correct=cand/correct', '--candidate', 'test-deleter=cand/test-deleter', '--promote', 'merge', '--json', '--quiet');
    result = JSON.parse(run.stdout) as RunResult;
  }, 900_000);

  afterAll(async () => fixture?.cleanup());

  it('merges the winner into the branch the run started on, and changes nothing else', async () => {
    expect(run.code).toBe(0);
    expect(result.winner).toBe('correct');
    expect(result.startBranch).toBe('main');
    const winner = await git('rev-parse', result.winnerBranch!);
    expect(await git('rev-parse', 'main')).toBe(winner);
    expect(run.stderr).toMatch(/promote: fast-forward main/);
    expect(await git('status', '--porcelain', '--untracked-files=all')).toBe('');
    const before = new Map(refsBefore.split('\n').map((l) => l.split(' ') as [string, string]));
    for (const line of (await git('for-each-ref', '--format=%(refname) %(objectname)')).split('\n')) {
      const [ref, sha] = line.split(' ') as [string, string];
      if (ref === 'refs/heads/main') continue;
      if (before.has(ref)) expect(sha, ref).toBe(before.get(ref));
      else expect(ref).toMatch(new RegExp(`^refs/heads/tourney/${result.runId}/`));
    }
  });

  it('the winner commit proves which run and which result.json chose it', async () => {
    const message = await git('log', '-1', '--format=%B', result.winnerBranch!);
    expect(parseTrailers(message)).toEqual({
      runId: result.runId,
      spec: sha256Tag(await readFile(fixture.spec)),
      result: sha256Tag(await readFile(join(result.runDir, 'result.json'))),
    });
    expect(JSON.parse(await readFile(join(result.runDir, 'promote.json'), 'utf8'))).toMatchObject({ mode: 'merge', action: 'fast-forward', target: 'main' });
  });

  it('pr.md and "promote latest --to pr --dry-run" give the packet', async () => {
    const packet = await readFile(join(result.runDir, 'pr.md'), 'utf8');
    expect(packet).toMatch(/\*\*correct\*\* \(.*\) won/);
    expect(packet).toMatch(/- test-deleter \(.*\): out on /);
    const dry = await cli('promote', 'latest', '--repo', fixture.repo, '--to', 'pr', '--dry-run', '--github-repo', 'octo-org/words', '--remote', 'origin');
    // No remote in the fixture: a clear bad-input error, nothing else.
    expect(dry.code).toBe(2);
    expect(dry.stderr).toMatch(/--remote origin: no such remote/);
    await git('remote', 'add', 'origin', 'git@github.com:octo-org/words.git');
    const ok = await cli('promote', 'latest', '--repo', fixture.repo, '--to', 'pr', '--dry-run');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`--- PR packet ---\n${packet}`);
  });
});
