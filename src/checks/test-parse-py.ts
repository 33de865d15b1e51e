// Reads Python test files (pytest functions and classes, unittest `self.assert*`) into the model of
// test-model.ts. There is no Python parser in Node, so the ast-grep CLI (tree-sitter, already a
// dependency for the security pack) finds the nodes and this file puts them together by position.
// One ast-grep run covers every file of a check.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { z } from 'zod';
import { astGrepBinary } from './security.js';
import {
  normalise, splitTopLevel, strengthOf, uniqueKeys,
  type Assertion, type DataLiteral, type Guard, type TestCase, type TestFileModel,
} from './test-model.js';

const RULES = [
  { id: 'fn', rule: { kind: 'function_definition' } },
  { id: 'cls', rule: { kind: 'class_definition' } },
  { id: 'deco', rule: { kind: 'decorated_definition' } },
  { id: 'assert', rule: { kind: 'assert_statement' } },
  { id: 'selfassert', rule: { pattern: 'self.$M($$$)' }, constraints: { M: { regex: '^(assert|fail)' } } },
  { id: 'raises', rule: { pattern: 'pytest.raises($$$)' } },
  { id: 'try', rule: { kind: 'try_statement', has: { kind: 'except_clause' } } },
  { id: 'if', rule: { kind: 'if_statement' } },
  { id: 'data', rule: { kind: 'assignment', has: { field: 'right', any: [{ kind: 'list' }, { kind: 'dictionary' }, { kind: 'tuple' }, { kind: 'set' }] } } },
];
const INLINE_RULES = RULES.map((r) => JSON.stringify({ ...r, language: 'Python' })).join('\n---\n');

const pos = z.object({ line: z.number(), column: z.number() });
const matchSchema = z.object({ text: z.string(), file: z.string(), ruleId: z.string(), range: z.object({ start: pos, end: pos }) });
type Match = z.infer<typeof matchSchema>;
type Pos = z.infer<typeof pos>;

const before = (a: Pos, b: Pos) => a.line < b.line || (a.line === b.line && a.column <= b.column);
const inside = (inner: Match, outer: Match) => before(outer.range.start, inner.range.start) && before(inner.range.end, outer.range.end);
const SKIP_DECORATOR = /@(?:pytest\.mark\.(?:skip|skipif|xfail)|unittest\.(?:skip\w*|expectedFailure))\b/;
const MAX_TEXT = 200;

