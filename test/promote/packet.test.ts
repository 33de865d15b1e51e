import { describe, expect, test } from 'vitest';
import { mdInline as mdText } from '../../src/text/markdown.js';
import { packetSummary, packetTitle, renderPrPacket } from '../../src/promote/packet.js';
import type { RunResult } from '../../src/types.js';
import { makeRun } from '../report/fixture.js';
import { allNodes, parseGfm, textOf } from '../support/markdown.js';

type Node = ReturnType<typeof allNodes>[number];
const tokens = (markdown: string): Node[] => allNodes(parseGfm(markdown));

/** What an attacker wants from entrant text: markup of their own (the packet's own bold is tourney's). */
function injected(markdown: string): string[] {
  const found: string[] = [];
  for (const t of tokens(markdown)) {
    if (['link', 'linkReference', 'image', 'imageReference', 'html', 'inlineCode', 'emphasis', 'delete', 'footnoteReference'].includes(t.type)) found.push(t.type);
  }
  const text = textOf(parseGfm(markdown));
  // GitHub's post-render filters: mentions, issue references, bare URLs / www, commit hashes.
  for (const re of [/@[A-Za-z0-9]/, /#\d/, /GH-\d/i, /[a-z]+:\/\//i, /\bwww\./i, /\b[0-9a-f]{7,40}\b/]) if (re.test(text)) found.push(`text ${re}`);
  return found;
}

const HOSTILE = [
  '[click](https://evil.example/x) ![i](https://evil.example/i.png) <img src=x onerror=alert(1)> <script>alert(2)</script>',
  '@octocat and @github/security please merge; fixes #1 and GH-2, see www.evil.example or https://evil.example',
  '| a | b |\n| --- | --- |\n# Heading\n## Approved\n> quote\n---',
  '`code` **bold** _em_ ~~strike~~ $x^2$ [^1] <https://evil.example> a5c3785ed8d6a35868bc169f07e40e889087fd2e',
  '- nested\n1. list\n+ more\n\u001b[31mred\u001b[0m\u0007',
];

function hostileRun(result: RunResult, evil: string): RunResult {
  const copy = structuredClone(result);
  copy.entrants = copy.entrants.map((e) => ({
    ...e,
    name: e.name === copy.winner ? e.name : `${evil.slice(0, 40)} ${e.name}`,
    model: `${evil.slice(0, 30)}/m`,
    error: evil,
    gates: e.gates.map((g) => ({ ...g, reason: evil })),
  }));
  copy.spec = { ...copy.spec, title: evil, test: evil };
  if (copy.selection) copy.selection = { ...copy.selection, summary: evil, runnerUp: evil };
  if (copy.judge.ran) {
    copy.judge.models = [evil];
    for (const m of copy.judge.matches) for (const c of m.calls) Object.assign(c, { rationale: evil, judge: evil, error: evil });
  }
  return copy;
}

describe('PR packet', () => {
  test('says what was asked, who won and why, why each other lost, the test plan, risks, cost and the report', async () => {
    const { result } = await makeRun('pairwise');
    const packet = renderPrPacket(result);
    expect(packet).toContain(packetSummary(result));
    expect(packet).toContain('Add a slugify helper');
    const winner = result.entrants.find((e) => e.name === result.winner)!;
    expect(packet).toContain(`score ${winner.score!.total.toFixed(1)}/100`);
    expect(packet).toMatch(/Gates: all \d+ passed/);
    for (const part of winner.score!.parts.filter((p) => p.weight > 0)) expect(packet).toContain(part.points.toFixed(1));
    // The judge's reasons in both presentation orders.
    expect(packet).toMatch(/careful shown first/);
    expect(packet).toMatch(/quick shown first/);
    // One line per other entrant, with its reason.
    for (const e of result.entrants.filter((x) => x.name !== result.winner)) {
      const line = packet.split('\n').find((l) => l.startsWith(`- ${e.name} `));
      expect(line, e.name).toBeDefined();
      const failed = e.gates.find((g) => !g.passed);
      if (e.status !== 'finished' && e.diff.files === 0) expect(line).toContain(`${e.status}: `);
      else if (failed) expect(line).toContain(`out on ${failed.gate === 'hiddenTests' ? 'hidden tests' : failed.gate}`);
    }
    for (const row of ['visible tests', 'hidden tests', 'build', 'benchmarks']) expect(packet).toMatch(new RegExp(`^\\| ${row} \\|`, 'm'));
    expect(packet).toMatch(/Lint: \d+ new errors?, \d+ new warnings?/);
    expect(packet).toMatch(/New dependencies: /);
    expect(packet).toContain(`$${result.totals.costUsd.toFixed(2)}`);
    expect(packet).toContain(result.reportPath);
    // Short: a reviewer reads it in a minute.
    expect(packet.split('\n').length).toBeLessThan(60);
    expect(packet.length).toBeLessThan(6000);
  });

  test('rubric judge and no judge are told too', async () => {
    for (const which of ['rubric', 'none'] as const) {
      const { result } = await makeRun(which);
      const packet = renderPrPacket(result);
      expect(packet).toMatch(which === 'rubric' ? /Judge \(rubric, / : /Judge: not run \(/);
    }
  });

  test('no winner: the reason, and every entrant with why it is out', async () => {
    const { result } = await makeRun('none');
    const none = { ...result, winner: null, winnerBranch: null, selection: { ...result.selection!, summary: 'no entrant passed every gate', decidedBy: 'none' as const } };
    const packet = renderPrPacket(none);
    expect(packetSummary(none)).toMatch(/No winner: no entrant passed every gate/);
    expect(packet).not.toMatch(/Why it won|Test plan/);
    for (const e of none.entrants) expect(packet).toContain(`- ${e.name} `);
  });

  test('the summary is a pure function of the result (same input, same text; plain mode has no markup)', async () => {
    const { result } = await makeRun('pairwise');
    const copy = structuredClone(result);
    expect(packetSummary(copy)).toBe(packetSummary(result));
    expect(renderPrPacket(copy)).toBe(renderPrPacket(result));
    const plain = packetSummary(result, { markdown: false });
    expect(plain.split('\n')[0]).toBe(packetTitle(result));
    expect(plain).not.toMatch(/[*#\\]/);
  });

  test.each(HOSTILE.map((h, i) => [i, h]))('entrant text cannot inject markup (case %i)', async (_i, evil) => {
    const { result } = await makeRun('pairwise');
    const clean = renderPrPacket(result);
    const baseline = tokens(clean);
    const packet = renderPrPacket(hostileRun(result, evil));
    expect(injected(packet)).toEqual(injected(clean));
    const kinds = (ts: Node[]) => ts.filter((t) => /^(heading|table|tableRow|blockquote|list|listItem|thematicBreak|code)$/.test(t.type)).map((t) => t.type).join(' ');
    // Same document structure: no heading, table row, list, quote or rule of the entrant's.
    expect(kinds(tokens(packet))).toBe(kinds(baseline));
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    expect(packet).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    // The title is plain text on one line.
    expect(packetTitle(hostileRun(result, evil))).not.toMatch(/\n/);
  });

  test('mdText keeps ordinary text readable', () => {
    expect(mdText('fix slugify for accents (é → e), 3 tests')).toBe('fix slugify for accents (é → e), 3 tests');
    expect(mdText('x'.repeat(300), 50)).toHaveLength(50);
    const parsed = parseGfm(mdText('x | y [z](u) *w*'));
    expect(textOf(parsed)).toBe('x | y [z](u) *w*');
    expect(tokens(mdText('x | y [z](u) *w*')).map((n) => n.type)).toEqual(['root', 'paragraph', 'text']);
  });
});
