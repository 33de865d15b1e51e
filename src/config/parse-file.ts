import { isScalar, LineCounter, parseDocument, visit, YAMLError, YAMLParseError, type Document } from 'yaml';
import { TourneyError } from '../errors.js';

/** "at line 4, column 1: Map keys must be unique" from a yaml error, lines shifted by `lineOffset`. */
export function yamlErrorText(err: YAMLError, lineOffset = 0): string {
  const reason = err.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '').trim();
  const pos = err.linePos?.[0];
  return pos ? `at line ${pos.line + lineOffset}, column ${pos.col}: ${reason}` : `in the document: ${reason}`;
}

/** Parses YAML text, throwing the first syntax error as a YAMLError. */
export function parseYaml(text: string): unknown {
  const lineCounter = new LineCounter();
  // logLevel 'error' keeps yaml from printing warnings (e.g. unknown tags) to stderr mid-run.
  // uniqueKeys is checked below: yaml's own check compares every key with every other (20,000 keys: 12 s).
  const doc = parseDocument(text, { logLevel: 'error', prettyErrors: true, uniqueKeys: false, lineCounter });
  const first = doc.errors[0];
  if (first) throw first;
  const duplicate = firstDuplicateKey(doc);
  if (duplicate !== null) {
    const err = new YAMLParseError([duplicate, duplicate + 1], 'DUPLICATE_KEY', 'Map keys must be unique');
    err.linePos = [lineCounter.linePos(duplicate)];
    throw err;
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // yaml throws a bare ReferenceError when aliases expand past the limit (a "billion laughs" file).
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      throw new YAMLParseError([0, 0], 'BAD_ALIAS', 'aliases (*name) expand to too many nodes; write the values out instead of nesting aliases');
    }
    throw err;
  }
}

/** Offset of the first key that repeats an earlier key of the same mapping, or null. */
function firstDuplicateKey(doc: Document): number | null {
  let found: number | null = null;
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        // Only scalar keys: a mapping or list used as a key is legal YAML no tourney file uses.
        const key = pair.key;
        if (!isScalar(key)) continue;
        const name = String(key.value);
        if (seen.has(name)) {
          found = key.range?.[0] ?? 0;
          return visit.BREAK;
        }
        seen.add(name);
      }
      return undefined;
    },
  });
  return found;
}

class JsonSyntax {
  constructor(readonly offset: number) {}
}

/**
 * Offset of the first character that makes `text` invalid JSON, or -1. Node 20's JSON.parse
 * reports a position for only some errors ("Unexpected token ..." has none), hence this scan.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => { throw new JsonSyntax(i); };
  const ws = () => { while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++; };
  const expect = (s: string) => { if (text.startsWith(s, i)) i += s.length; else fail(); };
  const string = () => {
    i++;
    for (;;) {
      const c = text[i];
      if (c === undefined || c < ' ') fail();
      else if (c === '"') { i++; return; }
      else if (c !== '\\') i++;
      else if (text[i + 1] === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
      else if ('"\\/bfnrt'.includes(text[i + 1] ?? 'x')) i += 2;
      else { i++; fail(); }
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++; ws();
      if (text[i] === close) { i++; return; }
      for (;;) {
        if (c === '{') { ws(); if (text[i] !== '"') fail(); string(); ws(); expect(':'); }
        value(); ws();
        if (text[i] === ',') { i++; continue; }
        expect(close);
        return;
      }
    }
    if (c === '"') return string();
    const num = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i))?.[0];
    if (num) { i += num.length; return; }
    // Walk as far as a literal matches so the offset lands where V8's "Unexpected token" does.
    const word = ['true', 'false', 'null'].find((w) => w[0] === c) ?? fail();
    for (const ch of word) { if (text[i] === ch) i++; else fail(); }
  };
  try {
    value(); ws();
    if (i < text.length) fail();
    return -1;
  } catch (err) {
    if (err instanceof JsonSyntax) return err.offset;
    throw err;
  }
}

function lineAndColumn(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, col: (before.at(-1)?.length ?? 0) + 1 };
}

/** Parses JSON; a syntax error becomes a TourneyError naming `display` and the line and column. */
export function parseJson(text: string, display: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const offset = jsonErrorOffset(text);
    const reason = (err as Error).message.replace(/, ".*" is not valid JSON$/s, '').replace(/ (?:in|after) JSON at position \d+.*$/s, '');
    const where = offset < 0 ? '' : offset >= text.length ? ' at the end of the file' : (({ line, col }) => ` at line ${line}, column ${col}`)(lineAndColumn(text, offset));
    throw new TourneyError(`${display}: invalid JSON${where}: ${reason}`, { cause: err });
  }
}

export function isYamlError(err: unknown): err is YAMLError {
  return err instanceof YAMLError;
}
