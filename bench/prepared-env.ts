// The prepared environment's payoff: 4 candidates on a repository whose `npm ci` takes several
// seconds (is-number plus typescript, from the registry this machine reaches). Measured in one run:
//   old:  the setup in every referee container (tests + hidden tests: 8 containers, 8 setups);
//   cold: `tourney score` with no cached environment (1 setup, committed once, 8 containers start from it);
//   warm: `tourney score` again (0 setups).
// Prints wall times, setup executions and ratios, plus the prepared image sizes.
// Run: npx tsx bench/prepared-env.ts
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DockerEngine } from '../src/sandbox/docker.js';
import type { Engine } from '../src/sandbox/engine.js';
import { execa } from 'execa';
import { DEFAULT_IMAGE } from '../src/config/defaults.js';
import { detectHostTrust, trustEnv } from '../src/prepare/trust.js';
import { mapLimit } from '../src/run/concurrency.js';
import { snapshotBase } from '../src/run/sandbox-environment.js';
import { scoreCandidates } from '../src/score/score.js';
import { Sandbox } from '../src/sandbox/container.js';
import { listTourneyImages, removeImage } from '../src/sandbox/images.js';
import { IMAGE_LABELS, SANDBOX_UID } from '../src/sandbox/labels.js';
import { createSetupNetwork, removeRunResources } from '../src/sandbox/network.js';
import { tarOf } from '../src/sandbox/tar.js';
import { applyPatch, prepareWorkspace, runShell } from '../src/sandbox/workspace.js';
import { loadSpec } from '../src/spec/load.js';
import { formatBytes } from '../src/format.js';
import type { RunResult } from '../src/types.js';
import { HANDMADE_SOURCE, VISIBLE_TEST } from '../test/support/npm-fixture.js';

const SETUP = 'npm ci --no-audit --no-fund';
const LIMITS = { cpus: 1, memoryMb: 2048, pids: 512 };

const SPEC = `---
title: Parse durations
test: npm test
setup: ${SETUP}
hidden:
  files: acceptance/
  into: test/acceptance
  test: node --test test/acceptance/
---
# Parse durations
\`parseDuration(text)\` in src/duration.js returns the milliseconds in "250ms", "2s", "1m" or "1h".
`;
const HIDDEN = "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { parseDuration } from '../../src/duration.js';\ntest('seconds', () => assert.equal(parseDuration('2s'), 2000));\n";

const CANDIDATES: Record<string, Record<string, string>> = {
  a: { 'src/duration.js': HANDMADE_SOURCE, 'test/duration.test.js': VISIBLE_TEST },
  b: { 'src/duration.js': HANDMADE_SOURCE.replace('UNIT_MS', 'UNITS').replace('UNIT_MS', 'UNITS') },
  c: { 'src/duration.js': HANDMADE_SOURCE.replace('s: 1000', 's: 100') },
  d: { 'src/duration.js': HANDMADE_SOURCE, 'test/more.test.js': VISIBLE_TEST.replace("'3s'), 3000", "'1h'), 3600000") },
};

