// `tourney validate` before Docker: each failure names its step and nothing is created.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { main } from '../../src/cli/main.js';

let repo: string;
let stdout: string;
beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), 'tourney-validate-'));
  await execa('git', ['init', '-q'], { cwd: repo });
  await writeFile(join(repo, 'feature.md'), '---\ntest: npm test\n---\n# Do it\n');
  await execa('git', ['add', '.'], { cwd: repo });
  await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'init'], { cwd: repo });
  stdout = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((stdout += String(c)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(repo, { recursive: true, force: true });
});

const run = (...args: string[]) => main(['node', 'tourney', ...args]);
type Report = { ok: boolean; steps: { name: string; ok: boolean; detail: string; exitCode?: number }[] };

describe('tourney validate', () => {
  it.each([
    ['spec', ['validate', 'missing.md'], /missing\.md: no such file/],
    ['config', ['validate', 'feature.md'], /no model was given/],
    ['config', ['validate', 'feature.md', '--config', 'bad.yaml'], /key "sandbox\.cpus": expected a number > 0/],
    ['models', ['validate', 'feature.md', '-m', 'anthropic/claude-sonnet-4-5'], /ANTHROPIC_API_KEY is unset or empty/],
  ])('stops at the %s step with exit 2 and creates nothing', async (stepName, args, detail) => {
    await writeFile(join(repo, 'bad.yaml'), 'sandbox: { cpus: -1 }\n');
    const saved = process.env.ANTHROPIC_API_KEY;
    delete process.env.ANTHROPIC_API_KEY;
    const cwd = process.cwd();
    process.chdir(repo);
    try {
      expect(await run(...args, '--json')).toBe(2);
    } finally {
      process.chdir(cwd);
      if (saved !== undefined) process.env.ANTHROPIC_API_KEY = saved;
    }
    const report = JSON.parse(stdout) as Report;
    expect(report.ok).toBe(false);
    const failed = report.steps.at(-1)!;
    expect(failed).toMatchObject({ name: stepName, ok: false, exitCode: 2 });
    expect(failed.detail).toMatch(detail);
    expect(report.steps.slice(0, -1).every((s) => s.ok)).toBe(true);
    expect((await readdir(repo)).sort()).toEqual(['.git', 'bad.yaml', 'feature.md']);
  });

  it('an unreachable Docker engine is exit 3 at the docker step, after the inputs passed', async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'tcp://127.0.0.1:9';
    try {
      expect(await run('validate', join(repo, 'feature.md'), '--repo', repo, '-m', 'scripted/demo-slugify-tidy')).toBe(3);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
    expect(stdout).toMatch(/^ok {3}spec .*\nok {3}repository .*\nok {3}config .*\nok {3}models .*\nFAIL docker +cannot reach the Docker engine/);
    expect(stdout).toContain('not ready: fix the docker first (no container was started)');
  });
});
