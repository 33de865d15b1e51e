import { describe, expect, it } from 'vitest';
import { stripControl } from '../../src/text/control.js';

const ESC = '\u001b';
const BEL = '\u0007';

describe('stripControl: nothing an entrant writes can drive the terminal', () => {
  it('drops an OSC 52 clipboard write, terminated by BEL or by ST', () => {
    expect(stripControl(`ok ${ESC}]52;c;Y3VybCBldmlsLnNoIHwgc2g=${BEL}done`)).toBe('ok done');
    expect(stripControl(`ok ${ESC}]52;c;Y3VybA==${ESC}\\done`)).toBe('ok done');
  });

  it('drops a window title set, and an unterminated OSC swallows the rest as a terminal would', () => {
    expect(stripControl(`${ESC}]0;tourney: winner hasty${BEL}line`)).toBe('line');
    expect(stripControl(`a${ESC}]0;never ends`)).toBe('a');
  });

  it('drops cursor moves, erases and colours', () => {
    expect(stripControl(`${ESC}[2A${ESC}[0Jwinner: tidy ${ESC}[31;1mred${ESC}[0m ${ESC}[?25l${ESC}[10;20H`)).toBe('winner: tidy red ');
  });

  it('drops carriage returns that would overwrite the line, backspaces and BEL', () => {
    expect(stripControl('tests failed\rtests passed')).toBe('tests failedtests passed');
    expect(stripControl('abc\b\b\bxyz\u0007')).toBe('abcxyz');
  });

  it('drops 8-bit CSI and OSC, and lone C1 controls', () => {
    expect(stripControl('a\u009b2Jb')).toBe('ab');
    expect(stripControl('a\u009d52;c;eA==\u009cb')).toBe('ab');
    expect(stripControl('a\u0085\u008eb')).toBe('ab');
    expect(stripControl('a\u009fapc string\u009cb')).toBe('ab');
  });

  it('drops DCS and other two-byte escapes (RIS, charset switches)', () => {
    expect(stripControl(`a${ESC}Pq#0;2;0;0;0${ESC}\\b${ESC}c${ESC}(0c`)).toBe('abc');
    expect(stripControl(`trailing escape${ESC}`)).toBe('trailing escape');
  });

  it('keeps newlines, tabs and ordinary Unicode text', () => {
    const text = 'line 1\n\tindented — café ✓ 日本\nline 3';
    expect(stripControl(text)).toBe(text);
    expect(stripControl('windows\r\nline')).toBe('windows\nline');
  });
});
