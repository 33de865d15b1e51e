import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Engine } from '../../src/sandbox/engine.js';
import { execa } from 'execa';
import { cli, cliResult } from '../support/cli.js';
import type { RunResult } from '../../src/types.js';
import { ensureTestImage, leftoverResources } from '../support/docker.js';
import { makeNpmFixture, NPM_CANDIDATES, SETUP, type NpmFixture } from '../support/npm-fixture.js';
import { imageSummary, listTourneyImages, removeImage } from '../../src/sandbox/images.js';
import { IMAGE_LABELS } from '../../src/sandbox/labels.js';

// A repository with a real npm dependency and `setup: npm ci`: the setup reaches the registry
// once, every entrant and referee container starts from the prepared image with no network.

/** An entrant whose scripted model writes these files and says it is done. */
function script(files: Record<string, string>): string {
  return JSON.stringify({
    turns: [
      { tools: Object.entries(files).map(([path, content]) => ({ name: 'write', args: { filePath: `{{workdir}}/${path}`, content } })) },
      { text: 'Done.' },
    ],
  });
}

const entrant = (result: RunResult, name: string) => {
  const found = result.entrants.find((e) => e.name === name);
  if (!found) throw new Error(`no entrant ${name} in ${result.entrants.map((e) => e.name).join(', ')}`);
  return found;
};

