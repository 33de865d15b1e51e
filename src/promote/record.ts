import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PromoteRecord } from './types.js';

/** promote.json in the run dir: what the last promote did (dry runs are not recorded: they change nothing). */
export async function writePromoteRecord(runDir: string, record: PromoteRecord): Promise<void> {
  if (record.dryRun) return;
  await writeFile(join(runDir, 'promote.json'), JSON.stringify(record, null, 2) + '\n');
}
