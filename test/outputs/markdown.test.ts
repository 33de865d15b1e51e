import { rm } from 'node:fs/promises';
import type { Root, Table } from 'mdast';
import { afterAll, describe, expect, it } from 'vitest';
import { describeSelection } from '../../src/ranking/selection.js';
import { renderMarkdown } from '../../src/outputs/markdown.js';
import { mdInline as md } from '../../src/text/markdown.js';
import type { EntrantResult, RunResult } from '../../src/types.js';
import { makeRun } from '../report/fixture.js';
import { parseGfm, textOf, walk } from '../support/markdown.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
async function fixture(): Promise<RunResult> {
  const fx = await makeRun();
  dirs.push(fx.runDir);
  // The selection as the ranking stage describes it, from the fixture's ranks and scores.
  return { ...fx.result, selection: describeSelection(fx.result.entrants, null) };
}

const parse = parseGfm;
const tables = (root: Root) => root.children.filter((n): n is Table => n.type === 'table');

// Each is a way entrant-written text could take over a Markdown document or a GitHub page.
const HOSTILE = [
  'a | b | c',
  'tick `code` and ```fence```',
  '<img src=x onerror=alert(1)> <script>alert(1)</script> <!-- hidden -->',
  '[click](https://evil.example) ![pixel](https://evil.example/p.png) [ref][1]',
  '@octocat @github/security-team please approve',
  'line one\nline two\r\n| 9 | forged | row |\n\n# heading',
  '**bold** _em_ ~~strike~~ \\| escaped pipe \\',
  'https://evil.example www.evil.example auto@link.example',
  '&lt;entity&gt; &#124; &amp;',
  'bidi \u202Eevil\u202C zero\u200Bwidth \u001b[31mred\u001b[0m',
  '<details><summary>open me</summary>',
  '- [ ] task\n> quote\n1. list',
];

describe('Markdown scorecard', () => {
  it('renders a realistic run (snapshot, temp paths replaced)', async () => {
    const result = await fixture();
    const text = renderMarkdown(result).replaceAll(md(result.runDir, 1000), '<run-dir>');
    expect(text).toMatchSnapshot();
  });

  it('one table row per entrant, ranked first, with every column filled', async () => {
    const result = await fixture();
    const [table] = tables(parse(renderMarkdown(result)));
    expect(table).toBeDefined();
    const rows = table!.children.map((r) => r.children.map((c) => textOf(c)));
    expect(rows[0]).toEqual(['Rank', 'Entrant', 'Model', 'Status', 'Gates', 'Score', 'Tests', 'Hidden', 'Lint new', 'Security new', 'Diff', 'Time', 'Cost']);
    expect(rows.slice(1).map((r) => r[1])).toHaveLength(result.entrants.length);
    const winner = result.entrants.find((e) => e.name === result.winner)!;
    expect(rows[1]![1]).toBe(winner.name);
    expect(rows[1]![5]).toBe(winner.score!.total.toFixed(1));
    for (const row of rows) expect(row).toHaveLength(13);
  });

  it('puts the packet summary block under the title when given', async () => {
    const result = await fixture();
    const text = renderMarkdown(result, { top: '> **Packet:** careful wins on hidden tests.' });
    const root = parse(text);
    expect(root.children[0]!.type).toBe('heading');
    expect(root.children[1]!.type).toBe('blockquote');
  });

  it.each(HOSTILE)('entrant text stays inert text in one cell: %j', async (hostile) => {
    const result = await fixture();
    const e: EntrantResult = result.entrants[0]!;
    const renamed = { ...result, winner: hostile, selection: result.selection && { ...result.selection, summary: hostile, runnerUp: hostile },
      entrants: result.entrants.map((x, i) => (i === 0 ? { ...e, name: hostile, model: hostile, status: 'error' as const, error: hostile, gates: e.gates.map((g) => ({ ...g, passed: false, reason: hostile })) } : x)) };
    const text = renderMarkdown(renamed);
    const root = parse(text);
    const kinds = new Set<string>();
    walk(root, (n) => kinds.add(n.type));
    // Only what tourney itself writes: a heading, paragraphs, strong, the table, the list of outs.
    for (const bad of ['html', 'link', 'image', 'inlineCode', 'code', 'linkReference', 'imageReference', 'delete', 'emphasis', 'blockquote', 'definition', 'thematicBreak'])
      expect(kinds.has(bad), `${bad} in ${text}`).toBe(false);
    const headings = root.children.filter((n) => n.type === 'heading');
    expect(headings).toHaveLength(1);
    const [table] = tables(root);
    expect(table!.children).toHaveLength(result.entrants.length + 1);
    for (const row of table!.children) expect(row.children).toHaveLength(13);
    const row = table!.children.find((r) => textOf(r.children[1]!) !== 'Entrant' && textOf(r.children[3]!) === 'error' && textOf(r.children[2]!) !== 'openai/gpt-5')!;
    // What a reader sees is the text itself, on one line, without controls or invisible format characters.
    // eslint-disable-next-line no-control-regex -- the escape sequence is what is tested
    const shown = hostile.replace(/\u001b\[[0-9;]*m/g, '').replace(/[\p{Cc}\p{Cf}]/gu, (c) => (/\s/.test(c) ? c : '')).replace(/\s+/g, ' ').trim();
    expect(textOf(row.children[1]!).replace(/\u2060/g, '')).toBe(shown);
    // No mention survives: every @ is followed by a word joiner.
    expect(textOf(root)).not.toMatch(/@(?!\u2060)/);
  });
});
