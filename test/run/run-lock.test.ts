import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCK_FILE, lockRun } from '../../src/run/run-lock.js';
import { currentOwner } from '../../src/sandbox/owner.js';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'tourney-lock-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

const lockOf = async () => JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as { pid: number; host: string; start: string; startedAt: string };

describe('run lock', () => {
  it('names this process in the lock, refuses a second holder with exit 2 naming the file and pid, and releases', async () => {
    const notes: string[] = [];
    const lock = await lockRun(dir, (m) => notes.push(m));
    expect(await lockOf()).toMatchObject({ pid: process.pid, host: hostname(), start: currentOwner().start });
    const second = await lockRun(dir, (m) => notes.push(m)).then(() => null, (err: unknown) => err);
    expect(second).toMatchObject({ exitCode: 2 });
    expect(String(second)).toContain(join(dir, LOCK_FILE));
    expect(String(second)).toContain(`in use by tourney pid ${process.pid}`);
    expect(notes).toEqual([]);
    await lock.release();
    await lock.release();
    // No lock and no temporary file left behind.
    expect(await readdir(dir)).toEqual([]);
    const again = await lockRun(dir, () => undefined);
    await again.release();
  });

  it('takes over a stale lock (its process gone, or its pid reused by another process) with a note', async () => {
    const child = await execa(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadPid = Number(child.stdout);
    for (const stale of [{ pid: deadPid, start: 'unknown' }, { pid: process.pid, start: 'other-boot:1' }]) {
      await writeFile(join(dir, LOCK_FILE), JSON.stringify({ ...stale, host: hostname(), startedAt: '2026-12-01T00:00:00.000Z' }));
      const notes: string[] = [];
      const lock = await lockRun(dir, (m) => notes.push(m));
      expect(notes).toEqual([`took over the stale lock ${join(dir, LOCK_FILE)}: its tourney process (pid ${stale.pid}, since 2026-12-01T00:00:00.000Z) is gone`]);
      expect((await lockOf()).pid).toBe(process.pid);
      await lock.release();
    }
  });

  it('refuses a lock of another host, or one it cannot read, naming the file', async () => {
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: 4242, host: 'elsewhere', start: 'x', startedAt: '2026-12-01T00:00:00.000Z' }));
    await expect(lockRun(dir, () => undefined)).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/tourney\.lock: the run is in use by tourney pid 4242 on host elsewhere .*remove/) });
    await writeFile(join(dir, LOCK_FILE), 'garbage');
    await expect(lockRun(dir, () => undefined)).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/tourney\.lock: not a tourney lock \(expected JSON with pid, host, start and startedAt\)/) });
    // A refused lock leaves the holder's file as it was.
    expect(await readFile(join(dir, LOCK_FILE), 'utf8')).toBe('garbage');
  });

  it('is released when the process exits without cleaning up', async () => {
    const script = `import { lockRun } from ${JSON.stringify(new URL('../../src/run/run-lock.ts', import.meta.url).href)};\nawait lockRun(${JSON.stringify(dir)}, () => {});\nprocess.exit(130);\n`;
    const ran = await execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { reject: false });
    expect(ran.exitCode).toBe(130);
    expect(await readdir(dir)).toEqual([]);
  });
});
