import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../../src/sandbox/engine.js';
import { ensureTestImage } from '../support/docker.js';
import { Sandbox } from '../../src/sandbox/container.js';
import { prepareWorkspaceWithPatch, SANDBOX_USER, WORKDIR } from '../../src/sandbox/workspace.js';
import { tarOf } from '../../src/sandbox/tar.js';
import { SANDBOX_UID } from '../../src/sandbox/labels.js';
import { DEFAULT_IMAGE } from '../../src/config/defaults.js';

// The referee's one-exec copy: base committed, then the patch applied on top (uncommitted), or git's refusal.
describe('prepareWorkspaceWithPatch', () => {
  let engine: Engine;
  let dir: string;
  let baseTar: string;
  const PATCH = ['diff --git a/a.txt b/a.txt', '--- a/a.txt', '+++ b/a.txt', '@@ -1 +1 @@', '-one', '+two', ''].join('\n');

  beforeAll(async () => {
    engine = await ensureTestImage();
    dir = await mkdtemp(join(tmpdir(), 'tourney-wsp-'));
    baseTar = join(dir, 'base.tar');
    await writeFile(baseTar, await tarOf([{ name: 'repo/a.txt', content: 'one\n' }], SANDBOX_UID));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const inBox = async <T>(work: (box: Sandbox) => Promise<T>): Promise<T> => {
    const box = await Sandbox.create(engine, { image: DEFAULT_IMAGE, runId: 'wsp', role: 'referee:wsp', name: `tourney-wsp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`, limits: { cpus: 1, memoryMb: 512, pids: 128 }, network: 'none', lifetimeSec: 120 });
    try {
      return await work(box);
    } finally {
      await box.remove();
    }
  };
  const sh = (box: Sandbox, script: string) => box.exec(['sh', '-c', script], { user: SANDBOX_USER, workdir: WORKDIR, timeoutMs: 30_000 }).then((r) => r.stdout.trim());

  it('commits base and applies the patch over it', async () => {
    await inBox(async (box) => {
      expect(await prepareWorkspaceWithPatch(box, baseTar, PATCH)).toMatchObject({ ok: true });
      expect(await sh(box, 'cat a.txt')).toBe('two');
      expect(await sh(box, 'git show HEAD:a.txt')).toBe('one');
    });
  });

  it('says a patch that does not apply does not, with git\'s reason', async () => {
    await inBox(async (box) => {
      const applied = await prepareWorkspaceWithPatch(box, baseTar, PATCH.replace('-one', '-three'));
      expect(applied.ok).toBe(false);
      expect(applied.message).toMatch(/a\.txt/);
      expect(await sh(box, 'cat a.txt')).toBe('one');
    });
  });

  it('takes an empty patch as base unchanged', async () => {
    await inBox(async (box) => {
      expect(await prepareWorkspaceWithPatch(box, baseTar, '')).toEqual({ ok: true, message: 'empty patch' });
      expect(await sh(box, 'git status --porcelain')).toBe('');
    });
  });
});
