import { stripControl } from '../text/control.js';

/**
 * Entrant-controlled text (names, models, error messages, judge rationale) made inert for GitHub
 * Markdown: one line, the characters that open inline markup escaped (and block markers at its
 * start, where it may begin a list item or a table cell), HTML special characters as entities, and the things GitHub links after rendering (@mentions,
 * #references, bare URLs, www.) broken with a zero-width space so they stay plain text.
 */
export function mdText(text: string, max = 240): string {
  // Format characters (bidi overrides, zero-width joiners) reorder or hide text; none belongs in a review.
  let s = stripControl(text).replace(/\p{Cf}/gu, '').replace(/\s+/g, ' ').trim();
  if (s.length > max) s = `${s.slice(0, max - 1).trimEnd()}…`;
  return s
    // Only what can start markup mid-line: emphasis, code, links/images ([ ]), HTML and autolinks
    // (< >), headings/references (#), tables (|), strikethrough (~), math ($), footnotes (^ in [ ]).
    .replace(/[\\`*_{}[\]#!|~$]/g, (c) => `\\${c}`)
    // At the start of a list item: a nested list ("- x", "+ x", "1. x", "1) x") or a setext underline.
    .replace(/^[-+=]/, (c) => `\\${c}`)
    .replace(/^(\d+)([.)])/, '$1\\$2')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // After rendering, GitHub links "@user", "#12", "GH-12", bare URLs, "www." and commit hashes.
    .replace(/@/g, '@\u200b')
    .replace(/\\#/g, '\\#\u200b')
    .replace(/\bGH-/gi, (m) => `${m.slice(0, 2)}\u200b-`)
    .replace(/:\/\//g, ':\u200b//')
    .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}\u200b.`)
    .replace(/\b[0-9a-f]{7,}\b/gi, (hex) => hex.match(/.{1,6}/g)!.join('\u200b'));
}

/** A code span that cannot be closed early by the text (for commands and paths from the run). */
export function mdCode(text: string, max = 160): string {
  // Format characters (bidi overrides, zero-width joiners) reorder or hide text; none belongs in a review.
  let s = stripControl(text).replace(/\p{Cf}/gu, '').replace(/\s+/g, ' ').trim();
  if (s.length > max) s = `${s.slice(0, max - 1).trimEnd()}…`;
  const longest = Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') || s === '' ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}
