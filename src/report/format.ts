// Pure formatting used by the report template; kept separate so it can be unit-tested.
import type { TestCheck, TokenUsage } from '../types.js';

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalSec = Math.round(ms / 1000);
  if (totalSec < 60) return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${totalSec}s`;
  const h = Math.floor(totalSec / 3600);
  const m = Math.floor((totalSec % 3600) / 60);
  const s = totalSec % 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}h ${pad(m)}m ${pad(s)}s` : `${m}m ${pad(s)}s`;
}

export function formatCost(usd: number): string {
  if (!Number.isFinite(usd)) return '—';
  if (usd === 0) return '$0.00';
  // Per-entrant costs are often fractions of a cent; four decimals keep them distinguishable.
  return usd < 1 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

export function formatNumber(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—';
}

/** UTC so the same result.json renders the same report on any machine. */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function totalTokens(t: TokenUsage): number {
  return t.input + t.output + t.reasoning + t.cacheRead + t.cacheWrite;
}

export function tokenBreakdown(t: TokenUsage): string {
  const parts = [`${formatNumber(t.input)} in`, `${formatNumber(t.output)} out`];
  if (t.reasoning) parts.push(`${formatNumber(t.reasoning)} reasoning`);
  if (t.cacheRead || t.cacheWrite) parts.push(`${formatNumber(t.cacheRead + t.cacheWrite)} cache`);
  return parts.join(' · ');
}

export type TestState = 'passed' | 'failed' | 'not-run';

export interface TestSummary {
  state: TestState;
  label: string;
  /** "5/8" when there are counts, else the label: fits a badge. */
  short: string;
  detail: string;
}

export function summarizeTests(check: TestCheck | null): TestSummary {
  if (!check) return { state: 'not-run', label: 'not run', short: 'not run', detail: 'no test check recorded' };
  if (check.passed === null) {
    return { state: 'not-run', label: 'not run', short: 'not run', detail: check.error ?? 'the check could not run' };
  }
  const state: TestState = check.passed ? 'passed' : 'failed';
  const c = check.counts;
  let detail: string;
  const short = c && c.passed + c.failed > 0 ? `${c.passed}/${c.passed + c.failed}` : state;
  if (c) {
    const parts = [`${c.passed} passed`, `${c.failed} failed`];
    if (c.skipped) parts.push(`${c.skipped} skipped`);
    detail = parts.join(', ');
  } else {
    detail = check.exitCode === null ? 'no counts' : `exit code ${check.exitCode}`;
  }
  if (check.error) detail += ` — ${check.error}`;
  return { state, label: state, short, detail };
}

export function formatRatio(ratio: number | null | undefined): string {
  if (typeof ratio !== 'number' || !Number.isFinite(ratio)) return '—';
  // Two decimals would show a thousandfold slowdown as "0.00×".
  return ratio > 0 && ratio < 0.1 ? `${ratio.toPrecision(2)}×` : `${ratio.toFixed(2)}×`;
}

/** A fixed number of decimals, or a dash for anything that is not a finite number. */
export function formatFixed(n: number | null | undefined, digits: number): string {
  return typeof n === 'number' && Number.isFinite(n) ? n.toFixed(digits) : '—';
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}
