import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', 'src');

// Files that still take a dockerode client, until the Engine handle (src/sandbox/engine.ts) is wired
// through. The list may only shrink: a new file importing dockerode outside src/sandbox/ fails here.
const NOT_YET_MOVED = new Set([
  'checks/perf.ts', 'doctor/doctor.ts', 'doctor/live.ts', 'judge/judge.ts', 'prepare/environment.ts',
  'prepare/prepare.ts', 'prepare/toolchain.ts', 'referee/referee.ts', 'referee/tests.ts', 'run/entrant.ts',
  'run/leftovers.ts', 'run/networks.ts', 'run/session.ts',
]);

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const IMPORTS_DOCKERODE = /(from\s+|import\s*\(\s*|require\s*\(\s*)['"]dockerode['"]/;

describe('layering', () => {
  const outside = tsFiles(SRC).map((f) => relative(SRC, f)).filter((f) => !f.startsWith('sandbox/'));
  const importers = outside.filter((f) => IMPORTS_DOCKERODE.test(readFileSync(join(SRC, f), 'utf8')));

  it('no file outside src/sandbox/ newly imports dockerode', () => {
    expect(importers.filter((f) => !NOT_YET_MOVED.has(f)).map((f) => `src/${f}`)).toEqual([]);
  });

  it('the list of files not yet moved names only files that still import dockerode', () => {
    expect([...NOT_YET_MOVED].filter((f) => !importers.includes(f))).toEqual([]);
  });
});
