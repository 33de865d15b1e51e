// Static security check: runs tourney's own ast-grep rule pack (rules/security) over the changed files at base and
// head, and reports only the findings the entrant introduced. The code under scan is untrusted data: it is copied
// into a scratch directory first, so symlinks, ignore files and ast-grep suppression comments in it have no effect.

import { createRequire } from 'node:module';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, extname, join, posix } from 'node:path';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import { packagePath } from '../paths.js';
import { readTreeFile } from '../referee/tree-read.js';
import type { SecurityCheck, SecurityFinding, Severity, StaticCheckInput } from './types.js';

const JS_EXTENSIONS = ['.js', '.mjs', '.cjs', '.jsx', '.ts', '.mts', '.cts', '.tsx'];
export const SECURITY_EXTENSIONS: readonly string[] = [...JS_EXTENSIONS, '.py'];
/** Larger files are generated or minified code: skipped rather than risk a slow scan. */
const MAX_FILE_BYTES = 2 * 1024 * 1024;
const SCAN_TIMEOUT_MS = 180_000;
const SNIPPET_MAX = 300;
const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export interface SecurityRule {
  id: string;
  language: 'Tsx' | 'Python';
  severity: Severity;
  cwe: string;
  message: string;
  note: string;
}

const ruleFileSchema = z.object({
  id: z.string().min(1),
  language: z.enum(['Tsx', 'Python']),
  message: z.string().min(1),
  note: z.string().min(1),
  metadata: z.object({ cwe: z.string().regex(/^CWE-\d+$/), severity: z.enum(['high', 'medium', 'low']) }),
});

const matchSchema = z.object({
  ruleId: z.string(),
  text: z.string(),
  file: z.string(),
  message: z.string().optional(),
  range: z.object({ start: z.object({ line: z.number(), column: z.number() }), end: z.object({ line: z.number(), column: z.number() }) }),
});
type AstGrepMatch = z.infer<typeof matchSchema>;

export function securityRulesDir(): string {
  return packagePath('rules', 'security');
}

function securityConfigPath(): string {
  return packagePath('rules', 'sgconfig.yml');
}

/** The native binary shipped in @ast-grep/cli, resolved from tourney's own package (works when hoisted). */
export function astGrepBinary(): string {
  const require = createRequire(packagePath('package.json'));
  const cliDir = dirname(require.resolve('@ast-grep/cli/package.json'));
  return join(cliDir, process.platform === 'win32' ? 'ast-grep.exe' : 'ast-grep');
}

export async function loadSecurityRules(dir = securityRulesDir()): Promise<SecurityRule[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.yml')).sort();
  return Promise.all(
    names.map(async (name) => {
      const parsed = ruleFileSchema.safeParse(parseYaml(await readFile(join(dir, name), 'utf8')));
      if (!parsed.success) throw new Error(`invalid security rule ${name}: ${parsed.error.message}`);
      const r = parsed.data;
      return { id: r.id, language: r.language, severity: r.metadata.severity, cwe: r.metadata.cwe, message: r.message, note: r.note };
    }),
  );
}

/** Repo-relative, forward-slash, inside the tree, with an extension the pack knows; otherwise null. */
function scannablePath(file: string): string | null {
  const norm = posix.normalize(file.replaceAll('\\', '/'));
  if (norm.startsWith('/') || norm === '..' || norm.startsWith('../') || /^[a-zA-Z]:/.test(norm)) return null;
  return SECURITY_EXTENSIONS.includes(extname(norm).toLowerCase()) ? norm : null;
}

/** Copies a regular file (never a symlink) into the scratch tree, disarming `ast-grep-ignore` comments. */
async function stage(srcRoot: string, rel: string, destRoot: string): Promise<boolean> {
  try {
    return await stageFile(srcRoot, rel, destRoot);
  } catch {
    return false; // unreadable or vanished: skipped, like a file ast-grep cannot parse
  }
}

