import { isScripted } from '../agents/models.js';
import { displayPath } from '../config/load.js';
import { TourneyError, errorMessage } from '../errors.js';
import { checkEngineFits, entrantParallelism } from '../sandbox/capacity.js';
import { connectEngine } from '../sandbox/docker.js';
import type { Engine } from '../sandbox/engine.js';
import { EnginePool, type PoolMember } from '../sandbox/engine-pool.js';
import { copyImage } from '../sandbox/image-transfer.js';
import type { EngineUse, TourneyConfig } from '../types.js';
import type { Reporter } from './events.js';

/** The run's engines, connected and checked, with the slots each takes (before any container or run dir). */
export interface RunEngines {
  pool: EnginePool<Engine>;
  /** How the slots were chosen, for the run's note when entrants must wait. */
  slotsReason: string;
  /** What result.json records (a lost engine gets its reason at the end). */
  uses(): EngineUse[];
}

/**
 * Connects every engine of `engines:` (or the one DOCKER_HOST names), refusing limits one cannot honour with the engine
 * named. An engine's slots: its `slots`, else what its CPUs and memory hold (sandbox.maxParallel caps the run as a whole).
 */
export async function openEngines(config: TourneyConfig, reporter: Reporter): Promise<RunEngines> {
  const where = config.source ? displayPath(config.source) : 'the config';
  const configured = config.engines.length > 0;
  const members: PoolMember<Engine>[] = [];
  let slotsReason = 'engines[].slots';
  for (const [i, e] of (configured ? config.engines : [{ name: 'local', host: undefined, slots: undefined, tls: undefined, reach: undefined }]).entries()) {
    const problem = remoteProblem(config, e);
    if (problem) throw new TourneyError(`${where}: key "engines[${i}]${problem.key}": ${problem.message}`);
    const engine = await connectEngine(e.host, e.name, e.tls, e.reach);
    const unfit = await checkEngineFits(engine, config.sandbox);
    if (unfit) throw new TourneyError(`${where}: ${configured ? `engines[${i}] (${e.name}): ` : ''}${unfit}`);
    let slots = e.slots;
    if (slots === undefined) {
      const parallel = await entrantParallelism(engine, config.sandbox, configured ? undefined : config.sandbox.maxParallel);
      slots = parallel.limit;
      if (!configured) slotsReason = parallel.reason;
    }
    members.push({ engine, slots });
  }
  const pool = new EnginePool(members);
  if (configured) reporter.onEvent({ type: 'note', message: `engines: ${members.map((m) => `${m.engine.id} (${m.engine.host}, ${m.slots} slot${m.slots === 1 ? '' : 's'})`).join(', ')}` });
  return {
    pool,
    slotsReason,
    uses: () => members.map((m) => {
      const lost = pool.lostList().find((l) => l.id === m.engine.id);
      return { name: m.engine.id, host: m.engine.host, slots: m.slots, ...(lost && { lost: lost.reason }) };
    }),
  };
}

/** Whether the engine answers a ping within `ms` (an engine that hangs is as lost as one that refuses). */
export async function engineAnswers(engine: Engine, ms = 5000): Promise<{ ok: true } | { ok: false; reason: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      engine.ping(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms / 1000} s`)), ms))),
    ]);
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: `it stopped answering (${errorMessage(err)})` };
  }
  finally {
    clearTimeout(timer);
  }
}

/** Copies `ref` from the primary engine to every other live engine of the pool (in parallel; each a no-op when present). */
export async function distributeImage(pool: EnginePool<Engine>, ref: string, what: string, reporter: Reporter): Promise<void> {
  const source = pool.primary;
  await Promise.all(pool.engines.filter((e) => e !== source && !pool.isLost(e.id)).map(async (target) => {
    const t0 = Date.now();
    try {
      if (await copyImage(source, target, ref)) reporter.onEvent({ type: 'note', message: `${what} copied to engine ${target.id} in ${((Date.now() - t0) / 1000).toFixed(1)} s` });
    } catch (err) {
      throw new TourneyError(`engine ${target.id} (${target.host}): ${errorMessage(err)}`, { exitCode: 3 });
    }
  }));
}

/**
 * What a run asks that an engine elsewhere (tcp://, ssh://) cannot give: files of this machine mounted into containers,
 * and containers reaching servers on this machine at their network's gateway. Said before any container starts.
 */
function remoteProblem(config: TourneyConfig, e: { host?: string; reach?: string }): { key: string; message: string } | null {
  const remote = e.host !== undefined && !e.host.startsWith('unix://');
  const tunnel = e.reach === 'tunnel' || (e.reach === undefined && remote);
  if (remote) {
    const scripted = [...config.entrants.map((x) => x.model), ...config.judge.models].find((m) => isScripted(m));
    if (scripted) return { key: '.host', message: `${scripted} is served by tourney on this machine, which containers on ${e.host} cannot reach; expected an engine on this machine (unix://...) for a run with scripted models` };
    if (config.sandbox.opencodeAuth) return { key: '.host', message: `sandbox.opencodeAuth mounts this machine's opencode auth file, which ${e.host} cannot mount; expected an engine on this machine, or keys in environment variables (sandbox.opencodeAuth: false)` };
  }
  if (tunnel && config.sandbox.network === 'allowlist') {
    return { key: remote ? '.host' : '.reach', message: `sandbox.network "allowlist" runs an egress proxy that takes the agent server's traffic only from this machine's address on the engine's network, which a ${remote ? 'remote engine' : 'tunnel'} does not give; expected an engine on this machine with reach "address", or network "auto"/"open"` };
  }
  return null;
}
