import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { Engine } from '../../src/sandbox/engine.js';
import { Sandbox } from '../../src/sandbox/container.js';
import { runShell } from '../../src/sandbox/workspace.js';
import { tarOf } from '../../src/sandbox/tar.js';
import { SANDBOX_UID } from '../../src/sandbox/labels.js';
import { DEFAULT_IMAGE } from '../../src/config/defaults.js';
import { parseTestCounts } from '../../src/referee/counts.js';
import { ensureTestImage } from '../support/docker.js';

// A hostile test prints 20 MB before the runner's summary, in a real container through the same
// exec capture the referee uses: the counts at the end must survive.

describe('output capture in a container: a 20 MB flood before the summary', () => {
  let engine: Engine;
  let sandbox: Sandbox;
  beforeAll(async () => {
    engine = await ensureTestImage();
    sandbox = await Sandbox.create(engine, {
      image: DEFAULT_IMAGE,
      runId: `flood-${randomBytes(3).toString('hex')}`,
      role: 'referee:flood',
      name: `tourney-flood-${randomBytes(3).toString('hex')}`,
      limits: { cpus: 1, memoryMb: 512, pids: 128 },
      network: 'none',
    });
    const test = [
      "import { test } from 'node:test';",
      "import assert from 'node:assert/strict';",
      "test('floods the output', () => { const line = 'x'.repeat(1023) + '\\n'; for (let i = 0; i < 20 * 1024; i++) process.stdout.write(line); });",
      "test('then fails', () => assert.fail('after the flood'));",
      "test('and passes', () => assert.ok(true));",
      '',
    ].join('\n');
    await sandbox.putTar(await tarOf([{ name: 'repo/package.json', content: '{"type":"module"}' }, { name: 'repo/test/flood.test.js', content: test }], SANDBOX_UID), '/work');
  }, 600_000);
  afterAll(async () => {
    await sandbox?.remove();
  });

  it('keeps the head and the runner summary at the tail, with the dropped byte count between', async () => {
    const run = await runShell(sandbox, 'node --test', 120_000);
    expect(run.exitCode).toBe(1);
    expect(run.stdout.length).toBeLessThanOrEqual(8 * 1024 * 1024 + 200);
    const note = /\n\[tourney: (\d+) bytes of output dropped here\]\n/.exec(run.stdout);
    expect(Number(note?.[1])).toBeGreaterThan(12 * 1024 * 1024);
    expect(parseTestCounts(run.stdout)).toEqual({ passed: 2, failed: 1, skipped: 0 });
    expect(run.stdout).toContain('after the flood');
  });
});
