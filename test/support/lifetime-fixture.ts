import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { createDemoRepo } from '../../src/demo/demo.js';

/** The demo project with a config of the caller's (YAML lines under `entrants:`, plus sandbox and top-level lines) and the lifetime scripts. */
export async function lifetimeRepo(entrants: string[], sandbox: string[] = [], top: string[] = []): Promise<string> {
  const repo = await createDemoRepo(await mkdtemp(join(tmpdir(), 'tourney-lifetime-')));
  await cp(fileURLToPath(new URL('../fixtures/lifetime-scripts', import.meta.url)), join(repo, 'lifetime-scripts'), { recursive: true });
  await writeFile(
    join(repo, 'tourney.config.yaml'),
    ['entrants:', ...entrants.map((l) => `  ${l}`), 'scripts: [./lifetime-scripts]', 'sandbox:', '  cpus: 1', '  memory: 1g', ...sandbox.map((l) => `  ${l}`), ...top, ''].join('\n'),
  );
  await execa('git', ['add', '-A'], { cwd: repo });
  await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'lifetime config'], { cwd: repo });
  return repo;
}
