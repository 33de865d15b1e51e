import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { minimatch } from 'minimatch';
import type { FileChange } from '../referee/materialize.js';
import { judgeTestEdits } from './test-edits.js';
import type { TamperCheck, TamperFinding, TamperKind } from './types.js';

/** Where tests live, by the conventions of the common JS/TS and Python runners. */
export const TEST_FILE_GLOBS = [
  '**/*.test.*', '**/*.spec.*', '**/*_test.*', '**/test_*.py',
  '**/test/**', '**/tests/**', '**/__tests__/**', '**/spec/**',
];

/** Files whose change alters what "passing" means. Each maps to the kind it is reported as. */
const CONFIG_GLOBS: [TamperKind, string[]][] = [
  ['test-config-changed', [
    '**/vitest.config.*', '**/vitest.workspace.*', '**/jest.config.*', '**/.mocharc*', '**/karma.conf.*',
    '**/ava.config.*', '**/.c8rc*', '**/.nycrc*', '**/pytest.ini', '**/conftest.py', '**/tox.ini', '**/noxfile.py',
    // npm's node-options preloads a module into every `npm test`.
    '**/.npmrc',
  ]],
  ['lint-config-changed', ['**/eslint.config.*', '**/.eslintrc*', '**/.eslintignore', '**/.prettierrc*', '**/biome.json*', '**/.flake8', '**/ruff.toml', '**/.ruff.toml', '**/.pylintrc']],
  ['security-config-changed', ['**/sgconfig.yml', '**/.semgrep*', '**/.snyk', '**/.gitleaks*', '**/.secretlintrc*', '**/.bandit']],
  ['ci-changed', ['.github/**', '.gitlab-ci.yml', '.circleci/**', 'azure-pipelines.yml', 'Jenkinsfile', '.ci/**', '.buildkite/**', '.travis.yml']],
];

