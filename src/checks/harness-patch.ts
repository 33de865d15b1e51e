// Added code that reassigns or patches members of assertion and test-framework modules: the static
// half of harness integrity (the sentinel tests in referee/sentinel.ts are the dynamic half). Only
// lines the entrant added count, so a repository that already does this is not held against it.

import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ts from 'typescript';
import type { TamperFinding } from './types.js';
import { addedLines } from './tampering.js';

/** Modules whose exports decide whether a test passes. */
const HARNESS_MODULES = new Set([
  'assert', 'node:assert', 'assert/strict', 'node:assert/strict', 'chai', 'expect', '@vitest/expect', 'vitest',
  '@jest/globals', '@jest/expect', 'expect-playwright', 'node:test', 'test', 'mocha', 'should', 'power-assert', 'uvu/assert',
]);
/** Globals the runners provide, patched through `globalThis.x`, `global.x` or directly. */
const HARNESS_GLOBALS = new Set(['expect', 'it', 'test', 'describe', 'assert', 'chai', 'jest', 'vi']);
const GLOBAL_OBJECTS = new Set(['globalThis', 'global', 'window', 'self']);
/** Built-in matchers: `expect.extend` with one of these names replaces it instead of adding a custom one. */
const BUILT_IN_MATCHERS = /^(?:to(?:Be|Equal|StrictEqual|BeTruthy|BeFalsy|BeNull|BeUndefined|BeDefined|BeNaN|Match|MatchObject|Contain|ContainEqual|HaveLength|HaveProperty|Throw|ThrowError|BeCloseTo|BeGreaterThan|BeGreaterThanOrEqual|BeLessThan|BeLessThanOrEqual|BeInstanceOf|HaveBeenCalled|HaveBeenCalledWith|HaveBeenCalledTimes|MatchSnapshot|MatchInlineSnapshot|Satisfy|BeTypeOf|BeOneOf)|rejects|resolves)$/;
const PATCHERS = new Set(['assign', 'defineProperty', 'defineProperties', 'setPrototypeOf', 'set']);
const JS = /\.[cm]?[jt]sx?$/;

/**
 * Python: assignments to unittest's TestCase or pytest's internals, outcome-changing pytest hooks,
 * a forced exit status, and a replaced AssertionError, on added lines.
 */
