import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/container.js';
import { watchDisk } from '../../src/sandbox/disk-watch.js';

// The watch's polling rule, with a sandbox that only answers writableBytes (the real one is in disk-limit.test.ts).
function fakeSandbox(answers: (number | Error)[]) {
  let polls = 0;
  let killed = false;
  const box = {
    writableBytes: async () => {
      const next = answers[Math.min(polls++, answers.length - 1)]!;
      if (next instanceof Error) throw next;
      return next;
    },
    kill: async () => {
      killed = true;
    },
  } as unknown as Sandbox;
  return { box, polls: () => polls, killed: () => killed };
}

const engineError = (statusCode?: number) => Object.assign(new Error(statusCode ? `HTTP ${statusCode}` : 'socket hang up'), { statusCode });
const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('watchDisk', () => {
  it('keeps watching through failed polls (an engine that missed a beat) and still stops a writer over the limit', async () => {
    const fake = fakeSandbox([engineError(), engineError(500), 10, 5000]);
    const seen: number[] = [];
    const watch = watchDisk(fake.box, 1000, (bytes) => seen.push(bytes), 1);
    await until(() => fake.killed());
    expect(seen).toEqual([5000]);
    expect(watch.exceeded).toBe(5000);
    expect(fake.polls()).toBe(4);
  });

  it('ends when the container is gone (404), without killing anything', async () => {
    const fake = fakeSandbox([10, engineError(404), 5000]);
    const watch = watchDisk(fake.box, 1000, () => undefined, 1);
    await new Promise((r) => setTimeout(r, 60));
    expect(fake.polls()).toBe(2);
    expect(fake.killed()).toBe(false);
    expect(watch.exceeded).toBeNull();
    watch.stop();
  });
});
