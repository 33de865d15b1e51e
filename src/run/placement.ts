import { TourneyError } from '../errors.js';
import type { Engine } from '../sandbox/engine.js';
import { NoEngineLeft, type EnginePool } from '../sandbox/engine-pool.js';
import { engineLost } from './engines.js';
import type { Reporter } from './events.js';

export interface Placed<T> {
  value: T;
  /** The engine the job's result came from. */
  engine: string;
  /** Where it ran first, when that engine was lost under it. */
  retried?: { engine: string; reason: string };
}

/**
 * Runs `job` on a free slot of the pool. The job is retried once, on another engine, when its engine is lost under it:
 * marked lost by the watch (watchEngines) while it runs, or failing three pings in a row after the job failed (throws,
 * or `failed` says so). A job that fails on an engine that still answers is the job's own failure, whatever it says:
 * an entrant cannot earn a second attempt by failing. With a single engine there is nowhere to go: no retry.
 */
export async function onEngine<T>(
  pool: EnginePool<Engine>,
  what: string,
  job: (engine: Engine) => Promise<T>,
  failed: (value: T) => boolean,
  reporter: Reporter,
  options: { signal?: AbortSignal; checkLost?: (engine: Engine) => Promise<string | null> } = {},
): Promise<Placed<T>> {
  const { signal, checkLost = engineLost } = options;
  let lease = await acquire(pool, []);
  let retried: Placed<T>['retried'];
  for (;;) {
    const engine = lease.engine;
    const running = job(engine).then((value) => ({ value }), (error: unknown) => ({ error }));
    // An engine gone silent never fails the job's Docker calls: the watch's verdict ends the wait instead.
    const outcome = pool.engines.length > 1
      ? await Promise.race([running, pool.whenLost(engine.id).then((reason) => ({ lost: reason }))])
      : await running;
    let lostReason: string | null = null;
    if ('lost' in outcome) lostReason = outcome.lost;
    else if (pool.engines.length > 1 && !signal?.aborted && ('error' in outcome || failed(outcome.value))) {
      lostReason = pool.isLost(engine.id) ? 'lost' : await checkLost(engine);
    }
    lease.release();
    if (lostReason !== null) {
      if (!pool.isLost(engine.id)) reporter.onEvent({ type: 'warning', message: `engine ${engine.id} (${engine.host}) is lost: ${lostReason}; it takes no more work this run` });
      pool.markLost(engine.id, lostReason);
      const reason = pool.lostList().find((l) => l.id === engine.id)?.reason ?? lostReason;
      if (retried === undefined && !signal?.aborted) {
        retried = { engine: engine.id, reason };
        reporter.onEvent({ type: 'note', message: `${what}: its engine ${engine.id} was lost mid-run; running it again on another engine (once)` });
        lease = await acquire(pool, [engine.id]);
        continue;
      }
    }
    // Lost under a retry already (or after Ctrl-C): the job never ended, so there is no result to return.
    if ('lost' in outcome) throw new TourneyError(`${what}: its engine ${engine.id} was lost (${lostReason ?? outcome.lost})${retried ? ', and so was the one it first ran on' : ''}`, { exitCode: 3 });
    if ('error' in outcome) throw outcome.error;
    return { value: outcome.value, engine: engine.id, ...(retried && { retried }) };
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
