import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { renderReport } from '../report/render.js';
import { TourneyError } from '../errors.js';
import { RESULT_SCHEMA_VERSION, type RunResult } from '../types.js';

/** Renders report.html again from a run directory's result.json: no container, no model, no git. */
export async function rerenderReport(runDir: string): Promise<string> {
  const dir = resolve(runDir);
  const file = join(dir, 'result.json');
  let result: RunResult;
  try {
    result = JSON.parse(await readFile(file, 'utf8')) as RunResult;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TourneyError(code === 'ENOENT' ? `${file}: no such file (expected a tourney run directory, e.g. .tourney/runs/<run-id>)` : `${file}: not valid JSON`, { cause: err });
  }
  if (result.schemaVersion !== RESULT_SCHEMA_VERSION) {
    throw new TourneyError(`${file}: key "schemaVersion": expected ${RESULT_SCHEMA_VERSION}, got ${JSON.stringify(result.schemaVersion)} (written by another tourney version)`);
  }
  return renderReport(result, dir);
}
