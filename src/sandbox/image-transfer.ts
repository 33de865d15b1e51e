import { dockerOf } from './docker.js';
import type { Engine } from './engine.js';
import { errorMessage } from '../errors.js';
import { follow, inspectImage } from './image.js';

/**
 * Makes `ref` on `target` the same image as on `source` (same id): `docker save | docker load` through the two
 * engines' APIs, streamed, never through a file. Skipped when the target has it already. Returns whether it copied.
 * Loading, not building, on the other engines: a build there would need the registry and could come out different.
 */
export async function copyImage(source: Engine, target: Engine, ref: string): Promise<boolean> {
  const wanted = await inspectImage(source, ref);
  if (!wanted) throw new Error(`image ${ref} is not on the engine it is copied from`);
  const there = await inspectImage(target, ref);
  if (there?.Id === wanted.Id) return false;
  try {
    const tar = await dockerOf(source).getImage(ref).get();
    const loading = await dockerOf(target).loadImage(tar, { quiet: true });
    await follow(dockerOf(target), loading, () => undefined);
  } catch (err) {
    throw new Error(`could not copy image ${ref} to the engine: ${errorMessage(err)}`, { cause: err });
  }
  const loaded = await inspectImage(target, ref);
  if (loaded?.Id !== wanted.Id) throw new Error(`image ${ref} was copied, but the engine holds ${loaded?.Id.slice(7, 19) ?? 'nothing'} under that name, not ${wanted.Id.slice(7, 19)}`);
  return true;
}
