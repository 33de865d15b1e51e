import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Engine } from '../sandbox/engine.js';
import { TourneyError, errorMessage } from '../errors.js';
import { buildDerivedImage, imageSummary } from '../sandbox/images.js';
import { IMAGE_LABELS } from '../sandbox/labels.js';
import type { ToolchainRecord } from './types.js';

export const TOOLCHAIN_REPO = 'tourney-toolchain';

/** Debian package names (optionally =version): nothing else may reach the RUN line. */
export const DEBIAN_PACKAGE_RE = /^[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+:~-]+)?$/;

const PROXY_BUILD_ARGS = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'];

export interface ToolchainInput {
  /** The sandbox image tag (already built). */
  sandboxImage: string;
  packages: string[];
  dockerfile: string | null;
  onLine: (line: string) => void;
}

function packagesDockerfile(packages: string[]): string {
  return [
    'ARG TOURNEY_IMAGE',
    'FROM ${TOURNEY_IMAGE}',
    'USER root',
    `RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${packages.join(' ')} && rm -rf /var/lib/apt/lists/*`,
    'USER tourney',
    '',
  ].join('\n');
}

const short = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/**
 * The image every container of the run starts from before setup: the sandbox image itself, or one
 * derived from it with `sandbox.packages` (Debian packages; cached by the sandbox image id and the
 * package list) and then `sandbox.dockerfile` (built every run: Docker's layer cache makes a repeat
 * cheap, and it alone knows when the build context changed).
 */
export async function ensureToolchain(engine: Engine, input: ToolchainInput): Promise<ToolchainRecord> {
  const started = Date.now();
  const sandbox = await imageSummary(engine, input.sandboxImage);
  if (!sandbox) throw new TourneyError(`the sandbox image ${input.sandboxImage} is missing`, { exitCode: 3 });
  let image = input.sandboxImage;
  let imageId = sandbox.id;
  let built = false;
  const proxyArgs = Object.fromEntries(PROXY_BUILD_ARGS.flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])));

  if (input.packages.length > 0) {
    const packages = [...new Set(input.packages)].sort();
    const key = short(JSON.stringify({ from: imageId, packages }));
    const tag = `${TOOLCHAIN_REPO}:${key}`;
    const existing = await imageSummary(engine, tag);
    if (existing) {
      imageId = existing.id;
    } else {
      input.onLine(`installing Debian packages into ${tag}: ${packages.join(' ')}`);
      try {
        imageId = await buildDerivedImage(engine, {
          tag,
          dockerfile: { text: packagesDockerfile(packages) },
          buildargs: { TOURNEY_IMAGE: imageId, ...proxyArgs },
          labels: { [IMAGE_LABELS.kind]: 'toolchain', [IMAGE_LABELS.key]: key, [IMAGE_LABELS.from]: sandbox.id, [IMAGE_LABELS.created]: new Date().toISOString() },
          onLine: input.onLine,
        });
      } catch (err) {
        throw new TourneyError(`sandbox.packages: installing ${packages.join(', ')} into the sandbox image failed: ${errorMessage(err)}`, {
          exitCode: 3,
          hint: 'the packages come from the Debian archive the image is set up for (apt needs the network during this build); check the names with "apt-cache show NAME"',
        });
      }
      built = true;
    }
    image = tag;
  }

  if (input.dockerfile) {
    const text = await readFile(input.dockerfile, 'utf8');
    const tag = `${TOOLCHAIN_REPO}:${short(JSON.stringify({ from: imageId, text }))}`;
    input.onLine(`building ${tag} from ${input.dockerfile}`);
    const before = (await imageSummary(engine, tag))?.id;
    try {
      const from = imageId;
      imageId = await buildDerivedImage(engine, {
        tag,
        dockerfile: { contextDir: dirname(input.dockerfile), file: basename(input.dockerfile) },
        buildargs: { TOURNEY_IMAGE: from, ...proxyArgs },
        labels: { [IMAGE_LABELS.kind]: 'toolchain', [IMAGE_LABELS.from]: from },
        onLine: input.onLine,
      });
    } catch (err) {
      throw new TourneyError(`sandbox.dockerfile: building ${input.dockerfile} failed: ${errorMessage(err)}`, {
        exitCode: 3,
        hint: 'the Dockerfile must start with "ARG TOURNEY_IMAGE" and "FROM ${TOURNEY_IMAGE}" (tourney passes its image); its folder is the build context',
      });
    }
    built ||= before !== imageId;
    image = tag;
  }
  return { image, imageId, packages: input.packages, dockerfile: input.dockerfile, built, durationMs: Date.now() - started };
}
