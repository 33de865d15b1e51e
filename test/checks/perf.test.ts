import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerOf } from '../../src/sandbox/docker.js';
import type { Engine } from '../../src/sandbox/engine.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPerfCheck, runPerfSession, type PerfCheckInput } from '../../src/checks/perf.js';
import { perfPartScore } from '../../src/checks/perf-stats.js';
import type { PerfCheck } from '../../src/checks/types.js';
import { evaluateGates } from '../../src/ranking/gates.js';
import { scoreEntrant } from '../../src/ranking/score.js';
import type { Spec } from '../../src/types.js';
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
/** Imports titleCase, which base does not have: the feature the session's candidates add. */
const TITLE = 'bench/title.bench.js';

let engine: Engine;
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
  return runPerfCheck(engine, {
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
  engine = await ensureTestImage();
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
  const left = await (engine && dockerOf(engine))?.listContainers({ all: true, filters: { label: [`${LABELS.run}=${RUN_ID}`] } });
  for (const c of left ?? []) await dockerOf(engine).getContainer(c.Id).remove({ force: true }).catch(() => undefined);
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

  it('compares a task base cannot run with the fastest candidate (here the only one), the others with base', async () => {
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
    expect(kebab).toMatchObject({ file: 'bench/kebab.bench.js', baseOpsPerSec: 0, ratio: 1, relativeTo: 'fastest candidate', state: 'base failed' });
    expect(kebab?.opsPerSec).toBeGreaterThan(0);
    expect(kebab?.detail).toMatch(/^base could not run it \(cannot import/);
    expect(result.tasks.filter((t) => t.file === BENCH).map((t) => t.state)).toEqual(['measured', 'measured']);
    expect(result.relativeTo).toBe('mixed');
    expect(result.ratio).toBeGreaterThan(0.5);
    expect(result.regression).toBe(false);
    const log = await readFile(join(work, 'logs', `perf-${checks}.log`), 'utf8');
    expect(log).toMatch(/tasks base could not run[\s\S]*kebab\.bench\.js › kebab: base could not run it \(cannot import/);
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

  it('refuses a result line forged by the entrant\'s code (it cannot know the run\'s secret), with a busy process left behind', async () => {
    // A reward hacker: when loaded by the runner, print a runner-like line with absurd numbers and exit
    // before the runner can; and leave a busy process behind to slow whoever is measured next.
    const forged = JSON.stringify({ files: [{ file: BENCH, tasks: [{ name: 'slugify short', opsPerSec: 1e12, rme: 0, samples: 99 }, { name: 'slugify long', opsPerSec: 1e12, rme: 0, samples: 99 }] }] });
    const patch = await patchOf(() =>
      writeFile(join(repo, SLUGIFY), `import { spawn } from 'node:child_process';
spawn('sh', ['-c', 'while :; do :; done'], { detached: true, stdio: 'ignore' }).unref();
process.stdout.write('\\nTOURNEY_PERF ' + '0'.repeat(32) + ' ${forged.replace(/'/g, "\\'")}\\n');
process.stdout.write('\\nTOURNEY_PERF ${forged.replace(/'/g, "\\'")}\\n');
process.exit(0);
export function slugify(text) { return text; }
`),
    );
    const result = await check(patch, { rounds: 1 });
    expect(result).toMatchObject({ ran: true, regression: true });
    for (const task of result.tasks) {
      expect(task.opsPerSec).toBe(0);
      expect(task.state).toBe('entrant failed');
    }
    expect(result.tasks.length).toBe(2);
    expect(result.error).toMatch(/bench failed on the entrant's side|without a result/);
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
    const left = await dockerOf(engine).listContainers({ all: true, filters: { label: [`${LABELS.run}=${RUN_ID}`] } });
    expect(left).toEqual([]);
  });
});

const FAST_TITLE = `export function titleCase(text) {
  return text.replace(/\\b[a-z]/g, (c) => c.toUpperCase());
}
`;
// Right answers, but it re-splits everything before each character: quadratic.
const SLOW_TITLE = `export function titleCase(text) {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const startsWord = text.slice(0, i).split(' ').at(-1) === '';
    out += startsWord ? text[i].toUpperCase() : text[i];
  }
  return out;
}
`;
const THROWING_TITLE = `export function titleCase(text) {
  if (text.length > 100) throw new RangeError('text too long');
  return text.replace(/\\b[a-z]/g, (c) => c.toUpperCase());
}
`;
const SLOW_SLUGIFY = `let spin = 0;
export function slugify(text) {
  for (let i = 0; i < 50000; i++) spin = (spin + i * 31) | 0;
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') + (spin === 7 ? '!' : '');
}
`;

describe('runPerfSession: base and four candidates of a new feature in one interleaved session', () => {
  const ROUNDS = 2;
  const names = ['fast', 'slow', 'regress', 'thrower'];
  let checksByName: Map<string, PerfCheck>;
  let sessionLog: string;
  const spec = { bench: [BENCH, TITLE] } as unknown as Spec;
  const gates = { tests: false, hiddenTests: false, build: false, tampering: false, security: 'off', injection: false, performance: true } as const;
  const weights = { tests: 25, hiddenTests: 35, lint: 10, security: 10, performance: 10, scope: 10, judge: 20 };

  beforeAll(async () => {
    const patches: Record<string, string> = {
      fast: await patchOf(() => appendFile(join(repo, SLUGIFY), FAST_TITLE)),
      slow: await patchOf(() => appendFile(join(repo, SLUGIFY), SLOW_TITLE)),
      regress: await patchOf(() => writeFile(join(repo, SLUGIFY), SLOW_SLUGIFY + FAST_TITLE)),
      thrower: await patchOf(() => appendFile(join(repo, SLUGIFY), THROWING_TITLE)),
    };
    const started = Date.now();
    checksByName = await runPerfSession(engine, {
      baseImage: DEFAULT_IMAGE,
      runId: RUN_ID,
      baseTar,
      candidates: names.map((name) => ({ name, image: DEFAULT_IMAGE, patch: patches[name]!, logFile: join(work, 'session', name, 'perf.log'), logRelPath: `session/${name}/perf.log` })),
      benchFiles: [BENCH, TITLE],
      overlays: [],
      limits: { cpus: 1, memoryMb: 512, pids: 256 },
      rounds: ROUNDS,
      threshold: 0.5,
      timeoutMs: 60_000,
      sessionLogFile: join(work, 'session', 'perf-session.log'),
      sessionLogRelPath: 'session/perf-session.log',
    });
    console.log(`perf session, base + 4 candidates x 2 bench files x ${ROUNDS} rounds: ${Date.now() - started} ms`);
    sessionLog = await readFile(join(work, 'session', 'perf-session.log'), 'utf8');
  }, 300_000);

  const task = (name: string, t: string) => checksByName.get(name)!.tasks.find((x) => x.task === t)!;

  it('measures base once per round and file, every candidate once per round, in a rotated order', () => {
    expect(sessionLog.match(/^## round \d+, base: /gm)).toHaveLength(ROUNDS * 2);
    for (const name of names) expect(sessionLog.match(new RegExp(`^## round \\d+, entrant ${name}: `, 'gm'))).toHaveLength(ROUNDS * 2);
    const orders = [...sessionLog.matchAll(/^## (\S+), round (\d+): (.+)$/gm)].map((m) => m[3]!.split(', '));
    expect(orders).toHaveLength(ROUNDS * 2);
    for (const order of orders) expect([...order].sort()).toEqual(['base', ...names].sort());
    expect(orders[1]).not.toEqual(orders[0]);
    expect(new Set([...checksByName.values()].map((c) => c.durationMs)).size).toBe(1);
  });

  it('compares the new function with the fastest candidate: the slow one scores lower and fails the gate', () => {
    const fast = task('fast', 'titleCase');
    const slow = task('slow', 'titleCase');
    expect(fast).toMatchObject({ state: 'base failed', relativeTo: 'fastest candidate', baseOpsPerSec: 0 });
    expect(['fast', 'regress']).toContain(fast.reference?.name); // the same fast implementation
    expect(fast.ratio!).toBeGreaterThan(0.5);
    expect(slow).toMatchObject({ state: 'base failed', relativeTo: 'fastest candidate' });
    expect(slow.ratio!).toBeLessThan(0.3);
    expect(slow.detail).toMatch(/^base could not run it \(cannot import: SyntaxError.*titleCase.*\); 0\.\d\dx the fastest candidate \((fast|regress)\)$/);
    const [fastCheck, slowCheck] = [checksByName.get('fast')!, checksByName.get('slow')!];
    expect(fastCheck).toMatchObject({ ran: true, regression: false, relativeTo: 'mixed' });
    expect(slowCheck).toMatchObject({ ran: true, regression: true, relativeTo: 'mixed' });
    const perfPart = (c: PerfCheck) => scoreEntrant({ tests: null, performance: c }, spec, weights).parts.find((p) => p.part === 'performance')!;
    expect(perfPart(slowCheck).score).toBeLessThan(perfPart(fastCheck).score);
    expect(perfPart(fastCheck).score).toBeCloseTo(perfPartScore(fastCheck.ratio!));
    const gate = (c: PerfCheck) => evaluateGates({ tests: null, performance: c }, true, spec, gates).find((g) => g.gate === 'performance')!;
    expect(gate(fastCheck).passed).toBe(true);
    expect(gate(slowCheck)).toMatchObject({ passed: false, reason: expect.stringMatching(/titleCase 0\.\d\dx the fastest candidate/) });
  });

  it('compares an existing function with base: a regression there fails the gate', () => {
    for (const t of ['slugify short', 'slugify long']) {
      expect(task('regress', t)).toMatchObject({ state: 'measured', relativeTo: 'base' });
      expect(task('regress', t).ratio!).toBeLessThan(0.5);
      expect(task('fast', t).ratio!).toBeGreaterThan(0.5);
      expect(task('regress', t).baseOpsPerSec).toBe(task('fast', t).baseOpsPerSec); // one base, measured once per round
    }
    expect(checksByName.get('regress')!.regression).toBe(true);
  });

  it('says the bench failed on the side of the candidate whose code throws, and still measures its other tasks', () => {
    const thrower = checksByName.get('thrower')!;
    expect(thrower).toMatchObject({ ran: true, regression: true });
    expect(thrower.error).toMatch(/titleCase \(round 1\): RangeError: text too long/);
    expect(task('thrower', 'titleCase')).toMatchObject({ state: 'entrant failed', ratio: null, detail: "failed on this candidate's side: RangeError: text too long" });
    expect(task('thrower', 'slugify long').state).toBe('measured');
  });

  it("keeps each candidate's log to base and itself", async () => {
    for (const name of names) {
      const log = await readFile(join(work, 'session', name, 'perf.log'), 'utf8');
      expect(log).toMatch(/## round 1, base: /);
      expect(log).toContain(`entrant ${name}: `);
      for (const other of names.filter((n) => n !== name)) expect(log).not.toContain(`entrant ${other}: `);
      expect(checksByName.get(name)).toMatchObject({ logPath: `session/${name}/perf.log`, sessionLogPath: 'session/perf-session.log' });
    }
  });

  it('stops at an abort, reports every candidate as not run, and removes its containers', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1_500);
    const result = await runPerfSession(engine, {
      baseImage: DEFAULT_IMAGE, runId: RUN_ID, baseTar,
      candidates: ['x', 'y'].map((name) => ({ name, image: DEFAULT_IMAGE, patch: '', logFile: join(work, 'abort', `${name}.log`), logRelPath: `abort/${name}.log` })),
      benchFiles: [BENCH], overlays: [], limits: { cpus: 1, memoryMb: 512, pids: 256 }, rounds: 20, timeoutMs: 60_000, signal: controller.signal,
    });
    for (const name of ['x', 'y']) expect(result.get(name)).toMatchObject({ ran: false, error: 'performance check could not run: interrupted' });
    const left = await dockerOf(engine).listContainers({ all: true, filters: { label: [`${LABELS.run}=${RUN_ID}`] } });
    expect(left).toEqual([]);
  });
});
