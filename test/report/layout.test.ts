// The report as a reader sees it, in a real Chromium at desktop and phone widths: nothing overflows
// the page sideways, the verdict and the winner are on the first screen, and the strict CSP neither
// blocks our own stylesheet nor lets the page make a request.
import { readFile, rm } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../src/report/render.js';
import { makeRun, type Fixture } from './fixture.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface Box { top: number; bottom: number; left: number; right: number }
// No DOM lib in this tsconfig: the few page globals used, typed by hand.
type PageGlobals = {
  document: { documentElement: { scrollWidth: number; clientWidth: number }; querySelector(s: string): { getBoundingClientRect(): Box } | null };
  getComputedStyle(el: unknown): { backgroundColor: string; display: string };
};

let browser: Browser;
let fx: Fixture;
let url: string;
beforeAll(async () => {
  fx = await makeRun();
  url = pathToFileURL(await renderReport(fx.result, fx.runDir)).href;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await rm(fx.runDir, { recursive: true, force: true });
});

describe.each([
  { width: 1400, height: 900 },
  { width: 400, height: 800 },
])('report at $width px', ({ width, height }) => {
  let problems: string[];
  let requests: string[];
  let page: Awaited<ReturnType<Browser['newPage']>>;
  beforeAll(async () => {
    problems = [];
    requests = [];
    page = await browser.newPage({ viewport: { width, height } });
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(url, { waitUntil: 'load' });
  });
  afterAll(async () => page.close());

  it('does not scroll sideways', async () => {
    const { scroll, client } = await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      return { scroll: g.document.documentElement.scrollWidth, client: g.document.documentElement.clientWidth };
    });
    expect(scroll).toBeLessThanOrEqual(client);
  });

  it('shows the verdict, the winner and its score on the first screen', async () => {
    const verdict = await page.locator('.verdict').boundingBox();
    expect(verdict).not.toBeNull();
    expect(verdict!.y + verdict!.height).toBeLessThanOrEqual(height);
    expect(await page.locator('.verdict-name').innerText()).toBe('careful');
    expect(await page.locator('.verdict-score').isVisible()).toBe(true);
  });

  it('keeps each entrant\'s score and standing next to its name', async () => {
    const row = page.locator('table.scorecard tbody tr').first();
    const name = await row.locator('.who .name').boundingBox();
    const score = await row.locator('td.score').boundingBox();
    const standing = await row.locator('.standing').boundingBox();
    expect(name && score && standing).toBeTruthy();
    // Same line (phone: the card's first row), and inside the viewport.
    expect(Math.abs(name!.y - score!.y)).toBeLessThan(24);
    expect(score!.x + score!.width).toBeLessThanOrEqual(width);
    expect(await row.locator('.standing').innerText()).toMatch(/^won/);
  });

  it('applies its own stylesheet under the CSP and logs no error', async () => {
    // The verdict's green background comes from report.css: a hash mismatch would leave it unstyled.
    const bg = await page.locator('.verdict-win').evaluate((el) => (globalThis as unknown as PageGlobals).getComputedStyle(el).backgroundColor);
    expect(bg).toBe('rgb(218, 251, 225)');
    expect(problems).toEqual([]);
  });

  it('makes no request but the file itself', () => {
    expect(requests.filter((r) => !r.startsWith('file:') && !r.startsWith('data:'))).toEqual([]);
  });

  it('folds passing logs and opens failing ones', async () => {
    const folds = page.locator('#entrant-2 details.log-fold');
    expect(await folds.count()).toBe(2);
    expect(await folds.nth(0).getAttribute('open')).toBeNull(); // 5 passed
    expect(await folds.nth(1).getAttribute('open')).toBe(''); // hidden: 3 failed
  });
});

describe('the strict CSP', () => {
  it('blocks inline style and script that slipped into the page', async () => {
    const html = await readFile(new URL(url), 'utf8');
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-inline');
    const page = await browser.newPage();
    const blocked: string[] = [];
    page.on('console', (m) => blocked.push(m.text()));
    // As if an escaping bug let an entrant's markup through: a style attribute and a <style> block.
    const poisoned = html.replace('<main>', '<main><p id="probe" style="display:none">x</p><style>#probe{display:none}</style>');
    await page.setContent(poisoned, { waitUntil: 'load' });
    const display = await page.locator('#probe').evaluate((el) => (globalThis as unknown as PageGlobals).getComputedStyle(el).display);
    expect(display).toBe('block');
    expect(blocked.join('\n')).toMatch(/Content Security Policy/);
    await page.close();
  });
});
