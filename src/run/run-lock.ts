// One tourney process per run dir: two that resume the same run at once would run the same entrants twice
// and write each other's outcome, verdict and result files.
import { readFileSync, unlinkSync } from 'node:fs';
import { link, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { TourneyError } from '../errors.js';
import { currentOwner, ownerState } from '../sandbox/owner.js';

export const LOCK_FILE = 'tourney.lock';

const lockSchema = z.object({ pid: z.number().int().positive(), host: z.string(), start: z.string(), startedAt: z.string() });
type LockOwner = z.output<typeof lockSchema>;

export interface RunLock {
  readonly file: string;
  /** Removes the lock if it is still this process's; safe to call more than once. */
  release(): Promise<void>;
}

/**
 * Takes the run dir's lock, or refuses (exit 2) when a live tourney process holds it. A lock whose process is
 * gone (killed, crashed, the machine restarted) is stale: it is taken over and `onNote` says so. Released by
 * `release()`, and at the latest when the process exits (a second Ctrl-C exits at once, skipping cleanups).
 */
export async function lockRun(runDir: string, onNote: (message: string) => void): Promise<RunLock> {
  const file = join(runDir, LOCK_FILE);
  const me = currentOwner();
  const mine: LockOwner = { pid: me.pid, host: me.host, start: me.start, startedAt: new Date().toISOString() };
  const text = JSON.stringify(mine) + '\n';
  // Written whole under a name of its own, then linked into place: link() fails if the lock exists (like
  // O_EXCL), and a reader never sees a half-written lock, which it could not tell from a corrupt one.
  const tmp = join(runDir, `${LOCK_FILE}.${me.pid}.${Math.random().toString(16).slice(2, 8)}`);
  await writeFile(tmp, text, { flag: 'wx' });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(tmp, file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw lockError(err, file);
      }
      const held = await readFile(file, 'utf8').catch(() => null);
      // Gone between the link and the read: its holder released it; try again.
      if (held === null) continue;
      const owner = parseLock(held, file);
      const state = ownerState(owner);
      if (state === 'alive') {
        throw new TourneyError(`${file}: the run is in use by tourney pid ${owner.pid} (since ${owner.startedAt}); wait for it to end, or stop it (Ctrl-C)`, { exitCode: 2 });
      }
      if (state === 'other-host') {
        throw new TourneyError(`${file}: the run is in use by tourney pid ${owner.pid} on host ${owner.host} (since ${owner.startedAt}), which cannot be checked from here; if that process has ended, remove ${file}`, { exitCode: 2 });
      }
      // Only the stale lock that was read is removed: if another process took it over meanwhile, its lock stays.
      if ((await readFile(file, 'utf8').catch(() => null)) === held) await unlink(file).catch(() => undefined);
      onNote(`took over the stale lock ${file}: its tourney process (pid ${owner.pid}, since ${owner.startedAt}) is gone`);
    }
  } finally {
    await rm(tmp, { force: true });
  }

  const ours = (content: string | null) => content === text;
  const onExit = () => {
    try {
      if (ours(readFileSync(file, 'utf8'))) unlinkSync(file);
    } catch {
      // Already gone.
    }
  };
  process.on('exit', onExit);
  let released = false;
  return {
    file,
    async release() {
      if (released) return;
      released = true;
      process.off('exit', onExit);
      if (ours(await readFile(file, 'utf8').catch(() => null))) await unlink(file).catch(() => undefined);
    },
  };
}

function parseLock(text: string, file: string): LockOwner {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const checked = lockSchema.safeParse(parsed);
  if (!checked.success) {
    throw new TourneyError(`${file}: not a tourney lock (expected JSON with pid, host, start and startedAt); if no tourney process uses this run, remove ${file}`, { exitCode: 2 });
  }
  return checked.data;
}

function lockError(err: unknown, file: string): TourneyError {
  if (err instanceof TourneyError) return err;
  return new TourneyError(`${file}: cannot take the run's lock (${(err as Error).message})`, { exitCode: 2 });
}
