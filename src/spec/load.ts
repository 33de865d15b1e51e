import { stat } from 'node:fs/promises';
import { readInputBytes } from '../config/input-file.js';
import { sha256Tag } from '../promote/provenance.js';
import path from 'node:path';
import matter from 'gray-matter';
import * as z from 'zod';
import { TourneyError } from '../errors.js';
import type { Spec } from '../types.js';
import { isYamlError, parseYaml, yamlErrorText } from '../config/parse-file.js';
import { durationSchema } from '../config/units.js';
import { describeValue, formatZodIssues, strictObject } from '../config/zod-errors.js';
import { extractSections } from './sections.js';
import { checkHiddenFiles } from './hidden-files.js';

const EXAMPLE = ['---', 'title: Add a --version flag', 'test: npm test', 'timeLimit: 10m', '---', '', '## Outcome', '...'].join('\n');

const command = (what: string, example: string) =>
  z.string(`expected ${what}, as a string, e.g. "${example}"`).trim().min(1, `expected ${what}, e.g. "${example}"`);
const pathList = (what: string) =>
  z.union([z.string().trim().min(1), z.array(z.string().trim().min(1)).min(1)], `expected ${what}: a path or a list of paths`)
    .transform((v) => (Array.isArray(v) ? v : [v]));

const hiddenSchema = strictObject({
  files: pathList('hidden test files or folders, relative to the spec file'),
  into: z.string().trim().min(1).optional(),
  test: command('the command that runs the hidden tests', 'node --test tourney-hidden/'),
});

const frontMatterSchema = strictObject({
  title: z.string().trim().min(1).optional(),
  test: command('the test command the referee runs', 'npm test'),
  setup: z.string().trim().min(1).optional(),
  setupKey: pathList('globs of the files the setup depends on, e.g. [package-lock.json, scripts/install.sh]').optional(),
  build: command('the build or typecheck command', 'npm run build').optional(),
  timeLimit: durationSchema,
  hidden: hiddenSchema.optional(),
  bench: pathList('tinybench benchmark modules, repo-relative (hidden ones by their place under hidden.into)').optional(),
  scope: pathList('globs of the files the change should stay within, e.g. "src/**"').optional(),
});

/** Where hidden files go in the referee's copy when the spec does not say. */
export const DEFAULT_HIDDEN_INTO = 'tourney-hidden';

/** Repo-relative, no "..": anything else could place files outside the referee's repository copy. */
function safeRepoPath(file: string, key: string, value: string): string {
  const normal = path.posix.normalize(value.replace(/\\/g, '/')).replace(/\/+$/, '');
  if (path.posix.isAbsolute(normal) || normal === '..' || normal.startsWith('../') || normal === '.') {
    throw new TourneyError(`${file}: front matter key "${key}": expected a path inside the repository, got "${value}"`);
  }
  return normal;
}

async function resolveHidden(file: string, hidden: z.output<typeof hiddenSchema>): Promise<{ spec: NonNullable<Spec['hidden']>; repoPaths: Set<string> }> {
  const specDir = path.dirname(path.resolve(file));
  const files: string[] = [];
  for (const [index, entry] of hidden.files.entries()) {
    const abs = path.resolve(specDir, entry);
    try {
      await stat(abs);
    } catch {
      throw new TourneyError(`${file}: front matter key "hidden.files${hidden.files.length > 1 ? `[${index}]` : ''}": ${abs} does not exist (paths are relative to the spec file)`);
    }
    files.push(abs);
  }
  const into = safeRepoPath(file, 'hidden.into', hidden.into ?? DEFAULT_HIDDEN_INTO);
  const tally = await checkHiddenFiles(file, (i) => `hidden.files${hidden.files.length > 1 ? `[${i}]` : ''}`, files, into);
  return { spec: { files, into, test: hidden.test }, repoPaths: tally.repoPaths };
}

