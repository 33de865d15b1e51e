import { TourneyError } from '../errors.js';
import type { Engine } from '../sandbox/engine.js';
import { NoEngineLeft, type EnginePool } from '../sandbox/engine-pool.js';
import { engineAnswers } from './engines.js';
import type { Reporter } from './events.js';

export interface Placed<T> {
  value: T;
  /** The engine the job's result came from. */
  engine: string;
  /** Where it ran first, when that engine was lost under it. */
  retried?: { engine: string; reason: string };
}

/**
 * Runs `job` on a free slot of the pool. When it fails (throws, or `failed` says so) and its engine no longer answers,
 * the engine leaves the pool and the job runs once more on another one; the run says so. A job that fails on an engine
 * still up is the job's own failure and is not retried. With a single engine there is nowhere to go: no retry.
 */
export async function onEngine<T>(
  pool: EnginePool<Engine>,
  what: string,
  job: (engine: Engine) => Promise<T>,
  failed: (value: T) => boolean,
  reporter: Reporter,
  signal?: AbortSignal,
): Promise<Placed<T>> {
  let lease = await acquire(pool, []);
  let retried: Placed<T>['retried'];
  for (;;) {
    let outcome: { value: T } | { error: unknown };
    try {
      outcome = { value: await job(lease.engine) };
    } catch (error) {
      outcome = { error };
    }
    const bad = 'error' in outcome || failed(outcome.value);
    if (bad && pool.engines.length > 1 && !signal?.aborted) {
      const health = await engineAnswers(lease.engine);
      if (!health.ok) {
        const lost = lease.engine.id;
        if (!pool.isLost(lost)) reporter.onEvent({ type: 'warning', message: `engine ${lost} (${lease.engine.host}) is lost: ${health.reason}; it takes no more work this run` });
        pool.markLost(lost, health.reason);
        lease.release();
        if (retried === undefined) {
          retried = { engine: lost, reason: health.reason };
          reporter.onEvent({ type: 'note', message: `${what}: its engine ${lost} was lost mid-run; running it again on another engine (once)` });
          lease = await acquire(pool, [lost]);
          continue;
        }
        if ('error' in outcome) throw outcome.error;
        return { value: outcome.value, engine: lost, retried };
      }
    }
    lease.release();
    if ('error' in outcome) throw outcome.error;
    return { value: outcome.value, engine: lease.engine.id, ...(retried && { retried }) };
  }
}

async function acquire(pool: EnginePool<Engine>, avoid: string[]) {
  try {
    return await pool.acquire(avoid);
  } catch (err) {
    if (err instanceof NoEngineLeft) throw new TourneyError(err.message, { exitCode: 3, hint: '"tourney doctor" checks an engine; "tourney resume" goes on from what finished' });
    throw err;
  }
}
