// Where an entrant's sandbox start goes, step by step (its own network, container create+start, copy-in of the
// base snapshot, git init + base commit), against a bare `docker run --rm` of the same image on the same engine
// measured in the same interleaved rounds. Run: npx tsx bench/sandbox-start.ts [rounds=5] [--quick]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerEngine } from '../src/sandbox/docker.js';
import { execa } from 'execa';
import { createDemoRepo } from '../src/demo/demo.js';
import { loadConfig } from '../src/config/load.js';
import { loadSpec } from '../src/spec/load.js';
import { DEFAULT_IMAGE } from '../src/config/defaults.js';
import { SandboxNetworks } from '../src/run/networks.js';
import { snapshotBase } from '../src/run/sandbox-environment.js';
import { newRunId } from '../src/run/session.js';
import { Sandbox } from '../src/sandbox/container.js';
import { removeRunResources } from '../src/sandbox/network.js';
import { prepareWorkspace } from '../src/sandbox/workspace.js';
import { arg } from './lib/args.js';

const rounds = Number(arg(0, '5', '1'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const LIMITS = { cpus: 1, memoryMb: 1024, pids: 256, diskMb: 2048 };

const engine = new DockerEngine();
const runId = newRunId(new Date());
const dir = await mkdtemp(join(tmpdir(), 'tourney-bench-start-'));
const steps = { bare: [] as number[], network: [] as number[], container: [] as number[], copyIn: [] as number[], gitInit: [] as number[], total: [] as number[] };
let networks: SandboxNetworks | undefined;
try {
  const repo = await createDemoRepo(join(dir, 'repo'));
  const spec = await loadSpec(join(repo, 'feature.md'));
  await snapshotBase(repo, 'HEAD', spec, join(dir, 'raw.tar'), join(dir, 'base.tar'));
  networks = await SandboxNetworks.prepare(engine, runId, await loadConfig(repo), [{ who: 'a', model: 'scripted/x' }], DEFAULT_IMAGE);
  await execa('docker', ['run', '--rm', DEFAULT_IMAGE, 'true']); // warm-up: the first start after idle pays for page cache
  for (let i = 0; i < rounds; i++) {
    let t0 = performance.now();
    await execa('docker', ['run', '--rm', DEFAULT_IMAGE, 'true']);
    steps.bare.push(performance.now() - t0);

    const start = performance.now();
    t0 = start;
    const attachment = await networks.attach(`a${i}`, 'scripted/x');
    steps.network.push(performance.now() - t0);
    t0 = performance.now();
    const box = await Sandbox.create(engine, { image: DEFAULT_IMAGE, runId, role: `a${i}`, name: `tourney-${runId}-a${i}`, limits: LIMITS, network: attachment.network, aliases: attachment.aliases, env: attachment.env, autoRemove: false });
    steps.container.push(performance.now() - t0);
    try {
      t0 = performance.now();
      await box.putTar(join(dir, 'base.tar'), '/work');
      steps.copyIn.push(performance.now() - t0);
      // prepareWorkspace unpacks again into the same place (idempotent), so its git part is its time minus a second copy-in.
      t0 = performance.now();
      const commit = await prepareWorkspace(box, join(dir, 'base.tar'));
      if (!/^[0-9a-f]{40}$/.test(commit)) throw new Error(`no base commit: ${commit}`);
      steps.gitInit.push(Math.max(0, performance.now() - t0 - steps.copyIn.at(-1)!));
      steps.total.push(performance.now() - start - steps.copyIn.at(-1)!);
    } finally {
      await box.remove();
      await attachment.release();
    }
  }
} finally {
  await networks?.close();
  await removeRunResources(engine, runId);
  await rm(dir, { recursive: true, force: true });
}
const bare = median(steps.bare);
console.log(`entrant sandbox start (demo repo, network auto), median of ${rounds}; baseline: bare \`docker run --rm ${DEFAULT_IMAGE} true\` ${bare.toFixed(0)} ms`);
for (const [step, xs] of Object.entries(steps)) {
  if (step === 'bare') continue;
  console.log(`  ${step.padEnd(10)} ${median(xs).toFixed(0).padStart(6)} ms  ${(median(xs) / bare).toFixed(2)}x bare  [${xs.map((x) => x.toFixed(0)).join(' ')}]`);
}
