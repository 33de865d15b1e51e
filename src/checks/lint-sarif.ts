// SARIF 2.1.0 for the head results, with repo-relative URIs (the trees live in temp directories
// whose paths mean nothing to a reader or to a code-scanning upload).

import { createRequire } from 'node:module';
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';

type SarifFormatter = (results: ESLint.LintResult[], data: Partial<ESLint.LintResultData>) => string;

// The formatter is CommonJS without type declarations; require gives its function directly.
const formatSarif = createRequire(import.meta.url)('@microsoft/eslint-formatter-sarif') as SarifFormatter;

export async function writeLintSarif(
  path: string,
  results: ESLint.LintResult[],
  data: Partial<ESLint.LintResultData>,
  relativeOf: Map<string, string>,
): Promise<void> {
  const log = JSON.parse(formatSarif(results, data)) as { runs: { tool: { driver: { version?: string } } }[] };
  const uris = new Map<string, string>();
  for (const [abs, rel] of relativeOf) uris.set(pathToFileURL(abs).href, rel.split('/').map(encodeURIComponent).join('/'));
  relativise(log, uris);
  // The formatter finds ESLint's version through require.main, which is not ESLint here.
  for (const run of log.runs) run.tool.driver.version = ESLint.version;
  await writeFile(path, `${JSON.stringify(log, null, 2)}\n`);
}

/** Every artifact location the formatter wrote (artifacts, results, notifications) has a `uri`. */
function relativise(node: unknown, uris: Map<string, string>): void {
  if (Array.isArray(node)) {
    for (const item of node) relativise(item, uris);
  } else if (node !== null && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    const rel = typeof record.uri === 'string' ? uris.get(record.uri) : undefined;
    if (rel !== undefined) {
      record.uri = rel;
      record.uriBaseId = '%SRCROOT%';
    }
    for (const value of Object.values(record)) relativise(value, uris);
  }
}