async function stageFile(srcRoot: string, rel: string, destRoot: string): Promise<boolean> {
  // Regular files reached without a symlink only: ast-grep then walks a tree of plain copies.
  const text = await readTreeFile(srcRoot, rel, MAX_FILE_BYTES);
  if (text === null) return false;
  const dest = join(destRoot, rel);
  await mkdir(dirname(dest), { recursive: true });
  // Same length, so lines and columns stay the same.
  await writeFile(dest, text.replace(/ast-grep-ignore/gi, 'ast_grep_ignore'));
  return true;
}

async function scan(scratch: string, dirs: string[]): Promise<AstGrepMatch[]> {
  const noIgnore = ['hidden', 'dot', 'vcs', 'parent', 'exclude', 'global'].flatMap((k) => ['--no-ignore', k]);
  const res = await execa(
    astGrepBinary(),
    ['scan', '--config', securityConfigPath(), '--json=stream', '--include-metadata', '--color', 'never', ...noIgnore, ...dirs],
    { cwd: scratch, reject: false, timeout: SCAN_TIMEOUT_MS, stripFinalNewline: true, env: { NO_COLOR: '1' } },
  );
  // ast-grep exits 1 when it reports error-severity matches; anything else is a failure of the scan itself.
  if (res.failed && res.exitCode !== 1) {
    throw new Error(`ast-grep failed (${res.timedOut ? 'timed out' : `exit ${String(res.exitCode)}`}): ${String(res.stderr).slice(0, 500)}`);
  }
  return String(res.stdout)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => matchSchema.parse(JSON.parse(line)));
}

const normalise = (text: string): string => text.replace(/\s+/g, ' ').trim();

function snippet(text: string): string {
  const t = text.trim();
  return t.length > SNIPPET_MAX ? `${t.slice(0, SNIPPET_MAX)}…` : t;
}

/** Head findings not matched one-for-one by a base finding with the same rule and text in the same file. */
export function diffFindings(base: AstGrepMatch[], head: AstGrepMatch[]): AstGrepMatch[] {
  const key = (m: AstGrepMatch): string => `${m.file}\0${m.ruleId}\0${normalise(m.text)}`;
  const remaining = new Map<string, number>();
  for (const m of base) remaining.set(key(m), (remaining.get(key(m)) ?? 0) + 1);
  const sorted = [...head].sort((a, b) => a.file.localeCompare(b.file) || a.range.start.line - b.range.start.line);
  return sorted.filter((m) => {
    const left = remaining.get(key(m)) ?? 0;
    if (left > 0) remaining.set(key(m), left - 1);
    return left === 0;
  });
}

const LEVEL: Record<Severity, Result.level> = { high: 'error', medium: 'warning', low: 'note' };
const SECURITY_SEVERITY: Record<Severity, string> = { high: '8.0', medium: '5.5', low: '3.0' };

export function buildSarif(rules: SecurityRule[], findings: SecurityFinding[], astGrepVersion: string): Log {
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const descriptors: ReportingDescriptor[] = rules.map((r) => ({
    id: r.id,
    shortDescription: { text: r.message },
    fullDescription: { text: r.note },
    help: { text: r.note },
    defaultConfiguration: { level: LEVEL[r.severity] },
    properties: { tags: ['security', r.cwe], cwe: r.cwe, severity: r.severity, 'security-severity': SECURITY_SEVERITY[r.severity] },
  }));
  const results: Result[] = findings.map((f) => ({
    ruleId: f.ruleId,
    ruleIndex: index.get(f.ruleId),
    level: LEVEL[f.severity],
    message: { text: `${f.message} (${f.cwe})` },
    locations: [
      { physicalLocation: { artifactLocation: { uri: f.file }, region: { startLine: f.line, snippet: { text: f.snippet } } } },
    ],
  }));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: { name: 'tourney-security', semanticVersion: astGrepVersion, informationUri: 'https://ast-grep.github.io', rules: descriptors },
        },
        results,
      },
    ],
  };
}

