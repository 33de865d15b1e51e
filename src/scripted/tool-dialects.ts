// Scripts name their tool calls as opencode does (read, edit, bash... with filePath, oldString...). Other agents
// advertise other tools in their requests; this maps a script's call onto the tools the request offers, so one
// script drives every agent. A call is left as written when the request offers its name, or nothing it maps to.
import type { ToolCall } from './script.js';

type Args = Record<string, unknown>;

/** One opencode tool as another agent's tool: its name there and how the arguments translate. */
interface Mapping {
  name: string;
  args(args: Args): Args;
}

/** Keeps only keys whose value is set, renamed: `{ filePath: 'file_path' }`. */
function renamed(args: Args, names: Record<string, string>): Args {
  const out: Args = {};
  for (const [from, to] of Object.entries(names)) {
    if (args[from] !== undefined) out[to] = args[from];
  }
  return out;
}

/** Single-quoted for a POSIX shell: the fallbacks below build Bash commands from script paths and patterns. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

// Claude Code's tools (names and input fields from @anthropic-ai/claude-code's sdk-tools.d.ts, 2.1.x). It has
// no LS tool, and offers Glob/Grep only when asked for (--tools): those fall back to Bash when not offered.
const CLAUDE_CODE: Record<string, Mapping[]> = {
  read: [{ name: 'Read', args: (a) => renamed(a, { filePath: 'file_path', offset: 'offset', limit: 'limit' }) }],
  write: [{ name: 'Write', args: (a) => renamed(a, { filePath: 'file_path', content: 'content' }) }],
  edit: [{ name: 'Edit', args: (a) => renamed(a, { filePath: 'file_path', oldString: 'old_string', newString: 'new_string', replaceAll: 'replace_all' }) }],
  bash: [{ name: 'Bash', args: (a) => renamed(a, { command: 'command', description: 'description', timeout: 'timeout' }) }],
  glob: [
    { name: 'Glob', args: (a) => renamed(a, { pattern: 'pattern', path: 'path' }) },
    { name: 'Bash', args: (a) => ({ command: `find ${shellQuote(text(a.path, '.'))} -path ${shellQuote(`*${text(a.pattern, '*')}`)} -not -path '*/.git/*'`, description: 'Find files' }) },
  ],
  grep: [
    { name: 'Grep', args: (a) => ({ ...renamed(a, { pattern: 'pattern', path: 'path', include: 'glob' }), output_mode: 'content', '-n': true }) },
    {
      name: 'Bash',
      args: (a) => ({
        command: `grep -rnE ${typeof a.include === 'string' ? `--include=${shellQuote(a.include)} ` : ''}-e ${shellQuote(text(a.pattern, '.'))} ${shellQuote(text(a.path, '.'))}`,
        description: 'Search file contents',
      }),
    },
  ],
  list: [
    { name: 'LS', args: (a) => renamed(a, { path: 'path', ignore: 'ignore' }) },
    { name: 'Bash', args: (a) => ({ command: `ls -la ${shellQuote(text(a.path, '.'))}`, description: 'List files' }) },
  ],
};

/** Tool names that tell a request apart as Claude Code's (it always offers these when it may edit). */
const CLAUDE_CODE_MARKERS = ['Read', 'Edit', 'Bash'];

/**
 * The call as the request's agent names it. `offered` is the tool names the request lists; undefined (a wire
 * that does not say) or a list with the call's own name leaves the call unchanged.
 */
export function adaptToolCall(call: ToolCall, offered: readonly string[] | undefined): ToolCall {
  if (offered === undefined || offered.includes(call.name)) return call;
  if (!CLAUDE_CODE_MARKERS.some((name) => offered.includes(name))) return call;
  const mapping = CLAUDE_CODE[call.name]?.find((m) => offered.includes(m.name));
  return mapping ? { name: mapping.name, args: mapping.args(call.args) } : call;
}
