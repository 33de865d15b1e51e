import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';

/**
 * Rewrites owner fields so files unpack as the sandbox's non-root user. Docker's putArchive keeps
 * the tar's ownership, and containers run without CAP_CHOWN, so this cannot be fixed afterwards.
 */
export async function retarAs(inFile: string, outFile: string, uid: number): Promise<void> {
  const extract = tar.extract();
  const pack = tar.pack();
  extract.on('entry', (header, stream, next) => {
    const owned = { ...header, uid, gid: uid, uname: 'tourney', gname: 'tourney' };
    stream.pipe(pack.entry(owned, next));
  });
  extract.on('finish', () => pack.finalize());
  await Promise.all([
    pipeline(createReadStream(inFile), extract),
    pipeline(pack, createWriteStream(outFile)),
  ]);
}

/** A tar holding one file, for copying a patch or a script into a container. */
export async function tarOf(files: { name: string; content: string | Buffer; mode?: number }[], uid: number): Promise<Buffer> {
  const pack = tar.pack();
  for (const file of files) {
    pack.entry({ name: file.name, mode: file.mode ?? 0o644, uid, gid: uid, uname: 'tourney', gname: 'tourney' }, file.content);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
