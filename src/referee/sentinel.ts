import { randomBytes } from 'node:crypto';
import { basename, extname } from 'node:path';

// Sentinel tests: failing tests appended to copies of the test files, run with the spec's own test
// command in the same container as the real run. A harness that an entrant has neutralised (assert
// functions replaced by no-ops, a test function that swallows errors, a conftest hook that turns
// failures into passes, an exit code forced to 0) lets them pass, and that is what gives it away.
// They go inside the test files themselves, so they share each file's process, imports and runner:
// whatever the file loads from the entrant's code is loaded before they run, and a command that runs
// the test files necessarily runs them. Names, tokens and messages are random per run.

export interface TestFileContent {
  /** Repo-relative path. */
  path: string;
  content: Buffer;
}

export type ProbeKind = 'node:assert' | 'expect' | 'chai' | 'python assert' | 'unittest assert' | 'thrown error';

export interface Probe {
  kind: ProbeKind;
  file: string;
  /** Printed only when the probe fails: its message or the value it compares. */
  token: string;
}

export interface Sentinel {
  /** The test files with the sentinel tests appended, to lay over the copy for the probe run. */
  probeFiles: TestFileContent[];
  /** The same files as they were, to put back afterwards. */
  originals: TestFileContent[];
  probes: Probe[];
}

/** The verdict on the harness, saved in result.json. */
export interface HarnessCheck {
  ran: boolean;
  /** The command the sentinels ran with (the hidden tests', else the visible tests'). */
  command: string | null;
  files: string[];
  probes: (Probe & { failed: boolean })[];
  exitCode: number | null;
  /** True when the harness let a sentinel pass. */
  neutralised: boolean;
  /** What gave it away, or why the check could not conclude. */
  evidence: string | null;
  durationMs: number;
  logPath: string | null;
}

const JS = /\.[cm]?[jt]sx?$/;
const PY = /\.py$/;
/** Test files by name, as the runners find them (helpers and fixtures beside them are left alone). */
const TEST_NAME = /(?:\.(?:test|spec)\.[cm]?[jt]sx?|^test[_-].*\.[cm]?[jt]sx?|_test\.[cm]?[jt]sx?|^test_.*\.py|_test\.py)$/;

export function isSentinelTarget(path: string): boolean {
  const name = basename(path);
  return TEST_NAME.test(name) && (JS.test(name) || PY.test(name));
}

const hex = (bytes: number, random: (n: number) => Buffer) => random(bytes).toString('hex');
const WORDS = ['parses', 'keeps', 'returns', 'handles', 'maps', 'accepts', 'rejects', 'trims', 'orders', 'joins'];
const NOUNS = ['input', 'values', 'edge cases', 'empty text', 'unicode', 'numbers', 'options', 'lists', 'keys', 'ranges'];

/**
 * Sentinel tests for these test files (JS/TS for node:test, vitest, jest and mocha; Python for
 * pytest and unittest), or null when none of them is a kind it knows.
 */
export function makeSentinel(files: TestFileContent[], random: (n: number) => Buffer = randomBytes): Sentinel | null {
  const targets = files.filter((f) => isSentinelTarget(f.path));
  const probeFiles: TestFileContent[] = [];
  const probes: Probe[] = [];
  for (const file of targets) {
    const text = file.content.toString('utf8');
    const fresh = () => {
      const token = `t${hex(6, random)}`;
      // Split so the token never appears verbatim in the file: echoing the file does not fake a failure.
      const cut = 2 + (random(1)[0]! % (token.length - 3));
      const parts = `[${JSON.stringify(token.slice(0, cut))}, ${JSON.stringify(token.slice(cut))}]`;
      return { token, expr: PY.test(file.path) ? `''.join(${parts})` : `${parts}.join('')` };
    };
    const name = () => {
      const r = random(3);
      return `${WORDS[r[0]! % WORDS.length]} ${NOUNS[r[1]! % NOUNS.length]} ${r[2]!.toString(36)}${hex(2, random)}`;
    };
    const id = hex(4, random);
    const made = PY.test(file.path) ? pythonSentinel(text, id, fresh, name) : jsSentinel(file.path, text, id, fresh, name);
    probeFiles.push({ path: file.path, content: Buffer.from(`${text}${text.endsWith('\n') ? '' : '\n'}${made.code}`) });
    probes.push(...made.probes.map((p) => ({ ...p, file: file.path })));
  }
  if (probeFiles.length === 0) return null;
  return { probeFiles, originals: targets, probes };
}

type Fresh = () => { token: string; expr: string };
type Made = { code: string; probes: { kind: ProbeKind; token: string }[] };

