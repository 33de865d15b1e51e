import { describe, expect, it } from 'vitest';
import { compareTestFiles } from '../../src/checks/test-compare.js';
import { parseJsTestFile } from '../../src/checks/test-parse-js.js';

const FILE = 'test/cart.test.ts';
const judge = (base: string, head: string) => compareTestFiles(FILE, parseJsTestFile(FILE, base), parseJsTestFile(FILE, head));
const findings = (base: string, head: string) => judge(base, head).findings.map((f) => `${f.severity} ${f.kind}`);
const gains = (base: string, head: string) => judge(base, head).strengthened.map((s) => s.kind);

/** One case around the given body lines, as a test author would write it. */
const inCase = (...lines: string[]) =>
  ["import { expect, it } from 'vitest';", "import assert from 'node:assert/strict';", "it('totals the cart', async () => {", '  const cart = load();', ...lines.map((l) => `  ${l}`), '});', ''].join('\n');

describe('test edits (JS/TS): a fixture extension is strengthening', () => {
  const BASE = [
    "import { describe, expect, it } from 'vitest';",
    'const users = [',
    "  { name: 'ann', admin: true },",
    "  { name: 'bob', admin: false }",
    '];',
    "describe('admins', () => {",
    "  it('lists admins', () => {",
    "    expect(admins(users)).toEqual(['ann']);",
    '    expect(admins(users)).toHaveLength(1);',
    '  });',
    '});',
    '',
  ].join('\n');
  // Deletes lines (the closing bracket line, both updated assertions), which the old line rule flagged.
  const EXTENDED = BASE.replace("{ name: 'bob', admin: false }\n", "{ name: 'bob', admin: false },\n  { name: 'cy', admin: true },\n")
    .replace("toEqual(['ann'])", "toEqual(['ann', 'cy'])")
    .replace('toHaveLength(1);', "toHaveLength(2);\n    expect(admins(users.slice(2))).toEqual(['cy']);");

  it('finds nothing to hold against a change that extends a fixture and asserts on the new data', () => {
    expect(findings(BASE, EXTENDED)).toEqual([]);
    expect(gains(BASE, EXTENDED).sort()).toEqual(['assertion-added', 'expected-extended', 'fixture-extended']);
  });

  it('still sees a count that does not follow the fixture as a changed expectation', () => {
    expect(findings(BASE, EXTENDED.replace('toHaveLength(2)', 'toHaveLength(5)'))).toEqual(['low test-edit-ambiguous']);
  });

  it('flags a fixture that loses a row, even when rows are added to hide it', () => {
    const swapped = BASE.replace("{ name: 'ann', admin: true },\n", '').replace("{ name: 'bob', admin: false }\n", "{ name: 'bob', admin: false },\n  { name: 'dee', admin: false },\n  { name: 'eve', admin: false },\n");
    expect(findings(BASE, swapped)).toContain('gate inputs-narrowed');
  });

  it('calls an edited row (same input, other expected value) ambiguous', () => {
    const base = inCase('for (const [input, out] of [["a", 1], ["b", 2]]) expect(f(input)).toBe(out);');
    expect(findings(base, base.replace('["b", 2]', '["b", 3]'))).toEqual(['low test-edit-ambiguous']);
    expect(findings(base, base.replace(', ["b", 2]', ''))).toEqual(['gate inputs-narrowed']);
  });
});

