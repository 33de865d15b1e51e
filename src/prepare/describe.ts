import { formatBytes, formatMs } from '../format.js';
import type { EnvironmentRecord } from './types.js';

/** One sentence on the run's environment, for the terminal and the report's header alike. */
export function describeEnvironment(env: EnvironmentRecord): string {
  const extras = [
    env.toolchain.packages.length ? `packages: ${env.toolchain.packages.join(', ')}` : '',
    env.toolchain.dockerfile ? `Dockerfile ${env.toolchain.dockerfile}` : '',
  ].filter(Boolean);
  const toolchain = extras.length ? `${env.toolchain.image} (${extras.join('; ')})` : env.toolchain.image;
  const added = env.addedBytes !== null ? `, ${formatBytes(env.addedBytes)} on top of ${toolchain}` : '';
  if (env.status === 'none') return `${toolchain}: the spec has no setup`;
  if (env.status === 'reused') return `reused ${env.image} from an earlier run (same image, setup and key files): the setup did not run${added}`;
  return `prepared ${env.image} in ${formatMs(env.durationMs)}: the setup ran once (${formatMs(env.setupMs)}) with network "${env.network}"${added}`;
}
