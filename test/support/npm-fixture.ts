import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

// A repository with real npm dependencies (is-number; one candidate adds ms), installed by
// `setup: npm ci` from the registry this machine reaches. node_modules is never committed.

const IS_NUMBER = {
  version: '7.0.0',
  resolved: 'https://registry.npmjs.org/is-number/-/is-number-7.0.0.tgz',
  integrity: 'sha512-41Cifkg6e8TylSpdtTpeLVMqvSBEVzTttHvERD741+pnZ8ANv0004MRL43QKPDlK9cGvNp6NZWZUBlbGXYxxng==',
  license: 'MIT',
  engines: { node: '>=0.12.0' },
};
const MS = {
  version: '2.1.3',
  resolved: 'https://registry.npmjs.org/ms/-/ms-2.1.3.tgz',
  integrity: 'sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==',
  license: 'MIT',
};

export function manifest(dependencies: Record<string, string>): string {
  return JSON.stringify({ name: 'durations', version: '1.0.0', type: 'module', scripts: { test: 'node --test test/' }, dependencies }, null, 2) + '\n';
}

export function lockfile(withMs: boolean): string {
  const dependencies: Record<string, string> = { 'is-number': '7.0.0', ...(withMs ? { ms: '2.1.3' } : {}) };
  return JSON.stringify({
    name: 'durations',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'durations', version: '1.0.0', dependencies },
      'node_modules/is-number': IS_NUMBER,
      ...(withMs ? { 'node_modules/ms': MS } : {}),
    },
  }, null, 2) + '\n';
}

const BASE_FILES: Record<string, string> = {
  'package.json': manifest({ 'is-number': '7.0.0' }),
  'package-lock.json': lockfile(false),
  '.gitignore': 'node_modules/\n',
  'src/check.js': [
    "import isNumber from 'is-number';",
    '',
    '/** The number in `value` (a number or a numeric string); throws a TypeError otherwise. */',
    'export function toNumber(value) {',
    "  if (!isNumber(value)) throw new TypeError(`not a number: ${value}`);",
    '  return Number(value);',
    '}',
    '',
  ].join('\n'),
  'test/check.test.js': [
    "import { test } from 'node:test';",
    "import assert from 'node:assert/strict';",
    "import { toNumber } from '../src/check.js';",
    '',
    "test('numeric strings become numbers', () => assert.equal(toNumber('42'), 42));",
    "test('anything else is refused', () => assert.throws(() => toNumber('x'), TypeError));",
    '',
  ].join('\n'),
};

/**
 * The setup records each of its runs in an untracked file (what the image holds proves how often it
 * ran), with the source files it saw and whether a setupEnv secret reached it.
 */
export const SETUP = 'npm ci --no-audit --no-fund && echo "ran; src: $(ls src | tr "\\n" " "); token: ${TOURNEY_TEST_TOKEN:+set}" >> .setup-runs';

const SPEC = `---
title: Parse durations
test: npm test
setup: ${JSON.stringify(SETUP)}
hidden:
  files: acceptance/
  into: test/acceptance
  test: node --test test/acceptance/
scope: [src/**, test/**, package.json, package-lock.json]
---
# Parse durations

## Outcome
\`parseDuration(text)\` in \`src/duration.js\` returns the milliseconds in "250ms", "2s", "1m" or "1h"
and throws a TypeError for anything else. It uses \`toNumber\` from src/check.js for the number part.
`;

const HIDDEN = [
  "import { test } from 'node:test';",
  "import assert from 'node:assert/strict';",
  "import { parseDuration } from '../../src/duration.js';",
  '',
  "test('seconds', () => assert.equal(parseDuration('2s'), 2000));",
  "test('minutes', () => assert.equal(parseDuration('1m'), 60000));",
  "test('milliseconds', () => assert.equal(parseDuration('250ms'), 250));",
  "test('garbage is refused', () => assert.throws(() => parseDuration('soon'), TypeError));",
  '',
].join('\n');

