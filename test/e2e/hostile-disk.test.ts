import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { createDemoRepo } from '../../src/demo/demo.js';
import { cliResult } from '../support/cli.js';
import { ensureTestImage } from '../support/docker.js';
import type { EntrantResult, RunResult } from '../../src/types.js';

// Scripted hostile entrants against the disk and size limits, on real Docker with the real opencode:
// one fills /tmp with 2 GB in 64 MB files, one commits a 30 MB random blob. Each also implements the
// feature, so only a limit can stop it. (One 2 GB file is stopped by fsize: test/sandbox/disk-limit.test.ts.)

const DISK_MB = 256;

describe('tourney run: disk and diff-size limits against hostile entrants', () => {
  let dir: string;
  let repo: string;
  let result: RunResult;
  let code: number;
  const by: Record<string, EntrantResult> = {};

  beforeAll(async () => {
    await ensureTestImage();
    dir = await mkdtemp(join(tmpdir(), 'tourney-hostile-disk-'));
    repo = await createDemoRepo(join(dir, 'repo'));
    await writeFile(join(repo, 'tourney.config.yaml'), [
      'entrants:',
      '  - name: tidy',
      '    model: scripted/demo-slugify-tidy',
      '  - name: disk-hog',
      '    model: scripted/disk-hog',
      '  - name: blob',
      '    model: scripted/blob',
      'scripts: [./disk-scripts]',
      'sandbox:',
      `  disk: ${DISK_MB}m`,
      '  memory: 1g',
      // Generous: on a loaded machine opencode's start alone can take a minute.
      '  timeLimit: 5m',
      '',
    ].join('\n'));
    await execa('cp', ['-r', fileURLToPath(new URL('../fixtures/disk-scripts', import.meta.url)), join(repo, 'disk-scripts')]);
    await execa('git', ['add', '-A'], { cwd: repo });
    await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'scripts'], { cwd: repo });
    const run = await cliResult('run', join(repo, 'feature.md'), '--repo', repo, '--json', '--quiet');
    code = run.code;
    result = run.result!;
    for (const e of result.entrants) by[e.name] = e;
    for (const e of result.entrants) console.log(`${e.name}: ${e.status}${e.error ? `: ${e.error}` : ''} (${e.durationMs} ms)`);
  }, 900_000);

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('the well-behaved entrant still wins', () => {
    expect(code).toBe(0);
    expect(result.winner).toBe('tidy');
  });

  it('stops the entrant that fills the disk with many files, with status disk-limit', () => {
    const e = by['disk-hog']!;
    expect(e.status).toBe('disk-limit');
    expect(e.error).toMatch(/over sandbox\.disk \(256 MiB\); not refereed/);
    expect(e.branch).toBeNull();
    expect(e.eligible).toBe(false);
    // How far it got before the watch caught it (in the message): well short of its 2 GB.
    const written = Number(/wrote ([\d.]+) (MiB|GiB)/.exec(e.error!)?.[1]) * (/GiB/.test(e.error!) ? 1024 : 1);
    expect(written).toBeLessThan(2048);
  });

  it('refuses the 30 MB blob: status diff-too-large, nothing refereed, no branch, no patch kept', async () => {
    const e = by.blob!;
    expect(e.status).toBe('diff-too-large');
    expect(e.error).toBe('its diff is larger than sandbox.maxDiff (4 MiB): not refereed, no branch');
    expect(e.branch).toBeNull();
    expect(e.checks.tests).toBeNull();
    expect((await stat(join(repo, '.tourney', 'runs', result.runId, 'entrants', 'blob', 'diff.patch'))).size).toBe(0);
    const branches = (await execa('git', ['branch', '--list', 'tourney/*'], { cwd: repo })).stdout;
    expect(branches).not.toMatch(/blob|disk-hog/);
    expect(await readFile(join(repo, '.tourney', 'runs', result.runId, 'report.html'), 'utf8')).toContain('status-diff-too-large');
  });
});
