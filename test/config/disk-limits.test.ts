import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { checkDiffSize, DiffTooLarge, formatBytes } from '../../src/diff-limit.js';

let repo: string;
beforeEach(async () => { repo = await mkdtemp(path.join(os.tmpdir(), 'tourney-disk-config-')); });
afterEach(() => rm(repo, { recursive: true, force: true }));

const load = async (sandbox: string) => {
  await writeFile(path.join(repo, 'tourney.config.yaml'), `sandbox: ${sandbox}\n`);
  return loadConfig(repo, { model: 'a/b' });
};
const error = (sandbox: string) => load(sandbox).then(() => '', (e: unknown) => (e as Error).message);

describe('sandbox.disk and sandbox.maxDiff', () => {
  it('default to 2 GiB of disk and 4 MiB of diff', async () => {
    const c = await load('{}');
    expect(c.sandbox.diskMb).toBe(2048);
    expect(c.sandbox.maxDiffBytes).toBe(4 * 1024 * 1024);
  });

  it('read sizes like memory', async () => {
    const c = await load('{ disk: 10g, maxDiff: 16m }');
    expect(c.sandbox.diskMb).toBe(10240);
    expect(c.sandbox.maxDiffBytes).toBe(16 * 1024 * 1024);
  });

  it.each([
    ['{ disk: 10m }', 'key "sandbox.disk": expected at least "64m"'],
    ['{ disk: lots }', 'key "sandbox.disk": expected a size like "512m" or "2g", or a number of MB'],
    ['{ maxDiff: -1 }', 'key "sandbox.maxDiff": expected a size like "512m" or "2g", or a number of MB'],
  ])('refuse %s', async (sandbox, message) => {
    expect(await error(sandbox)).toContain(message);
  });

  it('refuse a patch over the cap, counting bytes not characters', () => {
    expect(checkDiffSize('a'.repeat(10), 10)).toHaveLength(10);
    expect(() => checkDiffSize('é'.repeat(6), 10)).toThrow(DiffTooLarge);
    expect(new DiffTooLarge(4 * 1024 * 1024).message).toBe('its diff is larger than sandbox.maxDiff (4 MiB): not refereed, no branch');
    expect([formatBytes(300 * 1024 * 1024), formatBytes(2.5 * 1024 ** 3), formatBytes(1000)]).toEqual(['300 MiB', '2.5 GiB', '1 KiB']);
  });
});