/** Added lines that switch tests off or narrow a run to a few tests. */
const SKIP_PATTERNS: [TamperKind, RegExp][] = [
  // The look-behind keeps method calls like model.fit( or parser.xtest( out.
  ['only-added', /\b(?:it|test|describe|context|suite)\.only\s*\(|(?<![.\w$])f(?:it|describe)\s*\(/],
  ['skip-added', /\b(?:it|test|describe|context|suite)\.(?:skip|todo)\s*\(|(?<![.\w$])x(?:it|describe|test)\s*\(|@pytest\.mark\.(?:skip|xfail)\b|@unittest\.skip|\bpytest\.skip\s*\(|\bself\.skipTest\s*\(/],
];

/** Added comments that turn checks off for the code they sit in. */
const INLINE_DISABLE = /eslint-disable|@ts-nocheck|@ts-ignore|@ts-expect-error|#\s*noqa\b|#\s*nosec\b|#\s*type:\s*ignore|#\s*pylint:\s*disable|biome-ignore|istanbul ignore|c8 ignore/;

/** Documentation may mention these words without doing anything. */
const PROSE = /\.(?:md|markdown|txt|rst|adoc)$/i;

const matches = (path: string, globs: string[]) => globs.some((g) => minimatch(path, g, { dot: true }));

export interface TamperInput {
  baseDir: string;
  headDir: string;
  changes: FileChange[];
  /** The entrant's patch: added lines are read from it, with their line numbers. */
  patch: string;
  /** Extra protected globs from the config. */
  protectedPaths: string[];
}

/** Flags changes that weaken the checks instead of satisfying them, with the evidence. */
export async function runTamperCheck(input: TamperInput): Promise<TamperCheck> {
  const findings: TamperFinding[] = [];
  const added = addedLines(input.patch);

  for (const change of input.changes) {
    const isTest = matches(change.path, TEST_FILE_GLOBS);
    if (isTest && change.status === 'deleted') {
      findings.push({ kind: 'test-deleted', severity: 'gate', file: change.path, evidence: `deleted a test file that existed at base (${change.deletions} lines)` });
    }
    for (const [kind, globs] of CONFIG_GLOBS) {
      if (matches(change.path, globs)) findings.push({ kind, severity: 'gate', file: change.path, evidence: `${change.status} ${change.path}` });
    }
    if (input.protectedPaths.length > 0 && matches(change.path, input.protectedPaths)) {
      findings.push({ kind: 'protected-path-changed', severity: 'gate', file: change.path, evidence: `${change.status} a protected path` });
    }
    if (change.path === 'package.json' || change.path.endsWith('/package.json')) {
      const scripts = await packageScripts(input, change.path);
      if (scripts.before.test !== scripts.after.test) {
        findings.push({ kind: 'test-config-changed', severity: 'gate', file: change.path, evidence: `scripts.test: ${JSON.stringify(scripts.before.test)} -> ${JSON.stringify(scripts.after.test)}` });
      }
      // These run in the entrant's own setup, with a network, when its diff gets an environment of its own.
      for (const name of INSTALL_SCRIPTS) {
        if (scripts.before[name] !== scripts.after[name]) {
          findings.push({ kind: 'install-script-changed', severity: 'gate', file: change.path, evidence: `scripts.${name}: ${JSON.stringify(scripts.before[name])} -> ${JSON.stringify(scripts.after[name])}` });
        }
      }
    }
  }

  for (const line of added) {
    if (PROSE.test(line.file)) continue;
    for (const [kind, pattern] of SKIP_PATTERNS) {
      if (pattern.test(line.text)) findings.push({ kind, severity: 'gate', file: line.file, line: line.line, evidence: line.text.trim().slice(0, 200) });
    }
    if (INLINE_DISABLE.test(line.text)) {
      findings.push({ kind: 'lint-disabled-inline', severity: 'gate', file: line.file, line: line.line, evidence: line.text.trim().slice(0, 200) });
    }
  }

  // Existing (and new) test files, judged case by case and assertion by assertion.
  const tests = input.changes.filter((c) => c.status !== 'deleted' && matches(c.path, TEST_FILE_GLOBS));
  const edits = await judgeTestEdits(input.baseDir, input.headDir, tests);
  // A skip the added-line patterns already caught is not reported twice.
  const skipped = new Set(findings.filter((f) => f.kind === 'skip-added').map((f) => f.file));
  findings.push(...edits.findings.filter((f) => !(f.kind === 'skip-added' && skipped.has(f.file))));
  return { flagged: findings.some((f) => f.severity !== 'low'), findings, strengthened: edits.strengthened };
}

/** npm runs these during `npm install` / `npm ci` of the package itself. */
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'preprepare', 'prepare', 'postprepare'] as const;

async function packageScripts(input: TamperInput, path: string): Promise<{ before: Record<string, string | undefined>; after: Record<string, string | undefined> }> {
  const read = async (dir: string): Promise<Record<string, string | undefined>> => {
    try {
      const json = JSON.parse(await readFile(join(dir, path), 'utf8')) as { scripts?: unknown };
      const scripts = json.scripts;
      if (!scripts || typeof scripts !== 'object') return {};
      return Object.fromEntries(Object.entries(scripts).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
    } catch {
      return {};
    }
  };
  return { before: await read(input.baseDir), after: await read(input.headDir) };
}

interface AddedLine {
  file: string;
  line: number;
  text: string;
}

/** Added lines of a unified diff with their line numbers in the new file. */
export function addedLines(patch: string): AddedLine[] {
  const out: AddedLine[] = [];
  let file = '';
  let line = 0;
  for (const raw of patch.split('\n')) {
    if (raw.startsWith('+++ ')) {
      file = raw.slice(4).replace(/^b\//, '').replace(/\t.*$/, '');
    } else if (raw.startsWith('@@')) {
      line = Number(/\+(\d+)/.exec(raw)?.[1] ?? 0);
    } else if (raw.startsWith('+') && file !== '/dev/null') {
      out.push({ file, line, text: raw.slice(1) });
      line += 1;
    } else if (raw.startsWith(' ')) {
      line += 1;
    }
  }
  return out;
}
