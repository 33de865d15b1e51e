// A realistic three-entrant run written to a temp directory, as the run stage would leave it.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { EntrantResult, RunResult } from '../../src/types.js';

export const XSS_SCRIPT = '<script>window.__pwned=1</script>';
export const XSS_IMG = '<img src=x onerror="window.__pwned=2">';

const WINNER_DIFF = `diff --git a/src/slugify.ts b/src/slugify.ts
index 3b18e51..a1c2f0d 100644
--- a/src/slugify.ts
+++ b/src/slugify.ts
@@ -1,3 +1,9 @@
-export function slugify(input: string): string {
-  return input;
+export function slugify(input: string, sep = '-'): string {
+  return input
+    .normalize('NFKD')
+    .replace(/[\\u0300-\\u036f]/g, '')
+    .toLowerCase()
+    .replace(/[^a-z0-9]+/g, sep)
+    .replace(new RegExp(\`^\${sep}|\${sep}$\`, 'g'), '');
 }
diff --git a/test/slugify.test.ts b/test/slugify.test.ts
new file mode 100644
index 0000000..5d1f2aa
--- /dev/null
+++ b/test/slugify.test.ts
@@ -0,0 +1,4 @@
+import { expect, it } from 'vitest';
+import { slugify } from '../src/slugify.js';
+// renders as text: ${XSS_SCRIPT}
+it('slugs', () => expect(slugify('Héllo Wörld')).toBe('hello-world'));
`;

const LOSER_DIFF = `diff --git a/src/slugify.ts b/src/slugify.ts
index 3b18e51..77aa001 100644
--- a/src/slugify.ts
+++ b/src/slugify.ts
@@ -1,3 +1,3 @@
 export function slugify(input: string): string {
-  return input;
+  return input.toLowerCase().replace(/ /g, '-'); ${XSS_IMG}
 }
`;

const PASS_LOG = `${'\u001b[32m'}✓${'\u001b[39m'} test/slugify.test.ts (5 tests) 12ms\n\n Test Files  1 passed (1)\n      Tests  5 passed (5)\n`;
const FAIL_LOG = Array.from({ length: 60 }, (_, i) => `log line ${i + 1}`).join('\n') +
  `\n FAIL  test/slugify.test.ts > strips accents\nAssertionError: expected 'héllo-wörld' to be 'hello-world'\n${XSS_SCRIPT}\n      Tests  1 failed | 5 passed (6)\n`;

function tokens(input: number, output: number) {
  return { input, output, reasoning: 0, cacheRead: input * 3, cacheWrite: 0 };
}

function entrant(name: string, over: Partial<EntrantResult>): EntrantResult {
  return {
    name,
    agent: 'opencode',
    model: 'anthropic/claude-sonnet-4-5',
    status: 'finished',
    diff: { files: 0, additions: 0, deletions: 0 },
    tokens: tokens(0, 0),
    costUsd: 0,
    durationMs: 0,
    branch: null,
    diffPath: `entrants/${name}/diff.patch`,
    transcriptPath: `entrants/${name}/transcript.jsonl`,
    checks: { tests: null },
    rank: null,
    ...over,
  };
}

export interface Fixture {
  runDir: string;
  result: RunResult;
}

export async function makeRun(): Promise<Fixture> {
  const runDir = await mkdtemp(path.join(tmpdir(), 'tourney-report-'));
  const files: Record<string, string> = {
    'entrants/careful/diff.patch': WINNER_DIFF,
    'entrants/careful/test.log': PASS_LOG,
    'entrants/careful/transcript.jsonl': '{"type":"message"}\n',
    'entrants/quick/diff.patch': LOSER_DIFF,
    'entrants/quick/test.log': FAIL_LOG,
    'entrants/quick/transcript.jsonl': '{"type":"message"}\n',
    // The timed-out entrant left only a transcript: no diff, no test log.
    'entrants/slowpoke/transcript.jsonl': '{"type":"message"}\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(runDir, rel)), { recursive: true });
    await writeFile(path.join(runDir, rel), text);
  }
  const testCheck = (name: string, passed: boolean, p: number, f: number) => ({
    passed, exitCode: passed ? 0 : 1, counts: { passed: p, failed: f }, durationMs: 4_210,
    logPath: `entrants/${name}/test.log`,
  });
  const entrants: EntrantResult[] = [
    // Deliberately not in rank order: the report must sort.
    entrant('slowpoke', {
      model: 'openai/gpt-5', approach: 'Rewrite the module from scratch.', status: 'timeout',
      error: `Time limit of 600s exceeded ${XSS_SCRIPT}`, tokens: tokens(90_000, 12_000), costUsd: 0.4312, durationMs: 600_000,
      checks: { tests: { passed: null, exitCode: null, counts: null, durationMs: 0, logPath: 'entrants/slowpoke/test.log', error: 'no diff to apply' } },
    }),
    entrant('quick', {
      model: 'anthropic/claude-haiku-4-5', approach: 'Smallest possible change.', status: 'finished',
      diff: { files: 1, additions: 1, deletions: 1 }, tokens: tokens(8_000, 900), costUsd: 0.0123, durationMs: 65_000,
      branch: 'tourney/run-1/quick', checks: { tests: testCheck('quick', false, 5, 1) }, rank: 2,
    }),
    entrant('careful', {
      approach: 'Write tests first, then implement.', diff: { files: 2, additions: 11, deletions: 2 },
      tokens: tokens(45_210, 6_034), costUsd: 0.2087, durationMs: 192_400, branch: 'tourney/run-1/careful',
      checks: { tests: testCheck('careful', true, 5, 0) }, rank: 1,
    }),
  ];
  const result: RunResult = {
    schemaVersion: 1,
    runId: '2025-06-01T12-00-00-abc123',
    startedAt: '2025-06-01T12:00:00.000Z',
    finishedAt: '2025-06-01T12:11:03.000Z',
    repo: '/home/dev/slugs',
    baseCommit: '9fceb02d0ae598e95dc970b74767f19372d61af8',
    spec: { title: 'Add a slugify helper', path: '/home/dev/slugs/specs/slugify.md', test: 'npm test' },
    winner: 'careful',
    winnerBranch: 'tourney/run-1/careful',
    rankingRule: 'Entrants whose tests pass rank first; ties are broken by smaller diff, then lower cost.',
    entrants,
    totals: {
      tokens: { input: 143_210, output: 18_934, reasoning: 0, cacheRead: 429_630, cacheWrite: 0 },
      costUsd: 0.6522,
    },
    timings: { imageMs: 12_300, sandboxStartMs: 2_100, agentsMs: 600_400, refereeMs: 48_000, reportMs: 0, totalMs: 663_000 },
    reportPath: path.join(runDir, 'report.html'),
    runDir,
  };
  return { runDir, result };
}
