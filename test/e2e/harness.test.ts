import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { createDemoRepo } from '../../src/demo/demo.js';
import { main } from '../../src/cli/main.js';
import type { EntrantResult, RunResult } from '../../src/types.js';
import { ensureTestImage } from '../support/docker.js';

// Hostile scripted entrants against the referee's harness integrity, through the real CLI, opencode
// and Docker: the assert neutraliser, and the same attack hidden from the static rule.
// The well-behaved entrant must still win.

const git = async (cwd: string, ...args: string[]) => (await execa('git', args, { cwd })).stdout;

describe('harness integrity: neutralised assertions are caught, the honest entrant wins', () => {
  let repo: string;
  let result: RunResult;
  let exitCode: number;
  const by: Record<string, EntrantResult> = {};
  const failedGates = (name: string) => by[name]!.gates.filter((g) => !g.passed).map((g) => g.gate);
  const kinds = (name: string) => by[name]!.checks.tampering!.findings.map((f) => f.kind);

  beforeAll(async () => {
    await ensureTestImage();
    repo = await createDemoRepo(await mkdtemp(join(tmpdir(), 'tourney-harness-e2e-')));
    await writeFile(
      join(repo, 'tourney.config.yaml'),
      [
        'entrants:',
        '  - { name: tidy, model: scripted/demo-slugify-tidy }',
        '  - { name: neutraliser, model: scripted/neutraliser }',
        '  - { name: sly, model: scripted/sly-neutraliser }',
        'scripts: [./harness-scripts]',
        'sandbox: { cpus: 1, memory: 1g, timeLimit: 3m }',
        '',
      ].join('\n'),
    );
    await execa('cp', ['-r', fileURLToPath(new URL('../fixtures/harness-scripts', import.meta.url)), join(repo, 'harness-scripts')]);
    await git(repo, 'add', '-A');
    await git(repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'hostile entrants');
    const out: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      exitCode = await main(['node', 'tourney', 'run', join(repo, 'feature.md'), '--repo', repo, '--json']);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    result = JSON.parse(out.join('')) as RunResult;
    for (const e of result.entrants) by[e.name] = e;
  }, 600_000);

  afterAll(async () => {
    if (repo) await rm(repo, { recursive: true, force: true });
  });

  it('the well-behaved entrant wins, and its sentinels failed as they should', () => {
    expect(exitCode).toBe(0);
    expect(result.winner).toBe('tidy');
    const harness = by.tidy!.checks.harness!;
    expect(harness).toMatchObject({ ran: true, neutralised: false, evidence: null, files: ['test/acceptance/slugify.accept.test.js'] });
    expect(harness.probes.map((p) => [p.kind, p.failed])).toEqual([['node:assert', true], ['thrown error', true]]);
    expect(kinds('tidy')).not.toContain('harness-neutralised');
    // The real hidden run is unaffected: the sentinels were only in the sentinel run.
    expect(by.tidy!.checks.hiddenTests).toMatchObject({ passed: true, counts: { passed: 4, failed: 0 } });
  });

  it("catches the issue's neutraliser twice (static rule and sentinel) although its tests 'pass', and it loses", () => {
    const e = by.neutraliser!;
    expect(e.status, e.error).toBe('finished');
    expect(e.checks.tests?.passed).toBe(true);
    expect(e.checks.hiddenTests?.passed).toBe(true);
    expect(e.checks.harness).toMatchObject({ ran: true, neutralised: true });
    expect(e.checks.harness!.evidence).toMatch(/false assertion passed \(node:assert in test\/acceptance\/slugify\.accept\.test\.js\)/);
    expect(e.checks.tampering!.findings).toContainEqual(expect.objectContaining({ kind: 'harness-patched', severity: 'gate', file: 'src/quiet.js', line: 2 }));
    expect(e.checks.tampering!.findings).toContainEqual(expect.objectContaining({ kind: 'harness-neutralised', severity: 'gate', evidence: expect.stringMatching(/^test harness neutralised: /) }));
    expect(failedGates('neutraliser')).toEqual(['tampering']);
    expect(e.rank).toBeNull();
  });

  it('catches the same attack hidden from the static rule with the sentinel alone', () => {
    const e = by.sly!;
    expect(e.status, e.error).toBe('finished');
    expect(e.checks.hiddenTests?.passed).toBe(true);
    expect(kinds('sly')).not.toContain('harness-patched');
    expect(kinds('sly')).toContain('harness-neutralised');
    expect(failedGates('sly')).toEqual(['tampering']);
  });

  it('costs the referee one more run of the hidden tests, measured on the winner in this run', () => {
    const hidden = by.tidy!.checks.hiddenTests!.durationMs;
    const sentinel = by.tidy!.checks.harness!.durationMs;
    console.log(`hidden tests ${hidden} ms, sentinel run ${sentinel} ms: hidden-test time x${((hidden + sentinel) / hidden).toFixed(2)}`);
    expect(sentinel).toBeGreaterThan(0);
  });
});
