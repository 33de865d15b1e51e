import type Docker from 'dockerode';
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
export async function entrantParallelism(docker: Docker, limits: SandboxLimits, override: number | undefined): Promise<Parallelism> {
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
 * Limits the engine cannot honour are the config's fault, not an entrant's: checked once, before any
 * container, with the key to change (else they fail every entrant's referee and blame the entrant).
 */
export async function checkEngineFits(docker: Docker, limits: SandboxLimits): Promise<string | null> {
  const info = (await docker.info()) as { NCPU?: number; MemTotal?: number };
  if (info.NCPU && limits.cpus > info.NCPU) return `key "sandbox.cpus": ${limits.cpus} is more than the Docker engine's ${info.NCPU} CPUs (expected at most ${info.NCPU})`;
  if (limits.memoryMb < DOCKER_MIN_MEMORY_MB) return `key "sandbox.memory": ${limits.memoryMb} MB is below Docker's minimum of ${DOCKER_MIN_MEMORY_MB} MB (expected e.g. "2g")`;
  const totalMb = info.MemTotal ? Math.floor(info.MemTotal / (1024 * 1024)) : 0;
  if (totalMb && limits.memoryMb > totalMb) return `key "sandbox.memory": ${limits.memoryMb} MB is more than the Docker engine's ${totalMb} MB (expected at most ${totalMb} MB)`;
  return null;
}
