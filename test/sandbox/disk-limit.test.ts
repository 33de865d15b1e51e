import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerOf } from '../../src/sandbox/docker.js';
import type { Engine } from '../../src/sandbox/engine.js';
import { Sandbox } from '../../src/sandbox/container.js';
import { watchDisk } from '../../src/sandbox/disk-watch.js';
import { DEFAULT_IMAGE } from '../../src/config/defaults.js';
import { ensureTestImage } from '../support/docker.js';

// The disk limit on a real container (overlay2 on ext4: no --storage-opt size=, see the README):
// RLIMIT_FSIZE stops any one file at the limit; the watch kills a container whose writes add up.

const MiB = 1024 * 1024;
const LIMIT_MB = 200;
const runId = `disk-${process.pid}-${Date.now()}`;
let engine: Engine;
const sandboxes: Sandbox[] = [];

async function sandbox(name: string, diskMb?: number): Promise<Sandbox> {
  const s = await Sandbox.create(engine, {
    image: DEFAULT_IMAGE, runId, role: 'disk-test', name: `tourney-${runId}-${name}`, network: 'none',
    limits: { cpus: 1, memoryMb: 512, pids: 128, ...(diskMb && { diskMb }) },
  });
  sandboxes.push(s);
  return s;
}

beforeAll(async () => {
  engine = await ensureTestImage();
}, 600_000);
afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.remove()));
});

describe('disk limits in a sandbox', () => {
  it('refuses --storage-opt size= on this engine, so the limit cannot be the writable layer itself', async () => {
    const err = await dockerOf(engine).createContainer({ Image: DEFAULT_IMAGE, Cmd: ['true'], HostConfig: { StorageOpt: { size: '100m' } }, Labels: { 'dev.tourney.run': runId } })
      .then(async (c) => { await c.start(); await c.remove({ force: true }); return null; }, (e: unknown) => e as Error);
    // Where the driver supports it (xfs with pquota) this passes through and the test says so.
    if (err) expect(err.message).toMatch(/storage-opt|xfs|pquota|quota/i);
    else console.log('this engine supports --storage-opt size=');
  });

  it('stops a single file at the limit (fsize): the writer gets SIGXFSZ', async () => {
    const s = await sandbox('one-file', LIMIT_MB);
    const r = await s.exec(['sh', '-c', `dd if=/dev/zero of=/tmp/big bs=1M count=${LIMIT_MB * 4} 2>&1; stat -c %s /tmp/big`], { timeoutMs: 60_000 });
    expect(r.stdout).toMatch(/File size limit exceeded|exited|\d+/);
    expect(Number(r.stdout.trim().split('\n').pop())).toBe(LIMIT_MB * MiB);
  });

  it('kills a container whose files add up past the limit, within about a poll', async () => {
    const s = await sandbox('many-files', LIMIT_MB);
    let seen: number | null = null;
    const watch = watchDisk(s, LIMIT_MB * MiB, (bytes) => (seen = bytes), 500);
    const started = Date.now();
    // 32 MB files without end, each under the per-file cap, as a hostile tool call would write them: only the
    // watch can stop it (old files are deleted as it goes, so the disk of this machine never fills).
    const writer = await s.exec(['sh', '-c', 'i=0; while true; do i=$((i+1)); dd if=/dev/zero of=/tmp/f$i bs=1M count=32 2>/dev/null || exit 7; rm -f /tmp/f$((i-40)); done'], { timeoutMs: 120_000 });
    watch.stop();
    const ms = Date.now() - started;
    expect(writer.timedOut).toBe(false);
    expect(watch.exceeded).not.toBeNull();
    expect(seen).toBe(watch.exceeded);
    expect(watch.exceeded!).toBeGreaterThan(LIMIT_MB * MiB);
    // The kill is in flight when the writer's stream ends: the engine reports the stop a moment later.
    await s.container.wait({ condition: 'not-running' });
    expect((await s.container.inspect()).State.Running).toBe(false);
    console.log(`disk watch: killed after ${ms} ms having seen ${Math.round(watch.exceeded! / MiB)} MiB (limit ${LIMIT_MB} MiB)`);
  });

  it('leaves a container under the limit alone', async () => {
    const s = await sandbox('quiet', LIMIT_MB);
    const watch = watchDisk(s, LIMIT_MB * MiB, () => undefined, 200);
    await s.exec(['sh', '-c', 'dd if=/dev/zero of=/tmp/small bs=1M count=20 2>/dev/null; sleep 1.5']);
    watch.stop();
    expect(watch.exceeded).toBeNull();
    expect((await s.container.inspect()).State.Running).toBe(true);
  });
});
