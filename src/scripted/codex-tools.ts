// Scripts are written with opencode's tools (read, write, edit, bash...). Codex offers other ones: a shell
// (`exec_command`, `shell_command` or `shell`), `apply_patch` (a freeform or a function tool) and `update_plan`.
// This maps a script's call onto what the request advertises, so one script drives Codex as it drives opencode.
import path from 'node:path';

/** A tool as the request lists it: a Responses `function` or freeform `custom` tool (others are kept by name only). */
export interface AdvertisedTool {
  type: string;
  name: string;
}

/** One tool call of an answer; `format: 'custom'` means `arguments` is a freeform tool's raw input, not JSON. */
export interface MappedCall {
  id: string;
  name: string;
  arguments: string;
  format?: 'custom';
}

const SHELLS = ['exec_command', 'shell_command', 'shell'] as const;

/** Whether the request comes from an agent with Codex's tools (and none of the script's own). */
export function isCodexToolset(tools: readonly AdvertisedTool[]): boolean {
  return tools.some((t) => (SHELLS as readonly string[]).includes(t.name) || t.name === 'apply_patch');
}

/**
 * The call Codex should receive for a script's call. A name the request advertises is kept as it is (the
 * script addressed that agent's own tool); an opencode tool becomes its Codex equivalent; anything else is
 * left unchanged, and Codex answers it as an unsupported call, as it would a real model's mistake.
 */
export function mapToCodex(call: MappedCall, tools: readonly AdvertisedTool[], workdir: string | undefined): MappedCall {
  if (tools.some((t) => t.name === call.name) || !isCodexToolset(tools)) return call;
  const args = parseArgs(call.arguments);
  if (!args) return call;
  const cwd = str(args.workdir) ?? workdir;
  const rel = (p: unknown) => relativeTo(str(p) ?? '', workdir);
  switch (call.name) {
    case 'bash':
      return typeof args.command === 'string' ? shell(call.id, tools, args.command, cwd) : call;
    case 'read':
      return typeof args.filePath === 'string' ? shell(call.id, tools, readCommand(rel(args.filePath), args.offset, args.limit), workdir) : call;
    case 'write':
      return typeof args.filePath === 'string' && typeof args.content === 'string' ? patch(call.id, tools, addFile(rel(args.filePath), args.content), workdir) : call;
    case 'edit': {
      const { filePath, oldString, newString } = args;
      if (typeof filePath !== 'string' || typeof oldString !== 'string' || typeof newString !== 'string') return call;
      const file = rel(filePath);
      // apply_patch replaces whole lines: an edit inside a line is done by a small exact replacement instead.
      const hunk = updateFile(file, oldString, newString);
      return hunk ? patch(call.id, tools, hunk, workdir) : shell(call.id, tools, replaceCommand(file, oldString, newString, args.replaceAll === true), workdir);
    }
    case 'list':
      return shell(call.id, tools, `ls -la -- ${quote(rel(args.path ?? '.') || '.')}`, workdir);
    case 'glob':
      return typeof args.pattern === 'string' ? shell(call.id, tools, `rg --files -g ${quote(args.pattern)} -- ${quote(rel(args.path ?? '.') || '.')}`, workdir) : call;
    case 'grep': {
      if (typeof args.pattern !== 'string') return call;
      const include = typeof args.include === 'string' ? ` -g ${quote(args.include)}` : '';
      return shell(call.id, tools, `rg -n${include} -e ${quote(args.pattern)} -- ${quote(rel(args.path ?? '.') || '.')}`, workdir);
    }
    case 'todowrite':
      return tools.some((t) => t.name === 'update_plan') && Array.isArray(args.todos) ? plan(call.id, args.todos) : call;
    default:
      return call;
  }
}

