import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { loadSpec } from '../../src/spec/load.js';
import { judgeKey, loadJudge, loadPerformance, loadVerdict, performanceKey, refereeBasis, saveJudge, savePerformance, saveVerdict, verdictKey, type RefereeBasis } from '../../src/run/saved-verdicts.js';
import type { RefereeVerdict } from '../../src/referee/referee.js';
import type { JudgeResult } from '../../src/judge/judge.js';
import type { PerfCheck } from '../../src/checks/types.js';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'tourney-verdicts-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

const basis: RefereeBasis = {
  tourney: '1.0.0', baseCommit: 'a'.repeat(40), specSha256: 'b'.repeat(64), hiddenSha256: null, configSha256: 'c'.repeat(64), environmentImageId: 'sha256:' + 'd'.repeat(64),
};
const PATCH = 'diff --git a/x.js b/x.js\n--- a/x.js\n+++ b/x.js\n@@ -1 +1 @@\n-a\n+b\n';
const perfCheck: PerfCheck = { ran: false, tasks: [], ratio: null, relativeTo: null, regression: false, error: 'no bench', threshold: 0.1, rounds: 3, durationMs: 0, logPath: 'entrants/tidy/perf.log' };
const verdict: RefereeVerdict = {
  checks: {
    tests: { passed: true, exitCode: 0, counts: { passed: 3, failed: 0 }, durationMs: 120, logPath: 'entrants/tidy/test.log' },
    performance: perfCheck,
  },
  changes: [{ path: 'x.js', status: 'modified', additions: 1, deletions: 1 }],
  environment: { reprepared: false, touched: [] },
  bench: { image: basis.environmentImageId },
};

describe('saved referee verdicts', () => {
  it('gives a verdict back only for the same patch and basis, without the benchmarks part', async () => {
    const key = verdictKey(basis, PATCH);
    await saveVerdict(dir, 'tidy', key, { verdict, engine: 'local' });
    const { performance: _p, ...checks } = verdict.checks;
    void _p;
    expect(await loadVerdict(dir, 'tidy', key)).toEqual({ verdict: { ...verdict, checks }, engine: 'local' });
    // Built again in another key order: still the same key.
    const reordered = Object.fromEntries(Object.entries(key).reverse()) as typeof key;
    expect(await loadVerdict(dir, 'tidy', reordered)).not.toBeNull();
    // A changed patch on disk (a hostile edit, or an entrant run again) never gets the old verdict.
    expect(await loadVerdict(dir, 'tidy', verdictKey(basis, PATCH + '+evil\n'))).toBeNull();
    for (const change of [{ specSha256: 'e'.repeat(64) }, { configSha256: 'e'.repeat(64) }, { environmentImageId: 'sha256:' + 'e'.repeat(64) }, { baseCommit: 'e'.repeat(40) }, { hiddenSha256: 'e'.repeat(64) }, { tourney: '1.0.1' }]) {
      expect(await loadVerdict(dir, 'tidy', verdictKey({ ...basis, ...change }, PATCH))).toBeNull();
    }
    expect(await loadVerdict(dir, 'terse', key)).toBeNull();
  });

  it('treats a corrupt, hand-edited or foreign verdict file as none', async () => {
    const key = verdictKey(basis, PATCH);
    await saveVerdict(dir, 'tidy', key, { verdict });
    const file = join(dir, 'entrants', 'tidy', 'verdict.json');
    const saved = JSON.parse(await readFile(file, 'utf8')) as { key: Record<string, string>; keyDigest: string; value: { verdict: RefereeVerdict } };
    // The digest beside the key does not count: a file claiming the new patch's key digest still holds the old key.
    const otherKey = verdictKey(basis, 'other');
    await writeFile(file, JSON.stringify({ ...saved, keyDigest: 'f'.repeat(64) }));
    expect(await loadVerdict(dir, 'tidy', otherKey)).toBeNull();
    await writeFile(file, JSON.stringify({ ...saved, value: { verdict: { ...saved.value.verdict, checks: { tests: 'passed' } } } }));
    expect(await loadVerdict(dir, 'tidy', key)).toBeNull();
    await writeFile(file, JSON.stringify({ ...saved, schema: 'tourney-judge/1' }));
    expect(await loadVerdict(dir, 'tidy', key)).toBeNull();
    await writeFile(file, '{"schema": "tourney-verdict/1", ');
    expect(await loadVerdict(dir, 'tidy', key)).toBeNull();
  });

  it('keys on the spec, the config and the hidden tests\' bytes', async () => {
    const repo = join(dir, 'repo');
    await mkdir(join(repo, 'hidden'), { recursive: true });
    await writeFile(join(repo, 'tourney.config.yaml'), 'entrants:\n  - { name: tidy, model: scripted/demo-slugify-tidy }\n');
    await writeFile(join(repo, 'hidden', 'a.test.js'), 'test 1\n');
    await writeFile(join(repo, 'feature.md'), '---\ntest: npm test\nhidden:\n  files: [hidden]\n  test: npm run hidden\n---\n# Slugify\n');
    const at = async () => refereeBasis({ spec: await loadSpec(join(repo, 'feature.md')), config: await loadConfig(repo, {}), baseCommit: basis.baseCommit, environmentImageId: basis.environmentImageId });
    const first = await at();
    expect(first.hiddenSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await at()).toEqual(first);
    await writeFile(join(repo, 'hidden', 'a.test.js'), 'test 2\n');
    const hiddenChanged = await at();
    expect(hiddenChanged.hiddenSha256).not.toBe(first.hiddenSha256);
    await writeFile(join(repo, 'tourney.config.yaml'), 'entrants:\n  - { name: tidy, model: scripted/demo-slugify-tidy }\nsandbox:\n  timeLimit: 123s\n');
    expect((await at()).configSha256).not.toBe(hiddenChanged.configSha256);
  });
});

