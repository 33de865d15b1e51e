// What containment costs at sandbox start: an entrant container on a run-wide shared network (before), on a network
// of its own (now, every policy but allowlist), and on a sealed network behind its own egress proxy (allowlist).
// Rounds are interleaved so machine noise hits all three alike. Run: npx tsx bench/network-start.ts [rounds=7] [--quick]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerEngine } from '../src/sandbox/docker.js';
import { loadConfig } from '../src/config/load.js';
import { DEFAULT_IMAGE } from '../src/config/defaults.js';
import { SandboxNetworks } from '../src/run/networks.js';
import { Sandbox } from '../src/sandbox/container.js';
import { createContainerNetwork, removeNetwork, removeRunResources } from '../src/sandbox/network.js';
import { newRunId } from '../src/run/session.js';
import { arg } from './lib/args.js';

const rounds = Number(arg(0, '7', '1'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const LIMITS = { cpus: 1, memoryMb: 512, pids: 128 };

const engine = new DockerEngine();
const runId = newRunId(new Date());
const dir = await mkdtemp(join(tmpdir(), 'tourney-bench-net-'));

async function networksFor(policy: string): Promise<SandboxNetworks> {
  const allow = policy === 'allowlist' ? '\n  allow: [registry.npmjs.org]' : '';
  await writeFile(join(dir, 'tourney.config.yaml'), `entrants: [{ name: a, model: scripted/x }]\nsandbox:\n  network: ${policy}${allow}\n`);
  return SandboxNetworks.prepare(engine, runId, await loadConfig(dir), [{ who: 'a', model: 'scripted/x' }], DEFAULT_IMAGE);
}

const shared = await createContainerNetwork(engine, runId, 'shared', 'internal');
const own = await networksFor('auto');
const allowlist = await networksFor('allowlist');
const times = { shared: [] as number[], own: [] as number[], allowlist: [] as number[] };
try {
  for (let i = 0; i < rounds; i++) {
    let t0 = performance.now();
    const a = await Sandbox.create(engine, { image: DEFAULT_IMAGE, runId, role: 's', name: `tourney-${runId}-s-${i}`, limits: LIMITS, network: shared.name });
    times.shared.push(performance.now() - t0);
    await a.remove();

    for (const [kind, networks] of [['own', own], ['allowlist', allowlist]] as const) {
      t0 = performance.now();
      const attachment = await networks.attach(`${kind}-${i}`, 'scripted/x');
      const box = await Sandbox.create(engine, { image: DEFAULT_IMAGE, runId, role: kind, name: `tourney-${runId}-${kind}-${i}`, limits: LIMITS, network: attachment.network, aliases: attachment.aliases, env: attachment.env });
      times[kind].push(performance.now() - t0);
      await box.remove();
      await attachment.release();
    }
  }
} finally {
  await own.close();
  await allowlist.close();
  await removeNetwork(engine, shared.name).catch(() => undefined);
  await removeRunResources(engine, runId);
  await rm(dir, { recursive: true, force: true });
}
const base = median(times.shared);
console.log(`sandbox start, median of ${rounds} (container create+start, plus its network / proxy where it has its own):`);
for (const [kind, xs] of Object.entries(times)) console.log(`  ${kind.padEnd(10)} ${median(xs).toFixed(0).padStart(6)} ms  x${(median(xs) / base).toFixed(2)}  [${xs.map((x) => x.toFixed(0)).join(' ')}]`);
