import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Log } from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLintCheck } from '../../src/checks/lint.js';
import { runSecurityCheck } from '../../src/checks/security.js';
import { buildCiSarif, GITHUB_SARIF_LIMITS, mergeSarif } from '../../src/outputs/sarif.js';
import type { EntrantResult, RunResult } from '../../src/types.js';
import { makeRun } from '../report/fixture.js';
import { sarifSchemaErrors } from './validators.js';

// Real SARIF from the real checks: a base and a head tree where the head keeps one old lint problem,
// adds new ones and a command injection, in a file whose name needs percent-encoding.
const OLD = 'export function old() {\n  debugger;\n}\n';
const FILES = {
  base: { 'src/old.js': OLD, 'src/mein modul ü.js': 'export const a = 1;\n' },
  head: {
    'src/old.js': `${OLD}export const added = 1;\n`,
    'src/mein modul ü.js': 'import { exec } from "node:child_process";\nexport function run(name) {\n  const unused = 2;\n  exec(`ls ${name}`);\n}\n',
    'lib/fresh.js': 'export function f(x) {\n  if (x == null) debugger;\n}\n',
  },
};

const dirs: string[] = [];
let result: RunResult;
let winner: EntrantResult;

beforeAll(async () => {
  const fx = await makeRun();
  dirs.push(fx.runDir);
  const trees = await mkdtemp(join(tmpdir(), 'tourney-sarif-'));
  dirs.push(trees);
  for (const side of ['base', 'head'] as const) {
    for (const [rel, text] of Object.entries(FILES[side])) {
      await mkdir(dirname(join(trees, side, rel)), { recursive: true });
      await writeFile(join(trees, side, rel), text);
    }
  }
  const input = { baseDir: join(trees, 'base'), headDir: join(trees, 'head'), changedFiles: Object.keys(FILES.head), outDir: join(fx.runDir, 'entrants/careful'), outRel: 'entrants/careful' };
  const [lint, security] = await Promise.all([runLintCheck(input), runSecurityCheck(input)]);
  expect(lint.ran && security.ran).toBe(true);
  result = { ...fx.result, entrants: fx.result.entrants.map((e) => (e.name === 'careful' ? { ...e, checks: { ...e.checks, lint, security } } : e)) };
  winner = result.entrants.find((e) => e.name === result.winner)!;
}, 60_000);

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

type Res = NonNullable<Log['runs'][number]['results']>[number];
const allResults = (log: Log): Res[] => log.runs.flatMap((r) => r.results ?? []);