function jsSentinel(path: string, text: string, id: string, fresh: Fresh, name: () => string): Made {
  const ext = extname(path);
  // .mjs/.mts are modules, .cjs/.cts are not; TypeScript is compiled from import syntax; .js says so by its own imports.
  const esm = ext.startsWith('.m') || (!ext.startsWith('.c') && (/^\.tsx?$/.test(ext) || /^\s*(?:import|export)\s/m.test(text)));
  const from = (spec: string) => new RegExp(`(?:from\\s*|require\\s*\\(\\s*)['"]${spec.replace(/[/.]/g, '\\$&')}['"]`).test(text);
  const imports: string[] = [];
  const use = (binding: string, spec: string, named?: string) => {
    if (esm) imports.push(named ? `import { ${named} as ${binding} } from '${spec}';` : `import ${binding} from '${spec}';`);
    else imports.push(`const ${binding} = require('${spec}')${named ? `.${named}` : ''};`);
    return binding;
  };
  // The test function the file itself uses, so the sentinels run under the same runner.
  const framework = ['node:test', 'vitest', '@jest/globals'].find(from) ?? (from('test') ? 'test' : null);
  const test = framework ? use(`__tT${id}`, framework, 'test') : 'it';
  const body: { kind: ProbeKind; token: string; line: string }[] = [];
  // node:assert is checked in every file (any runner's tests may use it); the exact module the file uses when it does.
  const assertSpec = ['node:assert/strict', 'node:assert', 'assert/strict', 'assert'].find(from) ?? 'node:assert';
  const assert = use(`__tA${id}`, assertSpec);
  {
    const { token, expr } = fresh();
    body.push({ kind: 'node:assert', token, line: `${assert}.strictEqual(${expr}, 'other', ${expr});` });
  }
  if (/\bexpect\s*\(/.test(text)) {
    const source = ['vitest', '@jest/globals'].find(from);
    const expect = from('chai') ? null : source ? use(`__tE${id}`, source, 'expect') : 'expect';
    if (expect) {
      const { token, expr } = fresh();
      body.push({ kind: 'expect', token, line: `${expect}(${expr}).toBe('other');` });
    }
  }
  if (from('chai')) {
    const chai = esm ? (imports.push(`import * as __tC${id} from 'chai';`), `(__tC${id}.default ?? __tC${id})`) : use(`__tC${id}`, 'chai');
    const { token, expr } = fresh();
    body.push({ kind: 'chai', token, line: `${chai}.expect(${expr}).to.equal('other');` });
  }
  {
    const { token, expr } = fresh();
    body.push({ kind: 'thrown error', token, line: `throw new Error(${expr});` });
  }
  const tests = body.map((b) => `${test}(${JSON.stringify(name())}, () => {\n  ${b.line}\n});`);
  return { code: `${imports.join('\n')}\n${tests.join('\n')}\n`, probes: body.map(({ kind, token }) => ({ kind, token })) };
}

function pythonSentinel(text: string, id: string, fresh: Fresh, name: () => string): Made {
  const fn = () => name().replace(/[^a-z0-9]+/g, '_');
  const probes: { kind: ProbeKind; token: string }[] = [];
  const methods: string[] = [];
  const a = fresh();
  probes.push({ kind: 'unittest assert', token: a.token });
  methods.push(`    def test_${fn()}(self):\n        self.assertEqual(${a.expr}, 'other', ${a.expr})`);
  const t = fresh();
  probes.push({ kind: 'thrown error', token: t.token });
  methods.push(`    def test_${fn()}(self):\n        raise RuntimeError(${t.expr})`);
  let code = `\n\nimport unittest as _tU${id}\n\n\nclass Test_${id}(_tU${id}.TestCase):\n${methods.join('\n\n')}\n`;
  // A bare assert is pytest's style: only where the file is written for pytest (unittest would not collect it).
  if (/^\s*import pytest|^\s*from pytest|^def test_/m.test(text)) {
    const p = fresh();
    probes.push({ kind: 'python assert', token: p.token });
    code += `\n\ndef test_${fn()}_${id}():\n    assert ${p.expr} == 'other', ${p.expr}\n`;
  }
  return { code, probes };
}

/**
 * The verdict from the probe run's exit code and output. A sentinel that failed prints its token;
 * a run that exits 0 with failing sentinels in it, or that shows a file's thrown error but not its
 * false assertion, has a neutralised harness. A file whose thrown error does not show either did not
 * run (it failed to load, or the command does not run it): that is inconclusive, never a finding.
 */
export function judgeSentinel(
  sentinel: Sentinel,
  run: { command: string; exitCode: number | null; output: string; durationMs: number; logPath: string; timedOut: boolean },
): HarnessCheck {
  const probes = sentinel.probes.map((p) => ({ ...p, failed: run.output.includes(p.token) }));
  const base = { ran: true, command: run.command, files: sentinel.probeFiles.map((f) => f.path), probes, exitCode: run.exitCode, durationMs: run.durationMs, logPath: run.logPath };
  if (run.timedOut || run.exitCode === null) return { ...base, neutralised: false, evidence: 'the run with the sentinel tests did not finish' };
  if (run.exitCode === 0) {
    return { ...base, neutralised: true, evidence: `the test command exited 0 with ${probes.length} failing sentinel tests added to ${base.files.join(', ')}` };
  }
  const silenced = probes.filter((p) => !p.failed && p.kind !== 'thrown error' && probes.some((q) => q.file === p.file && q.kind === 'thrown error' && q.failed));
  if (silenced.length > 0) {
    const what = [...new Set(silenced.map((p) => `${p.kind} in ${p.file}`))].join(', ');
    return { ...base, neutralised: true, evidence: `a false assertion passed (${what}) while a thrown error in the same file failed` };
  }
  const unseen = [...new Set(probes.filter((p) => p.kind === 'thrown error' && !p.failed).map((p) => p.file))];
  return { ...base, neutralised: false, evidence: unseen.length ? `inconclusive: the sentinel tests in ${unseen.join(', ')} did not run` : null };
}

/** What the check records when it could not run. */
export function harnessNotRun(evidence: string): HarnessCheck {
  return { ran: false, command: null, files: [], probes: [], exitCode: null, neutralised: false, evidence, durationMs: 0, logPath: null };
}
