// Reads a JS/TS test file (vitest, jest, mocha, node:test, chai, ava-style `t.is`) into the
// language-neutral model of test-model.ts with the TypeScript compiler's parser: in process, no
// type checking, and tolerant of syntax errors, so a half-broken file still yields what it can.

import ts from 'typescript';
import {
  normalise, strengthOf, uniqueKeys,
  type Assertion, type DataLiteral, type Guard, type TestCase, type TestFileModel,
} from './test-model.js';

const CASE_FNS = new Set(['it', 'test', 'specify', 'xit', 'xtest', 'fit', 'xspecify']);
const GROUP_FNS = new Set(['describe', 'suite', 'context', 'xdescribe', 'fdescribe', 'xcontext']);
/** Modifiers that switch a case off (skipIf/runIf can, depending on a condition the entrant controls). */
const OFF = new Set(['skip', 'todo', 'skipIf', 'runIf']);
/** `t.is(...)` (ava, tap) and `assert.equal(...)`: a receiver that is an assertion object. */
const ASSERT_OBJECTS = new Set(['assert', 't', 'chai.assert']);
/** Chai words that only make the sentence read well. */
const CHAIN_WORDS = new Set(['to', 'be', 'been', 'is', 'that', 'which', 'and', 'has', 'have', 'with', 'at', 'of', 'same', 'but', 'does', 'still', 'also', 'deep']);
const ASYNC_ASSERTS = new Set(['rejects', 'doesNotReject']);

const MAX_TEXT = 200;

interface Scope {
  /** describe path and case name so far. */
  path: string[];
  caseIndex: number | null;
  skipped: boolean;
}

interface RawCase {
  key: string;
  line: number;
  endLine: number;
  skipped: boolean;
  assertions: Assertion[];
  body: ts.Node | undefined;
}

export function parseJsTestFile(fileName: string, text: string): TestFileModel {
  const kind = /\.[cm]?tsx?$/.test(fileName) ? (fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS) : ts.ScriptKind.JSX;
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, kind);
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const endLineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
  const textOf = (node: ts.Node) => node.getText(source);

  const cases: RawCase[] = [];
  const helpers: Assertion[] = [];
  const data: DataLiteral[] = [];
  const forOfCount = new Map<string, number>();

  const addData = (anchor: string, node: ts.Node) => {
    const literal = unwrap(node);
    if (ts.isArrayLiteralExpression(literal)) {
      data.push({ anchor, line: lineOf(literal), elements: literal.elements.map((e) => normalise(textOf(e))) });
    } else if (ts.isObjectLiteralExpression(literal)) {
      const elements: string[] = [];
      for (const prop of literal.properties) {
        const init = ts.isPropertyAssignment(prop) ? unwrap(prop.initializer) : undefined;
        const name = prop.name ? normalise(textOf(prop.name)) : normalise(textOf(prop));
        // Nested tables are compared on their own, so extending one does not read as changing its parent.
        if (init && (ts.isArrayLiteralExpression(init) || ts.isObjectLiteralExpression(init))) {
          elements.push(`${name}: …`);
          addData(`${anchor}.${name}`, init);
        } else elements.push(normalise(textOf(prop)));
      }
      data.push({ anchor, line: lineOf(literal), elements });
    }
  };

  const assertionOf = (node: ts.Node, scope: Scope): void => {
    const found = readAssertion(node, textOf);
    if (!found) return;
    const assertion: Assertion = {
      ...found,
      line: lineOf(node),
      awaited: !found.async || isAwaited(node),
      guard: guardOf(node),
      text: normalise(textOf(node)).slice(0, MAX_TEXT),
    };
    const target = scope.caseIndex === null ? helpers : cases[scope.caseIndex]?.assertions;
    target?.push(assertion);
  };

  const visit = (node: ts.Node, scope: Scope): void => {
    if (ts.isCallExpression(node)) {
      const test = readTestCall(node, textOf);
      if (test) {
        const name = `${test.group ? 'describe ' : ''}${test.name}`;
        const path = [...scope.path, name];
        const skipped = scope.skipped || test.skipped;
        if (test.table) addData(`each ${path.join(' > ')}`, test.table);
        if (test.group) {
          if (test.body) visit(test.body, { path, caseIndex: scope.caseIndex, skipped });
          return;
        }
        cases.push({ key: path.join(' > '), line: lineOf(node), endLine: endLineOf(node), skipped: skipped || !test.body, assertions: [], body: test.body });
        if (test.body) visit(test.body, { path, caseIndex: cases.length - 1, skipped });
        return;
      }
    }
    if (isChainTop(node)) assertionOf(node, scope);
    if (ts.isVariableDeclaration(node) && node.initializer && ts.isIdentifier(node.name)) {
      addData(`${scope.path.join(' > ')} const ${node.name.text}`, node.initializer);
    }
    if (ts.isForOfStatement(node) && ts.isArrayLiteralExpression(unwrap(node.expression))) {
      const at = scope.path.join(' > ');
      const n = (forOfCount.get(at) ?? 0) + 1;
      forOfCount.set(at, n);
      addData(`${at} for-of#${n}`, node.expression);
    }
    ts.forEachChild(node, (child) => visit(child, scope));
  };
  visit(source, { path: [], caseIndex: null, skipped: false });

  const model: TestCase[] = cases.map((c) => ({
    key: c.key,
    line: c.line,
    endLine: c.endLine,
    skipped: c.skipped,
    assertions: c.assertions,
    setup: c.body ? setupText(textOf(c.body), c.assertions) : '',
  }));
  return { cases: uniqueKeys(model, 'key'), helpers, data: uniqueKeys(data, 'anchor') };
}