describe('merged SARIF for code scanning', () => {
  it('is valid SARIF 2.1.0 (official schema, formats checked): one run per tool, the winner\'s new findings only', async () => {
    const log = await buildCiSarif(result);
    expect(sarifSchemaErrors(log)).toBe('');
    expect(log.runs.map((r) => r.tool.driver.name)).toEqual(['ESLint', 'tourney-security']);
    const lint = winner.checks.lint!;
    const security = winner.checks.security!;
    // Sanity: the trees really have an old problem, new ones and a finding.
    expect(lint.messages.some((m) => m.baselineState === 'unchanged')).toBe(true);
    expect(security.newFindings.length).toBeGreaterThan(0);
    expect(log.runs[0]!.results).toHaveLength(lint.newErrors + lint.newWarnings);
    expect(log.runs[1]!.results).toHaveLength(security.newFindings.length);
    expect(allResults(log).every((r) => r.baselineState !== 'unchanged')).toBe(true);
  });

  it('meets GitHub\'s requirements: limits, rules for every result, levels, fingerprints, repo-relative %SRCROOT% URIs', async () => {
    const log = await buildCiSarif(result);
    expect(log.runs.length).toBeLessThanOrEqual(GITHUB_SARIF_LIMITS.runs);
    const files = new Set(Object.keys(FILES.head));
    for (const run of log.runs) {
      const rules = run.tool.driver.rules ?? [];
      expect((run.results ?? []).length).toBeLessThanOrEqual(GITHUB_SARIF_LIMITS.resultsPerRun);
      for (const rule of rules) expect((rule.properties?.tags ?? []).length).toBeLessThanOrEqual(GITHUB_SARIF_LIMITS.tagsPerRule);
      for (const r of run.results ?? []) {
        expect(r.message.text).toBeTruthy();
        expect(rules.some((rule) => rule.id === r.ruleId)).toBe(true);
        if (r.ruleIndex !== undefined) expect(rules[r.ruleIndex]!.id).toBe(r.ruleId);
        expect(['error', 'warning', 'note']).toContain(r.level);
        expect(Object.keys(r.partialFingerprints ?? {}).length).toBeGreaterThan(0);
        expect(r.locations!.length).toBeGreaterThan(0);
        for (const loc of r.locations!) {
          const art = loc.physicalLocation!.artifactLocation!;
          expect(art.uriBaseId).toBe('%SRCROOT%');
          expect(files.has(decodeURIComponent(art.uri!))).toBe(true);
          expect(art.uri).not.toMatch(/[ ü]/);
        }
      }
    }
    // Security rules carry the severity GitHub ranks by.
    for (const rule of log.runs[1]!.tool.driver.rules!) expect(Number(rule.properties!['security-severity'])).toBeGreaterThan(0);
  });

  it('fingerprints do not depend on the line: the same finding moved down keeps its fingerprint', () => {
    const finding = (line: number): Log => ({ version: '2.1.0', runs: [{ tool: { driver: { name: 'tourney-security', rules: [{ id: 'r' }] } }, results: [{ ruleId: 'r', level: 'error', message: { text: 'm' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'a.js' }, region: { startLine: line, snippet: { text: 'exec(x)' } } } }] }] }] });
    const fp = (line: number) => mergeSarif({ lint: null, security: finding(line) }).runs[1]!.results![0]!.partialFingerprints;
    expect(fp(3)).toEqual(fp(30));
    expect(fp(3)).not.toEqual(mergeSarif({ lint: null, security: { ...finding(3), runs: [{ ...finding(3).runs[0]!, results: [{ ...finding(3).runs[0]!.results![0]!, ruleId: 'other' }] }] } }).runs[1]!.results![0]!.partialFingerprints);
  });

  it('drops locations that are absolute or leave the repository (a hostile file name cannot point elsewhere)', () => {
    const at = (uri: string): Log => ({ version: '2.1.0', runs: [{ tool: { driver: { name: 't', rules: [{ id: 'r' }] } }, results: [{ ruleId: 'r', message: { text: 'm' }, locations: [{ physicalLocation: { artifactLocation: { uri } } }] }] }] });
    for (const uri of ['/etc/passwd', 'file:///etc/passwd', 'https://evil.example/x.js', '../outside.js', 'a/../../b.js', '\\\\host\\share'])
      expect(mergeSarif({ lint: null, security: at(uri) }).runs[1]!.results, uri).toEqual([]);
    expect(mergeSarif({ lint: null, security: at('src/ok.js') }).runs[1]!.results).toHaveLength(1);
  });

  it('the only candidate (tourney gate) is reported even when it failed; several entrants and no winner give empty runs', async () => {
    const alone = { ...result, winner: null, winnerBranch: null, entrants: [winner] };
    const one = await buildCiSarif(alone);
    expect(sarifSchemaErrors(one)).toBe('');
    expect(allResults(one).length).toBeGreaterThan(0);
    const none = await buildCiSarif({ ...result, winner: null, winnerBranch: null });
    expect(sarifSchemaErrors(none)).toBe('');
    expect(none.runs).toHaveLength(2);
    expect(allResults(none)).toEqual([]);
  });

  it('the schema validator is real: a broken log is refused', async () => {
    const log = await buildCiSarif(result);
    const broken = JSON.parse(JSON.stringify(log)) as { runs: { results: { level: string }[] }[] };
    broken.runs[0]!.results[0]!.level = 'critical';
    expect(sarifSchemaErrors(broken)).toMatch(/level/);
  });
});
