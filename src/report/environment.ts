// The prepared environment in the report: what every container started from, and which entrants got their own.
import type { EntrantResult, RunResult } from '../types.js';
import { existingHref } from './files.js';
import { describeEnvironment } from '../prepare/describe.js';
import { formatDuration } from './format.js';

export interface EnvironmentView {
  /** One line for the header. */
  summary: string;
  image: string;
  keyFiles: string[];
  logHref: string | null;
  warnings: string[];
}

export interface EntrantEnvironmentView {
  /** "re-prepared for its dependency change (package.json): built in 2.4 s" */
  summary: string;
  failed: boolean;
  logHref: string | null;
}

export async function environmentView(r: RunResult, runDir: string): Promise<EnvironmentView | null> {
  const env = r.environment;
  if (!env) return null;
  const summary = describeEnvironment(env);
  return { summary, image: env.image, keyFiles: env.keyFiles, logHref: await existingHref(runDir, env.logPath), warnings: env.warnings };
}

export async function entrantEnvironmentView(runDir: string, e: EntrantResult): Promise<EntrantEnvironmentView | null> {
  const env = e.environment;
  if (!env?.reprepared) return null;
  const why = `its diff changes ${env.touched.join(', ')}`;
  const summary = env.status === 'failed'
    ? `Environment re-prepared because ${why}, and the setup failed: ${env.error ?? 'unknown error'}`
    : `Environment re-prepared because ${why}: ${env.status === 'reused' ? `reused ${env.image ?? ''} from an earlier run` : `setup ran in ${formatDuration(env.setupMs ?? 0)}, image ${env.image ?? ''}`}; its checks ran there`;
  // What its setup made outside the dependency folders is worth a reviewer's look: its own code ran there.
  const warnings = env.warnings?.length ? ` Setup: ${env.warnings.join(' ')}` : '';
  return { summary: summary + warnings, failed: env.status === 'failed', logHref: await existingHref(runDir, env.logPath) };
}
