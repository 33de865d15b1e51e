import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPerfCheck, type PerfCheckInput } from '../../src/checks/perf.js';
import { DEFAULT_IMAGE } from '../../src/config/defaults.js';
import { archiveCommit } from '../../src/git/repo.js';
import { LABELS, SANDBOX_UID } from '../../src/sandbox/labels.js';
import { retarAs } from '../../src/sandbox/tar.js';
import { packagePath } from '../../src/paths.js';
import { ensureTestImage } from '../support/docker.js';

const FIXTURES = packagePath('test', 'fixtures', 'perf');
const RUN_ID = `perf-test-${process.pid}-${Date.now().toString(36)}`;
const SLUGIFY = 'src/slugify.js';
const BENCH = 'bench/slugify.bench.js';

let docker: Docker;
let work: string;
let repo: string;
let baseTar: string;
let checks = 0;

function git(...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo, encoding: 'utf8' });
}

/** The entrant's change as the referee receives it: a binary diff against the base commit. */
async function patchOf(edit: () => Promise<void>): Promise<string> {
  await edit();
  git('add', '-A');
  const patch = git('diff', '--cached', '--binary');
  git('reset', '-q', '--hard');
  return patch;
}

function check(patch: string, extra: Partial<PerfCheckInput> = {}) {
  checks += 1;
  return runPerfCheck(docker, {
    baseImage: DEFAULT_IMAGE,
    entrantImage: DEFAULT_IMAGE,
    runId: RUN_ID,
    entrant: `e${checks}`,
    baseTar,
    patch,
    benchFiles: [BENCH],
    overlays: [],
    limits: { cpus: 1, memoryMb: 512, pids: 256 },
    timeoutMs: 60_000,
    logFile: join(work, 'logs', `perf-${checks}.log`),
    logRelPath: `logs/perf-${checks}.log`,
    ...extra,
  });
}

beforeAll(async () => {
  docker = await ensureTestImage();
  work = await mkdtemp(join(tmpdir(), 'tourney-perf-'));
  repo = join(work, 'repo');
  await cp(join(FIXTURES, 'repo'), repo, { recursive: true });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'base');
  // As snapshotBase does it: git archive with a repo/ prefix, re-owned by the sandbox user.
  await archiveCommit(repo, 'HEAD', join(work, 'raw.tar'), [], 'repo/');
  baseTar = join(work, 'base.tar');
  await retarAs(join(work, 'raw.tar'), baseTar, SANDBOX_UID, { listUnder: 'repo/' });
});

