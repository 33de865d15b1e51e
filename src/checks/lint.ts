// The lint check: ESLint over the JS/TS files an entrant changed, in base and in head. Only the
// problems base does not have count (lint-baseline.ts says how they are matched), so a repository
// that was already messy does not punish everyone and moving code around costs nothing.
// See lint-config.ts for why no entrant code runs.

import { mkdir, realpath } from 'node:fs/promises';
import { basename, join, resolve, sep } from 'node:path';
import type { ESLint, Linter } from 'eslint';
import { errorMessage } from '../errors.js';
import { readTreeFile, treeFileSize } from '../referee/tree-read.js';
import { createESLint, findRepoConfig, isLintable, type ConfigChoice } from './lint-config.js';
import { classifyAgainstBase, fingerprintHash, lineFingerprint, type Fingerprinted } from './lint-baseline.js';
import { writeLintSarif, type BaselineMark } from './lint-sarif.js';
import type { LintCheck, LintCounts, LintMessageSummary, StaticCheckInput } from './types.js';

const MAX_MESSAGES = 200;
const MAX_MESSAGE_CHARS = 500;
/** Larger files (generated, minified, vendored) would stall the referee; they count as one warning. */
const MAX_FILE_BYTES = 1024 * 1024;

interface SourceFile {
  rel: string;
  abs: string;
  /** null when the file is too large to lint. */
  text: string | null;
}

interface SideLint {
  results: ESLint.LintResult[];
  /** Results that came from ESLint itself (the others are ours); only these have rule metadata. */
  eslintResults: ESLint.LintResult[];
  counts: LintCounts;
}

export async function runLintCheck(input: StaticCheckInput): Promise<LintCheck> {
  const started = performance.now();
  const sarifFile = join(input.outDir, 'lint.sarif');
  const sarifPath = `${input.outRel}/lint.sarif`;
  const zero = { errors: 0, warnings: 0 };
  try {
    await mkdir(input.outDir, { recursive: true });
    const files = [...new Set(input.changedFiles.filter(isLintable))];
    const [baseFiles, headFiles] = await Promise.all([readSide(input.baseDir, files), readSide(input.headDir, files)]);
    if (headFiles.length === 0) {
      // Nothing to lint is a clean pass, not a missing check: an empty SARIF run says so,
      // and `config` stays null because no configuration was loaded.
      await writeLintSarif(sarifFile, [], {}, new Map());
      const durationMs = Math.round(performance.now() - started);
      return { ran: true, config: null, filesLinted: 0, base: zero, head: zero, newErrors: 0, newWarnings: 0, messages: [], sarifPath, durationMs };
    }

    const { choice, note, base: baseESLint, head: headESLint } = await chooseConfig(input, baseFiles, headFiles);
    const base = await lintSide(baseESLint, baseFiles, input.baseDir);
    const head = await lintSide(headESLint, headFiles, input.headDir);

    const relativeOf = new Map(headFiles.map((f) => [f.abs, f.rel]));
    const headProblems = problemsOf(head.results, headFiles);
    const states = classifyAgainstBase(problemsOf(base.results, baseFiles).map((p) => p.entry), headProblems.map((p) => p.entry));
    const marks = new Map<Linter.LintMessage, BaselineMark>();
    headProblems.forEach((p, i) => marks.set(p.message, { state: states[i] ?? 'new', fingerprint: fingerprintHash(p.entry.problem, p.entry.fingerprint) }));
    const fresh = headProblems.filter((_, i) => states[i] === 'new');
    let rulesMeta: ESLint.LintResultData['rulesMeta'] = {};
    try {
      rulesMeta = headESLint.getRulesMetaForResults(head.eslintResults);
    } catch {
      // Rule descriptions are a nicety of the SARIF file; the results stand without them.
    }
    await writeLintSarif(sarifFile, head.results, { cwd: input.headDir, rulesMeta }, relativeOf, marks);

    return {
      ran: true,
      config: choice.kind,
      ...(note ? { configNote: note } : {}),
      filesLinted: head.eslintResults.length,
      base: base.counts,
      head: head.counts,
      newErrors: fresh.filter((p) => p.entry.problem.severity === 'error').length,
      newWarnings: fresh.filter((p) => p.entry.problem.severity === 'warning').length,
      messages: summarise(head.results, relativeOf, input.headDir, marks),
      sarifPath,
      durationMs: Math.round(performance.now() - started),
    };
  } catch (err) {
    const durationMs = Math.round(performance.now() - started);
    const error = `lint check failed: ${errorMessage(err)}`;
    return { ran: false, config: null, filesLinted: 0, base: zero, head: zero, newErrors: 0, newWarnings: 0, messages: [], sarifPath: null, durationMs, error };
  }
}

/**
 * The repository's base config when it loads and validates for every file to be linted, else the
 * built-in one. The probe lints empty text at each path, so only the user's config (and the
 * paths) can make it fail; a rule crashing on the entrant's content later is counted against
 * that file instead of silently swapping the configuration.
 */