describe('test edits (JS/TS): weakening an assertion gates', () => {
  it.each([
    ['toBe -> toBeDefined', 'expect(total(cart)).toBe(30);', 'expect(total(cart)).toBeDefined();', 'assertion-loosened'],
    ['toEqual(x) -> toBeTruthy()', 'expect(parse(cart)).toEqual({ items: 2 });', 'expect(parse(cart)).toBeTruthy();', 'assertion-loosened'],
    ['toEqual -> toMatchObject (partial)', "expect(cart).toEqual({ id: 1, name: 'a' });", 'expect(cart).toMatchObject({ id: 1 });', 'assertion-loosened'],
    ['deepEqual -> ok', 'assert.deepEqual(cart.items, [1, 2]);', 'assert.ok(cart.items);', 'assertion-loosened'],
    ['strictEqual -> ok', 'assert.strictEqual(cart.count, 3);', 'assert.ok(cart.count > 0);', 'assertion-loosened'],
    ['equal(a, 3) -> ok(a > 0)', 'assert.equal(cart.count, 3);', 'assert.ok(cart.count > 0);', 'assertion-loosened'],
    ['value -> expect.anything()', 'expect(cart.owner).toEqual(owner);', 'expect(cart.owner).toEqual(expect.anything());', 'assertion-loosened'],
    ['list -> arrayContaining', 'expect(cart.ids).toEqual([1, 2, 3]);', 'expect(cart.ids).toEqual(expect.arrayContaining([1]));', 'assertion-loosened'],
    ['shorter substring', "expect(cart.label).toContain('two apples');", "expect(cart.label).toContain('app');", 'assertion-loosened'],
    ['looser regex', 'expect(cart.id).toMatch(/^c-[0-9]{4}$/);', 'expect(cart.id).toMatch(/c-/);', 'assertion-loosened'],
    ['lower bound lowered', 'expect(cart.total).toBeGreaterThan(10);', 'expect(cart.total).toBeGreaterThan(0);', 'assertion-loosened'],
    ['fewer digits', 'expect(cart.tax).toBeCloseTo(1.23, 2);', 'expect(cart.tax).toBeCloseTo(1.23, 0);', 'assertion-loosened'],
    ['negated', 'expect(cart.count).toBe(3);', 'expect(cart.count).not.toBe(4);', 'assertion-loosened'],
    ['throws with message -> throws', "expect(() => pay(cart)).toThrow('declined');", 'expect(() => pay(cart)).toThrow();', 'assertion-loosened'],
    ['chai equal -> ok', 'expect(cart.count).to.equal(3);', 'expect(cart.count).to.be.ok;', 'assertion-loosened'],
    ['await removed from rejects', "await expect(pay(cart)).rejects.toThrow('declined');", "expect(pay(cart)).rejects.toThrow('declined');", 'await-removed'],
    ['await removed from assert.rejects', 'await assert.rejects(pay(cart), /declined/);', 'assert.rejects(pay(cart), /declined/);', 'await-removed'],
    ['returned -> not returned', 'return expect(pay(cart)).resolves.toBe(true);', 'expect(pay(cart)).resolves.toBe(true);', 'await-removed'],
    ['wrapped in try/catch', 'expect(total(cart)).toBe(30);', 'try { expect(total(cart)).toBe(30); } catch { /* flaky */ }', 'assertion-neutralised'],
    ['removed', 'expect(total(cart)).toBe(30);', '', 'assertion-removed'],
    ['matcher dropped', 'expect(total(cart)).toBe(30);', 'expect(total(cart));', 'assertion-loosened'],
  ])('%s', (_name, before, after, kind) => {
    const base = inCase(before, 'expect(cart.ok).toBe(true);');
    expect(findings(base, inCase(after, 'expect(cart.ok).toBe(true);'))).toEqual([`gate ${kind}`]);
  });
});

