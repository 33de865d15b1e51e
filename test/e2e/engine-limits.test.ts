// Limits the Docker engine cannot honour are the config's fault: refused before any container (and
// before a run dir), not blamed on every entrant's referee. Needs the engine, so it lives with the e2e tests.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { main } from '../../src/cli/main.js';

let repo: string;
let out: string;
beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), 'tourney-limits-'));
  await execa('git', ['init', '-q'], { cwd: repo });
  await writeFile(join(repo, 'feature.md'), '---\ntest: npm test\n---\n# Do it\n');
  await execa('git', ['add', '.'], { cwd: repo });
  await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'init'], { cwd: repo });
  out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((out += String(c)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((out += String(c)), true));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(repo, { recursive: true, force: true });
});

const run = (...args: string[]) => main(['node', 'tourney', ...args]);

describe('sandbox limits against the engine', () => {
  it.each([
    ['sandbox: { cpus: 1000 }', /key "sandbox\.cpus": 1000 is more than the Docker engine's \d+ CPUs/],
    ['sandbox: { memory: 1 }', /key "sandbox\.memory": 1 MB is below Docker's minimum of 6 MB/],
    ['sandbox: { memory: 100000g }', /key "sandbox\.memory": 102400000 MB is more than the Docker engine's \d+ MB/],
  ])('%s: validate fails at the limits step, run exits 2 before a run dir', async (yaml, message) => {
    await writeFile(join(repo, 'tourney.config.yaml'), `${yaml}\n`);
    const spec = join(repo, 'feature.md');
    expect(await run('validate', spec, '--repo', repo, '-m', 'scripted/demo-slugify-tidy')).toBe(2);
    expect(out).toMatch(/FAIL limits/);
    expect(out).toMatch(message);
    out = '';
    expect(await run('run', spec, '--repo', repo, '-m', 'scripted/demo-slugify-tidy', '-q')).toBe(2);
    expect(out).toMatch(message);
    expect(await readdir(repo)).not.toContain('.tourney');
  });
});
