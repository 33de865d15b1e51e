import { execFileSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { DockerEngine, dockerOf } from '../../src/sandbox/docker.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TourneyError } from '../../src/errors.js';
import {
  LOCAL_BASE_IMAGE,
  OPENCODE_VERSION_LABEL,
  buildSandboxImage,
  chooseBaseImage,
  ensureSandboxImage,
  imageExists,
  makeBaseScript,
} from '../../src/sandbox/image.js';
import { opencodeVersion } from '../../src/agents/opencode-kind.js';
import { sandboxImageContents } from '../../src/agents/kinds.js';
import type { ImageFile } from '../../src/agents/kind.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const engine = new DockerEngine();
// A tag of its own, so every run really goes through buildSandboxImage (layers are cached).
const TAG = 'tourney-sandbox:test';

const created = new Set<string>();
const { files, buildArgs } = sandboxImageContents(TAG, ['opencode']);

/**
 * Runs a command in a fresh, network-less container of the test image and removes it. Not a TTY:
 * the Engine API would hand back a TTY log that looks like JSON already parsed.
 */
async function run(cmd: string, timeoutMs = 30_000): Promise<{ code: number; stdout: string; stderr: string }> {
  const container = await dockerOf(engine).createContainer({ Image: TAG, Cmd: ['bash', '-c', cmd], HostConfig: { NetworkMode: 'none' } });
  created.add(container.id);
  const timer = setTimeout(() => void container.kill().catch(() => {}), timeoutMs);
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const stream = await container.logs({ stdout: true, stderr: true, follow: true });
    const out = new PassThrough();
    const err = new PassThrough();
    const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
    out.on('data', (c: Buffer) => chunks.out.push(c));
    err.on('data', (c: Buffer) => chunks.err.push(c));
    dockerOf(engine).modem.demuxStream(stream, out, err);
    await new Promise((resolve) => stream.on('end', resolve));
    const text = (b: Buffer[]): string => Buffer.concat(b).toString('utf8').trim();
    return { code: StatusCode, stdout: text(chunks.out), stderr: text(chunks.err) };
  } finally {
    clearTimeout(timer);
    await container.remove({ force: true });
    created.delete(container.id);
  }
}

describe('sandbox image', () => {
  const progress: string[] = [];
  let base = '';

  beforeAll(async () => {
    if (!(await imageExists(engine, LOCAL_BASE_IMAGE))) {
      // Slow (debootstrap, ~35-50 s) but only once per machine.
      execFileSync(makeBaseScript(), [], { stdio: 'inherit' });
    }
    const result = await buildSandboxImage(engine, {
      tag: TAG,
      base: LOCAL_BASE_IMAGE,
      files,
      buildArgs,
      onProgress: (line) => progress.push(line),
    });
    base = result.base;
  }, 600_000);

  afterAll(async () => {
    // A timed-out test leaves its run() pending: remove its container here.
    for (const id of created) await dockerOf(engine).getContainer(id).remove({ force: true }).catch(() => {});
    // Untags only: the layers stay cached and shared with tourney-sandbox:local.
    if (await imageExists(engine, TAG)) await dockerOf(engine).getImage(TAG).remove();
  });

  it('builds from the local base and reports progress', async () => {
    expect(base).toBe(LOCAL_BASE_IMAGE);
    expect(progress.some((line) => line.startsWith('Successfully tagged'))).toBe(true);
    const info = await dockerOf(engine).getImage(TAG).inspect();
    expect(info.Config.Labels?.[OPENCODE_VERSION_LABEL]).toBe(opencodeVersion());
    expect(info.Config.Labels?.['org.opencontainers.image.title']).toBe('tourney-sandbox');
  });

  it('runs the pinned opencode', async () => {
    const { code, stdout } = await run('opencode --version');
    expect(code).toBe(0);
    expect(stdout).toBe(opencodeVersion());
  });

  it('has git, node and ripgrep', async () => {
    const { code, stdout } = await run('git --version && node --version && rg --version');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^git version \d/m);
    expect(stdout).toMatch(/^v\d+\.\d+\.\d+$/m);
    expect(stdout).toMatch(/^ripgrep \d/m);
  });

  it('runs as uid 10001 with a writable /work and a configured git', async () => {
    const { code, stdout, stderr } = await run(
      'id -u && pwd && echo $HOME && git init -q && echo hi > f && git add f && git commit -qm init && git log --format=%an',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.split('\n')).toEqual(['10001', '/work', '/home/tourney', 'tourney']);
  });

  it('pre-satisfies the opencode plugin install', async () => {
    const { code, stdout } = await run('cat ~/.config/opencode/package-lock.json && test -d ~/.config/opencode/node_modules');
    expect(code).toBe(0);
    expect(JSON.parse(stdout).packages[''].dependencies).toEqual({ '@opencode-ai/plugin': opencodeVersion() });
  });

  it('ensureSandboxImage does not rebuild an up-to-date image', async () => {
    const result = await ensureSandboxImage(engine, { tag: TAG, files, buildArgs });
    expect(result.built).toBe(false);
  });

  it('carries every agent file at its image path, executable, and rebuilds when the set changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tourney-image-'));
    const script = join(dir, 'extra-agent');
    writeFileSync(script, '#!/bin/sh\necho extra agent "$@"\n', { mode: 0o644 });
    const extra: ImageFile = { hostPath: script, imagePath: '/usr/local/bin/extra-agent', version: '1.2.3' };
    const rebuilt = await ensureSandboxImage(engine, { tag: TAG, files: [...files, extra], buildArgs });
    expect(rebuilt.built).toBe(true);
    // The host file is 0644: the 0755 in the image comes from the context tar.
    const { code, stdout } = await run('extra-agent hi && opencode --version && stat -c %a /usr/local/bin/extra-agent');
    expect(code).toBe(0);
    expect(stdout.split('\n')).toEqual(['extra agent hi', opencodeVersion(), '755']);
    expect((await ensureSandboxImage(engine, { tag: TAG, files: [...files, extra], buildArgs })).built).toBe(false);
    expect((await ensureSandboxImage(engine, { tag: TAG, files: [...files, { ...extra, version: '1.2.4' }], buildArgs })).built).toBe(true);
  }, 600_000);

  it('chooseBaseImage: explicit, then TOURNEY_BASE_IMAGE, then the local base', async () => {
    const saved = process.env.TOURNEY_BASE_IMAGE;
    try {
      delete process.env.TOURNEY_BASE_IMAGE;
      expect(await chooseBaseImage(engine, 'debian:whatever')).toBe('debian:whatever');
      expect(await chooseBaseImage(engine)).toBe(LOCAL_BASE_IMAGE);
      process.env.TOURNEY_BASE_IMAGE = 'from-env:1';
      expect(await chooseBaseImage(engine)).toBe('from-env:1');
      expect(await chooseBaseImage(engine, 'flag:2')).toBe('flag:2');
    } finally {
      if (saved === undefined) delete process.env.TOURNEY_BASE_IMAGE;
      else process.env.TOURNEY_BASE_IMAGE = saved;
    }
  });

  it('a missing base that cannot be pulled points at make-base.sh', async () => {
    const attempt = buildSandboxImage(engine, { tag: 'tourney-sandbox:never', base: 'tourney-no-such-base:0', files, buildArgs });
    await expect(attempt).rejects.toBeInstanceOf(TourneyError);
    await expect(attempt).rejects.toThrow(/make-base\.sh.*--base/s);
    expect(await imageExists(engine, 'tourney-sandbox:never')).toBe(false);
  });
});
