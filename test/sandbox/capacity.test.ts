// sandbox.pids against the real engine: the bounds checkEngineFits refuses are the ones Docker and the
// kernel really refuse (or that leave an agent unable to start), so the check never blocks a working value.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { connectEngine } from '../../src/sandbox/docker.js';
import { KERNEL_PIDS_LIMIT, MIN_PIDS, checkEngineFits, checkPids } from '../../src/sandbox/capacity.js';
import { ensureTestImage } from '../support/docker.js';
import { DEFAULT_IMAGE } from '../../src/config/defaults.js';

const limits = (pids: number) => ({ cpus: 1, memoryMb: 512, pids });

describe('sandbox.pids against the engine', () => {
  it('passes the default and the values between the bounds', async () => {
    const engine = await connectEngine();
    expect(await checkEngineFits(engine, limits(512))).toBeNull();
    expect(await checkEngineFits(engine, limits(MIN_PIDS))).toBeNull();
  });

  it('refuses too few, naming the key, the value and what fits', async () => {
    const engine = await connectEngine();
    expect(await checkEngineFits(engine, limits(MIN_PIDS - 1))).toMatch(new RegExp(`^key "sandbox\\.pids": ${MIN_PIDS - 1} is too few .*expected at least ${MIN_PIDS}`));
  });

  it('refuses more than the local kernel pid_max, and more than any kernel can set', async () => {
    const engine = await connectEngine();
    expect(await checkEngineFits(engine, limits(KERNEL_PIDS_LIMIT + 1))).toMatch(/more than the kernel can set/);
    expect(checkPids(40_000, true, 32_768)).toMatch(/40000 is more than the engine's kernel pid_max of 32768, .*expected at most 32768/);
    // A remote engine's pid_max is unknown: only the kernel's own bound applies.
    expect(checkPids(40_000, true, null)).toBeNull();
    expect(checkPids(512, false, null)).toMatch(/cannot limit processes/);
  });

  it('matches the engine: one above KERNEL_PIDS_LIMIT fails to start a container, the limit itself starts', async () => {
    await ensureTestImage();
    const image = DEFAULT_IMAGE;
    const run = (pids: number) => execa('docker', ['run', '--rm', '--network', 'none', '--pids-limit', String(pids), image, 'true'], { reject: false });
    const over = await run(KERNEL_PIDS_LIMIT + 1);
    expect(over.exitCode, over.stderr).not.toBe(0);
    expect(over.stderr).toMatch(/pids\.max: invalid argument/);
    expect((await run(KERNEL_PIDS_LIMIT)).exitCode).toBe(0);
  }, 60_000);
});