const PY_PATTERNS: [RegExp, string][] = [
  [/^\s*(?:unittest\.)?TestCase\.\w+\s*=(?!=)/, 'reassigns a unittest.TestCase method'],
  [/\bsetattr\s*\(\s*(?:unittest\.)?TestCase\b/, 'patches unittest.TestCase with setattr'],
  [/^\s*(?:_?pytest)(?:\.\w+)+\s*=(?!=)/, 'reassigns a member of pytest'],
  [/\bsetattr\s*\(\s*_?pytest\b/, 'patches pytest with setattr'],
  [/^\s*def\s+pytest_(?:runtest_makereport|runtest_call|pyfunc_call|report_teststatus|runtest_logreport|runtest_protocol|assertrepr_compare)\s*\(/, 'defines a pytest hook that can change test outcomes'],
  [/\.exitstatus\s*=(?!=)|\bsession\.testsfailed\s*=(?!=)/, 'overrides the session exit status'],
  [/^\s*(?:builtins\.)?AssertionError\s*=(?!=)/, 'replaces AssertionError'],
  [/\.(?:outcome|passed|failed)\s*=\s*["']?(?:passed|True|False)\b/, 'rewrites a test report outcome'],
];

export interface HarnessPatchInput {
  headDir: string;
  /** Repo-relative paths added or modified by the diff. */
  changedFiles: string[];
  patch: string;
}

/** Findings (tampering, severity gate) for harness patching on the lines the entrant added. */
export async function findHarnessPatches(input: HarnessPatchInput): Promise<TamperFinding[]> {
  const added = addedLines(input.patch);
  const findings: TamperFinding[] = [];
  for (const file of input.changedFiles) {
    const lines = new Map(added.filter((a) => a.file === file).map((a) => [a.line, a.text]));
    if (lines.size === 0) continue;
    if (file.endsWith('.py')) {
      for (const [line, text] of lines) {
        const hit = PY_PATTERNS.find(([re]) => re.test(text));
        if (hit) findings.push(finding(file, line, `${hit[1]}: ${text.trim()}`));
      }
      continue;
    }
    if (!JS.test(file)) continue;
    const path = join(input.headDir, file);
    // Links are data (their target string), never read through.
    if (!(await lstat(path).catch(() => null))?.isFile()) continue;
    for (const hit of scanJs(file, await readFile(path, 'utf8'))) {
      if (lines.has(hit.line)) findings.push(finding(file, hit.line, `${hit.what}: ${hit.text}`));
    }
  }
  return findings;
}

const finding = (file: string, line: number, evidence: string): TamperFinding => ({
  kind: 'harness-patched',
  severity: 'gate',
  file,
  line,
  evidence: evidence.length > 200 ? `${evidence.slice(0, 199)}…` : evidence,
});

interface JsHit {
  line: number;
  what: string;
  text: string;
}

/** Every place a JS/TS file patches the harness, by line (1-based). */
export function scanJs(file: string, text: string): JsHit[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const bound = new Set<string>();
  const hits: JsHit[] = [];
  const specifierOf = (node: ts.Expression | undefined): string | null => {
    if (!node) return null;
    if (ts.isStringLiteral(node)) return node.text;
    // require('x'), require('x').strict, await import('x')
    if (ts.isCallExpression(node) && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      const callee = node.expression;
      if ((ts.isIdentifier(callee) && callee.text === 'require') || callee.kind === ts.SyntaxKind.ImportKeyword) return node.arguments[0].text;
    }
    if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) return specifierOf(node.expression);
    if (ts.isAwaitExpression(node) || ts.isParenthesizedExpression(node)) return specifierOf(node.expression);
    return null;
  };
  const bindNames = (name: ts.BindingName) => {
    if (ts.isIdentifier(name)) bound.add(name.text);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) bindNames(el.name);
  };
  // First pass: local names bound to harness modules.
  const collect = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && HARNESS_MODULES.has(node.moduleSpecifier.text)) {
      const clause = node.importClause;
      if (clause?.name) bound.add(clause.name.text);
      const named = clause?.namedBindings;
      if (named && ts.isNamespaceImport(named)) bound.add(named.name.text);
      if (named && ts.isNamedImports(named)) for (const el of named.elements) bound.add(el.name.text);
    }
    if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const spec = specifierOf(node.moduleReference.expression);
      if (spec && HARNESS_MODULES.has(spec)) bound.add(node.name.text);
    }
    if (ts.isVariableDeclaration(node)) {
      const spec = specifierOf(node.initializer);
      if (spec && HARNESS_MODULES.has(spec)) bindNames(node.name);
    }
    ts.forEachChild(node, collect);
  };
  collect(source);
  // A global's name declared in the file is the file's own variable, not the runner's global.
  const declared = new Set<string>();
  const declare = (node: ts.Node) => {
    if ((ts.isVariableDeclaration(node) || ts.isParameter(node)) && !bound.has(ts.isIdentifier(node.name) ? node.name.text : '')) {
      const names = new Set<string>();
      const add = (n: ts.BindingName) => (ts.isIdentifier(n) ? names.add(n.text) : n.elements.forEach((el) => !ts.isOmittedExpression(el) && add(el.name)));
      add(node.name);
      for (const n of names) if (!bound.has(n)) declared.add(n);
    }
    if ((ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) && node.name) declared.add(node.name.text);
    if (ts.isImportClause(node) && node.name && !bound.has(node.name.text)) declared.add(node.name.text);
    if (ts.isImportSpecifier(node) && !bound.has(node.name.text)) declared.add(node.name.text);
    if (ts.isNamespaceImport(node) && !bound.has(node.name.text)) declared.add(node.name.text);
    ts.forEachChild(node, declare);
  };
  declare(source);

  /** The identifier a member chain starts from: `a` for `a.b[c].d`. */
  const root = (node: ts.Expression): ts.Expression => {
    let n = node;
    while (ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n) || ts.isParenthesizedExpression(n)) n = n.expression;
    return n;
  };
  const isHarness = (node: ts.Expression): boolean => {
    const r = root(node);
    if (ts.isIdentifier(r) && (bound.has(r.text) || (HARNESS_GLOBALS.has(r.text) && !declared.has(r.text)))) return true;
    if (specifierOf(r) !== null && HARNESS_MODULES.has(specifierOf(r)!)) return true;
    // globalThis.expect.x = ..., global['it'] = ...
    if (ts.isIdentifier(r) && GLOBAL_OBJECTS.has(r.text)) {
      let n: ts.Expression = node;
      let first: string | null = null;
      while (ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n)) {
        first = ts.isPropertyAccessExpression(n) ? n.name.text : ts.isStringLiteral(n.argumentExpression) ? n.argumentExpression.text : null;
        n = n.expression;
      }
      return first !== null && HARNESS_GLOBALS.has(first);
    }
    return false;
  };
  // Aliases, to a fixed point: `const s = assert.strict`, `for (const m of [assert, assert.strict])`,
  // `for (const k of Object.keys(assert))` is not one (k is a key), but `Object.values(assert)` elements are.
  const aliasOf = (name: ts.BindingName, value: ts.Expression | undefined): boolean => {
    if (!value || !ts.isIdentifier(name) || bound.has(name.text)) return false;
    const elements = ts.isArrayLiteralExpression(value) ? value.elements : [value];
    const harnessy = elements.some((el) => !ts.isSpreadElement(el) && !ts.isOmittedExpression(el) && isHarness(el));
    const values = ts.isCallExpression(value) && ts.isPropertyAccessExpression(value.expression) && value.expression.name.text === 'values' && value.arguments[0] !== undefined && isHarness(value.arguments[0]);
    if (!harnessy && !values) return false;
    bound.add(name.text);
    declared.delete(name.text);
    return true;
  };
  for (let changed = true; changed; ) {
    changed = false;
    const alias = (node: ts.Node) => {
      if (ts.isVariableDeclaration(node) && node.initializer && !ts.isCallExpression(node.initializer)) changed = aliasOf(node.name, node.initializer) || changed;
      if (ts.isForOfStatement(node) && ts.isVariableDeclarationList(node.initializer)) {
        const decl = node.initializer.declarations[0];
        const over = node.expression;
        if (decl && (ts.isArrayLiteralExpression(over) || ts.isCallExpression(over))) changed = aliasOf(decl.name, over) || changed;
      }
      ts.forEachChild(node, alias);
    };
    alias(source);
  }
  const hit = (node: ts.Node, what: string) => {
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    hits.push({ line, what, text: node.getText(source).replace(/\s+/g, ' ').slice(0, 160) });
  };
  const isAssignment = (k: ts.SyntaxKind) => k >= ts.SyntaxKind.FirstAssignment && k <= ts.SyntaxKind.LastAssignment;

  const visit = (node: ts.Node) => {
    if (ts.isBinaryExpression(node) && isAssignment(node.operatorToken.kind)) {
      const left = node.left;
      if ((ts.isPropertyAccessExpression(left) || ts.isElementAccessExpression(left)) && isHarness(left)) hit(node, 'reassigns a member of an assertion or test-framework module');
    }
    if (ts.isDeleteExpression(node) && isHarness(node.expression) && node.expression !== root(node.expression)) hit(node, 'deletes a member of an assertion or test-framework module');
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const { expression: target, name } = node.expression;
      // Object.assign(assert, ...), Object.defineProperty(expect, ...), Reflect.set(assert, ...)
      if (ts.isIdentifier(target) && (target.text === 'Object' || target.text === 'Reflect') && PATCHERS.has(name.text)) {
        const first = node.arguments[0];
        if (first && isHarness(first)) hit(node, `patches an assertion or test-framework module with ${target.text}.${name.text}`);
      }
      // expect.extend({ toBe() { ... } }) replaces a built-in matcher.
      if (name.text === 'extend' && isHarness(target)) {
        const arg = node.arguments[0];
        const replaced = arg && ts.isObjectLiteralExpression(arg)
          ? arg.properties.map((p) => (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : '')).filter((n) => BUILT_IN_MATCHERS.test(n))
          : [];
        if (replaced.length > 0) hit(node, `replaces built-in matchers (${replaced.join(', ')})`);
      }
      // vi.mock('node:assert', ...), jest.mock('chai', ...), mock.module('node:assert', ...) swap the module itself.
      const spec = node.arguments[0] && ts.isStringLiteral(node.arguments[0]) ? node.arguments[0].text : null;
      if (spec && HARNESS_MODULES.has(spec) && /^(?:mock|doMock|unstable_mockModule|module|setMock)$/.test(name.text)) {
        hit(node, `replaces the ${spec} module with a mock`);
      }
      // Makes patched builtins (node:assert, node:test) visible to ES module imports.
      if (name.text === 'syncBuiltinESMExports') hit(node, 'syncs patched built-in modules into ES module imports');
    }
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'syncBuiltinESMExports') {
      hit(node, 'syncs patched built-in modules into ES module imports');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return hits;
}
