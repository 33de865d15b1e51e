import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';

/**
 * Where a snapshot lists its files (NUL-separated, relative to its `repo/` folder), beside the
 * repository copy: the workspace commits exactly these, never what a prepared environment installed.
 */
export const FILE_LIST_ENTRY = 'tourney-base-files';

/**
 * Rewrites owner fields so files unpack as the sandbox's non-root user. Docker's putArchive keeps
 * the tar's ownership, and containers run without CAP_CHOWN, so this cannot be fixed afterwards.
 * With `listUnder`, also appends FILE_LIST_ENTRY: the non-directory entries below that prefix.
 */
export async function retarAs(inFile: string, outFile: string, uid: number, options: { listUnder?: string } = {}): Promise<void> {
  const extract = tar.extract();
  const pack = tar.pack();
  const listed: string[] = [];
  const prefix = options.listUnder;
  extract.on('entry', (header, stream, next) => {
    const owned = { ...header, uid, gid: uid, uname: 'tourney', gname: 'tourney' };
    if (prefix !== undefined && header.type !== 'directory' && header.name.startsWith(prefix)) {
      listed.push(header.name.slice(prefix.length));
    }
    stream.pipe(pack.entry(owned, next));
  });
  extract.on('finish', () => {
    if (prefix !== undefined) {
      pack.entry({ name: FILE_LIST_ENTRY, mode: 0o644, uid, gid: uid, uname: 'tourney', gname: 'tourney' }, listed.map((p) => `${p}\0`).join(''));
    }
    pack.finalize();
  });
  await Promise.all([
    pipeline(createReadStream(inFile), extract),
    pipeline(pack, createWriteStream(outFile)),
  ]);
}

/**
 * A tar of a few files, for copying a patch or a script into a container. Their folders get entries
 * of their own: Docker would otherwise create them owned by root, where the sandbox user cannot write.
 */
export async function tarOf(files: { name: string; content: string | Buffer; mode?: number }[], uid: number): Promise<Buffer> {
  const pack = tar.pack();
  const owner = { uid, gid: uid, uname: 'tourney', gname: 'tourney' };
  const dirs = new Set<string>();
  for (const file of files) {
    const parts = file.name.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (dirs.has(dir)) continue;
      dirs.add(dir);
      pack.entry({ name: `${dir}/`, type: 'directory', mode: 0o755, ...owner });
    }
    pack.entry({ name: file.name, mode: file.mode ?? 0o644, ...owner }, file.content);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
