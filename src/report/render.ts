// Writes report.html, the self-contained scorecard for one run.
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { RunResult } from '../types.js';
import {
  formatCost,
  formatDate,
  formatDuration,
  formatNumber,
  tokenBreakdown,
  totalTokens,
} from './format.js';
import { buildView } from './view.js';

// Both src/report/render.ts and dist/report/render.js sit two levels below the package root.
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'reports');
const require = createRequire(import.meta.url);

export const REPORT_FILE = 'report.html';

function createEngine(): typeof Handlebars {
  // An isolated instance so helpers and partials never leak into other users of handlebars.
  const hb = Handlebars.create();
  hb.registerHelper('duration', (ms: number) => formatDuration(ms));
  hb.registerHelper('cost', (usd: number) => formatCost(usd));
  hb.registerHelper('number', (n: number) => formatNumber(n));
  hb.registerHelper('date', (iso: string) => formatDate(iso));
  hb.registerHelper('totalTokens', (t: RunResult['totals']['tokens']) => formatNumber(totalTokens(t)));
  hb.registerHelper('tokenBreakdown', (t: RunResult['totals']['tokens']) => tokenBreakdown(t));
  hb.registerHelper('shortSha', (sha: string) => (typeof sha === 'string' ? sha.slice(0, 12) : ''));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('percent', (x: number) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '—'));
  return hb;
}

async function loadTemplate(hb: typeof Handlebars): Promise<Handlebars.TemplateDelegate> {
  const partialsDir = path.join(TEMPLATES_DIR, 'partials');
  const names = (await readdir(partialsDir)).filter((f) => f.endsWith('.hbs'));
  for (const file of names) {
    hb.registerPartial(file.replace(/\.hbs$/, ''), await readFile(path.join(partialsDir, file), 'utf8'));
  }
  const source = await readFile(path.join(TEMPLATES_DIR, 'report.html.hbs'), 'utf8');
  // preventIndent: otherwise indented partials indent every line of a multi-line value, e.g. the log <pre>.
  return hb.compile(source, { preventIndent: true });
}

async function loadCss(): Promise<string> {
  const [own, diff2html] = await Promise.all([
    readFile(path.join(TEMPLATES_DIR, 'report.css'), 'utf8'),
    readFile(require.resolve('diff2html/bundles/css/diff2html.min.css'), 'utf8'),
  ]);
  return `${diff2html}\n${own}`;
}

/**
 * The page needs no script, no network and no style but its own stylesheet: the policy allows that
 * one <style> element by its hash, so even markup that slipped past escaping gets no inline style,
 * script, form, frame or request.
 */
export function contentSecurityPolicy(css: string): string {
  const hash = createHash('sha256').update(css, 'utf8').digest('base64');
  return `default-src 'none'; style-src 'sha256-${hash}'; img-src data:; base-uri 'none'; form-action 'none'`;
}

/** Renders the report for `result` into `<runDir>/report.html` and returns that path. */
export async function renderReport(result: RunResult, runDir: string): Promise<string> {
  const hb = createEngine();
  const [template, css, view] = await Promise.all([loadTemplate(hb), loadCss(), buildView(result, runDir)]);
  const html = template({
    ...view,
    // Trusted: our stylesheet and diff2html's, read from disk above.
    style: new hb.SafeString(css),
    // Trusted: built from our own stylesheet's hash; quotes must stay quotes for readers of the file.
    csp: new hb.SafeString(contentSecurityPolicy(css)),
    entrants: view.entrants.map((v) => ({
      ...v,
      // diff2html escapes diff text itself; test/report/render.test.ts checks this in a browser.
      diffHtml: v.diffHtml === null ? null : new hb.SafeString(v.diffHtml),
    })),
  });
  const out = path.join(runDir, REPORT_FILE);
  await writeFile(out, html, 'utf8');
  return out;
}
