// Script files for the scripted model: a list of assistant turns replayed in order.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { TourneyError } from '../errors.js';

const SCRIPT_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;

// Script names arrive in the HTTP `model` field: keep them to plain file names.
const SCRIPT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const toolCallSchema = z.strictObject({
  name: z.string().min(1),
  args: z.record(z.string(), z.unknown()).default({}),
});

// A judge turn answers a comparison of two candidates; see judge.ts.
const judgeSchema = z
  .strictObject({
    prefer: z.string().min(1).optional(),
    position: z.enum(['A', 'B', 'tie']).optional(),
    rationale: z.string().optional(),
    confidence: z.number().min(0).max(1).optional(),
  })
  .superRefine((judge, ctx) => {
    if ((judge.prefer === undefined) === (judge.position === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'expected exactly one of prefer or position' });
    }
  });

const turnSchema = z
  .strictObject({
    text: z.string().optional(),
    tools: z.array(toolCallSchema).optional(),
    delayMs: z.number().int().nonnegative().optional(),
    error: z
      .strictObject({
        status: z.number().int().min(400).max(599),
        message: z.string(),
      })
      .optional(),
    hang: z.literal(true).optional(),
    judge: judgeSchema.optional(),
  })
  .superRefine((turn, ctx) => {
    const replies = turn.text !== undefined || (turn.tools?.length ?? 0) > 0;
    const kinds = [replies, turn.error !== undefined, turn.hang === true, turn.judge !== undefined].filter(Boolean).length;
    if (kinds === 0) {
      ctx.addIssue({ code: 'custom', message: 'expected at least one of text, tools, error, hang or judge' });
    } else if (kinds > 1) {
      ctx.addIssue({ code: 'custom', message: 'expected only one of text/tools, error, hang or judge' });
    }
  });

const scriptSchema = z.strictObject({
  description: z.string().optional(),
  turns: z.array(turnSchema).min(1),
});

// Known keys per object, for "unknown key" messages; looked up by the shape of the issue path.
const KEYS = {
  script: Object.keys(scriptSchema.shape),
  turn: ['text', 'tools', 'delayMs', 'error', 'hang', 'judge'],
  tool: Object.keys(toolCallSchema.shape),
  error: ['status', 'message'],
  judge: Object.keys(judgeSchema.shape),
};

export interface ToolCall {
  name: string;
  args: Record<string, unknown>;
}

export type Turn =
  | { kind: 'reply'; text?: string; tools: ToolCall[]; delayMs?: number }
  | { kind: 'error'; status: number; message: string; delayMs?: number }
  | { kind: 'hang'; delayMs?: number }
  | ({ kind: 'judge'; delayMs?: number } & JudgeTurn);

export type JudgeWinner = 'A' | 'B' | 'tie';

/** Exactly one of prefer and position is set. */
export interface JudgeTurn {
  /** Answer with the candidate whose diff block contains this text; tie if both or neither do. */
  prefer?: string;
  /** Answer this regardless of the candidates, like a judge with position bias. */
  position?: JudgeWinner;
  rationale?: string;
  confidence?: number;
}

export interface Script {
  /** Script name: the file name without extension, used as the model id. */
  name: string;
  /** Absolute path of the file the script was loaded from. */
  path: string;
  description?: string;
  turns: Turn[];
}

/** Parses and validates a script file. Throws TourneyError naming the file and key path. */
export async function loadScript(file: string): Promise<Script> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (err) {
    throw new TourneyError(`${file}: cannot read script file (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
  const data = parseSource(file, source);
  const result = scriptSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new TourneyError(`${file}: ${issue ? describeIssue(issue) : 'invalid script'}`);
  }
  return {
    name: scriptName(file),
    path: path.resolve(file),
    description: result.data.description,
    turns: result.data.turns.map(toTurn),
  };
}

function parseSource(file: string, source: string): unknown {
  if (file.endsWith('.json')) {
    try {
      return JSON.parse(source);
    } catch (err) {
      throw new TourneyError(`${file}: invalid JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  try {
    return parseYaml(source);
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const where = err.linePos ? ` at line ${err.linePos[0].line}, column ${err.linePos[0].col}` : '';
      const reason = err.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '');
      throw new TourneyError(`${file}: invalid YAML${where}: ${reason}`, { cause: err });
    }
    throw err;
  }
}