const sarifCheck = z.object({
  $schema: z.url(),
  version: z.literal('2.1.0'),
  runs: z
    .array(
      z.object({
        tool: z.object({
          driver: z.object({
            name: z.string(),
            rules: z.array(
              z.object({ id: z.string(), help: z.object({ text: z.string().min(1) }), properties: z.object({ cwe: z.string().regex(/^CWE-\d+$/) }) }),
            ),
          }),
        }),
        results: z.array(z.object({ ruleId: z.string() })),
      }),
    )
    .length(1),
});

/** Throws unless the log has the shape tourney promises (version, schema, one run, rules with CWE and help). */
export function validateSarif(log: unknown): void {
  sarifCheck.parse(log);
}

let versionOnce: Promise<string> | undefined;

/** Asked once per process (the referee checks every entrant with the same binary), a process spawn saved per entrant. */
function astGrepVersion(): Promise<string> {
  versionOnce ??= execa(astGrepBinary(), ['--version'], { reject: false, timeout: 10_000 })
    .then((res) => /(\d+\.\d+\.\d+)/.exec(String(res.stdout))?.[1] ?? 'unknown');
  return versionOnce;
}

export async function runSecurityCheck(input: StaticCheckInput): Promise<SecurityCheck> {
  const started = Date.now();
  const counts: Record<Severity, number> = { high: 0, medium: 0, low: 0 };
  const fail = (err: unknown): SecurityCheck => ({
    ran: false,
    newFindings: [],
    counts,
    baseFindings: 0,
    sarifPath: null,
    rulesApplied: 0,
    durationMs: Date.now() - started,
    error: err instanceof Error ? err.message : String(err),
  });
  let scratch: string | null = null;
  try {
    const rules = await loadSecurityRules();
    const byId = new Map(rules.map((r) => [r.id, r]));
    scratch = await mkdtemp(join(tmpdir(), 'tourney-security-'));
    const files = [...new Set(input.changedFiles.map(scannablePath).filter((f): f is string => f !== null))];
    const scanned: string[] = [];
    let staged = 0;
    for (const rel of files) {
      if (!(await stage(input.headDir, rel, join(scratch, 'head')))) continue;
      scanned.push(rel);
      // A file new in this change has no base version: it counts as empty.
      if (await stage(input.baseDir, rel, join(scratch, 'base'))) staged += 1;
    }
    const dirs = scanned.length === 0 ? [] : staged > 0 ? ['head', 'base'] : ['head'];
    const matches = dirs.length > 0 ? await scan(scratch, dirs) : [];
    const strip = (side: string) => (m: AstGrepMatch): AstGrepMatch | null =>
      m.file.startsWith(`${side}/`) ? { ...m, file: m.file.slice(side.length + 1) } : null;
    const base = matches.map(strip('base')).filter((m): m is AstGrepMatch => m !== null);
    const head = matches.map(strip('head')).filter((m): m is AstGrepMatch => m !== null);

    const newFindings: SecurityFinding[] = [];
    for (const m of diffFindings(base, head)) {
      const rule = byId.get(m.ruleId);
      if (!rule) continue;
      counts[rule.severity] += 1;
      newFindings.push({
        ruleId: rule.id,
        severity: rule.severity,
        cwe: rule.cwe,
        file: m.file,
        line: m.range.start.line + 1,
        message: rule.message,
        snippet: snippet(m.text),
      });
    }

    const languages = new Set(scanned.map((f) => (extname(f).toLowerCase() === '.py' ? 'Python' : 'Tsx')));
    const sarif = buildSarif(rules, newFindings, await astGrepVersion());
    validateSarif(sarif);
    await mkdir(input.outDir, { recursive: true });
    await writeFile(join(input.outDir, 'security.sarif'), `${JSON.stringify(sarif, null, 2)}\n`);
    return {
      ran: true,
      newFindings,
      counts,
      baseFindings: base.length,
      sarifPath: `${input.outRel}/security.sarif`,
      rulesApplied: rules.filter((r) => languages.has(r.language)).length,
      durationMs: Date.now() - started,
    };
  } catch (err) {
    return fail(err);
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}