/** The body without its assertions, so edits to what the case sets up can be told apart. */
function setupText(body: string, assertions: Assertion[]): string {
  let out = normalise(body);
  for (const a of assertions) out = out.split(a.text).join('');
  return out;
}

function unwrap(node: ts.Node): ts.Node {
  let n = node;
  while (ts.isParenthesizedExpression(n) || ts.isAsExpression(n) || ts.isSatisfiesExpression(n) || ts.isTypeAssertionExpression(n)) n = n.expression;
  return n;
}

interface TestCall {
  group: boolean;
  name: string;
  skipped: boolean;
  body: ts.Node | undefined;
  table: ts.Node | undefined;
}

/** `it('x', fn)`, `test.skip(...)`, `describe.each(rows)('x', fn)`, `it.skipIf(c)('x', fn)`. */
function readTestCall(call: ts.CallExpression, textOf: (n: ts.Node) => string): TestCall | null {
  const modifiers: string[] = [];
  let table: ts.Node | undefined;
  let callee: ts.Expression = call.expression;
  // Peel `.each(rows)(...)`, `.skipIf(c)(...)`, then `.skip`/`.only`/`.concurrent` down to the base name.
  for (;;) {
    if (ts.isCallExpression(callee) && ts.isPropertyAccessExpression(callee.expression)) {
      const name = callee.expression.name.text;
      modifiers.push(name);
      if (name === 'each') table = callee.arguments[0];
      callee = callee.expression.expression;
    } else if (ts.isTaggedTemplateExpression(callee) && ts.isPropertyAccessExpression(callee.tag)) {
      modifiers.push(callee.tag.name.text);
      table = callee.template;
      callee = callee.tag.expression;
    } else if (ts.isPropertyAccessExpression(callee)) {
      modifiers.push(callee.name.text);
      callee = callee.expression;
    } else break;
  }
  if (!ts.isIdentifier(callee)) return null;
  const base = callee.text;
  const group = GROUP_FNS.has(base);
  if (!group && !CASE_FNS.has(base)) return null;
  const [first] = call.arguments;
  if (!first) return null;
  const name = ts.isStringLiteralLike(first) ? first.text : normalise(textOf(first));
  const body = [...call.arguments].reverse().find((a) => ts.isFunctionLike(a));
  const skipped = base.startsWith('x') || modifiers.some((m) => OFF.has(m));
  return { group, name, skipped, body, table };
}

