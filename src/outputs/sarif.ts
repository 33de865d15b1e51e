// One SARIF 2.1.0 log for code scanning: the lint (ESLint) and security (ast-grep rule pack) findings
// of the winner, or of the only candidate (`tourney gate`), one run per tool. The checks already
// wrote a SARIF file each in the run dir (entrants/<name>/lint.sarif, security.sarif); this keeps their
// rules and adds what GitHub needs on every result: a repo-relative URI under %SRCROOT%, a level it
// knows, and partialFingerprints, so an alert is tracked across pushes rather than opened anew.
// Only new findings go in (lint results that base had too are dropped): the log describes the change.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Log, Result, Run } from 'sarif';
import type { EntrantResult, RunResult } from '../types.js';

/** GitHub code scanning's hard limits (docs: "SARIF results exceed hard limit"). */
export const GITHUB_SARIF_LIMITS = { runs: 20, resultsPerRun: 25_000, rulesPerRun: 25_000, locationsPerResult: 1_000, tagsPerRule: 20 } as const;

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const LEVELS = new Set(['none', 'note', 'warning', 'error']);

/** The entrant whose findings the log reports: the winner, else the only candidate, else nobody. */
export function sarifSubject(result: RunResult): EntrantResult | null {
  const winner = result.entrants.find((e) => e.name === result.winner);
  return winner ?? (result.entrants.length === 1 ? result.entrants[0]! : null);
}

/** The SARIF files a check wrote, read from the run dir; a missing or unreadable file gives null (that check's run is empty). */
export async function readEntrantSarif(result: RunResult, entrant: EntrantResult | null): Promise<{ lint: Log | null; security: Log | null }> {
  const read = async (rel: string | null | undefined): Promise<Log | null> => {
    if (!rel) return null;
    try {
      return JSON.parse(await readFile(join(result.runDir, rel), 'utf8')) as Log;
    } catch {
      return null;
    }
  };
  return { lint: await read(entrant?.checks.lint?.sarifPath), security: await read(entrant?.checks.security?.sarifPath) };
}

/** A repo-relative URI reference, each segment percent-encoded once; null for anything absolute or leaving the repo. */
export function repoUri(uri: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith('/') || uri.startsWith('\\')) return null;
  const segments = uri.split('/').map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  if (segments.some((s) => s === '..' || s === '') ) return null;
  return segments.filter((s) => s !== '.').map(encodeURIComponent).join('/');
}

const hash = (...parts: string[]) => createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 32);

function normaliseResult(r: Result): Result | null {
  if (r.baselineState === 'unchanged' || r.baselineState === 'absent') return null;
  const locations = (r.locations ?? []).slice(0, GITHUB_SARIF_LIMITS.locationsPerResult).flatMap((loc) => {
    const art = loc.physicalLocation?.artifactLocation;
    const uri = art?.uri !== undefined ? repoUri(art.uri) : null;
    if (!loc.physicalLocation || !art || uri === null) return [];
    return [{ ...loc, physicalLocation: { ...loc.physicalLocation, artifactLocation: { ...art, uri, uriBaseId: '%SRCROOT%' } } }];
  });
  // GitHub shows a result only at a file location: one with none cannot be an alert.
  if (locations.length === 0) return null;
  const first = locations[0]!.physicalLocation;
  const level = r.level && LEVELS.has(r.level) ? r.level : 'warning';
  // Line-independent, so an edit above a finding does not make it a new alert.
  const partialFingerprints = r.partialFingerprints && Object.keys(r.partialFingerprints).length > 0
    ? r.partialFingerprints
    : { 'tourney/finding/v1': hash(r.ruleId ?? '', first.artifactLocation?.uri ?? '', first.region?.snippet?.text?.trim() ?? r.message.text ?? '') };
  return { ...r, level, locations, partialFingerprints };
}

function normaliseRun(run: Run | undefined, fallbackTool: string): Run {
  if (!run) return { tool: { driver: { name: fallbackTool, rules: [] } }, results: [] };
  const rules = (run.tool.driver.rules ?? []).slice(0, GITHUB_SARIF_LIMITS.rulesPerRun).map((rule) => {
    const tags = rule.properties?.tags;
    return Array.isArray(tags) && tags.length > GITHUB_SARIF_LIMITS.tagsPerRule ? { ...rule, properties: { ...rule.properties, tags: tags.slice(0, GITHUB_SARIF_LIMITS.tagsPerRule) } } : rule;
  });
  const results = (run.results ?? []).map(normaliseResult).filter((r): r is Result => r !== null).slice(0, GITHUB_SARIF_LIMITS.resultsPerRun);
  const artifacts = run.artifacts?.map((a) => {
    const uri = a.location?.uri !== undefined ? repoUri(a.location.uri) : null;
    return uri === null ? { ...a, location: undefined } : { ...a, location: { ...a.location, uri, uriBaseId: '%SRCROOT%' } };
  });
  const out: Run = { tool: { ...run.tool, driver: { ...run.tool.driver, rules } }, results };
  if (artifacts) out.artifacts = artifacts;
  // Readers resolve %SRCROOT% against the checkout; declaring it (without a URI) says it is the repo root.
  out.originalUriBaseIds = { '%SRCROOT%': { description: { text: 'The repository root.' } } };
  return out;
}

/** Merges the two checks' logs into one log, one run per tool (ESLint first, then tourney-security). */
export function mergeSarif(logs: { lint: Log | null; security: Log | null }): Log {
  return {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [normaliseRun(logs.lint?.runs[0], 'ESLint'), normaliseRun(logs.security?.runs[0], 'tourney-security')],
  };
}

export async function buildCiSarif(result: RunResult): Promise<Log> {
  return mergeSarif(await readEntrantSarif(result, sarifSubject(result)));
}
