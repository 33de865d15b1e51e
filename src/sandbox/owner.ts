import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who made a container or network: the host, the pid and the pid's start time. A pid alone is not
 * enough (pids are reused), so the start time is the kernel's (boot id + start tick, from /proc) and a
 * resource's owner is gone when the pid is dead or now belongs to a process that started at another time.
 */
export interface Owner {
  host: string;
  pid: number;
  /** `<boot id>:<start tick>` on Linux; `unknown` where /proc is missing (then only liveness counts). */
  start: string;
}

export const OWNER_LABELS = {
  host: 'dev.tourney.owner.host',
  pid: 'dev.tourney.owner.pid',
  start: 'dev.tourney.owner.start',
} as const;

export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name (field 2) may hold spaces and parentheses, so count after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const tick = fields[19];
    if (!tick) return null;
    return `${bootId()}:${tick}`;
  } catch {
    return null;
  }
}

let cachedBootId: string | undefined;
function bootId(): string {
  try {
    cachedBootId ??= readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    cachedBootId = 'noboot';
  }
  return cachedBootId;
}

let self: Owner | undefined;
export function currentOwner(): Owner {
  self ??= { host: hostname(), pid: process.pid, start: processStart(process.pid) ?? 'unknown' };
  return self;
}

/** The owner labels of this process, for everything it creates. */
export function ownerLabels(): Record<string, string> {
  const owner = currentOwner();
  return { [OWNER_LABELS.host]: owner.host, [OWNER_LABELS.pid]: String(owner.pid), [OWNER_LABELS.start]: owner.start };
}

export function ownerFromLabels(labels: Record<string, string> | undefined): Owner | null {
  const host = labels?.[OWNER_LABELS.host];
  const pid = Number(labels?.[OWNER_LABELS.pid]);
  const start = labels?.[OWNER_LABELS.start];
  if (!host || !Number.isInteger(pid) || pid <= 0 || !start) return null;
  return { host, pid, start };
}

export type OwnerState = 'alive' | 'gone' | 'other-host';

/** Whether the process that owns a resource still runs (on this host; other hosts' owners cannot be checked). */
export function ownerState(owner: Owner): OwnerState {
  if (owner.host !== hostname()) return 'other-host';
  if (!pidAlive(owner.pid)) return 'gone';
  if (owner.start === 'unknown') return 'alive';
  const now = processStart(owner.pid);
  // A live pid whose start time we cannot read (no /proc) is taken as alive: never sweep a live run.
  return now === null || now === owner.start ? 'alive' : 'gone';
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