describe('saved benchmarks and judge results', () => {
  const perf = new Map<string, PerfCheck>([['tidy', perfCheck]]);
  const entries = [{ name: 'tidy', patch: PATCH, outOn: null, benchImage: basis.environmentImageId }, { name: 'terse', patch: 'p2', outOn: 'tests', benchImage: null }];

  it('reuses the benchmarks only for the same set of candidates, patches and gates', async () => {
    const key = performanceKey(basis, entries, false);
    await savePerformance(dir, key, perf);
    expect(await loadPerformance(dir, key)).toEqual(perf);
    expect(await loadPerformance(dir, performanceKey(basis, entries.slice(0, 1), false))).toBeNull();
    expect(await loadPerformance(dir, performanceKey(basis, [entries[0]!, { ...entries[1]!, patch: 'p3' }], false))).toBeNull();
    expect(await loadPerformance(dir, performanceKey(basis, [entries[0]!, { ...entries[1]!, outOn: null }], false))).toBeNull();
    expect(await loadPerformance(dir, performanceKey(basis, entries, true))).toBeNull();
  });

  it('reuses the judge only for the same finalists, patches and checks', async () => {
    const finalists = [{ name: 'tidy', patch: PATCH, checks: verdict.checks }, { name: 'terse', patch: 'p2', checks: { tests: null } }];
    const result: JudgeResult = { ran: true, mode: 'pairwise', models: ['scripted/judge'], matches: [], rubric: [], ranking: null, scores: { tidy: 0.7, terse: 0.3 }, calls: 2, failedCalls: 0, durationMs: 10, tokens: { input: 1, output: 2 }, costUsd: 0 };
    const key = judgeKey(basis, finalists);
    await saveJudge(dir, key, result);
    expect(await loadJudge(dir, key)).toEqual(result);
    expect(await loadJudge(dir, judgeKey(basis, finalists.slice(0, 1)))).toBeNull();
    expect(await loadJudge(dir, judgeKey(basis, [finalists[0]!, { ...finalists[1]!, patch: 'p3' }]))).toBeNull();
    expect(await loadJudge(dir, judgeKey(basis, [finalists[0]!, { ...finalists[1]!, checks: { tests: null, error: 'x' } }]))).toBeNull();
  });
});
