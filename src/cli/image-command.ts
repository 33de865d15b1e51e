import { DEFAULT_IMAGE } from '../config/defaults.js';
import { connectDocker } from '../sandbox/docker.js';
import { buildSandboxImage } from '../sandbox/image.js';
import { formatMs } from '../format.js';

export async function buildImageCommand(options: { tag?: string; base?: string }): Promise<void> {
  const docker = await connectDocker();
  const tag = options.tag ?? DEFAULT_IMAGE;
  process.stderr.write(`building ${tag}...\n`);
  const built = await buildSandboxImage(docker, { tag, base: options.base, onProgress: (line: string) => process.stderr.write(`  ${line}\n`) });
  process.stderr.write(`built ${built.tag} from ${built.base} in ${formatMs(built.durationMs)}\n`);
}
