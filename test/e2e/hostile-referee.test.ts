import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Engine } from '../../src/sandbox/engine.js';
import { execa } from 'execa';
import { cliResult } from '../support/cli.js';
import type { EntrantResult, RunResult } from '../../src/types.js';
import { ensureTestImage, leftoverResources } from '../support/docker.js';
import { makeScoreFixture, type ScoreFixture } from '../support/score-fixture.js';
import { Sandbox } from '../../src/sandbox/container.js';
import { runShell } from '../../src/sandbox/workspace.js';
import { overlayTar } from '../../src/sandbox/overlay.js';
import { tarOf } from '../../src/sandbox/tar.js';
import { SANDBOX_UID } from '../../src/sandbox/labels.js';
import { DEFAULT_IMAGE } from '../../src/config/defaults.js';

// A reward-hacking entrant aimed at the referee itself: its code is wrong on the hidden cases (it only
// splits on spaces), and its visible tests start a detached process that outlives their run and, for two
// minutes, rewrites whatever hidden tests appear under test/acceptance into one that always passes and
// patches src/text.js into the right answer. It wins wherever the hidden tests run where the visible ones
// ran; the control below shows that. The referee gives the hidden tests a container of their own.

const KEEPER = `const fs = require('node:fs');
const pass = "import { test } from 'node:test';\\ntest('ok', () => {});\\n";
const end = Date.now() + 120000;
(function tick() {
  try { for (const f of fs.readdirSync('test/acceptance')) fs.writeFileSync('test/acceptance/' + f, pass); } catch {}
  try {
    const s = fs.readFileSync('src/text.js', 'utf8');
    const t = s.replace("text.split(' ').filter(Boolean).length", "text.split(/\\\\s+/).filter(Boolean).length");
    if (t !== s) fs.writeFileSync('src/text.js', t);
  } catch {}
  if (Date.now() < end) setTimeout(tick, 20);
})();
`;

const STARTER = `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

test('starts the keeper', () => {
  const child = spawn(process.execPath, ['src/keeper.cjs'], { detached: true, stdio: 'ignore' });
  child.unref();
  assert.ok(child.pid > 0);
});
`;

describe('tourney score: a visible-test run that leaves a process behind to rewrite the hidden tests', () => {
  let engine: Engine;
  let fixture: ScoreFixture;
  let result: RunResult;
  let code: number;
  const of = (name: string): EntrantResult => result.entrants.find((e) => e.name === name)!;

  beforeAll(async () => {
    engine = await ensureTestImage();
    fixture = await makeScoreFixture();
    const git = (...args: string[]) => execa('git', ['-c', 'user.name=fixture', '-c', 'user.email=f@x', ...args], { cwd: fixture.repo });
    await git('checkout', '-q', '-b', 'cand/keeper', 'cand/visible-only');
    await writeFile(join(fixture.repo, 'src/keeper.cjs'), KEEPER);
    await writeFile(join(fixture.repo, 'test/keeper.test.js'), STARTER);
    await git('add', '-A');
    await git('commit', '-qm', 'candidate keeper');
    await git('checkout', '-q', 'main');
    // No benchmarks: what is under test is the tests' containers.
    const spec = join(dirname(fixture.spec), 'feature-no-bench.md');
    await writeFile(spec, (await readFile(fixture.spec, 'utf8')).replace(/^bench:.*\n/m, ''));
    const run = await cliResult('score', spec, '--repo', fixture.repo, '--candidate', 'correct=cand/correct', '--candidate', 'keeper=cand/keeper', '--json', '--quiet');
    code = run.code;
    result = run.result!;
  }, 600_000);

  afterAll(async () => {
    await fixture?.cleanup();
  });

  it('control: in one shared container the keeper turns failing hidden tests into passing ones', async () => {
    const files = (await execa('git', ['ls-tree', '-r', '--name-only', 'cand/keeper'], { cwd: fixture.repo })).stdout.split('\n');
    const tree = await Promise.all(files.map(async (path) => ({
      name: `repo/${path}`,
      content: Buffer.from((await execa('git', ['show', `cand/keeper:${path}`], { cwd: fixture.repo, encoding: 'buffer' })).stdout),
    })));
    const sandbox = await Sandbox.create(engine, { image: DEFAULT_IMAGE, runId: 'hostile-control', role: 'referee:keeper', name: `tourney-hostile-control-${process.pid}`, limits: { cpus: 1, memoryMb: 1024, pids: 256 }, network: 'none', lifetimeSec: 300 });
    try {
      await sandbox.putTar(await tarOf(tree, SANDBOX_UID), '/work');
      const hidden = [{ hostPath: join(dirname(fixture.spec), 'acceptance'), repoPath: 'test/acceptance' }];
      // Fresh, the hidden tests fail this code: that is what the keeper has to undo.
      const fresh = await Sandbox.create(engine, { image: DEFAULT_IMAGE, runId: 'hostile-control', role: 'referee:keeper', name: `tourney-hostile-fresh-${process.pid}`, limits: { cpus: 1, memoryMb: 1024, pids: 256 }, network: 'none', lifetimeSec: 300 });
      try {
        await fresh.putTar(await tarOf(tree, SANDBOX_UID), '/work');
        await fresh.putTar(await overlayTar(hidden), '/work/repo');
        expect((await runShell(fresh, 'node --test test/acceptance/', 60_000)).exitCode).not.toBe(0);
      } finally {
        await fresh.remove();
      }
      expect((await runShell(sandbox, 'node --test test/', 60_000)).exitCode).toBe(0);
      await sandbox.putTar(await overlayTar(hidden), '/work/repo');
      await new Promise((r) => setTimeout(r, 1000));
      const rerun = await runShell(sandbox, 'node --test test/acceptance/', 60_000);
      expect(rerun.exitCode).toBe(0);
    } finally {
      await sandbox.remove();
    }
  }, 120_000);

  it('the keeper ran in the referee: its visible tests (with the starter) passed', async () => {
    expect(code).toBe(0);
    expect(of('keeper').checks.tests?.passed).toBe(true);
    expect(await readFile(join(result.runDir, of('keeper').checks.tests!.logPath!), 'utf8')).toContain('starts the keeper');
  });

  it('its hidden tests still fail, it is out on that gate, and the correct candidate wins', () => {
    const keeper = of('keeper');
    expect(keeper.checks.hiddenTests?.passed).toBe(false);
    expect(keeper.checks.hiddenTests?.counts?.failed).toBeGreaterThan(0);
    expect(keeper.gates.filter((g) => !g.passed).map((g) => g.gate)).toContain('hiddenTests');
    expect(keeper.eligible).toBe(false);
    expect(result.winner).toBe('correct');
  });

  it('leaves no container behind', async () => {
    // Only this file's: other suites may be running on the same engine.
    const ours = (await leftoverResources(engine)).filter((n) => n.includes(result.runId) || n.includes(`-hostile-`));
    expect(ours).toEqual([]);
  });
});
