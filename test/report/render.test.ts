import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../src/report/render.js';
import { makeRun, XSS_EVIDENCE, XSS_IMG, XSS_SCRIPT, XSS_SNIPPET, type Fixture } from './fixture.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const cleanup: string[] = [];
async function run(): Promise<Fixture> {
  const fx = await makeRun();
  cleanup.push(fx.runDir);
  return fx;
}
afterAll(async () => {
  await Promise.all(cleanup.map((d) => rm(d, { recursive: true, force: true })));
});

describe('renderReport (HTML)', () => {
  let fx: Fixture;
  let html: string;
  beforeAll(async () => {
    fx = await run();
    const out = await renderReport(fx.result, fx.runDir);
    expect(out).toBe(path.join(fx.runDir, 'report.html'));
    html = await readFile(out, 'utf8');
  });

  it('shows the header facts', () => {
    expect(html).toContain('Add a slugify helper');
    expect(html).toContain('2025-06-01T12-00-00-abc123');
    expect(html).toContain('9fceb02d0ae5');
    expect(html).toContain('$0.8023');
    expect(html).toContain('715,774'); // total tokens, thousands separators
    expect(html).toContain('11m 03s');
    expect(html).toContain('npx vitest run hidden');
    expect(html).toContain('tournament');
  });

  it('explains how the winner was chosen', () => {
    expect(html).toContain('Only entrants that pass every gate can win');
    expect(html).toContain('No new security finding of high severity');
    expect(html).toContain('No benchmark task slower than base (or, where base cannot run it, the fastest candidate) by more than 10%');
    expect(html).toContain('1 − 0.2 · new errors − 0.05 · new warnings');
    expect(html).toContain('1 − 0.5 · high − 0.25 · medium − 0.1 · low');
    expect(html).toContain('0.5 + 0.5 · log₂(ops/s ratio vs base, or vs the fastest candidate where base cannot run the task)');
    expect(html).toContain('1 − 0.25 · (files out of scope + new dependencies)');
    expect(html).toContain('100 · Σ(weight · part) / Σ weight');
    expect(html).toContain('The AI judge (pairwise; anthropic/claude-opus-4-1, openai/gpt-5) scored the finalists in 12 calls, 1 failed');
  });

  it('shows each check in detail', () => {
    expect(html).toContain('lint-disabled-inline');
    expect(html).toContain('src/slugify.ts:5');
    expect(html).toContain('CWE-78');
    expect(html).toContain('js-child-process-exec-injection');
    expect(html).toContain('src/slugify.ts:7:25'); // lint message location
    expect(html).toContain('… and 3 more in the lint SARIF file.');
    expect(html).toContain('1,390,000 ± 1.3%');
    expect(html).toContain('0.00034×'); // a thousandfold slowdown is not "0.00×"
    expect(html).toContain('package.json: slugify');
    expect(html).toContain('href="entrants/sneaky/security.sarif"');
    expect(html).toContain('href="entrants/careful/lint.sarif"');
    expect(html).toContain('href="entrants/quick/hidden-test.log"');
  });

  it('marks the winner and shows counts and sizes', () => {
    expect(html.match(/class="entrant-row is-winner"/g)).toHaveLength(1);
    expect(html).toMatch(/data-entrant-index="0" data-winner="true"/);
    expect(html).toContain('hidden: 5 passed, 3 failed');
    expect(html).toContain('changed: no change to score');
    expect(html).toContain('95.3');
    expect(html).toContain('+11');
    expect(html).toContain('−2');
    expect(html).toContain('1m 05s');
    expect(html).toContain('$0.0123');
  });

  it('escapes untrusted text everywhere', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain('&lt;script&gt;window.__pwned=1');
    expect(html).toContain('&lt;script&gt;window.__pwned=3'); // tampering evidence
    expect(html).toContain('&lt;script&gt;window.__pwned=4'); // security snippet
  });

  it('is self-contained', () => {
    expect(html).toContain('.d2h-wrapper'); // diff2html's stylesheet is inlined
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b/i);
  });

  it('says "not available" for missing files and handles no winner', async () => {
    const other = await run();
    await rm(path.join(other.runDir, 'entrants/careful/diff.patch'));
    await rm(path.join(other.runDir, 'entrants/quick'), { recursive: true });
    const result = { ...other.result, winner: null, winnerBranch: null };
    const text = await readFile(await renderReport(result, other.runDir), 'utf8');
    expect(text).toContain('Diff not available.');
    expect(text).toContain('Test log not available.');
    expect(text).toContain('not available');
    expect(text).not.toMatch(/class="[^"]*is-winner/);
    expect(text.replace(/<[^>]+>|\s+/g, ' ')).toMatch(/No winner: +no entrant passed every gate/);
  });

  it('says "Scored candidates" and leaves out tokens and cost in score mode', async () => {
    const other = await run();
    const entrants = other.result.entrants.map((e) => ({ ...e, agent: 'git ref', model: `feature/${e.name}`, tokens: { ...e.tokens, input: 0, output: 0, cacheRead: 0 }, costUsd: 0 }));
    const result = { ...other.result, mode: 'score' as const, entrants };
    const text = await readFile(await renderReport(result, other.runDir), 'utf8');
    expect(text).toContain('Scored candidates');
    expect(text).toContain('<span class="agent-kind">git ref</span>: <code>feature/careful</code>');
    expect(text).not.toContain('Tokens, cost, time');
    expect(text).not.toContain('total cost');
  });

  it('names the engines, each entrant\'s engine and a lost engine only when there was a pool', async () => {
    const other = await run();
    const one = await readFile(await renderReport({ ...other.result, engines: [{ name: 'local', host: 'unix:///var/run/docker.sock', slots: 2 }], entrants: other.result.entrants.map((e) => ({ ...e, engine: 'local', refereeEngine: 'local' })) }, other.runDir), 'utf8');
    expect(one).not.toContain('<dt>Engines</dt>');
    expect(one).not.toContain('agent on local');
    const [first, ...rest] = other.result.entrants;
    const result = {
      ...other.result,
      engines: [{ name: 'local', host: 'unix:///var/run/docker.sock', slots: 2 }, { name: 'box', host: 'ssh://me@box', slots: 4, lost: 'it stopped answering (connect ECONNREFUSED)' }],
      entrants: [{ ...first!, engine: 'local', refereeEngine: 'local', retried: { engine: 'box', reason: 'it stopped answering (connect ECONNREFUSED)' } }, ...rest.map((e) => ({ ...e, engine: 'box', refereeEngine: 'local' }))],
    };
    const text = await readFile(await renderReport(result, other.runDir), 'utf8');
    expect(text).toContain('<dt>Engines</dt><dd><code>local</code> <span class="muted">(unix:///var/run/docker.sock, 2 slot(s))</span> · <code>box</code> <span class="muted">(ssh://me@box, 4 slot(s))</span> <span class="badge badge-fail">lost</span> <span class="muted">it stopped answering (connect ECONNREFUSED)</span></dd>');
    expect(text).toContain(`Engines: agent on local, referee on local. Ran again on local: its first engine box was lost mid-run: it stopped answering (connect ECONNREFUSED).`);
    expect(text).toContain('Engines: agent on box, referee on local</p>');
  });

  it('refuses paths that leave the run directory', async () => {
    const other = await run();
    const [first] = other.result.entrants;
    if (!first) throw new Error('fixture has entrants');
    first.transcriptPath = '../../../etc/passwd';
    first.diffPath = '/etc/passwd';
    const text = await readFile(await renderReport(other.result, other.runDir), 'utf8');
    expect(text).not.toContain('etc/passwd"');
    expect(text).not.toContain('root:x:');
  });
});