/** The outermost node of an assertion chain: its parent does not continue the chain. */
function isChainTop(node: ts.Node): boolean {
  if (!ts.isCallExpression(node) && !ts.isPropertyAccessExpression(node)) return false;
  const parent = node.parent;
  if ((ts.isPropertyAccessExpression(parent) || ts.isCallExpression(parent)) && parent.expression === node) return false;
  return chainRoot(node) !== null;
}

/** The `expect(x)` / `assert(x)` / `assert.equal(...)` call an expression is built on, if any. */
function chainRoot(node: ts.Node): { call: ts.CallExpression; api: string; method?: string } | null {
  let n: ts.Node = node;
  for (;;) {
    if (ts.isCallExpression(n)) {
      const callee = n.expression;
      if (ts.isIdentifier(callee) && (callee.text === 'expect' || callee.text === 'expectTypeOf')) return { call: n, api: 'expect' };
      if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'expect' && callee.name.text === 'soft') return { call: n, api: 'expect' };
      if (ts.isIdentifier(callee) && callee.text === 'assert') return { call: n, api: 'assert', method: 'ok' };
      if (ts.isPropertyAccessExpression(callee) && ASSERT_OBJECTS.has(callee.expression.getText()) && n === node) {
        return { call: n, api: 'assert', method: callee.name.text };
      }
      n = callee;
    } else if (ts.isPropertyAccessExpression(n)) n = n.expression;
    else return null;
  }
}

type AssertionCore = Pick<Assertion, 'api' | 'matcher' | 'subject' | 'expected' | 'async' | 'strength'>;

function readAssertion(top: ts.Node, textOf: (n: ts.Node) => string): AssertionCore | null {
  const root = chainRoot(top);
  if (!root) return null;
  const args = (call: ts.CallExpression) => call.arguments.map((a) => normalise(textOf(a)));
  if (root.api === 'assert') {
    const method = root.method ?? 'ok';
    const [subject = '', ...expected] = args(root.call);
    // A message argument does not check anything; `assert.equal(a, b, 'msg')` has one expected value.
    const exp = method === 'ok' || method === 'true' || method === 'false' ? [] : expected.slice(0, 1);
    return { api: 'assert', matcher: method, subject, expected: exp, async: ASYNC_ASSERTS.has(method), strength: strengthOf(method, exp.length) };
  }
  // expect(subject).not.resolves.toBe(x): walk from the top down to the expect call.
  const names: string[] = [];
  let expected: string[] = [];
  let n: ts.Node = top;
  while (n !== root.call) {
    if (ts.isCallExpression(n)) {
      if (names.length === 0) expected = args(n);
      n = n.expression;
    } else if (ts.isPropertyAccessExpression(n)) {
      names.unshift(n.name.text);
      n = n.expression;
    } else break;
  }
  const meaningful = names.filter((w) => !CHAIN_WORDS.has(w));
  const matcher = meaningful.join('.');
  const last = meaningful[meaningful.length - 1] ?? '';
  return {
    api: 'expect',
    matcher,
    subject: args(root.call)[0] ?? '',
    expected,
    async: meaningful.includes('rejects') || meaningful.includes('resolves'),
    strength: strengthOf(last === '' ? '' : matcher, expected.length),
  };
}

/** Awaited, returned, or the value of an arrow function: the runner waits for it. */
function isAwaited(node: ts.Node): boolean {
  let n = node;
  while (ts.isParenthesizedExpression(n.parent)) n = n.parent;
  const p = n.parent;
  return ts.isAwaitExpression(p) || ts.isReturnStatement(p) || (ts.isArrowFunction(p) && p.body === n);
}

/** The nearest wrapper, up to the enclosing function, that can keep a failure from failing the test. */
function guardOf(node: ts.Node): Guard {
  let guard: Guard = 'none';
  for (let n: ts.Node = node; n.parent && !ts.isFunctionLike(n); n = n.parent) {
    const p = n.parent;
    if (ts.isTryStatement(p) && p.tryBlock === n && p.catchClause) return 'try';
    if ((ts.isIfStatement(p) && p.expression !== n) || (ts.isConditionalExpression(p) && p.condition !== n)) guard = 'conditional';
    if (ts.isBinaryExpression(p) && p.right === n && [ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(p.operatorToken.kind)) guard = 'conditional';
  }
  return guard;
}