function toTurn(turn: z.infer<typeof turnSchema>): Turn {
  const delay = turn.delayMs === undefined ? {} : { delayMs: turn.delayMs };
  if (turn.hang) return { kind: 'hang', ...delay };
  if (turn.error) return { kind: 'error', ...turn.error, ...delay };
  if (turn.judge) return { kind: 'judge', ...turn.judge, ...delay };
  return { kind: 'reply', ...(turn.text === undefined ? {} : { text: turn.text }), tools: turn.tools ?? [], ...delay };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path);
  switch (issue.code) {
    case 'invalid_type': {
      const expected = issue.expected === 'object' && issue.path.length === 0 ? 'a mapping with a "turns" list' : withArticle(issue.expected);
      return `${where}: expected ${expected}`;
    }
    case 'unrecognized_keys': {
      const allowed = allowedKeys(issue.path);
      const keys = issue.keys.map((k) => `"${k}"`).join(', ');
      return `${where}: unknown key ${keys}${allowed ? ` (expected one of: ${allowed.join(', ')})` : ''}`;
    }
    case 'too_small':
      if (issue.origin === 'array') return `${where}: expected at least ${String(issue.minimum)} item(s)`;
      if (issue.origin === 'string') return `${where}: expected a non-empty string`;
      return `${where}: expected a number >= ${String(issue.minimum)}`;
    case 'too_big':
      return `${where}: expected a number <= ${String(issue.maximum)}`;
    case 'invalid_value':
      return `${where}: expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
    default:
      return `${where}: ${issue.message}`;
  }
}

function withArticle(type: string): string {
  if (type === 'int') return 'an integer';
  if (type === 'record') return 'a mapping';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

export function formatPath(p: readonly PropertyKey[]): string {
  let out = '';
  for (const key of p) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(top level)';
}

function allowedKeys(p: readonly PropertyKey[]): string[] | undefined {
  const last = p.at(-1);
  if (p.length === 0) return KEYS.script;
  if (p.length === 2 && p[0] === 'turns') return KEYS.turn;
  if (p.length === 4 && p[2] === 'tools') return KEYS.tool;
  if (last === 'error') return KEYS.error;
  if (last === 'judge') return KEYS.judge;
  return undefined;
}

function scriptName(file: string): string {
  return path.basename(file).replace(/\.(ya?ml|json)$/, '');
}

/** A missing or unreadable script directory simply holds no scripts. */
async function entriesOf(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

/** Names of all scripts found in the directories (first directory wins on duplicates), sorted. */
export async function listScripts(dirs: readonly string[]): Promise<string[]> {
  const names = new Set<string>();
  for (const dir of dirs) {
    for (const entry of await entriesOf(dir)) {
      if (SCRIPT_EXTENSIONS.some((ext) => entry.endsWith(ext))) names.add(scriptName(entry));
    }
  }
  return [...names].sort();
}

/** Finds `<dir>/<name>.yaml|.yml|.json` in the first directory that has it; returns its path. */
export async function resolveScript(name: string, dirs: readonly string[]): Promise<string> {
  if (SCRIPT_NAME.test(name)) {
    for (const dir of dirs) {
      const entries = await entriesOf(dir);
      const hit = SCRIPT_EXTENSIONS.map((ext) => name + ext).find((f) => entries.includes(f));
      if (hit) return path.join(dir, hit);
    }
  }
  const available = await listScripts(dirs);
  throw new TourneyError(
    `scripted model "${name}" not found; searched: ${dirs.length ? dirs.join(', ') : '(no script directories)'}; ` +
      `available: ${available.length ? available.join(', ') : '(none)'}`,
  );
}
