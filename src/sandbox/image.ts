import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { dockerOf } from './docker.js';
import type { Engine } from './engine.js';
import { pack as tarPack } from 'tar-stream';
import { TourneyError, errorMessage } from '../errors.js';
import type { ImageFile } from '../agents/kind.js';

/** Made by containers/make-base.sh where no registry is reachable. */
export const LOCAL_BASE_IMAGE = 'tourney-base:bookworm';
export const REGISTRY_BASE_IMAGE = 'node:22-bookworm-slim';
/** make-base.sh stamps this label: such a base already has git, rg and node. */
export const OFFLINE_BASE_LABEL = 'dev.tourney.offline-base';
export const OPENCODE_VERSION_LABEL = 'dev.tourney.opencode-version';
export const DOCKERFILE_HASH_LABEL = 'dev.tourney.dockerfile-sha256';
export const BASE_ID_LABEL = 'dev.tourney.base-id';
/** Which agent files (path and package version) the image carries: another set is another image. */
export const AGENT_FILES_LABEL = 'dev.tourney.agent-files-sha256';

/** The package root, found from this file so it works from src/ (tsx, vitest) and dist/. */
export function containersDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'containers', 'Dockerfile'))) return join(dir, 'containers');
    const parent = dirname(dir);
    if (parent === dir) throw new Error('containers/Dockerfile not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export function makeBaseScript(): string {
  return join(containersDir(), 'make-base.sh');
}

export async function inspectImage(engine: Engine, tag: string): Promise<Docker.ImageInspectInfo | undefined> {
  const docker = dockerOf(engine);
  try {
    return await docker.getImage(tag).inspect();
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

export async function imageExists(engine: Engine, tag: string): Promise<boolean> {
  return (await inspectImage(engine, tag)) !== undefined;
}

/** Explicit choice (--base flag, then TOURNEY_BASE_IMAGE), else the local base if made, else the registry image. */
export async function chooseBaseImage(engine: Engine, explicit?: string): Promise<string> {
  const chosen = explicit || process.env.TOURNEY_BASE_IMAGE;
  if (chosen) return chosen;
  return (await imageExists(engine, LOCAL_BASE_IMAGE)) ? LOCAL_BASE_IMAGE : REGISTRY_BASE_IMAGE;
}

interface ProgressEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
}

// The classic builder colours a RUN step's stderr red.
const ANSI = new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m', 'g');

/** Follows a build or pull stream: resolves with the log tail; rejects with the daemon's error and the tail. */
export function follow(docker: Docker, stream: NodeJS.ReadableStream, onLine: (line: string) => void): Promise<string[]> {
  const tail: string[] = [];
  let failure: string | undefined;
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null) => {
        if (err) reject(err);
        else if (failure !== undefined) reject(new Error(failure + tailText(tail)));
        else resolve(tail);
      },
      (event: ProgressEvent) => {
        if (event.error || event.errorDetail) {
          failure = event.errorDetail?.message || event.error || 'unknown error';
          return;
        }
        const text = event.stream ?? event.status;
        for (const raw of (text ?? '').split('\n')) {
          const line = raw.replace(ANSI, '').trim();
          if (!line) continue;
          tail.push(line);
          if (tail.length > 20) tail.shift();
          onLine(line);
        }
      },
    );
  });
}

function tailText(tail: string[]): string {
  return tail.length > 0 ? '\nLast build output:\n  ' + tail.join('\n  ') : '';
}

function baseMissing(base: string, cause: unknown): TourneyError {
  return new TourneyError(
    `The base image ${base} is not available locally and could not be pulled (${errorMessage(cause)}). ` +
      `Without a registry, run ${makeBaseScript()} (as root) to make ${LOCAL_BASE_IMAGE}, or pass an existing image with --base.`,
    { cause },
  );
}

function readDockerfile(): { text: Buffer; sha256: string } {
  const text = readFileSync(join(containersDir(), 'Dockerfile'));
  return { text, sha256: createHash('sha256').update(text).digest('hex') };
}

/** Where the build context keeps the agents' files: the Dockerfile copies this tree onto `/`. */
const AGENT_FILES_DIR = 'agent-files';

