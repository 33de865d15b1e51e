import { readFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import { dockerOf } from './docker.js';
import type { Engine } from './engine.js';
import type { SandboxLimits } from './container.js';

export interface Parallelism {
  limit: number;
  /** How it was chosen, for the run's note line. */
  reason: string;
}

/**
 * How many entrants start at once: as many as the engine's CPUs and memory hold at the sandbox limits
 * (never fewer than one), or `sandbox.maxParallel`. More at once only shares the CPUs, so slow starts eat
 * into every entrant's time limit; queued entrants start later with their whole limit.
 */
export async function entrantParallelism(engine: Engine, limits: SandboxLimits, override: number | undefined): Promise<Parallelism> {
  const docker = dockerOf(engine);
  if (override !== undefined) return { limit: override, reason: 'sandbox.maxParallel' };
  const info = (await docker.info()) as { NCPU?: number; MemTotal?: number };
  const byCpu = info.NCPU ? Math.floor(info.NCPU / limits.cpus) : Infinity;
  const byMemory = info.MemTotal ? Math.floor(info.MemTotal / (limits.memoryMb * 1024 * 1024)) : Infinity;
  const limit = Math.max(1, Math.min(byCpu, byMemory, 64));
  return { limit, reason: `engine: ${info.NCPU ?? '?'} CPUs, ${info.MemTotal ? Math.round(info.MemTotal / 2 ** 30) : '?'} GiB at ${limits.cpus} CPU / ${limits.memoryMb} MB each` };
}

/** Docker refuses a container with less memory than this (it needs room for its own runtime). */
export const DOCKER_MIN_MEMORY_MB = 6;

/**
 * Fewer processes than this and no agent gets anywhere. Measured with the demo's scripted entrant
 * (tasks in the container's pids cgroup, threads included, polled every 50 ms): opencode peaked at
 * 18-35; with sandbox.pids 12 the repository copy could not even be prepared, with 16 the agent made
 * no change before its time limit, with 20 it timed out and its tests could not run, 24 passed.
 */
export const MIN_PIDS = 32;

/** The kernel's PID_MAX_LIMIT on 64-bit Linux: a larger pids.max is refused when the container starts ("invalid argument"). */
export const KERNEL_PIDS_LIMIT = 4 * 1024 * 1024;

/** The engine's kernel pid_max, when the engine runs on this machine (a unix socket); else null. */
async function localPidMax(docker: Docker): Promise<number | null> {
  // docker-modem keeps a unix socket's path (or, by default, a function that finds it); a TCP or SSH engine has a host.
  const modem = docker.modem as { socketPath?: unknown; host?: unknown } | undefined;
  if (!modem || modem.socketPath === undefined || modem.host) return null;
  const text = await readFile('/proc/sys/kernel/pid_max', 'utf8').catch(() => '');
  const value = Number.parseInt(text.trim(), 10);
  return Number.isSafeInteger(value) && value > 0 ? value : null;
}

/**
 * Limits the engine cannot honour are the config's fault, not an entrant's: checked once, before any
 * container, with the key to change (else they fail every entrant's referee and blame the entrant).
 * `pidMax`: the engine kernel's pid_max (default: read from /proc when the engine is local).
 */
export async function checkEngineFits(engine: Engine, limits: SandboxLimits, pidMax?: number | null): Promise<string | null> {
  const docker = dockerOf(engine);
  const info = (await docker.info()) as { NCPU?: number; MemTotal?: number; PidsLimit?: boolean };
  if (info.NCPU && limits.cpus > info.NCPU) return `key "sandbox.cpus": ${limits.cpus} is more than the Docker engine's ${info.NCPU} CPUs (expected at most ${info.NCPU})`;
  if (limits.memoryMb < DOCKER_MIN_MEMORY_MB) return `key "sandbox.memory": ${limits.memoryMb} MB is below Docker's minimum of ${DOCKER_MIN_MEMORY_MB} MB (expected e.g. "2g")`;
  const totalMb = info.MemTotal ? Math.floor(info.MemTotal / (1024 * 1024)) : 0;
  if (totalMb && limits.memoryMb > totalMb) return `key "sandbox.memory": ${limits.memoryMb} MB is more than the Docker engine's ${totalMb} MB (expected at most ${totalMb} MB)`;
  return checkPids(limits.pids, info.PidsLimit, pidMax === undefined ? await localPidMax(docker) : pidMax);
}

/** sandbox.pids against what an agent needs and what the engine's kernel can set. */
export function checkPids(pids: number, engineLimitsPids: boolean | undefined, pidMax: number | null): string | null {
  if (pids < MIN_PIDS) return `key "sandbox.pids": ${pids} is too few for an agent to start (opencode alone runs 18-35 threads, each counted; expected at least ${MIN_PIDS}, e.g. 512)`;
  // Without it, no entrant's process count would be limited at all: a fork bomb would reach the host.
  if (engineLimitsPids === false) return `key "sandbox.pids": the Docker engine cannot limit processes (docker info: PidsLimit false; its kernel lacks the pids cgroup), so sandboxes would have no process limit`;
  if (pids > KERNEL_PIDS_LIMIT) return `key "sandbox.pids": ${pids} is more than the kernel can set (at most ${KERNEL_PIDS_LIMIT}; expected e.g. 512)`;
  if (pidMax !== null && pids > pidMax) return `key "sandbox.pids": ${pids} is more than the engine's kernel pid_max of ${pidMax}, so the limit could never apply (expected at most ${pidMax}, e.g. 512)`;
  return null;
}
