import type { TestCounts } from '../types.js';

interface CountPattern {
  runner: string;
  /** Returns counts when this runner's summary is in the log. */
  match(log: string): TestCounts | null;
}

const num = (m: RegExpMatchArray | null | undefined, group = 1): number | undefined => {
  const value = m?.[group];
  return value === undefined ? undefined : Number(value);
};
const last = (log: string, re: RegExp): RegExpMatchArray | null => {
  const all = [...log.matchAll(new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g'))];
  return all.at(-1) ?? null;
};

/** Runners that print one summary line of "N passed", "N failed", "N skipped", "N todo" in any order. */
function summaryLine(runner: string, lineRe: RegExp): CountPattern {
  return {
    runner,
    match(log) {
      const line = last(log, lineRe)?.[1];
      if (!line) return null;
      return {
        passed: num(line.match(/(\d+) passed/)) ?? 0,
        failed: num(line.match(/(\d+) failed/)) ?? 0,
        skipped: (num(line.match(/(\d+) skipped/)) ?? 0) + (num(line.match(/(\d+) todo/)) ?? 0),
      };
    },
  };
}

// Order matters: the most specific summaries first. The last occurrence wins because
// watch-style runners and retries print several summaries.
const PATTERNS: CountPattern[] = [
  summaryLine('vitest', /^\s*Tests\s+(.*\(\d+\))\s*$/m),
  summaryLine('jest', /^Tests:\s+(.*\d+ total)\s*$/m),
  {
    runner: 'node:test / tap',
    match(log) {
      const pass = num(last(log, /^(?:#|ℹ) pass (\d+)\s*$/m));
      const fail = num(last(log, /^(?:#|ℹ) fail (\d+)\s*$/m));
      if (pass === undefined && fail === undefined) return null;
      const skipped = (num(last(log, /^(?:#|ℹ) skipped (\d+)\s*$/m)) ?? 0) + (num(last(log, /^(?:#|ℹ) todo (\d+)\s*$/m)) ?? 0);
      return { passed: pass ?? 0, failed: fail ?? 0, skipped };
    },
  },
  {
    runner: 'pytest',
    match(log) {
      // Framed by "=" normally; bare with -q ("1 failed, 2 passed in 0.03s").
      const line = last(log, /^(?:=+ )?(\d+ (?:passed|failed|errors?|skipped|deselected|xfailed|xpassed|warnings?)\b.*) in [\d.]+s\b.*?(?: =+)?\s*$/m)?.[1];
      if (!line) return null;
      return {
        passed: num(line.match(/(\d+) passed/)) ?? 0,
        failed: (num(line.match(/(\d+) failed/)) ?? 0) + (num(line.match(/(\d+) errors?/)) ?? 0),
        skipped: num(line.match(/(\d+) skipped/)) ?? 0,
      };
    },
  },
  {
    runner: 'mocha',
    match(log) {
      const passing = num(last(log, /^\s*(\d+) passing\b/m));
      if (passing === undefined) return null;
      return {
        passed: passing,
        failed: num(last(log, /^\s*(\d+) failing\b/m)) ?? 0,
        skipped: num(last(log, /^\s*(\d+) pending\b/m)) ?? 0,
      };
    },
  },
  {
    runner: 'plain',
    match(log) {
      const m = last(log, /^(?:\w+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$/m);
      if (!m) return null;
      return { passed: Number(m[1]), failed: Number(m[2]), skipped: m[3] ? Number(m[3]) : 0 };
    },
  },
];

/** Test counts read from a runner's output, or null when no known summary is there. */
export function parseTestCounts(log: string): TestCounts | null {
  // eslint-disable-next-line no-control-regex -- strip ANSI colour codes before matching
  const plain = log.replace(/\u001b\[[0-9;]*m/g, '');
  for (const pattern of PATTERNS) {
    const counts = pattern.match(plain);
    if (counts) return counts;
  }
  return null;
}
