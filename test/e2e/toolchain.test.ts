import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Engine } from '../../src/sandbox/engine.js';
import { execa } from 'execa';
import { cliResult } from '../support/cli.js';
import { DEFAULT_IMAGE } from '../../src/config/defaults.js';
import { ensureToolchain } from '../../src/prepare/toolchain.js';
import type { RunResult } from '../../src/types.js';
import { ensureTestImage, leftoverResources } from '../support/docker.js';

// Beyond Node: a Python repository with pytest, its interpreter and test runner installed from
// Debian's packages into a derived image (sandbox.packages), its venv made by the setup.

async function writeAll(root: string, files: Record<string, string>) {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

const BASE = {
  '.gitignore': '.venv/\n__pycache__/\n.pytest_cache/\n',
  'stats.py': 'def total(xs):\n    return sum(xs)\n',
  'tests/test_stats.py': 'from stats import total\n\n\ndef test_total():\n    assert total([1, 2, 3]) == 6\n',
  'tourney.config.yaml': 'sandbox:\n  packages: [python3, python3-pytest, python3-venv]\n  memory: 1g\n',
};

const SPEC = `---
title: Add mean
setup: python3 -m venv --system-site-packages .venv
test: .venv/bin/python -m pytest -q tests
hidden:
  files: acceptance/
  into: tourney-hidden
  test: .venv/bin/python -m pytest -q tourney-hidden
---
# Add mean
\`mean(xs)\` in stats.py returns the arithmetic mean of a non-empty list and raises ValueError for an empty one.
`;

const HIDDEN = [
  'import pytest',
  'from stats import mean',
  '',
  '',
  'def test_mean():',
  '    assert mean([1, 2, 3, 6]) == 3',
  '',
  '',
  'def test_empty():',
  '    with pytest.raises(ValueError):',
  '        mean([])',
  '',
].join('\n');

const CANDIDATES: Record<string, Record<string, string>> = {
  right: {
    'stats.py': 'def total(xs):\n    return sum(xs)\n\n\ndef mean(xs):\n    if not xs:\n        raise ValueError("mean of an empty list")\n    return total(xs) / len(xs)\n',
    'tests/test_mean.py': 'from stats import mean\n\n\ndef test_mean():\n    assert mean([2, 4]) == 3\n',
  },
  // Passes its own test, fails the hidden empty-list case.
  naive: {
    'stats.py': 'def total(xs):\n    return sum(xs)\n\n\ndef mean(xs):\n    return total(xs) / max(len(xs), 1)\n',
    'tests/test_mean.py': 'from stats import mean\n\n\ndef test_mean():\n    assert mean([2, 4]) == 3\n',
  },
};

describe('a pytest repository end to end, with Debian packages in a derived image', () => {
  let engine: Engine;
  let dir: string;
  let repo: string;
  let code: number;
  let result: RunResult;

  beforeAll(async () => {
    engine = await ensureTestImage();
    dir = await mkdtemp(join(tmpdir(), 'tourney-pytest-'));
    repo = join(dir, 'repo');
    await writeAll(repo, BASE);
    await writeAll(join(dir, 'spec'), { 'feature.md': SPEC, 'acceptance/test_accept.py': HIDDEN });
    const git = (...args: string[]) => execa('git', ['-c', 'user.name=f', '-c', 'user.email=f@x', ...args], { cwd: repo });
    await git('init', '-q', '-b', 'main');
    await git('add', '-A');
    await git('commit', '-qm', 'base');
    for (const [name, files] of Object.entries(CANDIDATES)) {
      await git('checkout', '-q', '-b', name, 'main');
      await writeAll(repo, files);
      await git('add', '-A');
      await git('commit', '-qm', name);
    }
    await git('checkout', '-q', 'main');
    const out = await cliResult('score', join(dir, 'spec', 'feature.md'), '--repo', repo, '--json', '--quiet', '--candidate', 'right=right', '--candidate', 'naive=naive');
    code = out.code;
    result = out.result!;
  }, 900_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('picks the right candidate, with pytest counts', () => {
    expect(code, JSON.stringify(result.entrants.map((e) => [e.name, e.checks.tests, e.checks.hiddenTests]))).toBe(0);
    expect(result.winner).toBe('right');
    const right = result.entrants.find((e) => e.name === 'right')!;
    expect(right.checks.tests, JSON.stringify(right.checks.tests)).toMatchObject({ passed: true });
    expect(right.checks.tests).toMatchObject({ passed: true, counts: { passed: 2, failed: 0 } });
    expect(right.checks.hiddenTests).toMatchObject({ passed: true, counts: { passed: 2, failed: 0 } });
    const naive = result.entrants.find((e) => e.name === 'naive')!;
    expect(naive.checks.hiddenTests).toMatchObject({ passed: false, counts: { passed: 1, failed: 1 } });
  });

  it('ran in a toolchain image derived from the sandbox image, with the venv from the setup', async () => {
    const env = result.environment!;
    expect(env.toolchain.packages).toEqual(['python3', 'python3-pytest', 'python3-venv']);
    expect(env.toolchain.image).toMatch(/^tourney-toolchain:[0-9a-f]{16}$/);
    expect(['built', 'reused']).toContain(env.status);
    const { stdout } = await execa('docker', ['run', '--rm', env.image, 'sh', '-c', 'cd /work/repo && id -u && .venv/bin/python -m pytest --version 2>&1 && which opencode']);
    expect(stdout).toMatch(/^10001\npytest \d+/);
    expect(stdout).toMatch(/\/usr\/local\/bin\/opencode/);
  });

  it('leaves no container or network behind', async () => {
    expect(await leftoverResources(engine)).toEqual([]);
  });
});

describe('sandbox.dockerfile', () => {
  it('builds FROM the tourney image; containers run as the sandbox user even when it ends as root', async () => {
    const engine = await ensureTestImage();
    const dir = await mkdtemp(join(tmpdir(), 'tourney-dockerfile-'));
    try {
      await writeFile(join(dir, 'Dockerfile'), 'ARG TOURNEY_IMAGE\nFROM ${TOURNEY_IMAGE}\nUSER root\nCOPY tool.sh /usr/local/bin/house-tool\nRUN chmod 755 /usr/local/bin/house-tool\n');
      await writeFile(join(dir, 'tool.sh'), '#!/bin/sh\necho house tool $(id -u)\n');
      const first = await ensureToolchain(engine, { sandboxImage: DEFAULT_IMAGE, packages: [], dockerfile: join(dir, 'Dockerfile'), onLine: () => undefined });
      expect(first.image).toMatch(/^tourney-toolchain:/);
      const again = await ensureToolchain(engine, { sandboxImage: DEFAULT_IMAGE, packages: [], dockerfile: join(dir, 'Dockerfile'), onLine: () => undefined });
      // Docker's layer cache: the same Dockerfile and context make the same image.
      expect(again.imageId).toBe(first.imageId);
      expect(again.built).toBe(false);
      const { Sandbox } = await import('../../src/sandbox/container.js');
      const sandbox = await Sandbox.create(engine, { image: first.image, runId: `dockerfile-${process.pid}`, role: 'test', name: `tourney-dockerfile-${process.pid}`, limits: { cpus: 1, memoryMb: 256, pids: 64 }, network: 'none' });
      try {
        const run = await sandbox.exec(['house-tool']);
        expect(run.stdout.trim()).toBe('house tool 10001');
      } finally {
        await sandbox.remove();
      }
      await writeFile(join(dir, 'Dockerfile'), 'FROM scratch-does-not-exist\n');
      const failed = await ensureToolchain(engine, { sandboxImage: DEFAULT_IMAGE, packages: [], dockerfile: join(dir, 'Dockerfile'), onLine: () => undefined }).catch((e: unknown) => e);
      expect(String((failed as Error).message)).toMatch(/sandbox\.dockerfile: building .*Dockerfile failed/);
      expect((failed as { exitCode?: number }).exitCode).toBe(3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
