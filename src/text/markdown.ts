// Entrant-controlled text (names, models, errors, gate reasons, judge rationale) made inert for GitHub
// Markdown, shared by every Markdown tourney writes: the PR packet, the job summary, `--markdown`.
import { stripControl } from './control.js';

// ASCII that no GFM rule starts with: letters, digits, a space and plain punctuation. Every other ASCII
// character becomes a numeric reference, so it can neither end a table cell nor open a link, an image,
// emphasis, a code span, HTML, a heading, a list or a quote. Non-ASCII is never Markdown syntax.
const SAFE_ASCII = /[A-Za-z0-9 ,./=+%'"()-]/;

/**
 * Text as inert Markdown inline content: one line, at most `max` characters, syntax as references,
 * and what GitHub links after rendering (@mentions, #12 and GH-12, scheme: and www. links, commit
 * hashes) broken by a word joiner, which is invisible and survives the decoding of references.
 */
export function mdInline(text: string, max = 240): string {
  // Format characters (bidi overrides, zero-width joiners) reorder or hide text; none belongs in a review.
  const line = stripControl(text).replace(/\p{Cf}/gu, '').replace(/[\s\p{Z}]+/gu, ' ').trim();
  const chars = [...line];
  const cut = chars.length > max ? [...chars.slice(0, max - 1).join('').trimEnd(), '…'] : chars;
  let out = '';
  let hexRun = 0;
  cut.forEach((ch, i) => {
    const before = cut.slice(Math.max(0, i - 3), i).join('').toLowerCase();
    hexRun = /[0-9a-f]/i.test(ch) ? hexRun + 1 : 0;
    // A commit hash is linked from 7 hex digits on: no run that long survives unbroken.
    if (hexRun > 6) {
      out += '\u2060';
      hexRun = 1;
    }
    if (ch === '@') out += '&#64;\u2060';
    else if (ch === ':') out += '&#58;\u2060';
    else if (ch === '#') out += '&#35;\u2060';
    else if (ch === '.' && before === 'www') out += '\u2060&#46;';
    else if (ch === '-' && before.endsWith('gh')) out += '\u2060-';
    // Where the text starts a list item or a table cell: a nested list ("- x", "+ x", "1. x", "1) x") or a setext underline.
    else if ((i === 0 && '-+='.includes(ch)) || ((ch === ')' || ch === '.') && /^\d+$/.test(cut.slice(0, i).join('')))) out += `&#${ch.codePointAt(0)};`;
    else if (ch.codePointAt(0)! > 0x7f || SAFE_ASCII.test(ch)) out += ch;
    else out += `&#${ch.codePointAt(0)};`;
  });
  return out;
}

/** A code span that cannot be closed early by the text (for commands and paths from the run). */
export function mdCode(text: string, max = 160): string {
  let s = stripControl(text).replace(/\p{Cf}/gu, '').replace(/\s+/g, ' ').trim();
  if (s.length > max) s = `${s.slice(0, max - 1).trimEnd()}…`;
  const longest = Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') || s === '' ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}
