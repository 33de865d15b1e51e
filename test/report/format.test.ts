import { describe, expect, it } from 'vitest';
import { formatCost, formatDate, formatDuration, formatNumber, formatRatio, plural, summarizeTests } from '../../src/report/format.js';
import { tailLines } from '../../src/report/files.js';

describe('report formatting', () => {
  it('formats durations', () => {
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(4_210)).toBe('4.2s');
    expect(formatDuration(42_000)).toBe('42s');
    expect(formatDuration(65_000)).toBe('1m 05s');
    expect(formatDuration(3_725_000)).toBe('1h 02m 05s');
    expect(formatDuration(Number.NaN)).toBe('—');
  });

  it('formats costs, numbers and dates', () => {
    expect(formatCost(0.0123)).toBe('$0.0123');
    expect(formatCost(12.345)).toBe('$12.35');
    expect(formatCost(0)).toBe('$0.00');
    expect(formatNumber(1234567)).toBe('1,234,567');
    expect(formatDate('2025-06-01T12:00:00.000Z')).toBe('2025-06-01 12:00 UTC');
    expect(formatDate('nonsense')).toBe('nonsense');
    expect(formatRatio(1.1185)).toBe('1.12×');
    expect(formatRatio(0.000336)).toBe('0.00034×');
    expect(formatRatio(null)).toBe('—');
    expect(plural(1, 'file')).toBe('1 file');
    expect(plural(2, 'new dependency', 'new dependencies')).toBe('2 new dependencies');
  });

  it('summarizes test checks', () => {
    const base = { exitCode: 1, durationMs: 1, logPath: 'x.log' };
    expect(summarizeTests(null).label).toBe('not run');
    expect(summarizeTests({ ...base, passed: false, counts: { passed: 5, failed: 1 } }).detail).toBe('5 passed, 1 failed');
    expect(summarizeTests({ ...base, passed: false, counts: null }).detail).toBe('exit code 1');
    const notRun = summarizeTests({ ...base, passed: null, counts: null, error: 'patch did not apply' });
    expect(notRun).toEqual({ state: 'not-run', label: 'not run', short: 'not run', detail: 'patch did not apply' });
    expect(summarizeTests({ ...base, passed: false, counts: { passed: 5, failed: 3 } }).short).toBe('5/8');
  });

  it('keeps the last lines of a log without colour codes', () => {
    const log = Array.from({ length: 50 }, (_, i) => `\u001b[31mline ${i + 1}\u001b[0m`).join('\r\n') + '\n';
    const { text, omitted } = tailLines(log, 40);
    expect(omitted).toBe(10);
    expect(text.split('\n')).toHaveLength(40);
    expect(text.startsWith('line 11\nline 12')).toBe(true);
    expect(text).not.toContain('\u001b');
  });
});
