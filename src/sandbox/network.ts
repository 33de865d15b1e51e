import type Docker from 'dockerode';
import { dockerOf } from './docker.js';
import type { Engine } from './engine.js';
import { LABELS } from './labels.js';
import { ownerLabels } from './owner.js';

export interface RunNetwork {
  name: string;
  /** The host's address on this network: where a host-side server is reachable from containers. */
  gateway: string;
}

/**
 * An internal network: containers on it reach the host's gateway address and nothing outside,
 * and the host reaches them by IP. Used when the model is served from the host (scripted model).
 */
export async function createInternalNetwork(engine: Engine, runId: string): Promise<RunNetwork> {
  return createRunNetwork(dockerOf(engine), runId, `tourney-${runId}`, true);
}

/**
 * A bridge of the run's own with egress (NAT) for setup containers: they reach what the host's
 * network reaches (package registries), without sharing Docker's default bridge with other containers.
 */
export async function createSetupNetwork(engine: Engine, runId: string): Promise<RunNetwork> {
  return createRunNetwork(dockerOf(engine), runId, `tourney-${runId}-setup`, false);
}

/**
 * What one container's own network lets it reach (one network per entrant or judge, so no container can open a
 * connection to another's: Docker drops traffic between bridges):
 * - `internal`: the host's gateway address only (where the scripted model server listens), no internet;
 * - `egress`: the internet through NAT, and the host's addresses (Docker does not filter traffic to the host);
 * - `sealed`: nothing at all, not even the host (the bridge has no host address): the allowlist's entrant network,
 *   whose only other member is its egress proxy.
 */
export type NetworkKind = 'internal' | 'egress' | 'sealed';

export async function createContainerNetwork(engine: Engine, runId: string, role: string, kind: NetworkKind): Promise<RunNetwork> {
  const docker = dockerOf(engine);
  const name = `tourney-${runId}-${role.replace(/[^a-zA-Z0-9_.-]/g, '-')}-net`;
  return createRunNetwork(docker, runId, name, kind !== 'egress', kind === 'sealed' ? { 'com.docker.network.bridge.inhibit_ipv4': 'true' } : {}, `network:${role}`);
}

/** The run's egress network for allowlist proxies: NAT to the internet, shared by the proxies only. */
export async function createEgressNetwork(engine: Engine, runId: string): Promise<RunNetwork> {
  return createRunNetwork(dockerOf(engine), runId, `tourney-${runId}-egress`, false, {}, 'egress-network');
}

async function createRunNetwork(
  docker: Docker,
  runId: string,
  name: string,
  internal: boolean,
  options: Record<string, string> = {},
  role: string = internal ? 'network' : 'setup-network',
): Promise<RunNetwork> {
  const network = await docker
    .createNetwork({
      Name: name,
      Internal: internal,
      CheckDuplicate: true,
      Options: options,
      Labels: { ...ownerLabels(), [LABELS.managed]: 'true', [LABELS.run]: runId, [LABELS.role]: role },
    })
    .catch((err: unknown) => {
      // One network per container uses Docker's address pools (about 30 networks by default) quickly.
      if (/available, non-overlapping|address pool/i.test(String((err as Error).message))) {
        throw new Error(`docker has no free address range for network ${name}: remove unused networks ("docker network prune") or widen the engine's default-address-pools`);
      }
      throw err;
    });
  const info = (await network.inspect()) as { IPAM?: { Config?: { Gateway?: string }[] } };
  const gateway = info.IPAM?.Config?.[0]?.Gateway;
  if (!gateway) throw new Error(`docker network ${name} has no gateway address`);
  return { name, gateway };
}

/** Removes one network (after its containers): a container's own network goes with it. */
export async function removeNetwork(engine: Engine, name: string): Promise<void> {
  const docker = dockerOf(engine);
  await docker.getNetwork(name).remove().catch((err: { statusCode?: number }) => {
    if (err.statusCode !== 404) throw err;
  });
}

/**
 * Removes every container and network a run created, found by label, so cleanup works even
 * when the process that created them lost track (a crash, Ctrl-C mid-create). Networks go last:
 * Docker refuses to remove one while a container (even one being removed) is attached.
 */
export async function removeRunResources(engine: Engine, runId: string): Promise<{ containers: number; networks: number }> {
  const docker = dockerOf(engine);
  const filters = JSON.stringify({ label: [`${LABELS.run}=${runId}`] });
  let removed = 0;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const containers = await docker.listContainers({ all: true, filters });
    if (containers.length === 0) break;
    if (Date.now() > deadline) throw new Error(`could not remove containers: ${containers.map((c) => c.Names[0]).join(', ')}`);
    removed = Math.max(removed, containers.length);
    // "removal already in progress" (a concurrent sweep) is fine: the loop waits for it to finish.
    await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const networks = await docker.listNetworks({ filters });
  for (const network of networks) {
    await docker.getNetwork(network.Id).remove().catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 404) throw err;
    });
  }
  return { containers: removed, networks: networks.length };
}

/** Every tourney resource on this engine, for `tourney doctor` and tests. */
export async function listManagedResources(engine: Engine): Promise<{ containers: string[]; networks: string[] }> {
  const docker = dockerOf(engine);
  const filters = JSON.stringify({ label: [`${LABELS.managed}=true`] });
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  return { containers: containers.map((c) => c.Names[0] ?? c.Id), networks: networks.map((n) => n.Name) };
}