afterAll(async () => {
  const left = await docker?.listContainers({ all: true, filters: { label: [`${LABELS.run}=${RUN_ID}`] } });
  for (const c of left ?? []) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('runPerfCheck', () => {
  it('flags a change that makes the function clearly slower', async () => {
    const patch = await patchOf(() =>
      writeFile(
        join(repo, SLUGIFY),
        `let spin = 0;
export function slugify(text) {
  for (let i = 0; i < 50000; i++) spin = (spin + i * 31) | 0;
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') + (spin === 7 ? '!' : '');
}
`,
      ),
    );
    const result = await check(patch);
    console.log(`perf check, 1 bench file x 2 tasks x 3 rounds: ${result.durationMs} ms`);
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ ran: true, regression: true, rounds: 3, threshold: 0.1, logPath: 'logs/perf-1.log' });
    expect(result.tasks.map((t) => t.task)).toEqual(['slugify short', 'slugify long']);
    for (const task of result.tasks) {
      expect(task.file).toBe(BENCH);
      expect(task.baseOpsPerSec).toBeGreaterThan(0);
      expect(task.ratio).toBeLessThan(0.5);
      expect(Number.isFinite(task.rme)).toBe(true);
    }
    expect(result.ratio).toBeLessThan(0.5);
    const log = await readFile(join(work, 'logs', 'perf-1.log'), 'utf8');
    expect(log).toContain('## round 3, base');
    expect(log).toContain('## round 2, entrant');
  });

  it('finds no regression in a neutral change', async () => {
    const patch = await patchOf(() => appendFile(join(repo, SLUGIFY), '// A comment changes nothing at run time.\n'));
    const result = await check(patch, { threshold: 0.5 });
    expect(result.error).toBeUndefined();
    expect(result.ran).toBe(true);
    expect(result.ratio).toBeGreaterThan(0.5);
    expect(result.ratio).toBeLessThan(2);
    expect(result.regression).toBe(false);
  });

  it('runs a hidden bench supplied as an overlay in both trees', async () => {
    const result = await check('', {
      rounds: 1,
      threshold: 0.5,
      benchFiles: [BENCH, 'bench/hidden.bench.js'],
      overlays: [{ hostPath: join(FIXTURES, 'hidden', 'hidden.bench.js'), repoPath: 'bench' }],
    });
    expect(existsSync(join(repo, 'bench', 'hidden.bench.js'))).toBe(false);
    expect(result.error).toBeUndefined();
    const hidden = result.tasks.find((t) => t.task === 'slugify punctuation');
    expect(hidden?.file).toBe('bench/hidden.bench.js');
    expect(hidden?.baseOpsPerSec).toBeGreaterThan(0);
    expect(hidden?.opsPerSec).toBeGreaterThan(0);
    expect(result.tasks).toHaveLength(3);
  });

  it('leaves tasks that cannot run at base out of the ratio', async () => {
    const patch = await patchOf(async () => {
      await appendFile(join(repo, SLUGIFY), `export function kebab(text) {\n  return slugify(text);\n}\n`);
      await writeFile(
        join(repo, 'bench', 'kebab.bench.js'),
        `import { kebab } from '../src/slugify.js';\nexport default { kebab: () => kebab('A B') };\nexport const options = { time: 100, warmupTime: 20 };\n`,
      );
    });
    const result = await check(patch, { rounds: 1, threshold: 0.5, benchFiles: [BENCH, 'bench/kebab.bench.js'] });
    expect(result.error).toBeUndefined();
    const kebab = result.tasks.find((t) => t.task === 'kebab');
    expect(kebab).toMatchObject({ file: 'bench/kebab.bench.js', baseOpsPerSec: 0 });
    expect(kebab?.opsPerSec).toBeGreaterThan(0);
    expect(kebab?.ratio).toBeNull();
    expect(result.ratio).toBeGreaterThan(0.5);
    expect(result.regression).toBe(false);
    const log = await readFile(join(work, 'logs', `perf-${checks}.log`), 'utf8');
    expect(log).toMatch(/left out of the ratio[\s\S]*kebab\.bench\.js › kebab: cannot import/);
  });

  it("reports a bench that fails on the entrant's side as a regression", async () => {
    const patch = await patchOf(() =>
      writeFile(join(repo, SLUGIFY), `export function slugify(text) {\n  if (text.length < 20) throw new Error('too short');\n  return text;\n}\n`),
    );
    const result = await check(patch, { rounds: 1 });
    expect(result).toMatchObject({ ran: true, regression: true });
    expect(result.error).toMatch(/slugify short.*too short/);
    expect(result.tasks.find((t) => t.task === 'slugify long')?.opsPerSec).toBeGreaterThan(0);
  });

  it('stops a hanging bench at the timeout and does not rerun it', async () => {
    const patch = await patchOf(() => appendFile(join(repo, SLUGIFY), 'for (;;);\n'));
    const result = await check(patch, { rounds: 2, timeoutMs: 4_000 });
    expect(result).toMatchObject({ ran: true, regression: true });
    expect(result.error).toMatch(/round 1\): timed out after 4 s/);
    expect(result.durationMs).toBeLessThan(15_000);
  });

  it('does not run when the patch does not apply', async () => {
    const patch = await patchOf(() => writeFile(join(repo, SLUGIFY), 'export const x = 1;\n'));
    const result = await check(patch.replaceAll('toLowerCase', 'toUpperCase'), { rounds: 1 });
    expect(result).toMatchObject({ ran: false, ratio: null, regression: false });
    expect(result.error).toMatch(/does not apply/);
  });

  it('leaves no container behind', async () => {
    const left = await docker.listContainers({ all: true, filters: { label: [`${LABELS.run}=${RUN_ID}`] } });
    expect(left).toEqual([]);
  });
});