describe('renderReport (in Chromium)', () => {
  let browser: Browser;
  let page: Page;
  let fx: Fixture;
  const requests: string[] = [];

  beforeAll(async () => {
    fx = await run();
    const out = await renderReport(fx.result, fx.runDir);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (req) => requests.push(req.url()));
    await page.goto(pathToFileURL(out).href, { waitUntil: 'load' });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('lists the entrants in rank order with the winner marked', async () => {
    const rows = page.locator('table.scorecard tbody tr');
    expect(await rows.count()).toBe(4);
    const names = await rows.locator('.who .name').allTextContents();
    expect(names).toEqual(['careful', 'quick', 'sneaky', 'slowpoke']);
    expect(await rows.locator('td.rank').allInnerTexts()).toEqual(['1', '—', '—', '—']);
    const winners = page.locator('table.scorecard tbody tr.is-winner');
    expect(await winners.count()).toBe(1);
    expect(await winners.locator('.badge-winner').textContent()).toBe('winner');
    expect(await page.locator('.verdict-win .verdict-name').textContent()).toBe('careful');
  });

  it('shows the gates as chips, failures red with their reason', async () => {
    const rows = page.locator('table.scorecard tbody tr');
    const failed = async (i: number) => rows.nth(i).locator('.gate-fail').evaluateAll((els) => els.map((el) => el.getAttribute('data-gate')));
    expect(await rows.nth(0).locator('.gate-pass').count()).toBe(8);
    expect(await failed(0)).toEqual([]);
    expect(await failed(1)).toEqual(['hiddenTests']);
    expect(await failed(2)).toEqual(['tampering', 'security', 'injection', 'performance']);
    expect(await failed(3)).toEqual(['changed']);
    const hidden = rows.nth(1).locator('.gate-fail');
    expect(await hidden.getAttribute('title')).toBe('Hidden tests pass: 5 passed, 3 failed');
    // No DOM lib in this tsconfig: the page's own getComputedStyle, typed by hand.
    type Styles = { getComputedStyle(el: unknown): { backgroundColor: string } };
    expect(await hidden.evaluate((el) => (globalThis as unknown as Styles).getComputedStyle(el).backgroundColor)).toBe('rgb(207, 34, 46)');
    expect(await rows.nth(1).locator('.gate-failure').innerText()).toBe('hidden: 5 passed, 3 failed');
    expect(await rows.nth(2).locator('.gate-failure').innerText()).toBe('tamper: lint-disabled-inline: src/slugify.ts');
  });

  it('shows the score and the checks in the scorecard', async () => {
    const rows = page.locator('table.scorecard tbody tr');
    expect(await rows.locator('td.score').allInnerTexts()).toEqual(['95.3/100', '81.3/100', '80.0/100', '—']);
    expect(await rows.locator('td.hidden-tests .badge').allInnerTexts()).toEqual(['8/8', '5/8', '8/8', 'not run']);
    expect(await rows.locator('td.lint .cell').allInnerTexts()).toEqual(['+1 warning', '+1 warning', 'no new issues', 'not run']);
    expect(await rows.locator('td.security .cell').allInnerTexts()).toEqual(['none new', 'none new', '1 high', 'not run']);
    expect(await rows.locator('td.perf .cell').allInnerTexts()).toEqual(['1.12×', '0.99×', '0.0013×', 'not run']);
    expect(await rows.nth(2).locator('td.scope').innerText()).toContain('1 file out of scope · 1 new dependency');
    expect(await rows.nth(0).locator('td.effort').innerText()).toMatch(/186,874 tok\s+\$0\.2087\s+3m 12s/);
  });

  it('breaks the score down per entrant', async () => {
    const table = page.locator('#entrant-1 table.breakdown');
    const cells = await table.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())));
    expect(cells).toEqual([
      ['Tests', '1.00', '25', '25.0', '5/5 passed'],
      ['Hidden tests', '1.00', '35', '35.0', '8/8 passed'],
      ['Lint', '0.95', '10', '9.5', '0 new errors, 1 new warnings'],
      ['Security', '1.00', '10', '10.0', '0 high, 0 medium, 0 low new findings'],
      ['Performance', '0.58', '10', '5.8', '1.12x base ops/s'],
      ['Scope', '1.00', '10', '10.0', '0 files out of scope, 0 new dependencies'],
    ]);
    expect(await table.locator('tfoot').innerText()).toContain('95.3');
    expect(await page.locator('#entrant-4 table.breakdown').count()).toBe(0);
    expect(await page.locator('#entrant-3 .security-findings td').allInnerTexts()).toEqual(
      expect.arrayContaining(['high', 'js-child-process-exec-injection', 'CWE-78', 'src/slugify.ts:6']));
    expect(await page.locator('#entrant-2 .lint-messages tbody tr').count()).toBe(20);
    expect(await page.locator('#entrant-1 .perf-tasks tbody tr').count()).toBe(2);
  });

  it('renders diffs with diff2html', async () => {
    expect(await page.locator('.d2h-file-wrapper').count()).toBe(5);
    expect(await page.locator('#entrant-1 .d2h-ins').count()).toBeGreaterThan(0);
    expect(await page.locator('#entrant-4 .placeholder').allTextContents()).toEqual(
      expect.arrayContaining(['Not refereed: there was no change to check.', 'Diff not available.']));
    expect(await page.locator('#entrant-2 pre.log').nth(1).textContent()).toContain('3 failed | 5 passed');
    // Handlebars indents multi-line values inside indented partials unless told not to.
    expect(await page.locator('#entrant-2 pre.log').nth(1).textContent()).toMatch(/\nlog line 26\n/);
  });

  it('never leaves the file', () => {
    expect(requests.length).toBeGreaterThan(0);
    for (const url of requests) expect(url).toMatch(/^(file|data):/);
  });

  it('shows injected markup as text only', async () => {
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).toBeUndefined();
    const text = await page.locator('body').innerText();
    expect(text).toContain(XSS_SCRIPT);
    expect(text).toContain(XSS_IMG);
    expect(await page.locator('#entrant-3 .tamper code.evidence').innerText()).toContain(XSS_EVIDENCE);
    expect(await page.locator('#entrant-3 pre.snippet').innerText()).toContain(XSS_SNIPPET);
  });

  it('stays safe even without the Content-Security-Policy', async () => {
    // The CSP would mask an escaping bug, so check the escaping on its own too.
    const html = await readFile(path.join(fx.runDir, 'report.html'), 'utf8');
    const bare = path.join(fx.runDir, 'report-no-csp.html');
    await writeFile(bare, html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, ''));
    const p = await browser.newPage();
    await p.goto(pathToFileURL(bare).href, { waitUntil: 'load' });
    expect(await p.locator('script, img, iframe, object').count()).toBe(0);
    expect(await p.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).toBeUndefined();
    await p.close();
  });

  it('takes a screenshot', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tourney-report-shot-'));
    cleanup.push(dir);
    const shot = path.join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    if (process.env.REPORT_PREVIEW) await copyFile(shot, process.env.REPORT_PREVIEW);
    expect((await readFile(shot)).length).toBeGreaterThan(10_000);
  });
});