/** Models for each text, in order; one ast-grep process for all of them. */
export async function parsePyTestFiles(texts: string[]): Promise<TestFileModel[]> {
  if (texts.length === 0) return [];
  const scratch = await mkdtemp(join(tmpdir(), 'tourney-pytests-'));
  try {
    // ast-grep suppression comments in an entrant's file must not hide its asserts or try blocks.
    await Promise.all(texts.map((t, i) => writeFile(join(scratch, `f${i}.py`), t.replace(/ast-grep-ignore/gi, 'ast_grep_ignore'))));
    const noIgnore = ['hidden', 'dot', 'vcs', 'parent', 'exclude', 'global'].flatMap((k) => ['--no-ignore', k]);
    const res = await execa(astGrepBinary(), ['scan', '--inline-rules', INLINE_RULES, '--json=stream', '--color', 'never', ...noIgnore, '.'], {
      cwd: scratch, reject: false, timeout: 60_000, env: { NO_COLOR: '1' },
    });
    if (res.failed && res.exitCode !== 1) throw new Error(`ast-grep failed on Python tests: ${String(res.stderr).slice(0, 300)}`);
    const byFile = new Map<string, Match[]>();
    for (const line of String(res.stdout).split('\n')) {
      if (line.trim() === '') continue;
      const m = matchSchema.parse(JSON.parse(line));
      const file = m.file.replace(/^\.\//, '');
      byFile.set(file, [...(byFile.get(file) ?? []), m]);
    }
    return texts.map((_, i) => modelOf(byFile.get(`f${i}.py`) ?? []));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function modelOf(matches: Match[]): TestFileModel {
  const of = (id: string) => matches.filter((m) => m.ruleId === id);
  const classes = of('cls');
  const decorated = of('deco');
  const guards = { try: of('try'), if: of('if') };
  const fns = of('fn').filter((f) => /^(?:async\s+)?def\s+test/.test(f.text));
  const nameOf = (m: Match) => /(?:def|class)\s+(\w+)/.exec(m.text)?.[1] ?? '?';

  const cases = fns.map((fn) => {
    const cls = classes.filter((c) => inside(fn, c)).map(nameOf);
    const deco = decorated.find((d) => inside(fn, d) && d.text.endsWith(fn.text));
    const outerDecos = decorated.filter((d) => classes.some((c) => inside(fn, c) && d.text.endsWith(c.text))).map((d) => d.text.slice(0, d.text.indexOf('class ')));
    const decorators = `${deco ? deco.text.slice(0, deco.text.length - fn.text.length) : ''}\n${outerDecos.join('\n')}`;
    return { fn, deco, key: [...cls, nameOf(fn)].join('.'), skipped: SKIP_DECORATOR.test(decorators) || /pytest\.skip\(|self\.skipTest\(/.test(fn.text) };
  });

  const assertions: { owner: number | null; a: Assertion }[] = [];
  for (const m of [...of('assert'), ...of('selfassert'), ...of('raises')]) {
    const core = readAssertion(m);
    const owner = cases.findIndex((c) => inside(m, c.fn));
    const guard: Guard = guards.try.some((t) => inside(m, t) && (owner < 0 || inside(t, cases[owner]!.fn))) ? 'try'
      : guards.if.some((t) => inside(m, t) && (owner < 0 || inside(t, cases[owner]!.fn))) ? 'conditional' : 'none';
    assertions.push({ owner: owner < 0 ? null : owner, a: { ...core, line: m.range.start.line + 1, awaited: true, guard, text: normalise(m.text).slice(0, MAX_TEXT) } });
  }
  assertions.sort((x, y) => x.a.line - y.a.line);

  const model: TestCase[] = cases.map((c, i) => {
    const own = assertions.filter((x) => x.owner === i).map((x) => x.a);
    let setup = normalise(c.fn.text);
    for (const a of own) setup = setup.split(a.text).join('');
    return { key: c.key, line: (c.deco ?? c.fn).range.start.line + 1, endLine: c.fn.range.end.line + 1, skipped: c.skipped, assertions: own, setup };
  });

  const data: DataLiteral[] = [];
  for (const d of of('data')) {
    const [left = '', right = ''] = splitAssignment(d.text);
    const owner = cases.find((c) => inside(d, c.fn));
    data.push({ anchor: `${owner?.key ?? ''} ${normalise(left)}`.trim(), line: d.range.start.line + 1, elements: splitTopLevel(right.trim().slice(1, -1)) });
  }
  for (const c of cases) {
    const rows = c.deco ? parametrizeRows(c.deco.text) : null;
    if (rows) data.push({ anchor: `parametrize ${c.key}`, line: c.deco!.range.start.line + 1, elements: rows });
  }
  return {
    cases: uniqueKeys(model, 'key'),
    helpers: assertions.filter((x) => x.owner === null).map((x) => x.a),
    data: uniqueKeys(data, 'anchor'),
  };
}

type Core = Pick<Assertion, 'api' | 'matcher' | 'subject' | 'expected' | 'async' | 'strength'>;

/** Comparison operators, longest first so `not in` is not read as `in`. */
const OPERATORS = [' is not ', ' not in ', '==', '!=', '>=', '<=', ' is ', ' in ', '>', '<'];

function readAssertion(m: Match): Core {
  if (m.ruleId === 'selfassert' || m.ruleId === 'raises') {
    const open = m.text.indexOf('(');
    const method = m.ruleId === 'raises' ? 'raises' : m.text.slice(5, open);
    const args = splitTopLevel(m.text.slice(open + 1, m.text.lastIndexOf(')'))).filter((a) => !/^msg\s*=/.test(a));
    const [subject = '', ...rest] = m.ruleId === 'raises' ? ['', ...args] : args;
    // assertTrue(x, msg) / assertIsNotNone(x, msg): a second argument is only a message.
    const expected = strengthOf(method, 1) <= 1 ? [] : rest;
    return { api: m.ruleId === 'raises' ? 'raises' : 'unittest', matcher: method, subject, expected, async: false, strength: strengthOf(method, expected.length) };
  }
  const [expr = ''] = splitTopLevel(m.text.replace(/^assert\s+/, ''));
  const at = topLevelOperator(expr);
  if (at) {
    const matcher = at.op.trim() === 'is' && /^None$/.test(expr.slice(at.index + at.op.length).trim()) ? 'is None' : at.op.trim();
    const expected = [normalise(expr.slice(at.index + at.op.length))];
    return { api: 'py-assert', matcher, subject: normalise(expr.slice(0, at.index)), expected, async: false, strength: strengthOf(matcher, 1) };
  }
  const isinstance = /^isinstance\((.*)\)$/.exec(expr);
  if (isinstance) {
    const [subject = '', ...expected] = splitTopLevel(isinstance[1]!);
    return { api: 'py-assert', matcher: 'isinstance', subject, expected, async: false, strength: strengthOf('isinstance', 1) };
  }
  return { api: 'py-assert', matcher: 'truthy', subject: normalise(expr), expected: [], async: false, strength: 1 };
}

/** The first comparison operator outside brackets and strings. */
function topLevelOperator(expr: string): { op: string; index: number } | null {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < expr.length; i += 1) {
    const ch = expr[i]!;
    if (quote) {
      if (ch === '\\') i += 1;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if ('([{'.includes(ch)) depth += 1;
    else if (')]}'.includes(ch)) depth -= 1;
    else if (depth === 0) {
      const op = OPERATORS.find((o) => expr.startsWith(o, i) && !(o === '>' && expr[i - 1] === '-'));
      if (op) return { op, index: i };
    }
  }
  return null;
}

function splitAssignment(text: string): [string, string] {
  const at = text.indexOf('=');
  return [text.slice(0, at).replace(/:.*$/, ''), text.slice(at + 1)];
}

/** `@pytest.mark.parametrize("a,b", [(1, 2), (3, 4)])`: the rows of the second argument. */
function parametrizeRows(decorators: string): string[] | null {
  const start = decorators.indexOf('parametrize(');
  if (start < 0) return null;
  const args = splitTopLevel(decorators.slice(start + 'parametrize('.length, matchingParen(decorators, start + 'parametrize'.length)));
  const rows = args[1];
  return rows && /^[[(]/.test(rows) ? splitTopLevel(rows.slice(1, -1)) : null;
}

function matchingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i += 1) {
    if (text[i] === '(') depth += 1;
    else if (text[i] === ')' && --depth === 0) return i;
  }
  return text.length;
}

