import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', 'src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

// The last form is createRequire(import.meta.url)('dockerode'), as src/sandbox/docker.ts loads it (eslint's rule misses it).
const IMPORTS_DOCKERODE = /(from\s+|import\s*\(\s*|require\s*\(\s*|\)\s*\(\s*)['"]dockerode['"]/;

describe('layering', () => {
  const outside = tsFiles(SRC).map((f) => relative(SRC, f)).filter((f) => !f.startsWith('sandbox/'));
  const importers = outside.filter((f) => IMPORTS_DOCKERODE.test(readFileSync(join(SRC, f), 'utf8')));

  it('no file outside src/sandbox/ imports dockerode (stages get an Engine)', () => {
    expect(importers.map((f) => `src/${f}`)).toEqual([]);
  });

  it('the check sees an import in each form it looks for', () => {
    // Else a change to the pattern could pass the test above by matching nothing.
    for (const line of ["import Docker from 'dockerode';", "import type Docker from 'dockerode';", 'const { default: D } = await import("dockerode");', "require('dockerode')", "createRequire(import.meta.url)('dockerode')"]) {
      expect(IMPORTS_DOCKERODE.test(line), line).toBe(true);
    }
    expect(IMPORTS_DOCKERODE.test("import { dockerOf } from '../sandbox/docker.js';")).toBe(false);
  });

  it('src/sandbox/ is where dockerode is imported', () => {
    const inside = tsFiles(join(SRC, 'sandbox')).filter((f) => IMPORTS_DOCKERODE.test(readFileSync(f, 'utf8')));
    expect(inside.length).toBeGreaterThan(0);
  });
});
