// SARIF 2.1.0 for the head results, with repo-relative URIs (the trees live in temp directories
// whose paths mean nothing to a reader or to a code-scanning upload).

import { createRequire } from 'node:module';
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import type { BaselineState } from './lint-baseline.js';

/** What the comparison with base says about one message, written onto its SARIF result. */
export interface BaselineMark {
  state: BaselineState;
  fingerprint: string;
}

interface SarifRecord {
  baselineState?: BaselineState;
  partialFingerprints?: Record<string, string>;
  properties?: Record<string, unknown>;
}

interface SarifShape {
  runs: { tool: { driver: { version?: string } }; results?: SarifRecord[]; invocations?: { toolConfigurationNotifications?: SarifRecord[] }[] }[];
}

type SarifFormatter = (results: ESLint.LintResult[], data: Partial<ESLint.LintResultData>) => string;

// The formatter is CommonJS without type declarations; require gives its function directly.
const formatSarif = createRequire(import.meta.url)('@microsoft/eslint-formatter-sarif') as SarifFormatter;

export async function writeLintSarif(
  path: string,
  results: ESLint.LintResult[],
  data: Partial<ESLint.LintResultData>,
  relativeOf: Map<string, string>,
  marks: Map<Linter.LintMessage, BaselineMark> = new Map(),
): Promise<void> {
  const log = JSON.parse(formatSarif(results, data)) as SarifShape;
  markBaseline(log, results, marks);
  const uris = new Map<string, string>();
  for (const [abs, rel] of relativeOf) uris.set(pathToFileURL(abs).href, rel.split('/').map(encodeURIComponent).join('/'));
  relativise(log, uris);
  // The formatter finds ESLint's version through require.main, which is not ESLint here.
  for (const run of log.runs) run.tool.driver.version = ESLint.version;
  await writeFile(path, `${JSON.stringify(log, null, 2)}\n`);
}

/**
 * The formatter writes one SARIF record per message, in the order of `results` and their messages
 * (suppressed ones after the others): records with a rule go to `results`, the rest (parse errors,
 * crashes) to the configuration notifications. Walking the same order pairs records with messages.
 */
function markBaseline(log: SarifShape, results: ESLint.LintResult[], marks: Map<Linter.LintMessage, BaselineMark>): void {
  const run = log.runs[0];
  if (!run || marks.size === 0) return;
  const withRule: Linter.LintMessage[] = [];
  const without: Linter.LintMessage[] = [];
  for (const r of results) {
    for (const m of [...r.messages, ...(r.suppressedMessages ?? [])]) (m.ruleId ? withRule : without).push(m);
  }
  const apply = (record: SarifRecord | undefined, message: Linter.LintMessage | undefined, native: boolean) => {
    const mark = message ? marks.get(message) : undefined;
    if (!record || !mark) return;
    // Notifications have no baselineState in SARIF 2.1.0: it goes into their property bag.
    if (native) {
      record.baselineState = mark.state;
      record.partialFingerprints = { 'tourney/lineText/v1': mark.fingerprint };
    } else record.properties = { ...record.properties, baselineState: mark.state, fingerprint: mark.fingerprint };
  };
  withRule.forEach((m, i) => apply(run.results?.[i], m, true));
  const notes = run.invocations?.[0]?.toolConfigurationNotifications ?? [];
  without.forEach((m, i) => apply(notes[i], m, false));
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
