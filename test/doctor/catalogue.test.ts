import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cataloguePath, loadCatalogue } from '../../src/agents/catalogue.js';
import { opencodeBinaryPath, opencodeVersion } from '../../src/agents/opencode-kind.js';

// The real opencode binary on the host (not Docker): slow once (it starts `opencode serve`), then cached.
describe("opencode's provider catalogue", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tourney-catalogue-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('is read from the installed opencode once, then from the cache keyed by its version', async () => {
    const notes: string[] = [];
    const source = { binary: opencodeBinaryPath, version: opencodeVersion, dir, onNote: (n: string) => notes.push(n) };
    const cold = await loadCatalogue(source);
    expect(cold.problem).toBeUndefined();
    expect(cold.catalogue?.opencodeVersion).toBe(opencodeVersion());
    expect(cold.catalogue?.providers.anthropic?.env).toContain('ANTHROPIC_API_KEY');
    expect(cold.catalogue?.providers.anthropic?.models).toContain('claude-sonnet-4-5');
    expect(cold.catalogue?.providers.openai?.env).toContain('OPENAI_API_KEY');
    expect(existsSync(cataloguePath(opencodeVersion(), dir))).toBe(true);
    expect(notes).toHaveLength(1);

    // Cached: no opencode is started (a binary that does not exist would fail), and it is quick.
    const started = Date.now();
    const warm = await loadCatalogue({ ...source, binary: () => '/nonexistent/opencode' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(warm.catalogue).toEqual(cold.catalogue);
    expect(notes).toHaveLength(1);
  }, 120_000);
});
