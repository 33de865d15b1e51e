import { execa } from 'execa';
import { DEFAULT_IMAGE } from '../../src/config/defaults.js';
import { ensureSandboxImage, imageExists, LOCAL_BASE_IMAGE } from '../../src/sandbox/image.js';
import { sandboxImageContents } from '../../src/agents/kinds.js';
import { listManagedResources } from '../../src/sandbox/network.js';
import { DockerEngine, dockerOf } from '../../src/sandbox/docker.js';
import type { Engine } from '../../src/sandbox/engine.js';
import { packagePath } from '../../src/paths.js';

/**
 * The sandbox image every Docker suite shares: built once per machine (base first where no
 * registry is reachable), then reused from the engine's cache.
 */
export async function ensureTestImage(): Promise<Engine> {
  const engine = new DockerEngine();
  await engine.ping();
  if (!(await imageExists(engine, DEFAULT_IMAGE)) && !(await imageExists(engine, LOCAL_BASE_IMAGE))) {
    await execa('bash', [packagePath('containers', 'make-base.sh')], { stdio: 'inherit' });
  }
  const { files, buildArgs } = sandboxImageContents(DEFAULT_IMAGE, ['opencode']);
  await ensureSandboxImage(engine, { tag: DEFAULT_IMAGE, files, buildArgs, onProgress: () => undefined });
  return engine;
}

/** The host's address on Docker's default bridge: where a host-side server is reachable from containers on it. */
export async function hostOnBridge(engine: Engine): Promise<string> {
  const bridge = (await dockerOf(engine).getNetwork('bridge').inspect()) as { IPAM: { Config: { Gateway?: string }[] } };
  return bridge.IPAM.Config.find((c) => c.Gateway)?.Gateway ?? '172.17.0.1';
}

export async function leftoverResources(engine: Engine): Promise<string[]> {
  const { containers, networks } = await listManagedResources(engine);
  return [...containers, ...networks];
}
