import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerOf } from '../../src/sandbox/docker.js';
import type { Engine } from '../../src/sandbox/engine.js';
import { Sandbox } from '../../src/sandbox/container.js';
import { diffOfStopped } from '../../src/sandbox/stopped.js';
import { DEFAULT_IMAGE } from '../../src/config/defaults.js';
import { ensureTestImage } from '../support/docker.js';

// Reading the changes of a killed entrant: its filesystem goes into a short-lived image and a fresh
// container reads the diff. The entrant wrote .git/ and its environment: neither may act there.

const runId = `stopped-${process.pid}-${Date.now()}`;
let engine: Engine;
const sandboxes: Sandbox[] = [];

beforeAll(async () => {
  engine = await ensureTestImage();
}, 600_000);
afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.remove()));
});

describe('the diff of a stopped entrant', () => {
  it('runs none of the entrant\'s git drivers, and keeps its environment out of the snapshot', async () => {
    const s = await Sandbox.create(engine, {
      image: DEFAULT_IMAGE, runId, role: 'stopped-test', name: `tourney-${runId}-entrant`, network: 'none',
      limits: { cpus: 1, memoryMb: 512, pids: 128 }, env: { PROVIDER_KEY: 'sk-very-secret' }, autoRemove: false,
    });
    sandboxes.push(s);
    const setup = [
      'set -e; mkdir -p /work/repo; cd /work/repo; git init -q',
      "printf 'honest\\n' > a.txt; git add a.txt; git -c user.name=t -c user.email=t@t commit -qm base",
      // The entrant's own work, plus a clean filter that would rewrite what is read, and read the environment.
      "printf 'honest change\\n' > a.txt",
      "printf '* filter=evil diff=evil\\n' > .gitattributes",
      'git config filter.evil.clean "sh -c \'echo EVIL-\\$PROVIDER_KEY\'"',
      'git config diff.evil.textconv "sh -c \'echo EVIL-TEXTCONV\'"',
      'git rev-parse HEAD',
    ].join('\n');
    const made = await s.exec(['sh', '-c', setup], { user: 'tourney' });
    expect(made.exitCode, made.stdout + made.stderr).toBe(0);
    const base = made.stdout.trim().split('\n').at(-1)!;
    await s.kill();
    const patch = await diffOfStopped(s, base, 60_000);
    expect(patch).toContain('+honest change');
    expect(patch).toContain('.gitattributes');
    expect(patch).not.toContain('EVIL');
    expect(patch).not.toContain('sk-very-secret');
    // The snapshot image is gone, and no image of this run keeps the key.
    const images = await dockerOf(engine).listImages({ filters: JSON.stringify({ reference: ['tourney-stopped'] }) });
    for (const image of images) {
      const env = (await dockerOf(engine).getImage(image.Id).inspect()).Config.Env ?? [];
      expect(env.join('\n')).not.toContain('sk-very-secret');
    }
  });
});
