import { isAbsolute, relative } from 'node:path';
import { execa } from 'execa';
import { isScripted } from '../agents/models.js';
import { displayPath } from '../config/load.js';
import { engineHostProblem } from '../config/engines.js';
import { TourneyError, errorMessage } from '../errors.js';
import { checkEngineFits, entrantParallelism } from '../sandbox/capacity.js';
import { connectEngine, engineOnThisMachine } from '../sandbox/docker.js';
import type { Engine } from '../sandbox/engine.js';
import { EnginePool, type PoolMember } from '../sandbox/engine-pool.js';
import { copyImage } from '../sandbox/image-transfer.js';
import type { EngineConfig, EngineUse, TourneyConfig } from '../types.js';
import type { Reporter } from './events.js';

/** The run's engines, connected and checked, with the slots each takes (before any container or run dir). */
export interface RunEngines {
  pool: EnginePool<Engine>;
  /** How the slots were chosen, for the run's note when entrants must wait. */
  slotsReason: string;
  /** What result.json records (a lost engine gets its reason at the end). */
  uses(): EngineUse[];
}

/** The engines a run uses: `engines:`, or the one DOCKER_HOST names (the local socket when unset). */
function listed(config: TourneyConfig): { name: string; host?: string; slots?: number; tls?: EngineConfig['tls']; reach?: EngineConfig['reach']; key: string }[] {
  if (config.engines.length > 0) return config.engines.map((e, i) => ({ ...e, key: `key "engines[${i}]` }));
  // A DOCKER_HOST that does not parse is the connection's to report (exit 3, naming the variable), not a config problem.
  const fromEnv = process.env.DOCKER_HOST && engineHostProblem(process.env.DOCKER_HOST) === null ? process.env.DOCKER_HOST : undefined;
  return [{ name: 'local', ...(fromEnv && { host: fromEnv }), key: `DOCKER_HOST=${process.env.DOCKER_HOST ?? ''}` }];
}

/**
 * What the config asks that its engines cannot give, for every engine before connecting to any (`tourney validate`
 * says the same as `tourney run`). Returns the error, naming the file and the key, or null.
 */
export function engineConfigProblem(config: TourneyConfig): TourneyError | null {
  const where = config.source ? displayPath(config.source) : 'the config';
  for (const e of listed(config)) {
    const problem = remoteProblem(config, e);
    if (!problem) continue;
    const key = e.key.startsWith('key') ? `${e.key}${problem.key}"` : e.key;
    return new TourneyError(`${where}: ${key}: ${problem.message}`);
  }
  return null;
}

/**
 * Connects every engine (see listed), refusing limits one cannot honour with the engine named. An engine's slots: its
 * `slots`, else what its CPUs and memory hold; sandbox.maxParallel caps the entrants at once over all of them.
 */
export async function openEngines(config: TourneyConfig, reporter: Reporter): Promise<RunEngines> {
  const where = config.source ? displayPath(config.source) : 'the config';
  const configured = config.engines.length > 0;
  const refused = engineConfigProblem(config);
  if (refused) throw refused;
  const members: PoolMember<Engine>[] = [];
  let slotsReason = 'engines[].slots';
  for (const [i, e] of listed(config).entries()) {
    const engine = await connectEngine(configured ? e.host : undefined, e.name, e.tls, e.reach);
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

/** Whether the engine answers one ping within `ms` (an engine that hangs is as lost as one that refuses). */
export async function engineAnswers(engine: Engine, ms = 5000): Promise<{ ok: true } | { ok: false; reason: string }> {
  const ping = engine.ping().then(() => 'ok' as const, (err: unknown) => new Error(errorMessage(err)));
  const late = (wait: number) => new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), wait));
  let answer = await Promise.race([ping, late(ms)]);
  // After a stall on this side (the event loop blocked past `ms`), the timer fires before the answer already waiting in
  // the socket is read: give the ping one more turn before calling the engine silent.
  if (answer === 'late') answer = await Promise.race([ping, late(200)]);
  if (answer === 'ok') return { ok: true };
  return { ok: false, reason: `it stopped answering (${answer === 'late' ? `no answer in ${ms / 1000} s` : answer.message})` };
}