/** A digest of the files' image paths and versions (not their bytes: a version pins them, and hashing 200 MB is slow). */
export function agentFilesDigest(files: readonly ImageFile[]): string {
  const lines = files.map((f) => `${f.imagePath}\t${f.version}\t${(f.mode ?? 0o755).toString(8)}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** The build context: the Dockerfile and each agent's files under agent-files/, streamed one after another (~180 MB each). */
function buildContext(dockerfile: Buffer, files: readonly ImageFile[]): Readable {
  const pack = tarPack();
  const out = Readable.from(pack);
  pack.entry({ name: 'Dockerfile', mode: 0o644 }, dockerfile);
  // Always there, so `COPY agent-files/ /` has a source even when no kind adds a file.
  pack.entry({ name: `${AGENT_FILES_DIR}/`, type: 'directory', mode: 0o755 });
  const fail = (err: Error): void => {
    out.destroy(err);
  };
  const next = (i: number): void => {
    const file = files[i];
    if (!file) {
      pack.finalize();
      return;
    }
    if (!file.imagePath.startsWith('/') || file.imagePath.split('/').includes('..')) {
      fail(new Error(`agent file ${file.imagePath}: expected an absolute path without ".."`));
      return;
    }
    const source = createReadStream(file.hostPath);
    source.on('error', fail);
    // The mode travels in the tar: the classic builder (Engine API, no BuildKit) has no COPY --chmod.
    source.pipe(
      pack.entry({ name: `${AGENT_FILES_DIR}${file.imagePath}`, mode: file.mode ?? 0o755, size: statSync(file.hostPath).size }, (err) => {
        if (err) fail(err);
        else next(i + 1);
      }),
    );
  };
  next(0);
  return out;
}

export interface BuildOptions {
  tag: string;
  /** Default: chooseBaseImage(). */
  base?: string;
  /** The agents' files (AgentKind.imageFiles() of the kinds the run uses). */
  files: readonly ImageFile[];
  /** Build arguments of the Dockerfile (OPENCODE_VERSION, for opencode's plugin stub). */
  buildArgs?: Record<string, string>;
  onProgress?: (line: string) => void;
}

export async function buildSandboxImage(
  engine: Engine,
  options: BuildOptions,
): Promise<{ tag: string; base: string; durationMs: number }> {
  const docker = dockerOf(engine);
  const started = Date.now();
  const onLine = options.onProgress ?? (() => {});
  const base = await chooseBaseImage(engine, options.base);

  let baseInfo = await inspectImage(engine, base);
  if (!baseInfo) {
    // Pull explicitly: the builder's own pull failure would not say what to do about it.
    try {
      onLine(`Pulling ${base}`);
      await follow(docker, await docker.pull(base), onLine);
    } catch (err) {
      throw baseMissing(base, err);
    }
    baseInfo = await inspectImage(engine, base);
    if (!baseInfo) throw baseMissing(base, new Error('pull finished but the image is absent'));
  }
  const offline = base === LOCAL_BASE_IMAGE || baseInfo.Config?.Labels?.[OFFLINE_BASE_LABEL] === 'true';

  try {
    const dockerfile = readDockerfile();
    const stream = await docker.buildImage(buildContext(dockerfile.text, options.files), {
      t: options.tag,
      buildargs: { ...options.buildArgs, BASE: base },
      labels: { [DOCKERFILE_HASH_LABEL]: dockerfile.sha256, [BASE_ID_LABEL]: baseInfo.Id, [AGENT_FILES_LABEL]: agentFilesDigest(options.files) },
      // The base has everything the Dockerfile needs: prove it by building with no network at all.
      ...(offline ? { networkmode: 'none' } : {}),
      rm: true,
      forcerm: true,
    });
    await follow(docker, stream, onLine);
  } catch (err) {
    throw new TourneyError(`Building the sandbox image ${options.tag} from ${base} failed: ${errorMessage(err)}`, { cause: err });
  }
  return { tag: options.tag, base, durationMs: Date.now() - started };
}

/**
 * Builds the image when it is missing or stale: other agent files or versions than the installed ones (after
 * an `npm update` the old image would silently run the old binary), another Dockerfile, or another base.
 */
export async function ensureSandboxImage(
  engine: Engine,
  options: BuildOptions,
): Promise<{ built: boolean; durationMs: number }> {
  const started = Date.now();
  const info = await inspectImage(engine, options.tag);
  const labels = info?.Config?.Labels ?? {};
  // A remade base (e.g. containers/make-base.sh after an upgrade) must reach the sandbox image too.
  const base = await inspectImage(engine, await chooseBaseImage(engine, options.base));
  const sameBase = !base || labels[BASE_ID_LABEL] === base.Id;
  if (info && sameBase && labels[AGENT_FILES_LABEL] === agentFilesDigest(options.files) && labels[DOCKERFILE_HASH_LABEL] === readDockerfile().sha256) {
    return { built: false, durationMs: Date.now() - started };
  }
  await buildSandboxImage(engine, options);
  return { built: true, durationMs: Date.now() - started };
}
