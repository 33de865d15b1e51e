import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMatch } from '../../src/judge/verdicts.js';
import { judgeView } from '../../src/report/judge.js';
import { ordinal } from '../../src/report/judge-matches.js';
import { renderReport } from '../../src/report/render.js';
import { makeRun, NO_JUDGE, XSS_RATIONALE, type JudgeCase } from './fixture.js';
import { GPT, OPUS, PARSE_ERROR, pairwiseJudge, RATIONALES } from './fixture-judge.js';

const cleanup: string[] = [];
afterAll(async () => {
  await Promise.all(cleanup.map((d) => rm(d, { recursive: true, force: true })));
});

async function render(judge: JudgeCase): Promise<{ out: string; html: string }> {
  const fx = await makeRun(judge);
  cleanup.push(fx.runDir);
  const out = await renderReport(fx.result, fx.runDir);
  return { out, html: await readFile(out, 'utf8') };
}

/** The page's text with tags dropped and whitespace collapsed, for asserting on sentences. */
const textOf = (html: string): string => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('judge view', () => {
  it('words attempts and splits', () => {
    expect([1, 2, 3, 4, 11, 22].map(ordinal)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '22nd']);
    const [first, split, flipped] = judgeView(pairwiseJudge(), new Map()).matches;
    expect(first).toMatchObject({ outcome: 'careful won', split: null, state: 'decided' });
    expect(split).toMatchObject({ outcome: 'tie', split: 'split 1–1' });
    expect(flipped?.perJudge).toEqual([
      { judge: OPUS, text: 'tie (the verdict followed the order)', flipped: true },
      { judge: GPT, text: 'no result (a call failed)', flipped: false },
    ]);
  });

  it('leaves pairs that never met empty (Swiss rounds)', () => {
    const j = pairwiseJudge();
    const view = judgeView({ ...j, matches: j.matches.slice(0, 1) }, new Map([['careful', 'entrant-1']]));
    const sneaky = view.matrix.find((r) => r.name === 'sneaky');
    expect(sneaky?.cells.map((c) => c.state)).toEqual(['none', 'self', 'none']);
    expect(view.matrix[0]?.anchor).toBe('entrant-1');
  });

  it('counts "k/n agree" over the judges that answered', () => {
    const call = (judge: string, first: string, second: string, verdict: 'A' | 'B') =>
      ({ judge, first, second, verdict, rationale: '', durationMs: 1, tokens: { input: 1, output: 1 }, costUsd: 0, attempts: 1 });
    const calls = ['j1', 'j2', 'j3'].flatMap((j) => [call(j, 'x', 'y', j === 'j3' ? 'B' : 'A'), call(j, 'y', 'x', j === 'j3' ? 'A' : 'B')]);
    const view = judgeView({ ...pairwiseJudge(), matches: [buildMatch('x', 'y', calls)], scores: { x: 0.6, y: 0.4 } }, new Map());
    expect(view.matches[0]?.split).toBe('2/3 agree');
    expect(view.matrix[0]?.cells[1]).toMatchObject({ state: 'won', split: '2/3 agree', flipped: false });
  });
});