/**
 * Whether the engine is lost: it failed `tries` pings in a row, `gapMs` apart (a job's failure alone is not proof:
 * the entrant controls much of what fails, and one missed ping can be a stall on this side).
 */
export async function engineLost(engine: Engine, tries = 3, gapMs = 3000): Promise<string | null> {
  let last = '';
  for (let i = 0; i < tries; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, gapMs));
    const answer = await engineAnswers(engine);
    if (answer.ok) return null;
    last = answer.reason;
  }
  return last;
}

/**
 * Pings every engine of the pool while the run goes on, and marks one lost after three failed pings in a row: a job
 * whose engine went silent would otherwise wait on it for ever (its Docker calls have no time limit).
 */
export function watchEngines(pool: EnginePool<Engine>, reporter: Reporter, everyMs = 5000): () => void {
  if (pool.engines.length < 2) return () => undefined;
  const misses = new Map<string, number>();
  let stopped = false;
  const tick = async () => {
    await Promise.all(pool.engines.filter((e) => !pool.isLost(e.id)).map(async (engine) => {
      const answer = await engineAnswers(engine);
      const missed = answer.ok ? 0 : (misses.get(engine.id) ?? 0) + 1;
      misses.set(engine.id, missed);
      if (!answer.ok && missed >= 3 && !stopped) {
        reporter.onEvent({ type: 'warning', message: `engine ${engine.id} (${engine.host}) is lost: ${answer.reason} three times in a row; it takes no more work this run` });
        pool.markLost(engine.id, answer.reason);
      }
    }));
    if (!stopped) timer = setTimeout(() => void tick(), everyMs);
  };
  let timer = setTimeout(() => void tick(), everyMs);
  timer.unref();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
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
  const remote = e.host !== undefined && !engineOnThisMachine(e.host);
  const tunnel = e.reach === 'tunnel' || (e.reach === undefined && remote);
  if (remote) {
    const scripted = [...config.entrants.map((x) => x.model), ...config.judge.models].find((m) => isScripted(m));
    if (scripted) return { key: '.host', message: `${scripted} is served by tourney on this machine, which containers on ${e.host} cannot reach; expected an engine on this machine (unix://..., or tcp:// on the loopback) for a run with scripted models` };
    if (config.sandbox.opencodeAuth) return { key: '.host', message: `sandbox.opencodeAuth mounts this machine's opencode auth file, which ${e.host} cannot mount; expected an engine on this machine, or keys in environment variables (sandbox.opencodeAuth: false)` };
  }
  if (tunnel && config.sandbox.network === 'allowlist') {
    return { key: remote ? '.host' : '.reach', message: `sandbox.network "allowlist" runs an egress proxy that takes the agent server's traffic only from this machine's address on the engine's network, which a ${remote ? 'remote engine' : 'tunnel'} does not give; expected an engine on this machine with reach "address", or network "auto"/"open"` };
  }
  return null;
}

/**
 * An engine's TLS client key is root on that engine's machine: one committed to the repository would be in every
 * entrant's copy of it. Refused (naming the key and the file) when any of an engine's TLS files is tracked at `commit`.
 */
export async function committedTlsProblem(config: TourneyConfig, repoRoot: string, commit: string): Promise<TourneyError | null> {
  const where = config.source ? displayPath(config.source) : 'the config';
  for (const [i, e] of config.engines.entries()) {
    for (const part of ['ca', 'cert', 'key'] as const) {
      const file = e.tls?.[part];
      if (!file) continue;
      const rel = relative(repoRoot, file);
      if (rel.startsWith('..') || isAbsolute(rel)) continue;
      const tracked = await execa('git', ['ls-tree', '--name-only', commit, '--', rel], { cwd: repoRoot, reject: false });
      if (tracked.exitCode === 0 && tracked.stdout.trim() !== '') {
        return new TourneyError(`${where}: key "engines[${i}].tls.${part}": ${rel} is committed to the repository, so every entrant would get a copy of it; expected a file outside the repository (or untracked), e.g. ~/.docker/${e.name}/${part}.pem`);
      }
    }
  }
  return null;
}