async function writeAll(root: string, files: Record<string, string>) {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

async function fixture(dir: string): Promise<{ repo: string; spec: string; patches: Record<string, string> }> {
  const repo = join(dir, 'repo');
  await writeAll(repo, {
    'package.json': JSON.stringify({ name: 'bench', version: '1.0.0', type: 'module', scripts: { test: 'node --test test/' }, dependencies: { 'is-number': '7.0.0' }, devDependencies: { typescript: '5.9.3' } }, null, 2),
    '.gitignore': 'node_modules/\n',
    'src/check.js': "import isNumber from 'is-number';\nexport function toNumber(v) { if (!isNumber(v)) throw new TypeError(String(v)); return Number(v); }\n",
    'test/check.test.js': "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { toNumber } from '../src/check.js';\ntest('n', () => assert.equal(toNumber('2'), 2));\n",
  });
  // The lock comes from the registry the host reaches, as a user's would.
  await execa('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: repo });
  await writeAll(dir, { 'spec/feature.md': SPEC, 'spec/acceptance/d.test.js': HIDDEN });
  const git = (...args: string[]) => execa('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', ...args], { cwd: repo });
  await git('init', '-q', '-b', 'main');
  await git('add', '-A');
  await git('commit', '-qm', 'base');
  const patches: Record<string, string> = {};
  for (const [name, files] of Object.entries(CANDIDATES)) {
    await git('checkout', '-q', '-b', `cand/${name}`, 'main');
    await writeAll(repo, files);
    await git('add', '-A');
    await git('commit', '-qm', name);
    patches[name] = `${(await git('diff', '--binary', 'main', `cand/${name}`)).stdout}\n`;
  }
  await git('checkout', '-q', 'main');
  return { repo, spec: join(dir, 'spec', 'feature.md'), patches };
}

/**
 * The referee's container work alone: 8 containers, each laying base + patch and running its test
 * command. `image: null` is the old behaviour (the setup in every container, from the sandbox image);
 * otherwise they start from the prepared image and run no setup.
 */
async function containerWork(engine: Engine, image: string | null, repo: string, specPath: string, patches: Record<string, string>, scratch: string): Promise<{ ms: number; setups: number; passed: number }> {
  const spec = await loadSpec(specPath);
  const baseTar = join(scratch, 'base.tar');
  await snapshotBase(repo, 'HEAD', spec, join(scratch, 'raw.tar'), baseTar);
  const runId = `bench-${image ? 'new' : 'old'}-${process.pid}`;
  const trust = await detectHostTrust(null);
  // Given the network the setup needs (the old referee had none, so its setups simply failed).
  const network = (await createSetupNetwork(engine, runId)).name;
  let setups = 0;
  let passed = 0;
  const hidden = await tarOf([{ name: 'test/acceptance/d.test.js', content: HIDDEN }], SANDBOX_UID);
  const jobs = Object.entries(patches).flatMap(([name, patch]) => [{ name, patch, purpose: 'tests' }, { name, patch, purpose: 'hidden' }]);
  const t0 = performance.now();
  try {
    await mapLimit(jobs, Math.max(1, cpus().length), async (job) => {
      const sandbox = await Sandbox.create(engine, { image: image ?? DEFAULT_IMAGE, runId, role: 'bench', name: `tourney-${runId}-${job.purpose}-${job.name}`, limits: LIMITS, network: image ? 'none' : network });
      try {
        await prepareWorkspace(sandbox, baseTar);
        await applyPatch(sandbox, job.patch);
        if (trust.caPem) await sandbox.putTar(await tarOf([{ name: 'tourney-trust/host-ca.pem', content: trust.caPem }, { name: 'tourney-trust/ca-bundle.pem', content: trust.caPem }], SANDBOX_UID), '/tmp');
        if (job.purpose === 'hidden') await sandbox.putTar(hidden, '/work/repo');
        if (!image) {
          const setup = await runShell(sandbox, SETUP, 600_000, trustEnv(trust));
          setups += 1;
          if (setup.exitCode !== 0) throw new Error(`setup failed: ${setup.stdout.slice(-300)}`);
        }
        const test = await runShell(sandbox, job.purpose === 'hidden' ? 'node --test test/acceptance/' : 'npm test', 600_000);
        if (test.exitCode === 0) passed += 1;
      } finally {
        await sandbox.remove();
      }
    });
    return { ms: performance.now() - t0, setups, passed };
  } finally {
    await removeRunResources(engine, runId);
  }
}

async function score(repo: string, spec: string): Promise<{ ms: number; result: RunResult }> {
  const t0 = performance.now();
  const result = await scoreCandidates({ repoDir: repo, specPath: spec, candidates: Object.keys(CANDIDATES).map((c) => `${c}=cand/${c}`) }, { onEvent: () => undefined });
  return { ms: performance.now() - t0, result };
}

async function main() {
  const engine = new DockerEngine();
  const dir = await mkdtemp(join(tmpdir(), 'tourney-bench-env-'));
  try {
    const fx = await fixture(dir);
    for (const image of await listTourneyImages(engine, 'environment')) {
      if (image.labels[IMAGE_LABELS.setup] === SETUP) await removeImage(engine, image.id);
    }
    const old = await containerWork(engine, null, fx.repo, fx.spec, fx.patches, dir);
    const cold = await score(fx.repo, fx.spec);
    const warm = await score(fx.repo, fx.spec);
    const env = cold.result.environment!;
    const now = await containerWork(engine, env.image, fx.repo, fx.spec, fx.patches, dir);
    const prepCold = cold.result.timings.prepareMs ?? 0;
    const prepWarm = warm.result.timings.prepareMs ?? 0;
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`.padStart(7);
    console.log(`4 candidates, tests + hidden tests each (8 containers), ${cpus().length} in parallel; setup "${SETUP}"`);
    console.log('container work (prepare stage + the 8 test containers):');
    console.log(`  old, setup in every container  ${s(old.ms)}   setups: ${old.setups}   (containers passing: ${old.passed}/8)`);
    console.log(`  first run (cold cache)         ${s(prepCold + now.ms)}   setups: ${env.setupRuns}   = ${((prepCold + now.ms) / old.ms).toFixed(2)}x old   (containers passing: ${now.passed}/8)`);
    console.log(`  second run (reused)            ${s(prepWarm + now.ms)}   setups: ${warm.result.environment!.setupRuns}   = ${((prepWarm + now.ms) / old.ms).toFixed(2)}x old`);
    console.log('whole `tourney score` (every check, report):');
    console.log(`  first run ${s(cold.ms)}, second run ${s(warm.ms)} = ${(warm.ms / cold.ms).toFixed(2)}x the first`);
    console.log(`setup alone: ${(env.setupMs / 1000).toFixed(1)} s; prepare stage: ${(prepCold / 1000).toFixed(1)} s cold, ${(prepWarm / 1000).toFixed(2)} s warm`);
    console.log(`prepared image: ${formatBytes(env.sizeBytes ?? 0)} in all, ${formatBytes(env.addedBytes ?? 0)} added by the setup to ${env.toolchain.image}`);
    console.log(`winner: ${cold.result.winner} (cold), ${warm.result.winner} (warm)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

void main();
