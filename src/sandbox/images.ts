import { readdir } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { dockerOf } from './docker.js';
import type { Engine } from './engine.js';
import { pack as tarPack } from 'tar-stream';
import { errorMessage } from '../errors.js';
import { follow, inspectImage } from './image.js';
import { IMAGE_LABELS, type ImageKind } from './labels.js';

export interface ImageRecord {
  id: string;
  tags: string[];
  kind: ImageKind;
  /** Bytes, including the layers shared with the image it was made from. */
  size: number;
  created: Date;
  labels: Record<string, string>;
}

/** An image's id and size, or undefined when the engine has no such image. */
export async function imageSummary(engine: Engine, ref: string): Promise<{ id: string; size: number } | undefined> {
  const info = await inspectImage(engine, ref);
  return info ? { id: info.Id, size: info.Size } : undefined;
}

/** Every toolchain and prepared-environment image on the engine, newest first. */
export async function listTourneyImages(engine: Engine, kind?: ImageKind): Promise<ImageRecord[]> {
  const docker = dockerOf(engine);
  const filters = JSON.stringify({ label: [kind ? `${IMAGE_LABELS.kind}=${kind}` : IMAGE_LABELS.kind] });
  const images = await docker.listImages({ filters });
  return images
    .map((image) => ({
      id: image.Id,
      tags: (image.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
      kind: image.Labels?.[IMAGE_LABELS.kind] as ImageKind,
      size: image.Size,
      created: new Date(image.Created * 1000),
      labels: image.Labels ?? {},
    }))
    .sort((a, b) => b.created.getTime() - a.created.getTime());
}

/** Removes an image by id; an image a container still uses is kept and said so, never forced. */
export async function removeImage(engine: Engine, id: string): Promise<'removed' | 'in use' | 'gone'> {
  const docker = dockerOf(engine);
  try {
    await docker.getImage(id).remove({ force: false, noprune: false });
    return 'removed';
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 404) return 'gone';
    if (status === 409) return 'in use';
    throw new Error(`could not remove image ${id.slice(7, 19)}: ${errorMessage(err)}`, { cause: err });
  }
}

export interface DerivedBuild {
  tag: string;
  /** A Dockerfile's text (built with an empty context) or a file in a context folder. */
  dockerfile: { text: string } | { contextDir: string; file: string };
  buildargs: Record<string, string>;
  labels: Record<string, string>;
  onLine: (line: string) => void;
}

/** Builds an image on top of the sandbox image (Debian packages, a user's Dockerfile); resolves with its id. */
export async function buildDerivedImage(engine: Engine, build: DerivedBuild): Promise<string> {
  const docker = dockerOf(engine);
  const context = 'text' in build.dockerfile ? textContext(build.dockerfile.text) : { context: build.dockerfile.contextDir, src: await readdir(build.dockerfile.contextDir) };
  const stream = await docker.buildImage(context, {
    t: build.tag,
    ...('file' in build.dockerfile ? { dockerfile: build.dockerfile.file } : {}),
    buildargs: build.buildargs,
    labels: build.labels,
    rm: true,
    forcerm: true,
  });
  await follow(docker, stream, build.onLine);
  const built = await inspectImage(engine, build.tag);
  if (!built) throw new Error(`the build of ${build.tag} finished but the image is absent`);
  return built.Id;
}

function textContext(dockerfile: string): Readable {
  const pack = tarPack();
  pack.entry({ name: 'Dockerfile', mode: 0o644 }, dockerfile);
  pack.finalize();
  return Readable.from(pack);
}
