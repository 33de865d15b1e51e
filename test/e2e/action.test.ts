// The GitHub Action's shell steps, run here with the GitHub variables set (uses: steps skipped), on a
// real tournament: the demo project with two scripted entrants (no judge, to stay fast), real Docker.
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoRepo } from '../../src/demo/demo.js';
import { packagePath } from '../../src/paths.js';
import type { RunResult } from '../../src/types.js';
import { runActionLocally, type ActionRun } from '../support/action-runner.js';
import { ensureTestImage } from '../support/docker.js';
import { junitXsdErrors, sarifSchemaErrors } from '../outputs/validators.js';

const CONFIG = `entrants:
  - name: tidy
    model: scripted/demo-slugify-tidy
  - name: hasty
    model: scripted/demo-slugify-hasty
sandbox:
  cpus: 1
  memory: 1g
  timeLimit: 3m
`;

describe('action.yml, its shell steps run locally as the GitHub runner would', () => {
  const dirs: string[] = [];
  let repo: string;
  let run: ActionRun;

  beforeAll(async () => {
    await ensureTestImage();
    repo = await createDemoRepo(await mkdtemp(join(tmpdir(), 'tourney-action-')));
    dirs.push(repo);
    // A config of its own beside the demo's, so the repository stays as committed.
    await writeFile(join(repo, '..', `${repo.split('/').pop()}-ci.yaml`), CONFIG);
    const temp = await mkdtemp(join(tmpdir(), 'tourney-runner-'));
    dirs.push(temp, join(repo, '..', `${repo.split('/').pop()}-ci.yaml`));
    // The action's own checkout is this package (already built by the test setup's `npm run build`, or built here).
    run = await runActionLocally(packagePath(), {
      workspace: repo, temp,
      inputs: { command: 'run', spec: 'feature.md', config: join(repo, '..', `${repo.split('/').pop()}-ci.yaml`) },
    });
  }, 600_000);

  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('runs every shell step and skips only the uses: steps; the action exits with tourney\'s code', () => {
    const diagnostics = run.steps.map((s) => `${s.name}: ${s.skipped ? 'skipped' : s.exitCode}\n${s.stderr.slice(-2000)}`).join('\n');
    expect(run.steps.filter((s) => s.skipped).map((s) => s.name)).toEqual(['Set up Node.js', 'Upload the report and CI outputs', 'Upload SARIF to code scanning']);
    expect(run.steps.every((s) => s.skipped || s.exitCode === 0), diagnostics).toBe(true);
    expect(run.exitCode).toBe(0);
    expect(run.outputs['exit-code']).toBe('0');
  });

  it('sets the outputs from the run: winner, branch, score, report, result, passed', async () => {
    const result = JSON.parse(await readFile(run.outputs.result!, 'utf8')) as RunResult;
    expect(run.outputs).toMatchObject({
      winner: result.winner, branch: result.winnerBranch, report: result.reportPath, passed: 'true',
      score: String(result.entrants.find((e) => e.name === result.winner)!.score!.total),
    });
    expect(result.winner).toBeTruthy();
    await access(run.outputs.report!);
    expect(run.steps.find((s) => s.name === 'Run tourney')!.outputs['run-dir']).toBe(result.runDir);
  });

  it('writes the step summary, a valid JUnit file and a valid SARIF log', async () => {
    expect(run.summary).toContain('| Rank | Entrant |');
    expect(run.summary).toContain(`**Winner: ${run.outputs.winner}**`);
    const junit = await readFile(run.outputs.junit!, 'utf8');
    expect(XMLValidator.validate(junit)).toBe(true);
    expect(await junitXsdErrors(junit)).toBe('');
    expect(sarifSchemaErrors(JSON.parse(await readFile(run.outputs.sarif!, 'utf8')))).toBe('');
    expect(await readFile(run.outputs.markdown!, 'utf8')).toContain('| Rank | Entrant |');
  });

  it('command gate: the promoted winner of that run passes --require-winner auto and every gate (exit 0), with its outputs', async () => {
    const result = JSON.parse(await readFile(run.outputs.result!, 'utf8')) as RunResult;
    const temp = await mkdtemp(join(tmpdir(), 'tourney-runner-'));
    dirs.push(temp);
    const gate = await runActionLocally(packagePath(), {
      workspace: repo, temp, only: ['Install tourney', 'Run tourney', "Exit with tourney's code"],
      inputs: { command: 'gate', spec: 'feature.md', config: join(repo, '..', `${repo.split('/').pop()}-ci.yaml`), head: result.winnerBranch!, base: result.baseCommit, 'require-winner': 'auto' },
    });
    const diagnostics = gate.steps.map((s) => `${s.name}: ${s.exitCode}\n${s.stdout.slice(-1500)}\n${s.stderr.slice(-1500)}`).join('\n');
    expect(gate.exitCode, diagnostics).toBe(0);
    expect(gate.outputs['exit-code']).toBe('0');
    expect(gate.outputs.passed).toBe('true');
    const gated = JSON.parse(await readFile(gate.outputs.result!, 'utf8')) as RunResult;
    expect(gated.mode).toBe('gate');
    expect(gated.entrants[0]!.gates.find((g) => g.gate === 'winner')).toMatchObject({ passed: true });
    expect(gate.summary).toContain('| Rank | Entrant |');
    expect(await junitXsdErrors(await readFile(gate.outputs.junit!, 'utf8'))).toBe('');
  }, 600_000);

  it('a hostile spec input is a file name, never shell: bad input (exit 2), nothing run', async () => {
    const temp = await mkdtemp(join(tmpdir(), 'tourney-runner-'));
    dirs.push(temp);
    const hostile = await runActionLocally(packagePath(), {
      workspace: repo, temp, only: ['Install tourney', 'Run tourney', "Exit with tourney's code"],
      inputs: { command: 'gate', spec: '$(touch pwned)`touch pwned2`;touch pwned3.md', head: '"; touch pwned4; "' },
    });
    expect(hostile.exitCode).toBe(2);
    for (const f of ['pwned', 'pwned2', 'pwned3.md', 'pwned4']) await expect(access(join(repo, f))).rejects.toThrow();
  }, 120_000);

  it('an unknown command input is bad input (exit 2)', async () => {
    const temp = await mkdtemp(join(tmpdir(), 'tourney-runner-'));
    dirs.push(temp);
    const bad = await runActionLocally(packagePath(), { workspace: repo, temp, only: ['Install tourney', 'Run tourney', "Exit with tourney's code"], inputs: { command: 'deploy', spec: 'feature.md' } });
    expect(bad.exitCode).toBe(2);
    expect(bad.steps.find((s) => s.name === 'Run tourney')!.stdout).toContain('input command: expected gate or run, got "deploy"');
  }, 60_000);

  it('without a reachable Docker engine the Docker step fails with a clear error (exit 3)', async () => {
    const temp = await mkdtemp(join(tmpdir(), 'tourney-runner-'));
    dirs.push(temp);
    const noDocker = await runActionLocally(packagePath(), { workspace: repo, temp, only: ['Check Docker'], env: { DOCKER_HOST: `unix://${join(temp, 'no-such.sock')}` }, inputs: { spec: 'feature.md' } });
    expect(noDocker.exitCode).toBe(3);
    expect(noDocker.steps.find((s) => s.name === 'Check Docker')!.stdout).toContain('::error title=tourney::Docker is not reachable');
  }, 60_000);
});
