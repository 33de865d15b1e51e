// The `command` kind's template: an argv (a list, or a string split like a shell would split words, with quotes but
// no expansion of any kind), with {placeholders} replaced inside each word. Nothing ever goes through a shell, so no
// value (a model name, a path) can become code; the prompt itself is never in argv, only the path of its file.

/** What a template may name, and what each becomes. */
export const COMMAND_PLACEHOLDERS = {
  promptFile: 'path of a file holding the whole prompt (UTF-8), inside the sandbox',
  workdir: 'the repository copy the agent works in (also the working directory)',
  model: 'the entrant\'s model as configured ("provider/model")',
  modelId: 'the model without its provider ("model")',
  baseUrl: 'OpenAI-compatible base URL of the model (the scripted model server, or providers.<id>.baseURL); empty if none',
} as const;

export type CommandPlaceholder = keyof typeof COMMAND_PLACEHOLDERS;
export type CommandValues = Record<CommandPlaceholder, string>;

const PLACEHOLDER_RE = /\{([^{}]*)\}/g;

/** Splits a command string into words: whitespace separates, '...' and "..." quote, \ escapes (outside '...'). */
export function splitCommand(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (c === '\\') {
      const next = text[i + 1];
      if (next === undefined) throw new Error('the command ends with a lone "\\"');
      word += next;
      inWord = true;
      i++;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`the command has an unclosed ${quote} quote`);
  if (inWord) words.push(word);
  return words;
}

/** The problems of a template (argv form), each a sentence; [] when it is usable. */
export function commandProblems(argv: readonly string[]): string[] {
  if (argv.length === 0 || argv[0] === '') return ['expected a command to run, e.g. "my-agent --prompt-file {promptFile}"'];
  const problems: string[] = [];
  if (/[{}]/.test(argv[0]!)) problems.push(`expected a program name as the first word, not a placeholder (${JSON.stringify(argv[0])})`);
  for (const word of argv) {
    for (const [, name] of word.matchAll(PLACEHOLDER_RE)) {
      if (!(name! in COMMAND_PLACEHOLDERS)) {
        problems.push(`unknown placeholder {${name}}: expected one of ${Object.keys(COMMAND_PLACEHOLDERS).map((p) => `{${p}}`).join(', ')}`);
      }
    }
    if (/[{}]/.test(word.replace(PLACEHOLDER_RE, ''))) problems.push(`unbalanced "{" or "}" in ${JSON.stringify(word)}`);
  }
  return problems;
}

/** The template as argv, or the reasons it is not one. */
export function parseCommand(template: string | readonly string[]): { argv: string[] } | { problems: string[] } {
  let argv: string[];
  try {
    argv = typeof template === 'string' ? splitCommand(template) : [...template];
  } catch (err) {
    return { problems: [(err as Error).message] };
  }
  const problems = commandProblems(argv);
  return problems.length > 0 ? { problems } : { argv };
}

/** Fills in the placeholders of a validated template. */
export function expandCommand(argv: readonly string[], values: CommandValues): string[] {
  return argv.map((word) => word.replace(PLACEHOLDER_RE, (_, name: string) => values[name as CommandPlaceholder]));
}