describe('a repository with npm dependencies: one prepared environment per run, reused across runs', () => {
  let engine: Engine;
  let fx: NpmFixture;
  let first: RunResult;
  let second: RunResult;
  let firstCode: number;
  let secondCode: number;
  let stateDir: string;

  beforeAll(async () => {
    engine = await ensureTestImage();
    // "Last used" is tourney's own record: keep this suite's out of the user's state dir.
    stateDir = await mkdtemp(join(tmpdir(), 'tourney-state-'));
    vi.stubEnv('XDG_STATE_HOME', stateDir);
    vi.stubEnv('TOURNEY_TEST_TOKEN', 'tok-7f3a');
    const scriptsDir = 'prepared-scripts';
    fx = await makeNpmFixture({
      'tourney.config.yaml': [
        'entrants:',
        '  - { name: handmade, model: scripted/handmade }',
        '  - { name: with-ms, model: scripted/with-ms }',
        '  - { name: wrong, model: scripted/wrong }',
        `scripts: [../${scriptsDir}]`,
        'sandbox: { cpus: 1, memory: 1g, timeLimit: 3m, setupEnv: [TOURNEY_TEST_TOKEN] }',
        '',
      ].join('\n'),
    });
    for (const name of ['handmade', 'with-ms', 'wrong']) {
      const file = join(dirname(fx.repo), scriptsDir, `${name}.json`);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, script(NPM_CANDIDATES[name]!));
    }
    // The key depends only on the image, the setup and the lockfiles: a previous run of this suite on
    // this machine left the same images behind. Start cold.
    for (const image of await listTourneyImages(engine, 'environment')) {
      if (image.labels[IMAGE_LABELS.setup] === SETUP) await removeImage(engine, image.id);
    }
    const key = await cliResult('run', fx.spec, '--repo', fx.repo, '--json', '--quiet');
    first = key.result!;
    firstCode = key.code;
    const again = await cliResult('run', fx.spec, '--repo', fx.repo, '--json', '--quiet');
    second = again.result!;
    secondCode = again.code;
  }, 900_000);

  afterAll(async () => {
    vi.unstubAllEnvs();
    await fx?.cleanup();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('finds the winner: the entrants could use the installed dependency', () => {
    expect(firstCode).toBe(0);
    expect(first.winner).toBe('handmade');
    expect(entrant(first, 'handmade').checks.tests?.passed).toBe(true);
    expect(entrant(first, 'handmade').checks.hiddenTests?.passed).toBe(true);
    expect(entrant(first, 'wrong').checks.hiddenTests?.passed).toBe(false);
  });

  it('a new dependency in a diff is installed for that entrant alone, and it passes', () => {
    const withMs = entrant(first, 'with-ms');
    expect(withMs.environment).toMatchObject({ reprepared: true, touched: ['package-lock.json', 'package.json'] });
    expect(withMs.environment?.image).not.toBe(first.environment?.image);
    expect(withMs.checks.tests?.passed).toBe(true);
    expect(withMs.checks.hiddenTests?.passed).toBe(true);
    expect(withMs.eligible).toBe(true);
    // The others never needed an environment of their own.
    expect(entrant(first, 'handmade').environment).toBeUndefined();
  });

  it('the setup ran once for the base in the first run, and the image holds that one run', async () => {
    const env = first.environment!;
    expect(env.status).toBe('built');
    // Once for the base, once for with-ms's own environment; never in an entrant or referee container.
    expect(env.setupRuns).toBe(2);
    expect(entrant(first, 'with-ms').environment?.status).toBe('built');
    expect(await readFile(join(first.runDir, env.logPath!), 'utf8')).toMatch(/added 1 package/);
    expect(await readFile(join(first.runDir, entrant(first, 'with-ms').environment!.logPath!), 'utf8')).toMatch(/added 2 packages/);
    expect(env.keyFiles).toEqual(['package-lock.json', 'package.json']);
    const { stdout } = await execa('docker', ['run', '--rm', env.image, 'sh', '-c', 'cat /work/repo/.setup-runs; ls /work/repo']);
    // One setup run made this image (with the setupEnv secret); the repository's own files are not in
    // it (each container lays its base).
    expect(stdout.split('\n')).toEqual(['ran; src: check.js ; token: set', 'node_modules']);
  });

  it("an entrant's setup sees only its key files, and no secret", async () => {
    const own = entrant(first, 'with-ms').environment!;
    const { stdout } = await execa('docker', ['run', '--rm', own.image!, 'cat', '/work/repo/.setup-runs']);
    // Not its src/duration.js: the image is shared by everyone with the same key files, so nothing
    // else of its diff may shape it. Not the token: its install scripts are its own code.
    expect(stdout).toBe('ran; src: check.js ; token: ');
  });

  it('the second run reuses the environment: the setup does not run at all', () => {
    expect(secondCode).toBe(0);
    expect(second.winner).toBe('handmade');
    expect(second.environment).toMatchObject({ status: 'reused', setupRuns: 0, logPath: null, image: first.environment?.image, imageId: first.environment?.imageId });
    expect(entrant(second, 'with-ms').environment?.status).toBe('reused');
  });

  it('what the setup installed is never part of a diff or a branch', async () => {
    for (const e of first.entrants) {
      const patch = await readFile(join(first.runDir, e.diffPath), 'utf8');
      expect(patch).not.toMatch(/^diff --git a\/(node_modules|\.setup-runs)/m);
      expect(patch).toMatch(/^diff --git a\/src\/duration\.js/m);
    }
    const files = await fx.git('ls-tree', '-r', '--name-only', first.winnerBranch!);
    expect(files.split('\n').sort()).toEqual(['.gitignore', 'package-lock.json', 'package.json', 'src/check.js', 'src/duration.js', 'test/check.test.js', 'test/duration.test.js', 'tourney.config.yaml']);
  });

  it('records the environment in result.json and shows it in the report', async () => {
    const saved = JSON.parse(await readFile(join(first.runDir, 'result.json'), 'utf8')) as RunResult;
    expect(saved.environment?.key).toMatch(/^[0-9a-f]{64}$/);
    expect(saved.timings.prepareMs).toBeGreaterThan(0);
    const html = await readFile(first.reportPath, 'utf8');
    expect(html).toContain(first.environment!.image);
    // A setupEnv value reaches the setup's processes, never what tourney writes.
    expect(JSON.stringify(saved)).not.toContain('tok-7f3a');
    expect(html).not.toContain('tok-7f3a');
    expect(html).toMatch(/re-prepared/);
  });

  it('score: a dependency change that breaks the install fails that candidate alone, with the install log', async () => {
    const { code, result } = await cliResult(
      'score', fx.spec, '--repo', fx.repo, '--json', '--quiet',
      ...Object.keys(NPM_CANDIDATES).flatMap((name) => ['--candidate', `${name}=cand/${name}`]),
    );
    expect(code).toBe(0);
    expect(result!.winner).toBe('handmade');
    expect(result!.environment?.status).toBe('reused');
    const broken = entrant(result!, 'broken-dep');
    expect(broken.environment).toMatchObject({ reprepared: true, status: 'failed', touched: ['package.json'] });
    expect(broken.checks.tests?.passed).toBeNull();
    expect(broken.checks.tests?.error).toMatch(/^its dependency change broke the setup: it exited with 1 after [\d.]+ s \(install log: entrants\/broken-dep\/setup\.log\)$/);
    expect(broken.gates.find((g) => g.gate === 'tests')?.passed).toBe(false);
    const log = await readFile(join(result!.runDir, broken.environment!.logPath!), 'utf8');
    expect(log).toMatch(/in sync/);
    expect(entrant(result!, 'with-ms').eligible).toBe(true);
    expect(entrant(result!, 'wrong').eligible).toBe(false);
  });

  it('leaves no container or network behind', async () => {
    expect(await leftoverResources(engine)).toEqual([]);
  });

  it('tourney image ls lists the prepared images with key, size and last use; prune removes them', async () => {
    const listed = JSON.parse((await cli('image', 'ls', '--json')).stdout) as { id: string; kind: string; key: string; setup: string; size: number; lastUsed: string | null }[];
    const base = listed.find((i) => i.id === first.environment?.imageId);
    expect(base).toMatchObject({ kind: 'environment', key: first.environment?.key, setup: SETUP });
    expect(base!.size).toBeGreaterThan(0);
    // The score run above was the last to use it.
    expect(Date.parse(base!.lastUsed!)).toBeGreaterThan(Date.parse(second.finishedAt));
    const table = (await cli('image', 'ls')).stdout;
    expect(table).toMatch(/^image\s+kind\s+key\s+size\s+created\s+last used\s+setup/);
    expect(table).toContain(first.environment!.image);

    // Other environments on this engine may be old enough to go; the one used minutes ago stays.
    const kept = await cli('image', 'prune', '--kind', 'environment', '--older-than', '1h');
    expect(kept.stdout).not.toContain(first.environment!.image);
    expect(await imageSummary(engine, first.environment!.imageId)).toBeDefined();
    const dry = await cli('image', 'prune', '--kind', 'environment', '--dry-run');
    expect(dry.stdout).toContain(`would remove ${first.environment!.image} (environment`);
    expect(await imageSummary(engine, first.environment!.imageId)).toBeDefined();
    const pruned = await cli('image', 'prune', '--kind', 'environment');
    expect(pruned.stdout).toContain(`removed ${first.environment!.image} (environment)`);
    expect(await imageSummary(engine, first.environment!.imageId)).toBeUndefined();
    expect(await imageSummary(engine, first.environment!.toolchain.imageId)).toBeDefined();
  });
});

describe('when the setup cannot reach the registry', () => {
  let fx: NpmFixture;
  beforeAll(async () => {
    await ensureTestImage();
    fx = await makeNpmFixture();
  });
  afterAll(async () => {
    await fx?.cleanup();
  });

  async function scoreWith(setup: string, config: string) {
    const spec = (await readFile(fx.spec, 'utf8')).replace(/^setup: .*$/m, `setup: ${setup}`);
    await writeFile(fx.spec, spec);
    await writeFile(join(fx.repo, 'tourney.config.yaml'), config);
    return cliResult('score', fx.spec, '--repo', fx.repo, '--candidate', 'h=cand/handmade');
  }

  it('with setupNetwork none: exit 3 before any candidate is refereed, naming the setting', async () => {
    const { code, stderr } = await scoreWith('npm ci --fetch-retries=0 --no-audit', 'sandbox: { setupNetwork: none }\n');
    expect(code).toBe(3);
    expect(stderr).toMatch(/setup command "npm ci --fetch-retries=0 --no-audit" exited with 1 .* on the base commit, so no entrant can start/);
    expect(stderr).toMatch(/log: .*environment\/setup\.log/);
    expect(stderr).toMatch(/sandbox\.setupNetwork is "none"/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('with an unreachable registry: exit 3, with what the setup was given and what to check', async () => {
    const { code, stderr } = await scoreWith('npm ci --fetch-retries=0 --registry http://127.0.0.1:9/', '');
    expect(code).toBe(3);
    expect(stderr).toMatch(/ECONNREFUSED/);
    expect(stderr).toMatch(/could not reach a host it needs.*CA bundle/);
    const runs = await execa('ls', [join(fx.repo, '.tourney', 'runs')]);
    expect(existsSync(join(fx.repo, '.tourney', 'runs', runs.stdout.split('\n')[0]!, 'environment', 'setup.log'))).toBe(true);
  });
});