/** A benchmark under hidden.into must be one of the hidden files: else every entrant loses its performance points. */
function checkHiddenBench(file: string, bench: string[], hidden: NonNullable<Spec['hidden']> | undefined, repoPaths: Set<string>): void {
  for (const [i, b] of bench.entries()) {
    const key = bench.length > 1 ? `bench[${i}]` : 'bench';
    const underHidden = hidden && (b === hidden.into || b.startsWith(`${hidden.into}/`));
    if (!underHidden) continue;
    if (!repoPaths.has(b)) {
      const known = [...repoPaths].filter((p) => /\.bench\.|bench/i.test(p)).slice(0, 5);
      throw new TourneyError(`${file}: front matter key "${key}": "${b}" is under hidden.into (${hidden.into}) but no hidden file lands there${known.length ? ` (hidden benchmarks: ${known.join(', ')})` : ''}; bench paths are repo-relative, hidden ones by their place under hidden.into`);
    }
  }
}

function notYaml(): never {
  // Front matter may name another language (---js, ---json); gray-matter would eval JavaScript.
  throw new Error('only YAML front matter is supported');
}

async function readSpecText(file: string): Promise<{ text: string; sha256: string }> {
  const bytes = await readInputBytes(path.resolve(file), file, 'spec file');
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (text.trim() === '') throw new TourneyError(`${file}: the spec file is empty; it needs front matter and a brief, e.g.:\n${EXAMPLE}`);
  return { text, sha256: sha256Tag(bytes) };
}

function parseFrontMatter(file: string, text: string): { data: unknown; body: string } {
  const firstLine = text.split('\n', 1)[0] ?? '';
  if (!/^---[ \t]*$/.test(firstLine)) {
    throw new TourneyError(`${file}: no front matter; the spec must start with a YAML block between two "---" lines, e.g.:\n${EXAMPLE}`);
  }
  // gray-matter treats a missing closing line as "everything is front matter"; say what happened instead.
  if (text.indexOf('\n---', 3) < 0) {
    throw new TourneyError(`${file}: front matter opened with "---" on line 1 is never closed; add a "---" line after it, e.g.:\n${EXAMPLE}`);
  }
  try {
    // Passing options also keeps gray-matter from caching results across calls.
    const parsed = matter(text, { engines: { yaml: (s: string) => parseYaml(s) as object, javascript: notYaml, json: notYaml } });
    return { data: parsed.data, body: parsed.content };
  } catch (err) {
    // The YAML handed to the engine starts on file line 1 (the rest of the "---" line), so lines match.
    if (isYamlError(err)) throw new TourneyError(`${file}: front matter is not valid YAML ${yamlErrorText(err)}`, { cause: err });
    throw err;
  }
}

/** Reads a feature spec: Markdown with YAML front matter. Every error is a TourneyError naming `file`. */
export async function loadSpec(file: string): Promise<Spec> {
  const { text, sha256 } = await readSpecText(file);
  const { data, body } = parseFrontMatter(file, text);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new TourneyError(`${file}: front matter must be a mapping of keys to values (like "test: npm test"), got ${describeValue(data)}`);
  }
  const fm = frontMatterSchema.safeParse(data, { reportInput: true });
  if (!fm.success) throw new TourneyError(formatZodIssues(fm.error.issues, file, 'front matter key'));
  const { sections, firstH1 } = extractSections(body);
  const { title, test, setup, setupKey, timeLimit, build, hidden, bench, scope } = fm.data;
  const resolved = hidden === undefined ? undefined : await resolveHidden(file, hidden);
  const benchPaths = bench?.map((b, i) => safeRepoPath(file, bench.length > 1 ? `bench[${i}]` : 'bench', b));
  if (benchPaths) checkHiddenBench(file, benchPaths, resolved?.spec, resolved?.repoPaths ?? new Set());
  return {
    path: path.resolve(file),
    sha256,
    title: title ?? firstH1 ?? path.basename(file, path.extname(file)),
    body,
    sections,
    test,
    ...(setup !== undefined && { setup }),
    ...(setupKey !== undefined && { setupKey }),
    ...(timeLimit !== undefined && { timeLimitSec: timeLimit }),
    ...(build !== undefined && { build }),
    ...(resolved !== undefined && { hidden: resolved.spec }),
    ...(benchPaths !== undefined && { bench: benchPaths }),
    ...(scope !== undefined && { scope }),
  };
}
