import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** The tourney package root: `src/paths.ts` and the built `dist/paths.js` both sit one level below it. */
export function packageRoot(): string {
  return dirname(dirname(fileURLToPath(import.meta.url)));
}

export function packagePath(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}
