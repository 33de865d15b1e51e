import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { main } from '../../src/cli/main.js';

let dir: string;
let stderr: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tourney-cli-'));
  stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

const run = (...args: string[]) => main(['node', 'tourney', ...args]);
const spec = '---\ntest: node --test\n---\n# Do a thing\n';

describe('tourney run: the repository and git, each named for what is wrong', () => {
  it('a --repo that does not exist', async () => {
    await writeFile(join(dir, 'feature.md'), spec);
    expect(await run('run', join(dir, 'feature.md'), '--repo', join(dir, 'nope'), '--model', 'scripted/x')).toBe(2);
    expect(stderr).toContain(`${join(dir, 'nope')}: no such directory (the repository, --repo)`);
  });

  it('a --repo that is a file', async () => {
    await writeFile(join(dir, 'feature.md'), spec);
    expect(await run('run', join(dir, 'feature.md'), '--repo', join(dir, 'feature.md'), '--model', 'scripted/x')).toBe(2);
    expect(stderr).toContain("is a file, expected the repository's directory (--repo)");
  });

  it('git missing from PATH is an environment problem (exit 3), not "not a git repository"', async () => {
    await writeFile(join(dir, 'feature.md'), spec);
    const saved = process.env.PATH;
    process.env.PATH = dir; // holds no git
    try {
      expect(await run('run', join(dir, 'feature.md'), '--repo', dir, '--model', 'scripted/x')).toBe(3);
    } finally {
      process.env.PATH = saved;
    }
    expect(stderr).toMatch(/git is not installed \(or not on PATH\)/);
    expect(stderr).not.toMatch(/not a git repository/);
  });
});

describe('tourney run: a malformed DOCKER_HOST is an environment problem', () => {
  it.each(['tcp://host:abc', 'tcp://:x'])('%s exits 3 naming DOCKER_HOST, with no stack', async (host) => {
    await execa('git', ['init', '-q'], { cwd: dir });
    await writeFile(join(dir, 'feature.md'), spec);
    await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'init'], { cwd: dir });
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = host;
    try {
      expect(await run('run', join(dir, 'feature.md'), '--repo', dir, '--model', 'scripted/demo-slugify-tidy', '-n', '1', '-q')).toBe(3);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
    expect(stderr).toContain(`DOCKER_HOST="${host}"`);
    expect(stderr).toMatch(/expected unix:\/\/\/var\/run\/docker\.sock, tcp:\/\/host:2376 or ssh:\/\/user@host/);
    expect(stderr).not.toMatch(/internal error|\n\s+at /);
  });
});

describe('tourney run: bad input exits 2 and says what is wrong', () => {
  it('names a missing spec file', async () => {
    await execa('git', ['init', '-q'], { cwd: dir });
    expect(await run('run', join(dir, 'nope.md'), '--repo', dir, '--model', 'scripted/x')).toBe(2);
    expect(stderr).toMatch(/nope\.md: no such file/);
  });

  it('refuses a directory that is not a git repository', async () => {
    await writeFile(join(dir, 'feature.md'), spec);
    expect(await run('run', join(dir, 'feature.md'), '--repo', dir, '--model', 'scripted/x')).toBe(2);
    expect(stderr).toMatch(/not a git repository/);
  });

  it('refuses a repository with no commit', async () => {
    await execa('git', ['init', '-q'], { cwd: dir });
    await writeFile(join(dir, 'feature.md'), spec);
    expect(await run('run', join(dir, 'feature.md'), '--repo', dir, '--model', 'scripted/x')).toBe(2);
    expect(stderr).toMatch(/no commit yet/);
  });

  it.each([
    [['--entrants', '0'], /--entrants.*whole number from 1 to 16.*"0"/],
    [['--entrants', 'three'], /--entrants.*"three"/],
    [['--model', 'gpt'], /--model.*provider\/model.*"gpt"/],
    [['--time-limit', 'soon'], /--time-limit.*duration.*"soon"/],
  ])('rejects %j', async (flags, message) => {
    expect(await run('run', 'feature.md', ...flags)).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('prints an error that quotes user input without its escape codes', async () => {
    await execa('git', ['init', '-q'], { cwd: dir });
    const hostile = join(dir, 'nope\x1b]52;c;ZXZpbA==\x07\x1b]0;title\x07\x1b[2J\r\x9b2J.md');
    expect(await run('run', hostile, '--repo', dir, '--model', 'scripted/x')).toBe(2);
    expect(stderr).toMatch(/nope\.md: no such file/);
    // eslint-disable-next-line no-control-regex -- the test is about control characters
    expect(stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  });

  it('rejects an unknown flag', async () => {
    expect(await run('run', 'feature.md', '--entrantz', '3')).toBe(2);
    expect(stderr).toMatch(/unknown option '--entrantz'/);
  });

  it('needs a model when there is no config', async () => {
    await execa('git', ['init', '-q'], { cwd: dir });
    await writeFile(join(dir, 'feature.md'), spec);
    await execa('git', ['add', '-A'], { cwd: dir });
    await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'init'], { cwd: dir });
    expect(await run('run', join(dir, 'feature.md'), '--repo', dir)).toBe(2);
    expect(stderr).toMatch(/--model/);
  });
});

describe('tourney report', () => {
  it('names a directory without result.json and says what it expected', async () => {
    expect(await run('report', dir)).toBe(2);
    expect(stderr).toMatch(/result\.json: no such file \(expected a tourney run directory/);
  });

  it('refuses a result.json from another schema version', async () => {
    await writeFile(join(dir, 'result.json'), JSON.stringify({ schemaVersion: 1 }));
    expect(await run('report', dir)).toBe(2);
    expect(stderr).toMatch(/key "schemaVersion": expected 2, got 1/);
  });
});
