import { describe, expect, it } from 'vitest';
import { boundedLines } from '../../src/sandbox/container.js';

const split = (chunks: (string | Buffer)[], max: number) => {
  const lines: string[] = [];
  const s = boundedLines((l) => lines.push(l), max);
  for (const c of chunks) s.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  s.end();
  return lines;
};

describe('boundedLines (an agent stream is hostile: no line may grow tourney memory)', () => {
  it('splits lines across chunk boundaries, drops CR, keeps a last line without newline', () => {
    expect(split(['a\r\nb', 'c\n', '\nd'], 100)).toEqual(['a', 'bc', '', 'd']);
  });

  it('keeps only the first max bytes of a longer line and skips the rest up to its newline', () => {
    expect(split(['0123456789', 'abcdef', 'ghi\nnext\n'], 4)).toEqual(['0123', 'next']);
    expect(split(['xxxxxxxxxx\n'], 4)).toEqual(['xxxx']);
  });

  it('keeps max bytes of a 200 MB line that never ends', () => {
    const lines: string[] = [];
    const s = boundedLines((l) => lines.push(l), 1024);
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    for (let i = 0; i < 200; i++) s.push(chunk);
    s.end();
    expect(lines).toEqual(['a'.repeat(1024)]);
  });
});
