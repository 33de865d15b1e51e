// Compares an existing test file's base and head models (test-model.ts) and sorts every edit into
// weakening (a tampering finding that gates), ambiguous (a low finding that lowers the score) or
// strengthening (recorded and shown). The rules, in the order they apply to a changed assertion:
// a dropped `await` on an async assertion, a new try/catch around it, a weaker matcher, a looser
// expected value; a removed case, assertion or input row with no replacement is weakening.

import type { StrengthKind, TamperFinding, TamperKind, TamperSeverity, TestStrengthening } from './types.js';
import { HELPERS_KEY, splitTopLevel, type Assertion, type DataLiteral, type TestCase, type TestFileModel } from './test-model.js';

export interface TestFileComparison {
  findings: TamperFinding[];
  strengthened: TestStrengthening[];
}

const MAX_EVIDENCE = 300;

const signature = (a: Assertion) => [a.api, a.matcher, a.subject, a.expected.join('\u0001'), a.awaited, a.guard].join('\u0000');
const GUARD_RANK = { none: 0, conditional: 1, try: 2 } as const;

/** Identifiers and literals: what two versions of an assertion's subject must share to be "the same check". */
const tokens = (text: string) => text.match(/[A-Za-z_$][\w$]*|\d+(?:\.\d+)?|"[^"]*"|'[^']*'/g) ?? [];
const IGNORED_TOKENS = new Set(['await', 'new', 'this', 'self', 'true', 'false', 'null', 'undefined', 'None', 'True', 'False']);

