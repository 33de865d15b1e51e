import type { Sandbox } from './container.js';

export interface DiskWatch {
  /** Set once the container went over the limit (and was killed): the bytes seen. */
  readonly exceeded: number | null;
  stop(): void;
}

/**
 * Polls what a container has written (Docker's SizeRw of its writable layer, ~0.1 s a call) and
 * kills it once that passes `limitBytes`. The fsize ulimit stops any single file at the limit at
 * once; this catches many files adding up, within one poll interval. A poll that finds the container
 * gone ends the watch; any other failure (an engine elsewhere that missed a beat) is tried again at the
 * next interval, so the limit stays watched.
 */
export function watchDisk(sandbox: Sandbox, limitBytes: number, onExceeded: (bytes: number) => void, intervalMs = 1000): DiskWatch {
  let exceeded: number | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const poll = async () => {
    if (stopped) return;
    const bytes = await sandbox.writableBytes().catch((err: unknown) => ((err as { statusCode?: number }).statusCode === 404 ? 'gone' : null));
    if (stopped || bytes === 'gone') return;
    if (bytes === null) {
      timer = setTimeout(() => void poll().catch(() => undefined), intervalMs);
      return;
    }
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
