import * as z from 'zod';

type Issue = z.core.$ZodIssue;

const ALLOWED_PREFIX = 'allowed keys: ';

/**
 * A z.strictObject whose unknown-key issue carries the allowed keys, which zod does not record,
 * so that the message can list them and suggest the nearest one.
 */
export function strictObject<T extends z.core.$ZodLooseShape>(shape: T) {
  const allowed = ALLOWED_PREFIX + Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? allowed : 'expected a mapping of keys to values'),
  });
}

/** `entrants[1].model`, `sandbox.env[0]`. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(String(seg))) out += out ? `.${String(seg)}` : String(seg);
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

/** A parsed YAML/JSON value, as the user would recognise it in their file. */
export function describeValue(value: unknown, nullText = 'an empty value'): string {
  if (value === null) return nullText;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string', number: 'a number', boolean: 'true or false', array: 'a list', object: 'a mapping', record: 'a mapping', int: 'an integer',
};

function expectation(issue: Issue): string {
  if (issue.message.startsWith('expected ')) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const [least, most] = issue.inclusive ? ['at least', 'at most'] : ['more than', 'fewer than'];
      const word = issue.code === 'too_small' ? least : most;
      if (issue.origin === 'array') return `expected ${word} ${bound} item${bound === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return bound === 1 && word === 'at least' ? 'expected a non-empty string' : `expected ${word} ${bound} characters`;
      const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : (issue.inclusive ? '<=' : '<');
      return `expected a number ${op} ${bound}`;
    }
    case 'invalid_value':
      return `expected ${issue.values.length === 1 ? '' : 'one of '}${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return `expected a string matching ${'pattern' in issue && issue.pattern ? issue.pattern : issue.format}`;
    default:
      return issue.message;
  }
}

function got(issue: Issue, nullText?: string): string {
  const value = issue.input;
  const text = describeValue(value, nullText);
  // "got 5" under "expected a string" reads like a typo; naming the type says it is YAML's doing.
  return issue.code === 'invalid_type' && (typeof value === 'number' || typeof value === 'boolean') ? `${text} (a ${typeof value})` : text;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

function unknownKeyLine(issue: Extract<Issue, { code: 'unrecognized_keys' }>, key: string, file: string, label: string): string {
  const allowed = issue.message.startsWith(ALLOWED_PREFIX) ? issue.message.slice(ALLOWED_PREFIX.length).split(', ') : [];
  const near = allowed.find((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
  const hint = near ? ` (did you mean "${near}"?)` : '';
  return `${file}: unknown ${label} "${formatKeyPath([...issue.path, key])}"${hint}; ${issue.message}`;
}

/**
 * One line per issue: `<file>: <label> "<key path>": expected ..., got ...`. `label` names what
 * the keys are, e.g. "front matter key" or "key".
 */
const MAX_ISSUE_LINES = 20;

/** `nullText`: how a null reads in this kind of file (YAML's empty value is JSON's null). */
export function formatZodIssues(issues: readonly Issue[], file: string, label = 'key', nullText?: string): string {
  const all = issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => unknownKeyLine(issue, k, file, label));
    const path = formatKeyPath(issue.path);
    const where = path ? `${label} "${path}"` : 'top level';
    // Any check of an absent key (a type, an enum) means the key is missing.
    if (issue.input === undefined && path && issue.code !== 'custom') return [`${file}: ${where} is missing: ${expectation(issue)}`];
    return [`${file}: ${where}: ${expectation(issue)}, got ${got(issue, nullText)}`];
  });
  // Two checks of one value (a pattern, then a rule) can fail with the same words.
  const lines = [...new Set(all)];
  // A file with thousands of mistakes needs the first few, not a screenful per mistake.
  if (lines.length <= MAX_ISSUE_LINES) return lines.join('\n');
  return [...lines.slice(0, MAX_ISSUE_LINES), `${file}: … and ${(lines.length - MAX_ISSUE_LINES).toLocaleString('en-US')} more`].join('\n');
}
