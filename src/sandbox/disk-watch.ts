import type { Sandbox } from './container.js';

export interface DiskWatch {
  /** Set once the container went over the limit (and was killed): the bytes seen. */
  readonly exceeded: number | null;
  stop(): void;
}

/**
 * Polls what a container has written (Docker's SizeRw of its writable layer, ~0.1 s a call) and
 * kills it once that passes `limitBytes`. The fsize ulimit stops any single file at the limit at
 * once; this catches many files adding up, within one poll interval. A poll that fails (the
 * container is gone) simply ends the watch.
 */
export function watchDisk(sandbox: Sandbox, limitBytes: number, onExceeded: (bytes: number) => void, intervalMs = 1000): DiskWatch {
  let exceeded: number | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const poll = async () => {
    if (stopped) return;
    const bytes = await sandbox.writableBytes().catch(() => null);
    if (stopped || bytes === null) return;
    if (bytes > limitBytes) {
      exceeded = bytes;
      stopped = true;
      // The reason first (the session then stops for it), then the processes, at once: a writer
      // at disk speed adds gigabytes in any grace period.
      onExceeded(bytes);
      // An engine error must not become an unhandled rejection: the entrant's own stop kills it again.
      await sandbox.kill().catch(() => undefined);
      return;
    }
    timer = setTimeout(() => void poll().catch(() => undefined), intervalMs);
  };
  timer = setTimeout(() => void poll().catch(() => undefined), intervalMs);
  return {
    get exceeded() {
      return exceeded;
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
