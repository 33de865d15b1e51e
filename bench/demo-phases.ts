// Times the offline demo tournament phase by phase, next to baselines measured in the same run:
// a bare container start+remove on the same image, and the demo's test command run directly on the host.
// Run: npx tsx bench/demo-phases.ts [runs=3] [--quick]
import { rm } from 'node:fs/promises';
import { execa } from 'execa';
import Docker from 'dockerode';
import { createDemoRepo } from '../src/demo/demo.js';
import { runTournament } from '../src/run/tournament.js';
import { DEFAULT_IMAGE } from '../src/config/defaults.js';
import type { PhaseTimings } from '../src/types.js';
import { arg } from './lib/args.js';

const runs = Number(arg(0, '3', '1'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function containerStartMs(docker: Docker): Promise<number> {
  const t0 = performance.now();
  const c = await docker.createContainer({ Image: DEFAULT_IMAGE, Cmd: ['true'], HostConfig: { NetworkMode: 'none' } });
  await c.start();
  await c.wait();
  await c.remove({ force: true });
  return performance.now() - t0;
}

async function dockerRunMs(): Promise<number> {
  const t0 = performance.now();
  await execa('docker', ['run', '--rm', DEFAULT_IMAGE, 'true']);
  return performance.now() - t0;
}

async function hostTestMs(): Promise<number> {
  const repo = await createDemoRepo();
  const t0 = performance.now();
  // The demo keeps its acceptance tests beside the spec, in the repository: run the visible tests only,
  // as the referee does (the hidden ones fail at base by design).
  await execa('node', ['--test', 'test/'], { cwd: repo });
  const ms = performance.now() - t0;
  await rm(repo, { recursive: true, force: true });
  return ms;
}

const docker = new Docker();
const baseline = { container: [] as number[], dockerRun: [] as number[], hostTest: [] as number[] };
const phases: PhaseTimings[] = [];
for (let i = 0; i < runs; i++) {
  baseline.container.push(await containerStartMs(docker));
  baseline.dockerRun.push(await dockerRunMs());
  baseline.hostTest.push(await hostTestMs());
  const repo = await createDemoRepo();
  const result = await runTournament({ repoDir: repo, specPath: `${repo}/feature.md` }, { onEvent: () => undefined });
  if (result.winner !== 'tidy') throw new Error(`demo picked ${result.winner}, expected tidy`);
  phases.push(result.timings);
  await rm(repo, { recursive: true, force: true });
}

const container = median(baseline.container);
const hostTest = median(baseline.hostTest);
const dockerRun = median(baseline.dockerRun);
console.log(`runs: ${runs} (medians, ms)`);
console.log(`baseline  container start+remove: ${container.toFixed(0)}   \`docker run --rm\`: ${dockerRun.toFixed(0)}   host "node --test": ${hostTest.toFixed(0)}`);
for (const key of ['imageMs', 'prepareMs', 'sandboxStartMs', 'agentsMs', 'refereeMs', 'judgeMs', 'reportMs', 'totalMs'] as const) {
  const m = median(phases.map((p) => p[key] ?? 0));
  console.log(`${key.padEnd(15)} ${m.toFixed(0).padStart(7)}   = ${(m / container).toFixed(1)}x container start`);
}
console.log(`sandboxStartMs (slowest entrant) vs bare \`docker run --rm\`: ${(median(phases.map((p) => p.sandboxStartMs)) / dockerRun).toFixed(2)}x`);
const referee = median(phases.map((p) => p.refereeMs));
console.log(`referee per entrant (2 in parallel) vs host test run: ${(referee / hostTest).toFixed(1)}x`);
