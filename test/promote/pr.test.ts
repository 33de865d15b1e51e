import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promote } from '../../src/promote/promote.js';
import { parseRemoteUrl } from '../../src/promote/github.js';
import { renderPrPacket, packetTitle } from '../../src/promote/packet.js';
import type { PromoteOptions } from '../../src/promote/types.js';
import { TourneyError } from '../../src/errors.js';
import { cli } from '../support/cli.js';
import { gitIn, makePromoteFixture, RUN_ID, type PromoteFixture } from './fixture.js';
import { requestProblems, startFakeGitHub, type FakeGitHub } from './github-server.js';

const TOKEN = 'ghp_test_0123456789';
const WINNER = `tourney/${RUN_ID}/winner`;
let gh: FakeGitHub;
let fx: PromoteFixture;
let bare: string;

beforeAll(async () => {
  gh = await startFakeGitHub(TOKEN);
}, 60_000);
afterAll(async () => gh.close());

/** A repository whose origin is a GitHub URL, pushed (pushInsteadOf) into a real bare repository. */
async function setup(startBranch?: string | null): Promise<void> {
  fx = await makePromoteFixture({ startBranch });
  bare = await mkdtemp(path.join(tmpdir(), 'tourney-remote-'));
  await gitIn(bare, 'init', '-q', '--bare');
  await fx.git('remote', 'add', 'origin', 'https://github.com/octo-org/slugs.git');
  await fx.git('config', `url.${bare}/.pushInsteadOf`, 'https://github.com/octo-org/slugs.git');
  gh.requests.length = 0;
  gh.existingPr = null;
  gh.failWith = null;
}
afterEach(async () => {
  await fx?.cleanup();
  if (bare) await rm(bare, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}) => ({ GITHUB_TOKEN: TOKEN, GITHUB_API_URL: gh.url, ...extra });
const opts = (extra: Partial<PromoteOptions> = {}): PromoteOptions => ({
  repo: fx.repo, run: 'latest', mode: 'pr', remote: 'origin', draft: false, labels: [], dryRun: false, env: env(), ...extra,
});
const remoteRefs = () => gitIn(bare, 'for-each-ref', '--format=%(refname) %(objectname)');

describe('promote --to pr', () => {
  test('pushes the winner branch to the remote and opens a PR whose title and body are the packet', async () => {
    await setup();
    const { record } = await promote(opts({ draft: true, labels: ['tourney', 'needs review'] }));
    expect(await remoteRefs()).toBe(`refs/heads/${WINNER} ${await fx.git('rev-parse', WINNER)}`);
    for (const r of gh.requests) expect(r.problems, `${r.method} ${r.path}`).toEqual([]);
    expect(gh.requests.map((r) => `${r.method} ${r.template}`)).toEqual([
      'POST /repos/{owner}/{repo}/pulls',
      'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
    ]);
    const [create, labels] = gh.requests;
    expect(create!.path).toBe('/repos/octo-org/slugs/pulls');
    expect(create!.auth).toBe(`token ${TOKEN}`);
    const result = JSON.parse(await readFile(path.join(fx.runDir, 'result.json'), 'utf8'));
    expect(create!.body).toEqual({ title: packetTitle(result), head: WINNER, base: 'main', body: renderPrPacket(result, { relativeTo: fx.repo }), draft: true });
    expect(labels!.path).toBe('/repos/octo-org/slugs/issues/42/labels');
    expect(labels!.body).toEqual({ labels: ['tourney', 'needs review'] });
    expect(record).toMatchObject({ action: 'pr-opened', prNumber: 42, prUrl: 'https://github.com/octo-org/slugs/pull/42', repository: 'octo-org/slugs', target: 'main' });
    expect(JSON.parse(await readFile(path.join(fx.runDir, 'promote.json'), 'utf8'))).toMatchObject({ mode: 'pr', prUrl: 'https://github.com/octo-org/slugs/pull/42' });
  });

  test('the schema check is real: a body GitHub would refuse is caught', () => {
    expect(requestProblems('POST', '/repos/{owner}/{repo}/pulls', { title: 't', head: 'h', base: 'b', draft: 'yes' })).not.toEqual([]);
    expect(requestProblems('POST', '/repos/{owner}/{repo}/issues/{issue_number}/labels', { labels: [] })).not.toEqual([]);
    expect(requestProblems('PUT', '/repos/{owner}/{repo}/pulls', {})).not.toEqual([]);
  });

  test('a PR that already exists for the head is reported with its URL (and labelled), not an error', async () => {
    await setup();
    gh.existingPr = 7;
    const { code, stdout, stderr } = await withEnv(env(), () => cli('promote', '--repo', fx.repo, '--to', 'pr', '--label', 'tourney'));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`a pull request for ${WINNER} already exists: https://github.com/octo-org/slugs/pull/7`);
    expect(gh.requests.map((r) => `${r.method} ${r.template}`)).toEqual([
      'POST /repos/{owner}/{repo}/pulls', 'GET /repos/{owner}/{repo}/pulls', 'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
    ]);
    expect(gh.requests[1]!.query).toEqual({ head: `octo-org:${WINNER}`, state: 'open' });
    for (const r of gh.requests) expect(r.problems).toEqual([]);
  });

  test('no token: a clear error naming both variables, before anything is pushed', async () => {
    await setup();
    const { code, stderr } = await withEnv({ GITHUB_TOKEN: '', GH_TOKEN: '', GITHUB_API_URL: gh.url }, () => cli('promote', '--repo', fx.repo, '--to', 'pr'));
    expect(code).toBe(2);
    expect(stderr).toMatch(/no GitHub token: set GITHUB_TOKEN or GH_TOKEN.*nothing was pushed/);
    expect(await remoteRefs()).toBe('');
    expect(gh.requests).toEqual([]);
  });

  test('GH_TOKEN works too; GITHUB_REPOSITORY and --github-repo override the remote URL', async () => {
    await setup();
    await promote(opts({ env: { GH_TOKEN: TOKEN, GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: 'acme/fork' } }));
    expect(gh.requests[0]!.path).toBe('/repos/acme/fork/pulls');
    gh.requests.length = 0;
    await promote(opts({ githubRepo: 'other/name', env: env({ GITHUB_REPOSITORY: 'acme/fork' }) }));
    expect(gh.requests[0]!.path).toBe('/repos/other/name/pulls');
  });

  test('a run started on a detached HEAD opens the PR against the repository default branch', async () => {
    await setup(null);
    gh.defaultBranch = 'trunk';
    const { record } = await promote(opts());
    expect(gh.requests.map((r) => `${r.method} ${r.template}`)).toEqual(['GET /repos/{owner}/{repo}', 'POST /repos/{owner}/{repo}/pulls']);
    for (const r of gh.requests) expect(r.problems).toEqual([]);
    expect(gh.requests[1]!.body).toMatchObject({ base: 'trunk' });
    expect(record.target).toBe('trunk');
    gh.requests.length = 0;
    await promote(opts({ into: 'release' }));
    expect(gh.requests.map((r) => (r.body as { base?: string } | undefined)?.base)).toEqual(['release']);
  });

  test.each([
    [401, 3, /GitHub rejected the token \(401 Bad credentials\); check GITHUB_TOKEN \/ GH_TOKEN/],
    [403, 3, /forbidden on octo-org\/slugs \(403 Resource not accessible by integration\)/],
    [404, 2, /octo-org\/slugs not found at http:\/\/127\.0\.0\.1:\d+ \(404\)/],
  ])('API status %i becomes one line with exit code %i', async (status, exit, message) => {
    await setup();
    gh.failWith = status;
    const { code, stderr } = await withEnv(env(), () => cli('promote', '--repo', fx.repo, '--to', 'pr'));
    expect(code).toBe(exit);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  test('an unreachable API is exit 3; an unknown remote is exit 2; a failed push is exit 3', async () => {
    await setup();
    const closed = await closedPort();
    const down = await promote(opts({ env: { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: `http://127.0.0.1:${closed}` } })).catch((e: unknown) => e as TourneyError);
    expect(down).toBeInstanceOf(TourneyError);
    expect((down as TourneyError).exitCode).toBe(3);
    expect((down as TourneyError).message).toMatch(new RegExp(`cannot reach the GitHub API at http://127\\.0\\.0\\.1:${closed} \\(`));
    const noRemote = await promote(opts({ remote: 'upstream' })).catch((e: unknown) => e as TourneyError);
    expect((noRemote as TourneyError).exitCode).toBe(2);
    expect((noRemote as TourneyError).message).toMatch(/--remote upstream: no such remote .*remotes: origin/);
    await fx.git('config', `url.${bare}-missing/.pushInsteadOf`, 'https://github.com/octo-org/slugs.git');
    await fx.git('config', '--unset', `url.${bare}/.pushInsteadOf`);
    const push = await promote(opts()).catch((e: unknown) => e as TourneyError);
    expect((push as TourneyError).exitCode).toBe(3);
    expect((push as TourneyError).message).toMatch(/git push origin .* failed: /);
  });
});

describe('remote URL parsing', () => {
  test.each([
    ['https://github.com/octo-org/slugs.git', 'octo-org/slugs'],
    ['https://github.com/octo-org/slugs', 'octo-org/slugs'],
    ['https://github.com/octo-org/slugs/', 'octo-org/slugs'],
    ['https://x-access-token:abc@github.com/octo-org/slugs.git', 'octo-org/slugs'],
    ['http://ghe.corp.example/octo-org/slugs.git', 'octo-org/slugs'],
    ['git@github.com:octo-org/slugs.git', 'octo-org/slugs'],
    ['github.com:octo-org/slugs', 'octo-org/slugs'],
    ['ssh://git@github.com/octo-org/slugs.git', 'octo-org/slugs'],
    ['ssh://git@ghe.corp.example:2222/octo-org/my.repo.git', 'octo-org/my.repo'],
    ['git://github.com/octo-org/slugs.git', 'octo-org/slugs'],
    ['/srv/git/slugs.git', null],
    ['./relative/path', null],
    ['C:\\repos\\slugs', null],
    ['https://github.com/only-owner', null],
    ['file:///srv/git/octo/slugs.git', null],
    ['https://github.com/octo-org/..', null],
  ])('%s -> %s', (url, expected) => {
    const parsed = parseRemoteUrl(url);
    expect(parsed ? `${parsed.owner}/${parsed.repo}` : null).toBe(expected);
  });
});

/** A local port nothing listens on (connections are refused at once). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) {
    if (v === '') delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
