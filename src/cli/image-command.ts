import { DEFAULT_IMAGE } from '../config/defaults.js';
import { connectEngine } from '../sandbox/docker.js';
import { buildSandboxImage } from '../sandbox/image.js';
import { sandboxImageContents } from '../agents/kinds.js';
import { listTourneyImages, removeImage, type ImageRecord } from '../sandbox/images.js';
import { IMAGE_LABELS, type ImageKind } from '../sandbox/labels.js';
import { forgetUse, readUsage } from '../prepare/usage.js';
import { formatBytes, formatMs, formatSeconds } from '../format.js';
import { stripControl } from '../text/control.js';

export async function buildImageCommand(options: { tag?: string; base?: string }): Promise<void> {
  const engine = await connectEngine();
  // The opencode image: a run whose entrants use other kinds builds its own (tagged after them) when it starts.
  const { tag, files, buildArgs } = sandboxImageContents(options.tag ?? DEFAULT_IMAGE, ['opencode']);
  process.stderr.write(`building ${tag}...\n`);
  const built = await buildSandboxImage(engine, { tag, files, buildArgs, base: options.base, onProgress: (line: string) => process.stderr.write(`  ${stripControl(line)}\n`) });
  process.stderr.write(`built ${built.tag} from ${built.base} in ${formatMs(built.durationMs)}\n`);
}

interface Listed extends ImageRecord {
  lastUsed: Date | null;
}

async function listed(): Promise<Listed[]> {
  const engine = await connectEngine();
  const usage = await readUsage();
  return (await listTourneyImages(engine)).map((image) => ({ ...image, lastUsed: usage[image.id] ? new Date(usage[image.id]!) : null }));
}

const age = (date: Date, now: number) => `${formatSeconds(Math.max(0, (now - date.getTime()) / 1000))} ago`;

/** `tourney image ls`: prepared environments and toolchain images, with key, size, age and last use. */
export async function listImagesCommand(options: { json?: boolean }): Promise<void> {
  const images = await listed();
  if (options.json) {
    process.stdout.write(JSON.stringify(images.map((i) => ({
      id: i.id, tags: i.tags, kind: i.kind, key: i.labels[IMAGE_LABELS.key] ?? null, setup: i.labels[IMAGE_LABELS.setup] ?? null,
      repo: i.labels[IMAGE_LABELS.repo] ?? null, size: i.size, created: i.created.toISOString(), lastUsed: i.lastUsed?.toISOString() ?? null,
    })), null, 2) + '\n');
    return;
  }
  if (images.length === 0) {
    process.stdout.write('no prepared environments or toolchain images (they are made by "tourney run" and "tourney score" when the spec has a setup or the config names packages)\n');
    return;
  }
  const now = Date.now();
  const rows = images.map((i) => [
    i.tags[0] ?? i.id.slice(7, 19),
    i.kind,
    (i.labels[IMAGE_LABELS.key] ?? '').slice(0, 12) || '-',
    formatBytes(i.size),
    age(i.created, now),
    i.lastUsed ? age(i.lastUsed, now) : 'never recorded',
    i.labels[IMAGE_LABELS.setup] ?? '',
    i.labels[IMAGE_LABELS.repo] ?? '',
  ]);
  process.stdout.write(stripControl(table([['image', 'kind', 'key', 'size', 'created', 'last used', 'setup', 'repository'], ...rows])));
}

/** `tourney image prune`: removes them when unused for longer than `olderThanSec` (all by default). */
export async function pruneImagesCommand(options: { olderThan?: number; dryRun?: boolean; kind?: ImageKind }): Promise<void> {
  const engine = await connectEngine();
  const now = Date.now();
  const cutoff = now - (options.olderThan ?? 0) * 1000;
  // Environments first: a toolchain image is their parent, and Docker keeps a parent with children.
  const candidates = (await listed())
    .filter((i) => (!options.kind || i.kind === options.kind) && Math.max(i.created.getTime(), i.lastUsed?.getTime() ?? 0) <= cutoff)
    .sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'environment' ? -1 : 1));
  let freed = 0;
  const removed: string[] = [];
  for (const image of candidates) {
    const name = image.tags[0] ?? image.id.slice(7, 19);
    if (options.dryRun) {
      process.stdout.write(`would remove ${name} (${image.kind}, ${formatBytes(image.size)}, last used ${image.lastUsed ? age(image.lastUsed, now) : 'never recorded'})\n`);
      continue;
    }
    const outcome = await removeImage(engine, image.id);
    if (outcome === 'in use') process.stdout.write(`kept ${name}: a container still uses it\n`);
    else {
      process.stdout.write(`removed ${name} (${image.kind})\n`);
      removed.push(image.id);
      freed += image.size;
    }
  }
  await forgetUse(removed);
  if (!options.dryRun) process.stdout.write(`${removed.length} image(s) removed${removed.length ? ` (up to ${formatBytes(freed)}; layers shared with other images stay)` : ''}\n`);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return rows.map((row) => row.map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col]!))).join('  ').trimEnd()).join('\n') + '\n';
}
