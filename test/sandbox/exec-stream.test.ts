import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/sandbox/engine.js';
import { Sandbox } from '../../src/sandbox/container.js';
import { agentSandbox } from '../../src/sandbox/agent-sandbox.js';
import { DEFAULT_IMAGE } from '../../src/config/defaults.js';
import { ensureTestImage } from '../support/docker.js';

// The streaming exec agent kinds run their CLIs through: lines as they come, exit codes, and an abort that kills the
// whole process group (children that ignore SIGTERM included) without stopping the container.

const runId = `exec-stream-${process.pid}-${Date.now()}`;
let engine: Engine;
let box: Sandbox;

beforeAll(async () => {
  engine = await ensureTestImage();
  box = await Sandbox.create(engine, {
    image: DEFAULT_IMAGE, runId, role: 'exec-stream-test', name: `tourney-${runId}`, network: 'none',
    limits: { cpus: 1, memoryMb: 256, pids: 128 },
  });
}, 600_000);
afterAll(async () => {
  await box?.remove();
});

/** Processes whose command line holds `3001` (the pattern is written so that the checker's own does not). */
const sleepers = async () => (await box.exec(['sh', '-c', 'grep -l "300[1]" /proc/[0-9]*/cmdline 2>/dev/null | wc -l'])).stdout.trim();

describe('Sandbox.execStream', () => {
  it('streams stdout and stderr line by line and returns the exit code', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const result = await agentSandbox(box, async () => '').execStream(['sh', '-c', 'echo one; echo two >&2; printf "three"; id -u; exit 7'], {
      onStdout: (l) => out.push(l),
      onStderr: (l) => err.push(l),
    });
    expect(out).toEqual(['one', 'three10001']);
    expect(err).toEqual(['two']);
    expect(result).toMatchObject({ exitCode: 7, killed: false, stdout: 'one\nthree10001\n', stderr: 'two\n' });
  });

  it('kills the whole process group on abort, SIGTERM-ignoring children too, and the container keeps running', async () => {
    const controller = new AbortController();
    const ticks: string[] = [];
    let before = '';
    const script = 'trap "" TERM; sh -c "trap \\"\\" TERM; exec sleep 3001" & while true; do echo tick; sleep 0.2; done';
    const running = box.execStream(['sh', '-c', script], {
      signal: controller.signal,
      onStdout: (l) => {
        ticks.push(l);
        if (ticks.length === 3) void sleepers().then((n) => (before = n)).finally(() => controller.abort());
      },
    });
    const result = await running;
    expect(result.killed).toBe(true);
    expect(result.exitCode).toBeNull();
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(result.durationMs).toBeLessThan(10_000);
    // The child was there before the abort (so the check below can fail), and is gone after it.
    expect(Number(before)).toBeGreaterThan(0);
    expect(await sleepers()).toBe('0');
    const after = await box.exec(['echo', 'still here']);
    expect(after.stdout).toBe('still here\n');
  });

  it('writes a file owned by the sandbox user with the given mode', async () => {
    await box.writeFile('/tmp/prompt.md', 'héllo\n', { mode: 0o600 });
    const seen = await box.exec(['sh', '-c', 'stat -c "%u %a" /tmp/prompt.md && cat /tmp/prompt.md'], { user: '10001' });
    expect(seen.stdout).toBe('10001 600\nhéllo\n');
  });
});