/** Source text with its literals blanked, so `sum(1, 2)` and `sum(2, 2)` have one shape. */
const shape = (text: string) => text.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`|\/(?:[^/\\\n]|\\.)+\/[a-z]*|\b\d+(?:\.\d+)?\b/g, '#');

/** Multiset difference: the items of `a` not covered by `b`. */
function minus<T>(a: T[], b: T[], key: (x: T) => string): T[] {
  const left = new Map<string, number>();
  for (const x of b) left.set(key(x), (left.get(key(x)) ?? 0) + 1);
  return a.filter((x) => {
    const n = left.get(key(x)) ?? 0;
    if (n === 0) return true;
    left.set(key(x), n - 1);
    return false;
  });
}

export function compareTestFiles(file: string, base: TestFileModel, head: TestFileModel): TestFileComparison {
  const findings: TamperFinding[] = [];
  const strengthened: TestStrengthening[] = [];
  const find = (kind: TamperKind, severity: TamperSeverity, line: number | undefined, evidence: string) =>
    findings.push({ kind, severity, file, ...(line ? { line } : {}), evidence: evidence.slice(0, MAX_EVIDENCE) });
  const gain = (kind: StrengthKind, line: number | undefined, evidence: string) =>
    strengthened.push({ kind, file, ...(line ? { line } : {}), evidence: evidence.slice(0, MAX_EVIDENCE) });

  const growth = compareData(base.data, head.data, find, gain);

  // Pair cases by key; an unmatched base case pairs with an unmatched head case that keeps at least
  // half of its assertions (a rename), else it was removed.
  const headByKey = new Map(head.cases.map((c) => [c.key, c]));
  const baseKeys = new Set(base.cases.map((c) => c.key));
  const unmatchedHead = head.cases.filter((c) => !baseKeys.has(c.key));
  const pairs: [TestCase, TestCase][] = [];
  const removed: TestCase[] = [];
  for (const b of base.cases) {
    const h = headByKey.get(b.key) ?? takeRename(b, unmatchedHead);
    if (h) pairs.push([b, h]);
    else removed.push(b);
  }
  const helperCase = (m: TestFileModel): TestCase => ({ key: HELPERS_KEY, line: 0, endLine: 0, skipped: false, assertions: m.helpers, setup: '' });
  pairs.push([helperCase(base), helperCase(head)]);

  // Assertions that leave one case may reappear in another (a split or merged case); collect both sides first.
  const lost: { owner: TestCase; a: Assertion }[] = [];
  const gained: { owner: TestCase; a: Assertion }[] = [];
  for (const [b, h] of pairs) {
    const before = findings.length;
    if (!b.skipped && h.skipped) find('skip-added', 'gate', h.line, `case "${h.key}" is now skipped`);
    if (b.skipped && !h.skipped) gain('test-case-added', h.line, `case "${h.key}" is no longer skipped`);
    const d = pairAssertions(b, h, growth, find, gain);
    lost.push(...d.lost.map((a) => ({ owner: h, a })));
    gained.push(...d.gained.map((a) => ({ owner: h, a })));
    // Setup edits only matter when nothing more specific was said about this case.
    const saidSomething = findings.length > before || findings.some((f) => f.line !== undefined && f.line >= h.line && f.line <= h.endLine);
    if (!saidSomething && b.key !== HELPERS_KEY) {
      const dropped = minus(tokens(b.setup), tokens(h.setup), (t) => t).filter((t) => !IGNORED_TOKENS.has(t));
      if (dropped.length > 0) find('test-edit-ambiguous', 'low', h.line, `case "${h.key}": its setup lost ${dropped.slice(0, 8).join(' ')}`);
    }
  }
  for (const h of unmatchedHead) {
    if (!h.skipped && h.assertions.length > 0) gain('test-case-added', h.line, `new case "${h.key}" with ${h.assertions.length} assertion(s)`);
    gained.push(...h.assertions.map((a) => ({ owner: h, a })));
  }
  for (const b of removed) {
    if (b.skipped || b.assertions.length === 0) find('test-edit-ambiguous', 'low', undefined, `removed case "${b.key}", which ${b.skipped ? 'was skipped' : 'asserted nothing'}`);
    else find('test-case-removed', 'gate', undefined, `removed case "${b.key}" (${b.assertions.length} assertion(s), e.g. ${b.assertions[0]!.text})`);
  }

  // A lost assertion found unchanged in another case moved; moving it into a helper that may never
  // run is not clear either way.
  for (const l of lost) {
    const at = gained.findIndex((g) => signature(g.a) === signature(l.a));
    if (at >= 0) {
      const [target] = gained.splice(at, 1);
      if (target!.owner.key === HELPERS_KEY) find('test-edit-ambiguous', 'low', target!.a.line, `moved out of "${l.owner.key}" into a helper: ${l.a.text}`);
      else if (target!.owner.skipped) find('assertion-removed', 'gate', target!.a.line, `moved into skipped case "${target!.owner.key}": ${l.a.text}`);
    } else find('assertion-removed', 'gate', undefined, `case "${l.owner.key}": removed ${l.a.text}`);
  }
  for (const g of gained) {
    if (g.a.strength > 0 && g.a.guard === 'none' && !g.owner.skipped && g.owner.key !== HELPERS_KEY && pairs.some(([, h]) => h === g.owner)) {
      gain('assertion-added', g.a.line, `case "${g.owner.key}": ${g.a.text}`);
    }
  }
  return { findings, strengthened };
}

function takeRename(b: TestCase, candidates: TestCase[]): TestCase | undefined {
  if (b.assertions.length === 0) return undefined;
  let best = -1;
  let bestShared = 0;
  candidates.forEach((h, i) => {
    const shared = b.assertions.length - minus(b.assertions, h.assertions, signature).length;
    if (shared > bestShared) [best, bestShared] = [i, shared];
  });
  if (best < 0 || bestShared * 2 < b.assertions.length) return undefined;
  return candidates.splice(best, 1)[0];
}

type Find = (kind: TamperKind, severity: TamperSeverity, line: number | undefined, evidence: string) => void;
type Gain = (kind: StrengthKind, line: number | undefined, evidence: string) => void;

/**
 * Matches the assertions of one case. Unchanged ones match exactly; a changed one pairs with a new
 * one on the same subject, or failing that one that shares a name with it (`assert.equal(a, 3)`
 * and `assert.ok(a > 0)`), and the pair is judged. Returns what stays unpaired.
 */
function pairAssertions(b: TestCase, h: TestCase, growth: Set<number>, find: Find, gain: Gain): { lost: Assertion[]; gained: Assertion[] } {
  const lost = minus(b.assertions, h.assertions, signature);
  const gained = minus(h.assertions, b.assertions, signature);
  const unpaired: Assertion[] = [];
  for (const l of lost) {
    let at = gained.findIndex((g) => g.subject === l.subject);
    if (at < 0) {
      // Same code with other literals, or one subject built on the other (`a` and `a > 0`). Merely
      // calling the same function is not enough: `() => parse('bad')` is not `parse('ok').day`.
      const ls = shape(l.subject);
      at = gained.findIndex((g) => ls !== '' && (shape(g.subject).includes(ls) || ls.includes(shape(g.subject) || '\u0000')));
    }
    if (at < 0) {
      unpaired.push(l);
      continue;
    }
    const [g] = gained.splice(at, 1);
    judgePair(h.key, l, g!, growth, find, gain);
  }
  return { lost: unpaired, gained };
}

function judgePair(key: string, l: Assertion, g: Assertion, growth: Set<number>, find: Find, gain: Gain): void {
  const change = `case "${key}": ${l.text} -> ${g.text}`;
  if (l.async && l.awaited && !g.awaited) return find('await-removed', 'gate', g.line, `${change} (not awaited: its failure is never seen)`);
  if (GUARD_RANK[g.guard] > GUARD_RANK[l.guard]) {
    return g.guard === 'try'
      ? find('assertion-neutralised', 'gate', g.line, `${change} (inside try/catch)`)
      : find('test-edit-ambiguous', 'low', g.line, `${change} (now conditional)`);
  }
  if (g.strength < l.strength) return find('assertion-loosened', 'gate', g.line, change);
  if (g.strength > l.strength) return gain('assertion-tightened', g.line, change);
  if (g.async && g.awaited && !l.awaited) return gain('assertion-tightened', g.line, `${change} (now awaited)`);
  if (g.api === l.api && g.matcher === l.matcher && g.subject === l.subject) {
    const verdict = judgeExpected(l, g, growth);
    if (verdict === 'looser') return find('assertion-loosened', 'gate', g.line, `${change} (looser expected value)`);
    if (verdict === 'tighter') return gain('expected-extended', g.line, change);
    if (verdict === 'follows-fixture') return;
  }
  find('test-edit-ambiguous', 'low', g.line, change);
}

/** Partial matchers and bounds: a smaller expected value is a looser check. */
const PARTIAL = /^(?:not\.)?(?:toContain|toContainEqual|toMatch|toMatchObject|toHaveProperty|include|includes|match|assertIn|in|assertRegex|toHaveKeys)$/;
const LOWER_BOUND = /^(?:toBeGreaterThan|toBeGreaterThanOrEqual|assertGreater|assertGreaterEqual|>|>=)$/;
const UPPER_BOUND = /^(?:toBeLessThan|toBeLessThanOrEqual|assertLess|assertLessEqual|<|<=)$/;
/** Matchers that accept anything of a kind, in place of a value. */
const ANY_VALUE = /\bexpect\.(?:anything|any|objectContaining|arrayContaining|stringContaining|stringMatching|closeTo)\b|\b(?:mock\.)?ANY\b|\bsinon\.match\b/;

function judgeExpected(l: Assertion, g: Assertion, growth: Set<number>): 'looser' | 'tighter' | 'follows-fixture' | 'changed' {
  const be = l.expected.join(', ');
  const he = g.expected.join(', ');
  if (ANY_VALUE.test(he) && !ANY_VALUE.test(be)) return 'looser';
  const bn = Number(l.expected[0]);
  const hn = Number(g.expected[0]);
  const numeric = l.expected.length > 0 && g.expected.length > 0 && Number.isFinite(bn) && Number.isFinite(hn);
  if (numeric && LOWER_BOUND.test(l.matcher)) return hn < bn ? 'looser' : 'tighter';
  if (numeric && UPPER_BOUND.test(l.matcher)) return hn > bn ? 'looser' : 'tighter';
  if (l.matcher === 'toBeCloseTo' && l.expected[0] === g.expected[0]) return Number(g.expected[1] ?? 2) < Number(l.expected[1] ?? 2) ? 'looser' : 'tighter';
  // A count that grew by exactly as many items as a fixture of this file gained follows the fixture.
  if (numeric && Number.isInteger(hn - bn) && growth.has(hn - bn)) return 'follows-fixture';
  const bl = literalParts(be);
  const hl = literalParts(he);
  if (bl && hl) {
    const dropped = minus(bl, hl, (x) => x).length;
    const added = minus(hl, bl, (x) => x).length;
    if (dropped > 0 && added === 0) return PARTIAL.test(l.matcher) ? 'looser' : 'changed';
    if (dropped === 0 && added > 0) return 'tighter';
  }
  const bs = stringValue(be);
  const hs = stringValue(he);
  if (bs !== null && hs !== null && PARTIAL.test(l.matcher)) {
    if (hs.length < bs.length && bs.includes(hs)) return 'looser';
    if (hs.length > bs.length && hs.includes(bs)) return 'tighter';
  }
  return 'changed';
}

/** What identifies a table row: its first item, or a property's key. */
function rowHead(element: string): string {
  const inner = /^[[{(]([\s\S]*)[\]})]$/.exec(element)?.[1];
  // `[input, expected]` and `{ input: 'a', expected: 1 }` are identified by their first item as a whole.
  if (inner !== undefined) return splitTopLevel(inner)[0] ?? '';
  const key = /^([\w$"'-]+)\s*:/.exec(element)?.[1];
  return key ?? element;
}

/** Elements of an array/object/tuple literal, or null for anything else. */
function literalParts(text: string): string[] | null {
  return /^[[{(][\s\S]*[\]})]$/.test(text) ? splitTopLevel(text.slice(1, -1)) : null;
}

/** The text of a string or regex literal, or null. */
function stringValue(text: string): string | null {
  const m = /^(?:(['"`])([\s\S]*)\1|\/([\s\S]+)\/[a-z]*)$/.exec(text);
  return m ? (m[2] ?? m[3] ?? null) : null;
}

