import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import matter from 'gray-matter';
import * as z from 'zod';
import { TourneyError } from '../errors.js';
import type { Spec } from '../types.js';
import { isYamlError, parseYaml, yamlErrorText } from '../config/parse-file.js';
import { durationSchema } from '../config/units.js';
import { describeValue, formatZodIssues, strictObject } from '../config/zod-errors.js';
import { extractSections } from './sections.js';

const EXAMPLE = ['---', 'title: Add a --version flag', 'test: npm test', 'timeLimit: 10m', '---', '', '## Outcome', '...'].join('\n');

const frontMatterSchema = strictObject({
  title: z.string().trim().min(1).optional(),
  test: z.string('expected the test command the referee runs, as a string, e.g. "npm test"')
    .trim().min(1, 'expected the test command the referee runs, e.g. "npm test"'),
  setup: z.string().trim().min(1).optional(),
  timeLimit: durationSchema,
});

function notYaml(): never {
  // Front matter may name another language (---js, ---json); gray-matter would eval JavaScript.
  throw new Error('only YAML front matter is supported');
}

async function readSpecText(file: string): Promise<string> {
  let kind;
  try {
    kind = await stat(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TourneyError(code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read (${code ?? String(err)})`, { cause: err });
  }
  if (kind.isDirectory()) throw new TourneyError(`${file}: is a directory, expected a Markdown spec file`);
  const text = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (text.trim() === '') throw new TourneyError(`${file}: the spec file is empty; it needs front matter and a brief, e.g.:\n${EXAMPLE}`);
  return text;
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
  const text = await readSpecText(file);
  const { data, body } = parseFrontMatter(file, text);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new TourneyError(`${file}: front matter must be a mapping of keys to values (like "test: npm test"), got ${describeValue(data)}`);
  }
  const fm = frontMatterSchema.safeParse(data, { reportInput: true });
  if (!fm.success) throw new TourneyError(formatZodIssues(fm.error.issues, file, 'front matter key'));
  const { sections, firstH1 } = extractSections(body);
  const { title, test, setup, timeLimit } = fm.data;
  return {
    path: path.resolve(file),
    title: title ?? firstH1 ?? path.basename(file, path.extname(file)),
    body,
    sections,
    test,
    ...(setup !== undefined && { setup }),
    ...(timeLimit !== undefined && { timeLimitSec: timeLimit }),
  };
}
