import { Sandbox } from './container.js';
import { SNAPSHOT_LABEL } from './orphans.js';
import { extractDiff } from './workspace.js';

/**
 * The diff of an entrant whose container was killed from the engine: its filesystem is committed to a
 * short-lived image and `git diff` runs in a fresh container of that image with no network, so nothing
 * the agent started (a process ignoring SIGTERM, a writer in a loop) runs while its changes are read.
 * Everything is bounded by `budgetMs`; the image goes when done (or with its run, by the orphan sweep).
 */
export async function diffOfStopped(stopped: Sandbox, baseCommit: string, budgetMs: number, maxBytes?: number): Promise<string> {
  const deadline = Date.now() + budgetMs;
  const { runId, role, limits } = stopped.options;
  const left = () => Math.max(1, deadline - Date.now());
  // The entrant's environment (its provider key, its server password) stays out of the image and the reader.
  const blank = Object.keys(stopped.options.env ?? {}).map((name) => `ENV ${name}=""`);
  const commit = stopped.commit('tourney-stopped', `${runId}-${role}`.toLowerCase().replace(/[^a-z0-9_.-]/g, '-').slice(0, 120), { [SNAPSHOT_LABEL]: 'true' }, blank);
  const removeImage = (id: string) => stopped.docker.getImage(id).remove({ force: true }).catch(() => undefined);
  let imageId: string;
  try {
    imageId = await withDeadline(commit, left(), 'saving the stopped container');
  } catch (err) {
    void commit.then(removeImage, () => undefined);
    throw err;
  }
  let reader: Sandbox | undefined;
  try {
    reader = await withDeadline(
      Sandbox.create(stopped.engine, {
        image: imageId,
        runId,
        role: `diff:${role}`,
        name: `${stopped.options.name}-diff`,
        limits,
        network: 'none',
        lifetimeSec: Math.ceil(left() / 1000) + 5,
      }),
      left(),
      'starting the container that reads the changes',
    );
    return await extractDiff(reader, baseCommit, { timeoutMs: left(), ...(maxBytes !== undefined && { maxBytes }) });
  } finally {
    await reader?.remove();
    await removeImage(imageId);
  }
}

export async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${Math.round(ms / 1000)} s`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