describe('test edits (JS/TS): strengthening is recorded, not held against anyone', () => {
  it.each([
    ['toBeTruthy -> toBe(true)', 'expect(cart.ok).toBeTruthy();', 'expect(cart.ok).toBe(true);', 'assertion-tightened'],
    ['toBeDefined -> toEqual', 'expect(cart.items).toBeDefined();', 'expect(cart.items).toEqual([1]);', 'assertion-tightened'],
    ['toThrow() -> toThrow(msg)', 'expect(() => pay(cart)).toThrow();', "expect(() => pay(cart)).toThrow('declined');", 'assertion-tightened'],
    ['longer substring', "expect(cart.label).toContain('app');", "expect(cart.label).toContain('apples');", 'expected-extended'],
    ['assertion added', 'expect(cart.ok).toBe(true);', 'expect(cart.ok).toBe(true);\n  expect(cart.items).toHaveLength(2);', 'assertion-added'],
    ['await added', 'expect(pay(cart)).rejects.toThrow();', 'await expect(pay(cart)).rejects.toThrow();', 'assertion-tightened'],
  ])('%s', (_name, before, after, kind) => {
    const result = judge(inCase(before), inCase(after));
    expect(result.findings).toEqual([]);
    expect(result.strengthened.map((s) => s.kind)).toEqual([kind]);
  });

  it('reads a new case as strengthening', () => {
    const base = inCase('expect(total(cart)).toBe(30);');
    const head = `${base}it('totals an empty cart', () => {\n  expect(total([])).toBe(0);\n});\n`;
    expect(judge(base, head)).toMatchObject({ findings: [], strengthened: [{ kind: 'test-case-added' }] });
  });
});

describe('test edits (JS/TS): cases', () => {
  const TWO = "import { it, expect, describe } from 'vitest';\ndescribe('cart', () => {\n  it('totals', () => {\n    expect(total([1, 2])).toBe(3);\n  });\n  it('rejects negatives', () => {\n    expect(() => total([-1])).toThrow(RangeError);\n  });\n});\n";

  it.each([
    ['it.skip', TWO.replace("it('rejects", "it.skip('rejects")],
    ['it.todo', TWO.replace("it('rejects", "it.todo('rejects")],
    ['xit', TWO.replace("it('rejects", "xit('rejects")],
    ['it.skipIf', TWO.replace("it('rejects", "it.skipIf(true)('rejects")],
    ['describe.skip', TWO.replace("describe('cart'", "describe.skip('cart'")],
  ])('a case switched off with %s is skip-added', (_name, head) => {
    expect(findings(TWO, head)).toContain('gate skip-added');
  });

  it('flags a removed case', () => {
    const head = TWO.replace("  it('rejects negatives', () => {\n    expect(() => total([-1])).toThrow(RangeError);\n  });\n", '');
    expect(findings(TWO, head)).toEqual(['gate test-case-removed']);
  });

  it('pairs a renamed case that keeps its assertions, and finds nothing', () => {
    expect(judge(TWO, TWO.replace("'totals'", "'totals the items'")).findings).toEqual([]);
  });

  it('keeps the identity of a case across moves: reordering cases finds nothing', () => {
    const [head, a, b, tail] = [TWO.slice(0, TWO.indexOf("  it('totals'")), TWO.slice(TWO.indexOf("  it('totals'"), TWO.indexOf("  it('rejects")), TWO.slice(TWO.indexOf("  it('rejects"), TWO.indexOf('});\n', TWO.indexOf("  it('rejects")) + 4), TWO.slice(TWO.indexOf('});\n', TWO.indexOf("  it('rejects")) + 4)];
    const reordered = `${head}${b}\n\n\n${a}${tail}`;
    expect(judge(TWO, reordered)).toEqual({ findings: [], strengthened: [] });
  });

  it('lets an assertion move unchanged from one case into another (a split)', () => {
    const head = TWO.replace("    expect(() => total([-1])).toThrow(RangeError);\n", '').replace("    expect(total([1, 2])).toBe(3);\n", "    expect(total([1, 2])).toBe(3);\n    expect(() => total([-1])).toThrow(RangeError);\n");
    expect(findings(TWO, head).filter((f) => f.startsWith('gate'))).toEqual([]);
  });

  it('narrows an it.each table: gate; extends it: strengthening', () => {
    const base = "it.each([[1, 2], [2, 3], [9, 10]])('inc %i', (a, b) => {\n  expect(inc(a)).toBe(b);\n});\n";
    expect(findings(base, base.replace(', [9, 10]', ''))).toEqual(['gate inputs-narrowed']);
    expect(judge(base, base.replace('[9, 10]', '[9, 10], [-1, 0]'))).toMatchObject({ findings: [], strengthened: [{ kind: 'fixture-extended' }] });
  });

  it('calls a changed subject or expected value ambiguous (low), not a gate', () => {
    const base = inCase('expect(sum(1, 2)).toBe(3);');
    expect(findings(base, inCase('expect(sum(2, 2)).toBe(4);'))).toEqual(['low test-edit-ambiguous']);
    expect(findings(base, inCase('expect(sum(1, 2)).toBe(4);'))).toEqual(['low test-edit-ambiguous']);
    expect(findings(base, inCase('if (cart) expect(sum(1, 2)).toBe(3);'))).toEqual(['low test-edit-ambiguous']);
  });

  it('calls a case whose setup lost code ambiguous', () => {
    const base = inCase("cart.add('apple', 3);", 'expect(total(cart)).toBe(30);');
    expect(findings(base, inCase('expect(total(cart)).toBe(30);'))).toEqual(['low test-edit-ambiguous']);
  });
});