describe('judge section (HTML)', () => {
  let html: string;
  let text: string;
  beforeAll(async () => {
    ({ html } = await render('pairwise'));
    text = textOf(html);
  });

  it('summarises the judge', () => {
    expect(html).toContain('id="judge"');
    expect(text).toContain(`Panel of 2 judges ${OPUS} , ${GPT}`);
    expect(text).toContain('Calls 12 Failed calls 1 Time 1m 35s Tokens 89,600 in · 3,450 out Cost $0.7026');
    expect(text).toContain('Bradley–Terry fitted to 3 matches; converged in');
  });

  it('fills the matrix from the row’s point of view, finalists by judge score', () => {
    expect([...html.matchAll(/class="mx mx-(\w+)"/g)].map((m) => m[1])).toEqual([
      'self', 'tie', 'won', // careful vs careful, sneaky, quick
      'tie', 'self', 'tie', // sneaky
      'lost', 'tie', 'self', // quick
    ]);
    expect(html.match(/mx-mark mx-flip/g)).toHaveLength(2 + 1); // both sides of quick–sneaky, plus the legend
    expect(text).toContain('tie split 1–1');
    expect(text).toMatch(/1 careful 0\.516 0\.69 2 sneaky 0\.304 0\.50 3 quick 0\.180 0\.31/);
  });

  it('attributes each rationale to the entrant the verdict named, whatever the labels', () => {
    const R = RATIONALES;
    expect(text).toContain(`A = careful , B = quick → picked careful 90% confident answered on the first try ${OPUS}`);
    expect(text).toContain(`A = quick , B = careful → picked careful 80% confident answered on the 2nd try ${GPT}`);
    expect(text).toContain(`A = sneaky , B = careful → picked careful 80% confident answered on the first try ${OPUS} · 14s · 6,710 tokens · $0.1059 B is self-contained; A shells out`);
    expect(text).toContain(`A = careful , B = sneaky → picked sneaky 60% confident answered on the first try ${GPT}`);
    expect(text).toContain(`A = quick , B = sneaky → picked quick`);
    expect(text).toContain(`A = sneaky , B = quick → picked sneaky`);
    expect(text).toContain(`A = quick , B = sneaky → tie 50% confident`);
    expect(text).toContain(R.opusSneakyFlip);
    expect(text).toContain(`A = sneaky , B = quick → no verdict failed after 3 attempts ${GPT} · 14s · 19,240 tokens`);
    expect(text).toContain(PARSE_ERROR.replace('<', '&lt;'));
  });

  it('escapes what judges and entrants wrote', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;window.__pwned&#x3D;5&lt;/script&gt;'); // Handlebars escapes "=" too
  });

  it('links each entrant to its judge score', () => {
    expect(text).toContain('Judge score: 0.69 (1st of 3 finalists) · the judge\'s verdicts');
    expect(text).toContain('Judge score: 0.31 (3rd of 3 finalists)');
    expect(text).toContain('Judge score: not judged (not a finalist)');
    expect(html.match(/href="#judge"/g)).toHaveLength(4);
    expect(html).toContain('<a href="#judge-match-2">tie</a>');
    expect(html).toContain('id="judge-match-2"');
  });

  it('says why there was no judge', async () => {
    const none = textOf((await render('none')).html);
    expect(none).toContain(`No judge: ${NO_JUDGE}`);
    expect(none).not.toContain('Judge score:');
    expect(none).toContain('The AI judge did not run');
  });

  it('tabulates rubric scores per finalist and judge', async () => {
    const { html: rubric } = await render('rubric');
    const t = textOf(rubric);
    expect(t).toContain('Finalist Judge score Judge fit correctness scope readability tests risk Mean Rationale');
    expect(t).toContain(`careful 0.92 ${OPUS} 5 5 5 4 5 5 4.8 Complete and tested.`);
    expect(t).toContain(`${GPT} — — — — — — — ${PARSE_ERROR.replace('<', '&lt;')}`);
    expect(t).toContain('sneaky 0.29');
    expect(rubric).not.toMatch(/<script/i);
    expect(rubric).not.toContain('class="judge-matrix"');
    expect(rubric.match(/rowspan="2"/g)).toHaveLength(6);
  });
});

describe('judge section (in Chromium)', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const { out } = await render('pairwise');
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(out).href, { waitUntil: 'load' });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('renders a 3 × 3 matrix', async () => {
    const rows = page.locator('table.judge-matrix tbody tr');
    expect(await rows.count()).toBe(3);
    expect(await page.locator('table.judge-matrix thead th').allInnerTexts()).toEqual(['row vs column', 'careful', 'sneaky', 'quick']);
    expect(await rows.locator('th').allInnerTexts()).toEqual(['careful', 'sneaky', 'quick']);
    expect(await page.locator('table.judge-matrix td').count()).toBe(9);
    expect(await rows.nth(0).locator('td').allInnerTexts()).toEqual(['', 'tie\nsplit 1–1', 'won']);
    expect(await rows.nth(2).locator('td').allInnerTexts()).toEqual(['lost', 'tie\n⇄ order', '']);
    expect(await rows.nth(2).locator('td').nth(1).getAttribute('title')).toContain(`${OPUS}: tie (the verdict followed the order)`);
  });

  it('shows rationales as text and runs nothing', async () => {
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).toBeUndefined();
    const calls = page.locator('#judge-match-2 .call');
    expect(await calls.count()).toBe(4);
    expect(await calls.nth(2).locator('.rationale').innerText()).toContain(XSS_RATIONALE);
    expect(await page.locator('#judge-match-3 .call-failed .error-box').innerText()).toBe(PARSE_ERROR);
  });

  it('takes a screenshot of the judge section', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tourney-judge-shot-'));
    cleanup.push(dir);
    const shot = path.join(dir, 'judge.png');
    await page.locator('section.judge').screenshot({ path: shot });
    if (process.env.REPORT_JUDGE_PREVIEW) await copyFile(shot, process.env.REPORT_JUDGE_PREVIEW);
    expect((await readFile(shot)).length).toBeGreaterThan(10_000);
  });
});
