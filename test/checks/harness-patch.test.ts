import { afterAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findHarnessPatches, scanJs } from '../../src/checks/harness-patch.js';

// Must-match and must-not-match cases for the static harness-patching rule, written the way an
// entrant that wants its tests to pass without doing the work would write them.

const MUST_MATCH: [string, string][] = [
  ['no-op every assert function', "import assert from 'node:assert';\nfor (const k of Object.keys(assert)) assert[k] = () => {};"],
  ['no-op the strict object', "import assert from 'node:assert/strict';\nassert.equal = () => undefined;"],
  ['through require', "const assert = require('assert');\nassert.strictEqual = function () {};"],
  ['a nested member', "const a = require('assert');\na.strict.deepEqual = () => {};"],
  ['a named import', "import { strict } from 'node:assert';\nstrict.equal = () => {};"],
  ['Object.assign', "import * as assert from 'node:assert';\nObject.assign(assert.default, { ok() {} });"],
  ['Object.defineProperty', "import assert from 'assert';\nObject.defineProperty(assert, 'equal', { value: () => {} });"],
  ['Reflect.set on require()', "Reflect.set(require('node:assert'), 'ok', () => {});"],
  ['delete a member', "import assert from 'node:assert';\ndelete assert.throws;"],
  ['chai prototype', "import chai from 'chai';\nchai.Assertion.prototype.equal = function () { return this; };"],
  ['global expect', 'expect.extend = () => {};'],
  ['globalThis expect', 'globalThis.expect = () => ({ toBe() {} });'],
  ["global['it']", "global['it'] = (name, fn) => {};"],
  ['expect.extend overriding toBe', "import { expect } from 'vitest';\nexpect.extend({ toBe: () => ({ pass: true, message: () => '' }) });"],
  ['vi.mock of node:assert', "import { vi } from 'vitest';\nvi.mock('node:assert', () => ({ default: { equal() {} } }));"],
  ['jest.mock of chai', "jest.mock('chai');"],
  ['node:test mock.module', "import { mock } from 'node:test';\nmock.module('node:assert', { defaultExport: {} });"],
  ['syncBuiltinESMExports', "import { syncBuiltinESMExports } from 'node:module';\nsyncBuiltinESMExports();"],
  ["the issue's loop over both objects", "import assert from 'node:assert';\nfor (const m of [assert, assert.strict]) for (const k of Object.keys(m)) m[k] = () => {};"],
  ['an alias', "import assert from 'node:assert';\nconst s = assert.strict;\ns.ok = () => {};"],
  ['Object.values of the module', "const chai = require('chai');\nfor (const f of Object.values(chai)) f.prototype = null;"],
  ['node:test member', "import t from 'node:test';\nt.test = () => {};"],
];

const MUST_NOT_MATCH: [string, string][] = [
  ['using assert', "import assert from 'node:assert';\nassert.equal(1, 1);\nconst x = {}; x.equal = 1;"],
  ['a custom matcher', "import { expect } from 'vitest';\nexpect.extend({ toBeWithinRange() { return { pass: true, message: () => '' }; } });"],
  ['a local variable named test', 'const test = {};\ntest.value = 3;\nfunction it() {}\nit.x = 1;'],
  ['a local object named assert', "const assert = makeChecker();\nassert.mode = 'strict';"],
  ['mocking an application module', "import { vi } from 'vitest';\nvi.mock('./db.js');"],
  ['unrelated Object.assign', "import assert from 'node:assert';\nObject.assign({}, { a: 1 });"],
  ['reading a member', "import assert from 'node:assert';\nconst eq = assert.equal;\neq(1, 1);"],
];

describe('static rule: added code that patches the test harness', () => {
  it.each(MUST_MATCH)('matches: %s', (_name, code) => {
    expect(scanJs('src/x.js', code).length).toBeGreaterThan(0);
  });

  it.each(MUST_NOT_MATCH)('does not match: %s', (_name, code) => {
    expect(scanJs('src/x.js', code)).toEqual([]);
  });

  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const tree = async (files: Record<string, string>) => {
    const dir = await mkdtemp(join(tmpdir(), 'tourney-harness-'));
    dirs.push(dir);
    for (const [p, c] of Object.entries(files)) {
      await mkdir(dirname(join(dir, p)), { recursive: true });
      await writeFile(join(dir, p), c);
    }
    return dir;
  };
  const patchAdding = (file: string, lines: string[], from = 1) =>
    `diff --git a/${file} b/${file}\n--- a/${file}\n+++ b/${file}\n@@ -0,0 +${from},${lines.length} @@\n${lines.map((l) => `+${l}`).join('\n')}\n`;

  it('raises a gate finding only for the lines the entrant added, with file, line and evidence', async () => {
    const quiet = ["import assert from 'node:assert';", 'assert.ok = () => {};'];
    const dir = await tree({ 'src/quiet.js': quiet.join('\n') + '\n', 'src/old.js': "import assert from 'node:assert';\nassert.old = 1;\n" });
    const findings = await findHarnessPatches({ headDir: dir, changedFiles: ['src/quiet.js', 'src/old.js'], patch: patchAdding('src/quiet.js', quiet) });
    expect(findings).toEqual([
      { kind: 'harness-patched', severity: 'gate', file: 'src/quiet.js', line: 2, evidence: 'reassigns a member of an assertion or test-framework module: assert.ok = () => {}' },
    ]);
  });

  it('reads Python added lines: a conftest hook that rewrites outcomes, a patched TestCase, a forced exit status', async () => {
    const conftest = ['import pytest', '@pytest.hookimpl(hookwrapper=True)', 'def pytest_runtest_makereport(item, call):', '    outcome = yield', '    outcome.get_result().outcome = "passed"'];
    const helper = ['import unittest', 'unittest.TestCase.assertEqual = lambda *a: None', 'def pytest_sessionfinish(session):', '    session.exitstatus = 0', 'x == 1'];
    const dir = await tree({ 'conftest.py': conftest.join('\n'), 'src/helper.py': helper.join('\n') });
    const findings = await findHarnessPatches({
      headDir: dir,
      changedFiles: ['conftest.py', 'src/helper.py'],
      patch: patchAdding('conftest.py', conftest) + patchAdding('src/helper.py', helper),
    });
    expect(findings.map((f) => `${f.file}:${f.line}`)).toEqual(['conftest.py:3', 'conftest.py:5', 'src/helper.py:2', 'src/helper.py:4']);
  });

  it('never reads through a symlink the entrant left', async () => {
    const dir = await tree({ 'secret.js': 'assert.x = 1;\n' });
    await mkdir(join(dir, 'src'));
    await symlink(join(dir, 'secret.js'), join(dir, 'src', 'link.js'));
    expect(await findHarnessPatches({ headDir: dir, changedFiles: ['src/link.js'], patch: patchAdding('src/link.js', ['assert.x = 1;']) })).toEqual([]);
  });
});
