// Which of the entrant's lint problems are new. Counting "head minus base" lets an entrant fix one
// old problem and add a new one for free, and line numbers cannot be compared because any edit
// above a problem moves it. A problem is identified instead by what it says and where it sits in
// the code: rule, severity, message and the normalised text of its source line. Base and head are
// matched as multisets per file, so two identical base problems cover two identical head ones,
// not three.

import { createHash } from 'node:crypto';

/** SARIF's `baselineState` values that tourney produces. */
export type BaselineState = 'new' | 'unchanged';

export interface LocatedProblem {
  /** Repo-relative file. */
  file: string;
  ruleId: string | null;
  severity: 'error' | 'warning';
  message: string;
  /** 1-based line; 0 or beyond the file when the problem is about the whole file. */
  line: number;
}

/** The problem's source line with whitespace collapsed, so re-indentation does not make it new. */
export function lineFingerprint(source: string | null, line: number): string {
  if (source === null || line < 1) return '';
  const text = source.split('\n')[line - 1] ?? '';
  return text.replace(/\s+/g, ' ').trim();
}

/** A short stable hash of the identity, for SARIF `partialFingerprints`. */
export function fingerprintHash(problem: LocatedProblem, fingerprint: string): string {
  return createHash('sha256').update(identity(problem, fingerprint)).digest('hex').slice(0, 16);
}

function identity(problem: LocatedProblem, fingerprint: string): string {
  return [problem.file, problem.ruleId ?? '', problem.severity, problem.message, fingerprint].join('\u0000');
}

export interface Fingerprinted {
  problem: LocatedProblem;
  fingerprint: string;
}

/**
 * The baseline state of each head problem, in order. Each base problem can cover at most one head
 * problem with the same identity; the head problems left over are new.
 */
export function classifyAgainstBase(base: Fingerprinted[], head: Fingerprinted[]): BaselineState[] {
  const available = new Map<string, number>();
  for (const b of base) {
    const key = identity(b.problem, b.fingerprint);
    available.set(key, (available.get(key) ?? 0) + 1);
  }
  return head.map((h) => {
    const key = identity(h.problem, h.fingerprint);
    const left = available.get(key) ?? 0;
    if (left === 0) return 'new';
    available.set(key, left - 1);
    return 'unchanged';
  });
}
