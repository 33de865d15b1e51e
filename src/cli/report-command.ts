import { resolve } from 'node:path';
import { renderReport } from '../report/render.js';
import { loadRunResult } from '../run/run-dirs.js';

/** Renders report.html again from a run directory's result.json: no container, no model, no git. */
export async function rerenderReport(runDir: string): Promise<string> {
  const dir = resolve(runDir);
  return renderReport(await loadRunResult(dir), dir);
}