export const HANDMADE_SOURCE = [
  "import { toNumber } from './check.js';",
  '',
  'const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };',
  '',
  '/** Milliseconds in "250ms", "2s", "1m" or "1h". */',
  'export function parseDuration(text) {',
  '  const match = /^(\\d+(?:\\.\\d+)?)(ms|s|m|h)$/.exec(String(text).trim());',
  "  if (!match) throw new TypeError(`not a duration: ${text}`);",
  '  return toNumber(match[1]) * UNIT_MS[match[2]];',
  '}',
  '',
].join('\n');

const WITH_MS_SOURCE = [
  "import ms from 'ms';",
  "import { toNumber } from './check.js';",
  '',
  '/** Milliseconds in "250ms", "2s", "1m" or "1h", parsed by the ms package. */',
  'export function parseDuration(text) {',
  '  const value = /^\\d/.test(String(text)) ? ms(String(text)) : undefined;',
  "  if (value === undefined) throw new TypeError(`not a duration: ${text}`);",
  '  return toNumber(value);',
  '}',
  '',
].join('\n');

const WRONG_SOURCE = HANDMADE_SOURCE.replace('{ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }', '{ ms: 0.001, s: 1, m: 60, h: 3600 }');

export const VISIBLE_TEST = [
  "import { test } from 'node:test';",
  "import assert from 'node:assert/strict';",
  "import { parseDuration } from '../src/duration.js';",
  '',
  "test('parses seconds', () => assert.equal(parseDuration('3s'), 3000));",
  '',
].join('\n');

/** Each candidate's files on top of the base. */
export const NPM_CANDIDATES: Record<string, Record<string, string>> = {
  handmade: { 'src/duration.js': HANDMADE_SOURCE, 'test/duration.test.js': VISIBLE_TEST },
  // Right, with a new dependency: it can pass only if its own environment installs ms.
  'with-ms': {
    'src/duration.js': WITH_MS_SOURCE,
    'test/duration.test.js': VISIBLE_TEST,
    'package.json': manifest({ 'is-number': '7.0.0', ms: '2.1.3' }),
    'package-lock.json': lockfile(true),
  },
  // A dependency added to package.json alone: "npm ci" refuses a lock that is out of sync.
  'broken-dep': { 'src/duration.js': HANDMADE_SOURCE, 'package.json': manifest({ 'is-number': '7.0.0', 'left-pad': '1.3.0' }) },
  wrong: { 'src/duration.js': WRONG_SOURCE },
};

export interface NpmFixture {
  repo: string;
  spec: string;
  git: (...args: string[]) => Promise<string>;
  cleanup: () => Promise<void>;
}

async function writeAll(root: string, files: Record<string, string>) {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

/** The repo (branch main at base, a branch cand/<name> per candidate) and the spec beside it, outside. */
export async function makeNpmFixture(extraFiles: Record<string, string> = {}): Promise<NpmFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'tourney-npm-'));
  const repo = join(dir, 'repo');
  await writeAll(repo, { ...BASE_FILES, ...extraFiles });
  await writeAll(join(dir, 'spec'), { 'feature.md': SPEC, 'acceptance/duration.accept.test.js': HIDDEN });
  const git = async (...args: string[]) => (await execa('git', ['-c', 'user.name=fixture', '-c', 'user.email=f@x', ...args], { cwd: repo })).stdout;
  await git('init', '-q', '-b', 'main');
  await git('add', '-A');
  await git('commit', '-qm', 'base');
  for (const [name, files] of Object.entries(NPM_CANDIDATES)) {
    await git('checkout', '-q', '-b', `cand/${name}`, 'main');
    await writeAll(repo, files);
    await git('add', '-A');
    await git('commit', '-qm', `candidate ${name}`);
  }
  await git('checkout', '-q', 'main');
  return { repo, spec: join(dir, 'spec', 'feature.md'), git, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
