import { describe, expect, it } from 'vitest';
import { parseTestCounts } from '../../src/referee/counts.js';

describe('parseTestCounts', () => {
  it.each([
    ['node --test (spec reporter)', 'ℹ tests 6\nℹ suites 0\nℹ pass 5\nℹ fail 1\nℹ cancelled 0\nℹ skipped 0\nℹ todo 0', { passed: 5, failed: 1, skipped: 0 }],
    ['TAP', 'TAP version 13\nok 1 - a\n# tests 3\n# pass 3\n# fail 0\n', { passed: 3, failed: 0, skipped: 0 }],
    ['vitest', ' Test Files  1 failed | 2 passed (3)\n      Tests  1 failed | 9 passed | 2 skipped (12)\n', { passed: 9, failed: 1, skipped: 2 }],
    ['jest', 'Tests:       2 failed, 1 skipped, 7 passed, 10 total\n', { passed: 7, failed: 2, skipped: 1 }],
    ['pytest', '==== 3 failed, 12 passed, 1 skipped in 0.52s ====', { passed: 12, failed: 3, skipped: 1 }],
    ['pytest with errors', '=== 1 passed, 2 errors in 0.10s ===', { passed: 1, failed: 2, skipped: 0 }],
    ['pytest -q', '..F\n=== FAILURES ===\n___ test_x ___\nE assert 1 == 2\n1 failed, 2 passed in 0.03s\n', { passed: 2, failed: 1, skipped: 0 }],
    ['pytest -q, all passing', '..\n2 passed in 0.01s\n', { passed: 2, failed: 0, skipped: 0 }],
    ['pytest -q with warnings and a timing in minutes', '3 passed, 1 skipped, 2 warnings in 61.20s (0:01:01)\n', { passed: 3, failed: 0, skipped: 1 }],
    ['pytest, coloured framing with timing', '======= 5 passed, 1 xfailed in 1.02s (0:00:01) =======', { passed: 5, failed: 0, skipped: 0 }],
    ['mocha', '  4 passing (12ms)\n  1 failing\n  2 pending\n', { passed: 4, failed: 1, skipped: 2 }],
    ['plain', 'tests: 8 passed, 0 failed\n', { passed: 8, failed: 0, skipped: 0 }],
  ])('reads %s summaries', (_name, log, expected) => {
    expect(parseTestCounts(log)).toEqual(expected);
  });

  it('ignores ANSI colours', () => {
    expect(parseTestCounts('\u001b[32mℹ pass 2\u001b[39m\n\u001b[31mℹ fail 0\u001b[39m\n')).toEqual({ passed: 2, failed: 0, skipped: 0 });
  });

  it('takes the last summary when a runner prints several', () => {
    expect(parseTestCounts('# pass 1\n# fail 1\n...retry...\n# pass 2\n# fail 0\n')).toEqual({ passed: 2, failed: 0, skipped: 0 });
  });

  it('returns null when there is no summary it knows', () => {
    expect(parseTestCounts('all good\n')).toBeNull();
  });
});