/** Compares fixtures and input tables; returns by how many items each extended table grew. */
function compareData(base: DataLiteral[], head: DataLiteral[], find: Find, gain: Gain): Set<number> {
  const growth = new Set<number>();
  const headBy = new Map(head.map((d) => [d.anchor, d]));
  for (const b of base) {
    const h = headBy.get(b.anchor);
    if (!h) {
      if (b.elements.length > 0) find('test-edit-ambiguous', 'low', undefined, `${b.anchor}: the data (${b.elements.length} item(s)) is no longer there`);
      continue;
    }
    const dropped = minus(b.elements, h.elements, (x) => x);
    const added = minus(h.elements, b.elements, (x) => x);
    // A row whose input (first item, or key) is still there was edited; one whose input is gone
    // no longer runs, whatever else was added.
    const edited: string[] = [];
    const gone: string[] = [];
    const spare = [...added];
    for (const d of dropped) {
      const at = spare.findIndex((a) => rowHead(a) === rowHead(d));
      if (at >= 0) edited.push(`${d} -> ${spare.splice(at, 1)[0]!}`);
      else gone.push(d);
    }
    if (gone.length > 0) {
      find('inputs-narrowed', 'gate', h.line, `${b.anchor}: removed ${gone.slice(0, 3).join(' | ')} (${b.elements.length} -> ${h.elements.length} item(s))`);
    } else if (edited.length > 0) {
      find('test-edit-ambiguous', 'low', h.line, `${b.anchor}: changed ${edited.slice(0, 2).join('; ')}`);
    } else if (added.length > 0) {
      growth.add(added.length);
      gain('fixture-extended', h.line, `${b.anchor}: ${b.elements.length} -> ${h.elements.length} item(s), added ${added.slice(0, 3).join(' | ')}`);
    }
  }
  return growth;
}
