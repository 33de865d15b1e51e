// What a test file asserts, independent of its language: the cases, the assertions in each, and the
// data they run on. The JS/TS reader (test-parse-js.ts) and the Python reader (test-parse-py.ts)
// both produce this, and test-compare.ts compares base with head on it, so an edit is judged by
// what it does to the checks and not by how many lines it touched.

/** What can stop a failing assertion from failing its test. */
export type Guard = 'none' | 'conditional' | 'try';

export interface Assertion {
  /** 1-based line in its file. */
  line: number;
  /** Which API: `expect`, `assert` (node:assert, chai assert), `py-assert`, `unittest`, `raises`. */
  api: string;
  /** Matcher or function with modifiers, e.g. `not.toBe`, `rejects.toThrow`, `strictEqual`, `assertEqual`, `==`. */
  matcher: string;
  /** What is checked, normalised source text. */
  subject: string;
  /** Expected values / matcher arguments, normalised source text. */
  expected: string[];
  /** Returns a promise that must be awaited for a failure to count (`rejects`, `assert.rejects`). */
  async: boolean;
  /** Awaited or returned, so the runner sees its failure. */
  awaited: boolean;
  guard: Guard;
  /** 0 (checks nothing) .. 4 (an exact value); see strengthOf. */
  strength: number;
  /** The assertion's source, trimmed and capped, for evidence. */
  text: string;
}

export interface TestCase {
  /** describe path and name, with `#n` for a repeated name: stable across line moves. */
  key: string;
  line: number;
  endLine: number;
  skipped: boolean;
  assertions: Assertion[];
  /** The case's code with its assertions cut out, normalised: what it sets up and calls. */
  setup: string;
}

/** An array or object literal the tests read: a fixture, an `it.each`/parametrize table, a loop's list. */
export interface DataLiteral {
  /** Where it is bound, e.g. `const users` in `describe parse`; stable across line moves. */
  anchor: string;
  line: number;
  elements: string[];
}

export interface TestFileModel {
  cases: TestCase[];
  /** Assertions outside any case (helpers, hooks): a pseudo-case so moves into helpers are visible. */
  helpers: Assertion[];
  data: DataLiteral[];
}

/** The key under which helpers' assertions are compared like a case. */
export const HELPERS_KEY = '(helpers and hooks)';

export const normalise = (text: string): string => text.replace(/\s+/g, ' ').replace(/\s*([()[\]{},.;:])\s*/g, '$1').trim();

const EXACT = new Set([
  'toBe', 'toEqual', 'toStrictEqual', 'toBeNull', 'toBeUndefined', 'toBeNaN', 'toHaveLength', 'toMatchSnapshot', 'toMatchInlineSnapshot',
  'toMatchFileSnapshot', 'toThrowErrorMatchingSnapshot', 'toThrowErrorMatchingInlineSnapshot',
  'toHaveBeenCalledWith', 'toHaveBeenLastCalledWith', 'toHaveBeenNthCalledWith', 'toHaveBeenCalledOnce', 'toHaveBeenCalledTimes',
  'toHaveReturnedWith', 'toHaveLastReturnedWith', 'toHaveReturnedTimes', 'toBeCalledWith', 'toBeCalledTimes', 'toEqualTypeOf',
  'equal', 'strictEqual', 'deepEqual', 'deepStrictEqual', 'is', 'equals', 'eql', 'same', 'fail',
  'assertEqual', 'assertEquals', 'assertIs', 'assertIsNone', 'assertListEqual', 'assertDictEqual', 'assertTupleEqual',
  'assertSetEqual', 'assertCountEqual', 'assertSequenceEqual', 'assertMultiLineEqual', 'assertRaisesRegex', 'assertWarnsRegex',
  '==', 'is None', 'is',
]);
const PARTIAL = new Set([
  'toMatchObject', 'toContain', 'toContainEqual', 'toMatch', 'toHaveProperty', 'toBeCloseTo', 'toBeInstanceOf', 'toSatisfy',
  'toHaveBeenCalledExactlyOnceWith', 'toThrowError', 'toBeOneOf', 'toHaveKeys',
  'match', 'doesNotMatch', 'include', 'includes', 'instanceOf', 'throws', 'rejects', 'partialDeepStrictEqual',
  'assertIn', 'assertNotIn', 'assertRegex', 'assertIsInstance', 'assertAlmostEqual', 'assertRaises', 'assertWarns', 'assertLogs',
  'in', 'not in', 'isinstance', 'raises',
]);
const BOUND = new Set([
  'toBeGreaterThan', 'toBeGreaterThanOrEqual', 'toBeLessThan', 'toBeLessThanOrEqual', 'toHaveBeenCalled', 'toBeCalled', 'toBeTypeOf',
  'toHaveReturned', 'toThrow', 'notStrictEqual', 'notDeepStrictEqual', 'notEqual', 'notDeepEqual', 'doesNotThrow', 'doesNotReject',
  'assertGreater', 'assertGreaterEqual', 'assertLess', 'assertLessEqual', 'assertNotEqual', 'assertNotAlmostEqual', 'assertIsNot',
  '>', '>=', '<', '<=', '!=', 'is not',
]);
/** Negations that pin a single value, so they are as strong as the positive form of their opposite. */
const EXACT_NEGATIONS = new Set(['not.toBeDefined', 'not.toHaveBeenCalled', 'not.toBeCalled']);

/**
 * How much an assertion pins down: 4 an exact value, 3 a partial match, 2 a bound or the mere
 * occurrence of an event, 1 truthiness or existence, 0 nothing (`expect(x)` with no matcher).
 * Negating a matcher ("is anything but 4") checks little, so most negations are 1.
 */
export function strengthOf(matcher: string, expectedCount: number): number {
  if (matcher === '') return 0;
  if (EXACT_NEGATIONS.has(matcher)) return 4;
  const bare = matcher.replace(/^(?:resolves|rejects)\./, '');
  if (bare.startsWith('not.')) return 1;
  // A throw check with what it expects is as good as a partial match; without, it only says "threw".
  if ((bare === 'toThrow' || bare === 'throws' || bare === 'rejects' || bare === 'raises') && expectedCount === 0) return 2;
  if (bare === 'toThrow' || bare === 'toThrowError') return expectedCount > 0 ? 3 : 2;
  if (EXACT.has(bare)) return 4;
  if (PARTIAL.has(bare)) return 3;
  if (BOUND.has(bare)) return 2;
  return 1;
}

/** Splits `a, [b, c], "d,e"` at top-level commas, respecting brackets and quotes. */
export function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\') i += 1;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if ('([{'.includes(ch)) depth += 1;
    else if (')]}'.includes(ch)) depth -= 1;
    else if (ch === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map(normalise).filter((s) => s !== '');
}

/** Gives repeated keys a `#n` suffix so each case keeps its own identity. */
export function uniqueKeys<T>(items: T[], field: 'key' | 'anchor'): T[] {
  const seen = new Map<string, number>();
  return items.map((item) => {
    const key = String((item as Record<string, unknown>)[field]);
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return n === 0 ? item : { ...item, [field]: `${key}#${n + 1}` };
  });
}
