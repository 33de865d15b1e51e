// `tourney validate` before Docker: each failure names its step and nothing is created.
import { describe, expect, it } from 'vitest';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useCliHarness } from '../support/cli-harness.js';

const cli = useCliHarness({ prefix: 'validate', files: { 'feature.md': '---\ntest: npm test\n---\n# Do it\n' } });
const run = cli.run;
type Report = { ok: boolean; steps: { name: string; ok: boolean; detail: string; exitCode?: number }[] };

describe('tourney validate', () => {
  it.each([
    ['spec', ['validate', 'missing.md'], /missing\.md: no such file/],
    ['config', ['validate', 'feature.md'], /no model was given/],
    ['config', ['validate', 'feature.md', '--config', 'bad.yaml'], /key "sandbox\.cpus": expected a number > 0/],
    ['models', ['validate', 'feature.md', '-m', 'anthropic/claude-sonnet-4-5'], /ANTHROPIC_API_KEY.* are unset or empty/],
  ])('stops at the %s step with exit 2 and creates nothing', async (stepName, args, detail) => {
    await writeFile(join(cli.dir, 'bad.yaml'), 'sandbox: { cpus: -1 }\n');
    const saved = process.env.ANTHROPIC_API_KEY;
    delete process.env.ANTHROPIC_API_KEY;
    const cwd = process.cwd();
    process.chdir(cli.dir);
    try {
      expect(await run(...args, '--json')).toBe(2);
    } finally {
      process.chdir(cwd);
      if (saved !== undefined) process.env.ANTHROPIC_API_KEY = saved;
    }
    const report = JSON.parse(cli.stdout) as Report;
    expect(report.ok).toBe(false);
    const failed = report.steps.at(-1)!;
    expect(failed).toMatchObject({ name: stepName, ok: false, exitCode: 2 });
    expect(failed.detail).toMatch(detail);
    expect(report.steps.slice(0, -1).every((s) => s.ok)).toBe(true);
    expect((await readdir(cli.dir)).sort()).toEqual(['.git', 'bad.yaml', 'feature.md']);
  });

  it('an unreachable Docker engine is exit 3 at the docker step, after the inputs passed', async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'tcp://127.0.0.1:9';
    try {
      expect(await run('validate', join(cli.dir, 'feature.md'), '--repo', cli.dir, '-m', 'scripted/demo-slugify-tidy')).toBe(3);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
    expect(cli.stdout).toMatch(/^ok {3}spec .*\nok {3}repository .*\nok {3}config .*\nok {3}models .*\nFAIL docker +cannot reach the Docker engine/);
    expect(cli.stdout).toContain('not ready: fix the docker first (no container was started)');
  });
});
