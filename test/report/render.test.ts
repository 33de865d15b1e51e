import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../src/report/render.js';
import { makeRun, XSS_IMG, XSS_SCRIPT, type Fixture } from './fixture.js';

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
    expect(html).toContain('$0.6522');
    expect(html).toContain('591,774'); // total tokens, thousands separators
    expect(html).toContain('11m 03s');
    expect(html).toContain('Entrants whose tests pass rank first');
  });

  it('marks the winner and shows counts and sizes', () => {
    expect(html.match(/class="entrant-row is-winner"/g)).toHaveLength(1);
    expect(html).toMatch(/data-entrant-index="0" data-winner="true"/);
    expect(html).toContain('5 passed, 1 failed');
    expect(html).toContain('5 passed, 0 failed');
    expect(html).toContain('no diff to apply');
    expect(html).toContain('+11');
    expect(html).toContain('−2');
    expect(html).toContain('1m 05s');
    expect(html).toContain('$0.0123');
  });

  it('escapes untrusted text everywhere', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain('&lt;script&gt;window.__pwned');
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
    expect(text.replace(/<[^>]+>|\s+/g, ' ')).toMatch(/No winner: +no entrant passed the tests/);
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
    expect(await rows.count()).toBe(3);
    const names = await rows.locator('.who .name').allTextContents();
    expect(names).toEqual(['careful', 'quick', 'slowpoke']);
    const winners = page.locator('table.scorecard tbody tr.is-winner');
    expect(await winners.count()).toBe(1);
    expect(await winners.locator('.badge-winner').textContent()).toBe('winner');
    expect(await page.locator('.verdict-win .verdict-name').textContent()).toBe('careful');
  });

  it('renders diffs with diff2html', async () => {
    expect(await page.locator('.d2h-file-wrapper').count()).toBe(3);
    expect(await page.locator('#entrant-1 .d2h-ins').count()).toBeGreaterThan(0);
    expect(await page.locator('#entrant-3 .placeholder').first().textContent()).toContain('Diff not available');
    expect(await page.locator('#entrant-2 pre.log').textContent()).toContain('1 failed | 5 passed');
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
    const shot = path.join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    if (process.env.REPORT_PREVIEW) await copyFile(shot, process.env.REPORT_PREVIEW);
    expect((await readFile(shot)).length).toBeGreaterThan(10_000);
  });
});
