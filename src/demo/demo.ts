import { cp, mkdtemp, mkdir, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { packagePath } from '../paths.js';
import { TourneyError } from '../errors.js';
import { runTournament } from '../run/tournament.js';
import type { Reporter } from '../run/events.js';
import type { RunResult } from '../types.js';

export interface DemoOptions {
  /** Where to create the sample project; a new temp dir by default. Must be empty if it exists. */
  dir?: string;
  signal?: AbortSignal;
}

/**
 * Creates the bundled sample project as a fresh git repository (with the spec and config committed,
 * as a user would have them) and runs the three scripted entrants on it.
 */
export async function createDemoRepo(dir?: string): Promise<string> {
  const target = dir ? resolve(dir) : await mkdtemp(join(tmpdir(), 'tourney-demo-'));
  await mkdir(target, { recursive: true });
  if ((await readdir(target)).length > 0) throw new TourneyError(`--dir ${target}: the directory is not empty; the demo needs a new or empty directory`);
  const source = packagePath('examples', 'demo');
  await cp(join(source, 'project'), target, { recursive: true });
  await cp(join(source, 'feature.md'), join(target, 'feature.md'));
  // Beside the spec, as a user would keep them; the snapshot leaves them out of every entrant's copy.
  await cp(join(source, 'acceptance'), join(target, 'acceptance'), { recursive: true });
  await cp(join(source, 'tourney.config.yaml'), join(target, 'tourney.config.yaml'));
  const git = (...args: string[]) =>
    execa('git', ['-c', 'user.name=tourney demo', '-c', 'user.email=demo@tourney.invalid', ...args], { cwd: target });
  await git('init', '-q', '-b', 'main');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'Sample project for the tourney demo');
  return target;
}

export async function runDemo(options: DemoOptions, reporter: Reporter): Promise<RunResult> {
  const repo = await createDemoRepo(options.dir);
  reporter.onEvent({ type: 'note', message: `demo project: ${repo}` });
  return runTournament({ repoDir: repo, specPath: join(repo, 'feature.md'), signal: options.signal }, reporter);
}
