import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

// Docker does not record when an image was last used to start a container, and `image prune
// --older-than` should keep an old image that every run still reuses: tourney notes it itself.

function usageFile(): string {
  const stateHome = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(stateHome, 'tourney', 'image-usage.json');
}

/** Image id -> ISO time of its last use by a run. */
export async function readUsage(): Promise<Record<string, string>> {
  try {
    const parsed = JSON.parse(await readFile(usageFile(), 'utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
    }
  } catch {
    // Missing or unreadable: nothing recorded yet.
  }
  return {};
}

/** Best effort: a read-only home only loses the "last used" column. */
export async function recordUse(imageIds: string[], when = new Date()): Promise<void> {
  const usage = await readUsage();
  for (const id of imageIds) usage[id] = when.toISOString();
  await writeUsage(usage);
}

export async function forgetUse(imageIds: string[]): Promise<void> {
  const usage = await readUsage();
  for (const id of imageIds) delete usage[id];
  await writeUsage(usage);
}

/** Written whole and renamed into place, so a concurrent reader never sees half a file. */
async function writeUsage(usage: Record<string, string>): Promise<void> {
  try {
    const file = usageFile();
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(usage, null, 2) + '\n');
    await rename(tmp, file);
  } catch {
    // See recordUse.
  }
}
