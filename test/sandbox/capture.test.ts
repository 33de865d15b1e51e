import { describe, expect, it } from 'vitest';
import { OutputCapture } from '../../src/sandbox/capture.js';

const feed = (capture: OutputCapture, text: string, chunk: number) => {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += chunk) capture.add(bytes.subarray(i, i + chunk));
};

describe('OutputCapture: the head and the tail survive a flood', () => {
  it('keeps everything under the limit, unchanged', () => {
    const c = new OutputCapture(100);
    feed(c, 'hello\nworld\n', 3);
    expect(c.text()).toBe('hello\nworld\n');
    expect(c.droppedBytes).toBe(0);
  });

  it.each([1, 7, 64, 10_000])('keeps the first and last halves and says how much fell between (chunks of %i bytes)', (chunk) => {
    const flood = 'x'.repeat(5000);
    const c = new OutputCapture(200);
    feed(c, `START${flood}\nℹ pass 4\nℹ fail 0\n`, chunk);
    const text = c.text();
    expect(text.startsWith('START')).toBe(true);
    expect(text.endsWith('ℹ pass 4\nℹ fail 0\n')).toBe(true);
    const total = Buffer.byteLength(`START${flood}\nℹ pass 4\nℹ fail 0\n`);
    expect(c.droppedBytes).toBe(total - 200);
    expect(text).toContain(`[tourney: ${total - 200} bytes of output dropped here]`);
  });
});
