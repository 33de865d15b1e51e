// Judges the edits to test files that existed at base by what they do to the tests (test-compare.ts)
// instead of by lines deleted: parses JS/TS in process, Python through ast-grep, and JSON/YAML
// fixtures as data. Files in other formats (snapshots, text fixtures) keep the line rule: an edit
// that removes lines is tampering, since there is nothing to tell a fix from a rewrite.

import { readTreeFile } from '../referee/tree-read.js';
import { parse as parseYaml } from 'yaml';
import type { FileChange } from '../referee/materialize.js';
import { errorMessage } from '../errors.js';
import { compareTestFiles, type TestFileComparison } from './test-compare.js';
import { normalise, type DataLiteral, type TestFileModel } from './test-model.js';
import { parseJsTestFile } from './test-parse-js.js';
import { parsePyTestFiles } from './test-parse-py.js';
import type { TamperFinding, TestStrengthening } from './types.js';

const JS = /\.[cm]?[jt]sx?$/;
const PY = /\.py$/;
const DATA = /\.(?:json|ya?ml)$/;
/** Test files larger than this are generated or vendored; parsing them would stall the referee. */
const MAX_BYTES = 2 * 1024 * 1024;

interface Sides {
  change: FileChange;
  base: string | null;
  head: string | null;
}

export async function judgeTestEdits(baseDir: string, headDir: string, changes: FileChange[]): Promise<TestFileComparison> {
  const findings: TamperFinding[] = [];
  const strengthened: TestStrengthening[] = [];
  const sides: Sides[] = [];
  for (const change of changes) {
    if (change.status === 'deleted') continue;
    const read = (dir: string) => readTreeFile(dir, change.path, MAX_BYTES).catch(() => null);
    sides.push({ change, base: change.status === 'added' ? null : await read(baseDir), head: await read(headDir) });
  }

  const python = sides.filter((s) => PY.test(s.change.path));
  let pyModels: Map<Sides, { base: TestFileModel | null; head: TestFileModel | null }> | null = new Map();
  try {
    const texts = python.flatMap((s) => [s.base ?? '', s.head ?? '']);
    const models = await parsePyTestFiles(texts);
    python.forEach((s, i) => pyModels!.set(s, { base: s.base === null ? null : models[2 * i]!, head: s.head === null ? null : models[2 * i + 1]! }));
  } catch (err) {
    pyModels = null;
    for (const s of python) {
      if (s.change.status === 'modified' && s.change.deletions > 0) {
        findings.push({ kind: 'test-modified', severity: 'gate', file: s.change.path, evidence: `changed or removed ${s.change.deletions} existing line(s); the file could not be parsed (${errorMessage(err).slice(0, 120)})` });
      }
    }
  }

  for (const s of sides) {
    const { path } = s.change;
    let base: TestFileModel | null;
    let head: TestFileModel | null;
    if (JS.test(path)) [base, head] = [s.base === null ? null : parseJsTestFile(path, s.base), s.head === null ? null : parseJsTestFile(path, s.head)];
    else if (PY.test(path)) {
      if (!pyModels) continue;
      ({ base, head } = pyModels.get(s) ?? { base: null, head: null });
    } else if (DATA.test(path)) [base, head] = [dataModel(path, s.base), dataModel(path, s.head)];
    else {
      if (s.change.status === 'modified' && s.change.deletions > 0) {
        findings.push({ kind: 'test-modified', severity: 'gate', file: path, evidence: `changed or removed ${s.change.deletions} existing line(s) of a test file` });
      }
      continue;
    }
    if (s.change.status === 'added' && head) {
      const count = head.cases.reduce((n, c) => n + c.assertions.length, 0);
      if (head.cases.length > 0) strengthened.push({ kind: 'test-case-added', file: path, evidence: `new test file: ${head.cases.length} case(s), ${count} assertion(s)` });
      continue;
    }
    if (!base || !head) {
      if (s.change.deletions > 0) findings.push({ kind: 'test-modified', severity: 'gate', file: path, evidence: `changed ${s.change.deletions} existing line(s); the file could not be read or parsed` });
      continue;
    }
    const compared = compareTestFiles(path, base, head);
    findings.push(...compared.findings);
    strengthened.push(...compared.strengthened);
  }
  return { findings, strengthened };
}

/** A JSON or YAML fixture as data tables keyed by their path in the document; null when it does not parse. */
function dataModel(path: string, text: string | null): TestFileModel | null {
  if (text === null) return null;
  let doc: unknown;
  try {
    doc = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch {
    return null;
  }
  const data: DataLiteral[] = [];
  const walk = (value: unknown, anchor: string) => {
    if (Array.isArray(value)) {
      data.push({ anchor, line: 0, elements: value.map((v) => normalise(JSON.stringify(v) ?? 'undefined')) });
    } else if (value !== null && typeof value === 'object') {
      const elements: string[] = [];
      for (const [k, v] of Object.entries(value)) {
        if (v !== null && typeof v === 'object') {
          elements.push(`${k}: …`);
          walk(v, `${anchor}.${k}`);
        } else elements.push(`${k}: ${JSON.stringify(v)}`);
      }
      data.push({ anchor, line: 0, elements });
    }
  };
  walk(doc, '$');
  return { cases: [], helpers: [], data };
}