function parseArgs(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** apply_patch wants paths relative to the session's directory. */
function relativeTo(p: string, workdir: string | undefined): string {
  if (!workdir || !path.posix.isAbsolute(p)) return p;
  const rel = path.posix.relative(workdir, p);
  return rel === '' || rel.startsWith('..') ? p : rel;
}

/** A POSIX shell single-quoted word. */
export function quote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

function readCommand(file: string, offset: unknown, limit: unknown): string {
  if (typeof offset !== 'number' && typeof limit !== 'number') return `cat -- ${quote(file)}`;
  const from = typeof offset === 'number' && offset > 0 ? Math.floor(offset) : 1;
  const to = typeof limit === 'number' && limit > 0 ? `${from + Math.floor(limit) - 1}` : '$';
  return `sed -n ${quote(`${from},${to}p`)} -- ${quote(file)}`;
}

function lines(text: string): string[] {
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  return all;
}

export function addFile(file: string, content: string): string {
  return ['*** Begin Patch', `*** Add File: ${file}`, ...lines(content).map((l) => `+${l}`), '*** End Patch', ''].join('\n');
}

/** An Update File hunk, or undefined when the edit does not cover whole lines (apply_patch cannot express it). */
export function updateFile(file: string, oldString: string, newString: string): string | undefined {
  if (oldString === '' || !oldString.endsWith('\n') || !newString.endsWith('\n')) return undefined;
  const hunk = [...lines(oldString).map((l) => `-${l}`), ...lines(newString).map((l) => `+${l}`)];
  return ['*** Begin Patch', `*** Update File: ${file}`, '@@', ...hunk, '*** End Patch', ''].join('\n');
}

function replaceCommand(file: string, oldString: string, newString: string, all: boolean): string {
  // Arguments travel base64-encoded so no quoting can change them; node is in every sandbox image.
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  const program =
    "const fs=require('fs');const d=(s)=>Buffer.from(s,'base64').toString('utf8');const [f,o,n,a]=process.argv.slice(1);" +
    "const t=fs.readFileSync(f,'utf8');const o2=d(o);if(!t.includes(o2)){console.error('oldString not found in '+f);process.exit(1)}" +
    "fs.writeFileSync(f,a==='1'?t.split(o2).join(d(n)):t.replace(o2,()=>d(n)));console.log('edited '+f)";
  return `node -e ${quote(program)} ${quote(file)} ${b64(oldString)} ${b64(newString)} ${all ? '1' : '0'}`;
}

function shell(id: string, tools: readonly AdvertisedTool[], command: string, workdir: string | undefined): MappedCall {
  const name = SHELLS.find((s) => tools.some((t) => t.name === s)) ?? 'exec_command';
  const cwd = workdir ? { workdir } : {};
  if (name === 'exec_command') return { id, name, arguments: JSON.stringify({ cmd: command, ...cwd, yield_time_ms: 30000 }) };
  if (name === 'shell_command') return { id, name, arguments: JSON.stringify({ command, ...cwd, timeout_ms: 120000 }) };
  return { id, name, arguments: JSON.stringify({ command: ['bash', '-lc', command], ...cwd, timeout_ms: 120000 }) };
}

function patch(id: string, tools: readonly AdvertisedTool[], body: string, workdir: string | undefined): MappedCall {
  const tool = tools.find((t) => t.name === 'apply_patch');
  if (tool?.type === 'custom') return { id, name: 'apply_patch', arguments: body, format: 'custom' };
  if (tool) return { id, name: 'apply_patch', arguments: JSON.stringify({ input: body }) };
  // Without an apply_patch tool Codex still intercepts `apply_patch` run through its shell and applies it itself.
  // Every patch line starts with a marker (+, -, space, @, *), so no line of it can end the heredoc.
  return shell(id, tools, `apply_patch <<'TOURNEY_PATCH'\n${body}TOURNEY_PATCH\n`, workdir);
}

function plan(id: string, todos: unknown[]): MappedCall {
  const status = (s: unknown) => (s === 'completed' ? 'completed' : s === 'in_progress' ? 'in_progress' : 'pending');
  const steps = todos.flatMap((t) =>
    t && typeof t === 'object' && typeof (t as { content?: unknown }).content === 'string'
      ? [{ step: (t as { content: string }).content, status: status((t as { status?: unknown }).status) }]
      : [],
  );
  return { id, name: 'update_plan', arguments: JSON.stringify({ plan: steps }) };
}