async function chooseConfig(input: StaticCheckInput, baseFiles: SourceFile[], headFiles: SourceFile[]) {
  const repoConfig = await findRepoConfig(input.baseDir);
  if (repoConfig !== null) {
    const choice: ConfigChoice = { kind: 'repository', file: repoConfig };
    const base = createESLint(input.baseDir, choice);
    const head = createESLint(input.headDir, choice);
    try {
      for (const f of baseFiles) await base.lintText('', { filePath: f.abs });
      for (const f of headFiles) await head.lintText('', { filePath: f.abs });
      return { choice, base, head };
    } catch (err) {
      // Typically a plugin the config imports is not installed (the repo's node_modules are absent).
      const note = `the repository's ${basename(repoConfig)} could not be used (${errorMessage(err).split('\n')[0]}); linted with the built-in JS/TS config`;
      const fallback: ConfigChoice = { kind: 'built-in' };
      return { choice: fallback, note, base: createESLint(input.baseDir, fallback), head: createESLint(input.headDir, fallback) };
    }
  }
  const choice: ConfigChoice = { kind: 'built-in' };
  return { choice, note: undefined, base: createESLint(input.baseDir, choice), head: createESLint(input.headDir, choice) };
}

/** The changed files that exist in `root` as regular files inside it; symlinks are not followed. */
async function readSide(dir: string, files: string[]): Promise<SourceFile[]> {
  const root = resolve(dir);
  // A tree that is not there is a failure of the check, not a tree without files.
  await realpath(root);
  const out: SourceFile[] = [];
  for (const rel of files) {
    const abs = resolve(root, rel);
    if (!abs.startsWith(root + sep)) continue;
    // ESLint gets the text (lintText), never the path to open: what it lints is what was read here.
    const size = await treeFileSize(root, rel);
    if (size === null) continue;
    const text = size > MAX_FILE_BYTES ? null : await readTreeFile(root, rel, MAX_FILE_BYTES);
    if (text === null && size <= MAX_FILE_BYTES) continue;
    out.push({ rel, abs, text });
  }
  return out;
}

async function lintSide(eslint: ESLint, files: SourceFile[], root: string): Promise<SideLint> {
  const results: ESLint.LintResult[] = [];
  const eslintResults: ESLint.LintResult[] = [];
  for (const file of files) {
    if (file.text === null) {
      results.push(syntheticResult(file.abs, 1, `Not linted: larger than ${MAX_FILE_BYTES} bytes`));
      continue;
    }
    try {
      const linted = await eslint.lintText(file.text, { filePath: file.abs });
      results.push(...linted);
      eslintResults.push(...linted);
    } catch (err) {
      // A rule that crashes on this content; the file counts as broken, like a parse error.
      results.push(syntheticResult(file.abs, 2, `ESLint failed on this file: ${stripRoot(errorMessage(err), root)}`));
    }
  }
  const counts = {
    errors: results.reduce((n, r) => n + r.errorCount, 0),
    warnings: results.reduce((n, r) => n + r.warningCount, 0),
  };
  return { results, eslintResults, counts };
}

function syntheticResult(filePath: string, severity: 1 | 2, message: string): ESLint.LintResult {
  const msg: Linter.LintMessage = { ruleId: null, severity, message, line: 1, column: 1, ...(severity === 2 && { fatal: true }) };
  const errors = severity === 2 ? 1 : 0;
  return {
    filePath,
    messages: [msg],
    suppressedMessages: [],
    errorCount: errors,
    fatalErrorCount: errors,
    warningCount: 1 - errors,
    fixableErrorCount: 0,
    fixableWarningCount: 0,
    usedDeprecatedRules: [],
  };
}

/** Every counted message (not the suppressed ones) with the identity it is matched by. */
function problemsOf(results: ESLint.LintResult[], files: SourceFile[]): { message: Linter.LintMessage; entry: Fingerprinted }[] {
  const byAbs = new Map(files.map((f) => [f.abs, f]));
  return results.flatMap((result) => {
    const file = byAbs.get(result.filePath);
    return result.messages.map((message) => ({
      message,
      entry: {
        problem: { file: file?.rel ?? result.filePath, ruleId: message.ruleId, severity: severityOf(message), message: message.message, line: message.line },
        fingerprint: lineFingerprint(file?.text ?? null, message.line),
      },
    }));
  });
}

const severityOf = (m: Linter.LintMessage): 'error' | 'warning' => (m.fatal || m.severity === 2 ? 'error' : 'warning');

function summarise(results: ESLint.LintResult[], relativeOf: Map<string, string>, root: string, marks: Map<Linter.LintMessage, BaselineMark>): LintMessageSummary[] {
  const out: LintMessageSummary[] = [];
  for (const result of results) {
    for (const m of result.messages) {
      if (out.length >= MAX_MESSAGES) return out;
      const text = stripRoot(m.message, root);
      out.push({
        file: relativeOf.get(result.filePath) ?? result.filePath,
        line: m.line,
        column: m.column,
        ruleId: m.ruleId,
        severity: severityOf(m),
        message: text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text,
        baselineState: marks.get(m)?.state ?? 'new',
      });
    }
  }
  return out;
}

/** Temp-directory paths in messages mean nothing in a report. */
function stripRoot(text: string, root: string): string {
  return text.split(root.endsWith(sep) ? root : root + sep).join('');
}
