import Docker from 'dockerode';
import { execa } from 'execa';
import { DEFAULT_IMAGE } from '../../src/config/defaults.js';
import { ensureSandboxImage, imageExists, LOCAL_BASE_IMAGE } from '../../src/sandbox/image.js';
import { listManagedResources } from '../../src/sandbox/network.js';
import { packagePath } from '../../src/paths.js';

/**
 * The sandbox image every Docker suite shares: built once per machine (base first where no
 * registry is reachable), then reused from the engine's cache.
 */
export async function ensureTestImage(): Promise<Docker> {
  const docker = new Docker();
  await docker.ping();
  if (!(await imageExists(docker, DEFAULT_IMAGE)) && !(await imageExists(docker, LOCAL_BASE_IMAGE))) {
    await execa('bash', [packagePath('containers', 'make-base.sh')], { stdio: 'inherit' });
  }
  await ensureSandboxImage(docker, { tag: DEFAULT_IMAGE, onProgress: () => undefined });
  return docker;
}

export async function leftoverResources(docker: Docker): Promise<string[]> {
  const { containers, networks } = await listManagedResources(docker);
  return [...containers, ...networks];
}