describe('test edits (JS/TS): reward hacks that look like strengthening', () => {
  const BASE = [
    "import { describe, expect, it } from 'vitest';",
    "describe('parseDate', () => {",
    "  it('parses ISO dates', () => {",
    "    expect(parseDate('2024-02-29')).toEqual({ y: 2024, m: 2, d: 29 });",
    "    expect(parseDate('2024-01-01').y).toBe(2024);",
    "    expect(() => parseDate('2023-02-29')).toThrow('invalid date');",
    '  });',
    '});',
    '',
  ].join('\n');

  it('many new cases and assertions do not hide one loosened assertion', () => {
    const head = BASE.replace("toEqual({ y: 2024, m: 2, d: 29 })", 'toMatchObject({ y: 2024 })').replace(
      '  });\n});',
      "    expect(parseDate('2024-01-01').m).toBe(1);\n  });\n  it('parses leap years', () => {\n    expect(parseDate('2000-02-29').d).toBe(29);\n  });\n  it('parses the epoch', () => {\n    expect(parseDate('1970-01-01').y).toBe(1970);\n  });\n});",
    );
    const result = judge(BASE, head);
    expect(result.findings.map((f) => `${f.severity} ${f.kind}`)).toEqual(['gate assertion-loosened']);
    expect(result.strengthened.length).toBeGreaterThanOrEqual(3);
  });

  it('renaming a case while dropping the assertion that fails is still a removal', () => {
    const head = BASE.replace('parses ISO dates', 'parses ISO-8601 dates (strict)').replace("    expect(() => parseDate('2023-02-29')).toThrow('invalid date');\n", "    expect(parseDate('2024-03-01').d).toBe(1);\n");
    expect(findings(BASE, head)).toEqual(['gate assertion-removed']);
  });

  it('moving the failing assertion into a new skipped case is a removal', () => {
    const head = BASE.replace("    expect(() => parseDate('2023-02-29')).toThrow('invalid date');\n", '').replace(
      /\}\);\n$/,
      "  it.skip('rejects impossible dates', () => {\n    expect(() => parseDate('2023-02-29')).toThrow('invalid date');\n  });\n});\n",
    );
    expect(findings(BASE, head)).toContain('gate assertion-removed');
  });

  it('swallowing failures with a try/catch around a block is neutralising', () => {
    const head = BASE.replace("    expect(parseDate('2024-02-29'))", "    try {\n      expect(parseDate('2024-02-29'))").replace("d: 29 });\n", 'd: 29 });\n    } catch (e) {\n      console.warn(e);\n    }\n');
    expect(findings(BASE, head)).toEqual(['gate assertion-neutralised']);
  });

  it('an `await` moved from the assertion onto something else is still removed', () => {
    const base = inCase("await expect(pay(cart)).rejects.toThrow('declined');");
    const head = inCase("await cart.ready;\n  expect(pay(cart)).rejects.toThrow('declined');");
    expect(findings(base, head)).toContain('gate await-removed');
  });
});
