import type Docker from 'dockerode';
import { dockerOf } from './docker.js';
import type { Engine } from './engine.js';
import { LABELS } from './labels.js';
import { ownerFromLabels, ownerState, type Owner, type OwnerState } from './owner.js';

/** Label on the short-lived image of a stopped entrant's filesystem (see stopped.ts): swept with its run. */
export const SNAPSHOT_LABEL = 'dev.tourney.snapshot';

export interface ManagedResource {
  kind: 'container' | 'network' | 'image';
  id: string;
  name: string;
  runId: string;
  owner: Owner | null;
  /** `unowned`: made by a tourney that did not label owners (or by hand); never swept automatically. */
  state: OwnerState | 'unowned';
  createdMs: number;
}

/** Every container, network and snapshot image tourney made on this engine, with whether its owner still runs. */
export async function listOwnedResources(engine: Engine): Promise<ManagedResource[]> {
  const docker = dockerOf(engine);
  const managed = JSON.stringify({ label: [`${LABELS.managed}=true`] });
  const [containers, networks, images] = await Promise.all([
    docker.listContainers({ all: true, filters: managed }),
    docker.listNetworks({ filters: managed }),
    docker.listImages({ filters: JSON.stringify({ label: [SNAPSHOT_LABEL] }) }),
  ]);
  const raw = [
    ...containers.map((c) => ({ kind: 'container' as const, id: c.Id, name: (c.Names[0] ?? c.Id).replace(/^\//, ''), labels: c.Labels, createdMs: c.Created * 1000 })),
    ...networks.map((n) => ({ kind: 'network' as const, id: n.Id, name: n.Name, labels: n.Labels ?? {}, createdMs: Date.parse(n.Created ?? '') || 0 })),
    ...images.map((i) => ({ kind: 'image' as const, id: i.Id, name: i.RepoTags?.[0] ?? i.Id, labels: i.Labels ?? {}, createdMs: i.Created * 1000 })),
  ];
  // A run's resources share one owner: one labelled resource vouches for the run's unlabelled ones.
  const runOwners = new Map<string, Owner>();
  for (const r of raw) {
    const owner = ownerFromLabels(r.labels);
    const run = r.labels[LABELS.run];
    if (owner && run) runOwners.set(run, owner);
  }
  const states = new Map<string, OwnerState>();
  return raw.map((r) => {
    const runId = r.labels[LABELS.run] ?? '';
    const owner = ownerFromLabels(r.labels) ?? runOwners.get(runId) ?? null;
    let state: ManagedResource['state'] = 'unowned';
    if (owner) {
      const key = `${owner.host}/${owner.pid}/${owner.start}`;
      state = states.get(key) ?? ownerState(owner);
      states.set(key, state);
    }
    return { kind: r.kind, id: r.id, name: r.name, runId, owner, state, createdMs: r.createdMs };
  });
}

export interface SweepOptions {
  dryRun?: boolean;
  /** Also remove unowned resources created before this time (ms since epoch); by default they stay. */
  unownedBefore?: number;
}

export interface SweepResult {
  removed: ManagedResource[];
  kept: ManagedResource[];
}

/**
 * Removes the resources of runs whose owner is gone (same host, pid dead or reused). Live runs and
 * other hosts' runs are never touched. Containers first, then networks (Docker refuses to remove a
 * network with containers attached), then images.
 */
export async function sweepOrphans(engine: Engine, options: SweepOptions = {}): Promise<SweepResult> {
  const docker = dockerOf(engine);
  const all = await listOwnedResources(engine);
  const doomed = (r: ManagedResource) =>
    r.state === 'gone' || (r.state === 'unowned' && options.unownedBefore !== undefined && r.createdMs < options.unownedBefore);
  const removed: ManagedResource[] = [];
  const kept = all.filter((r) => !doomed(r));
  if (options.dryRun) return { removed: all.filter(doomed), kept };
  for (const kind of ['container', 'network', 'image'] as const) {
    await Promise.all(
      all.filter((r) => r.kind === kind && doomed(r)).map(async (r) => {
        const ok = await removeOne(docker, r);
        (ok ? removed : kept).push(r);
      }),
    );
  }
  return { removed, kept };
}

async function removeOne(docker: Docker, r: ManagedResource): Promise<boolean> {
  try {
    if (r.kind === 'container') await docker.getContainer(r.id).remove({ force: true, v: true });
    else if (r.kind === 'network') await docker.getNetwork(r.id).remove();
    else await docker.getImage(r.id).remove({ force: true });
    return true;
  } catch (err) {
    // Already gone (or being removed by a concurrent sweep): the goal is reached.
    const code = (err as { statusCode?: number }).statusCode;
    return code === 404 || code === 409;
  }
}
