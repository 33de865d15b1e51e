import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Engine } from '../sandbox/engine.js';
import { sweepOrphans } from '../sandbox/orphans.js';
import { currentOwner, ownerState, type Owner } from '../sandbox/owner.js';
import { errorMessage } from '../errors.js';
import type { Reporter } from './events.js';

const OWNER_FILE = 'owner.json';

/**
 * Before a run: removes what runs whose tourney process is gone (SIGKILL, a crash) left on the engine.
 * Live runs (this host's, by pid and start time) and other hosts' runs are never touched.
 */
export async function sweepLeftovers(engine: Engine, reporter: Reporter): Promise<void> {
  try {
    const { removed } = await sweepOrphans(engine);
    if (removed.length === 0) return;
    const runs = [...new Set(removed.map((r) => r.runId).filter(Boolean))];
    const count = (kind: string) => removed.filter((r) => r.kind === kind).length;
    reporter.onEvent({
      type: 'note',
      message: `removed what ${runs.length} ended run(s) left behind (${count('container')} container(s), ${count('network')} network(s)): ${runs.join(', ')}`,
    });
  } catch (err) {
    // A failed sweep must not stop this run; "tourney clean" says more.
    reporter.onEvent({ type: 'warning', message: `could not check for leftovers of ended runs: ${errorMessage(err)}` });
  }
}

/** Who runs this run, in its run dir: "tourney clean" never prunes the dir (or branches) of a live run. */
export async function writeRunOwner(runDir: string): Promise<void> {
  await writeFile(join(runDir, OWNER_FILE), JSON.stringify(currentOwner()) + '\n');
}

/** Whether the run in `runDir` is still running (its owner file names a live process on this host). */
export async function runIsLive(runDir: string): Promise<boolean> {
  try {
    const owner = JSON.parse(await readFile(join(runDir, OWNER_FILE), 'utf8')) as Owner;
    return ownerState(owner) !== 'gone';
  } catch {
    return false;
  }
}
