import { describe, expect, it } from 'vitest';
import { clock, clockText, renderRows, terminalColumns, TtyReporter } from '../../src/cli/live-view.js';
import type { RunEvent } from '../../src/run/events.js';

/* eslint-disable no-control-regex -- the tests are about control characters and tourney's own redraw codes */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

/** A live view on a fake clock and a fake terminal: `at(ms, event)` plays an event at that time. */
function view(columns = 120) {
  let now = 0;
  const out: string[] = [];
  const tty = new TtyReporter((t) => out.push(t), () => now, () => columns);
  const at = (ms: number, event: RunEvent) => {
    now = ms;
    tty.onEvent(event);
  };
  /** What the terminal shows now: the output with redraws applied (cursor up N + erase below). */
  const screen = () => {
    const lines: string[] = [];
    for (const chunk of out) {
      const up = /^\x1b\[(\d+)A\x1b\[0J$/.exec(chunk);
      if (up) lines.splice(lines.length - Number(up[1]));
      else lines.push(...chunk.replace(/\n$/, '').split('\n'));
    }
    return lines;
  };
  return { tty, at, out, screen };
}

const start: RunEvent = { type: 'run-start', runId: 'r', runDir: '/x', specTitle: 'T', entrants: [{ name: 'a', model: 'm/a' }, { name: 'b', model: 'm/b' }] };

describe('the live view', () => {
  it('shows each entrant step by step, its clock against its limit', () => {
    const { tty, at, screen } = view();
    at(0, start);
    at(0, { type: 'phase-start', phase: 'agents' });
    at(0, { type: 'entrant', name: 'a', state: 'queued' });
    at(0, { type: 'entrant', name: 'b', state: 'queued' });
    at(1000, { type: 'entrant', name: 'a', state: 'starting' });
    at(1000, { type: 'step', name: 'a', step: { step: 'sandbox' }, limitMs: 120_000 });
    expect(screen().find((l) => l.includes(' a '))).toMatch(/… a\s+sandbox\s+0:00 \/ 2:00\s+m\/a/);
    at(5000, { type: 'step', name: 'a', step: { step: 'agent-start' }, limitMs: 120_000 });
    at(9000, { type: 'step', name: 'a', step: { step: 'turn', turn: 3, tool: 'edit src/strings.js' }, limitMs: 120_000 });
    tty.close();
    const rows = screen();
    expect(rows.find((l) => l.includes(' a '))).toMatch(/a\s+turn 3\s+0:08 \/ 2:00\s+edit src\/strings\.js/);
    // Still queued: no clock, its model shown.
    expect(rows.find((l) => l.includes(' b '))).toMatch(/· b\s+queued\s+m\/b$/);
    // Redrawn in place: the block is there once.
    expect(rows.filter((l) => l.includes(' a ')).length).toBe(1);
  });

  it('never shows a timed-out entrant past its limit: the stop is shown apart', () => {
    const { tty, at, screen } = view();
    at(0, start);
    at(0, { type: 'phase-start', phase: 'agents' });
    at(0, { type: 'entrant', name: 'b', state: 'starting' });
    at(0, { type: 'step', name: 'b', step: { step: 'turn', turn: 1 }, limitMs: 20_000 });
    // The transcript grace ends after the limit; the diff is read after that.
    at(27_000, { type: 'step', name: 'b', step: { step: 'extracting' }, limitMs: 20_000 });
    at(42_000, { type: 'entrant', name: 'b', state: 'timeout', detail: 'time limit of 20 s reached' });
    at(43_000, { type: 'phase-end', phase: 'agents', ms: 43_000 });
    tty.close();
    const row = screen().find((l) => l.includes(' b '))!;
    expect(row).toMatch(/⏱ b\s+timeout\s+0:20 \/ 0:20 \+15s\s+time limit of 20 s reached/);
    expect(row).not.toContain('0:42');
    expect(screen().at(-1)).toBe('[agents] done in 43 s');
  });

  it('an entrant finishing early shows the time it took, not the time its diff took to read', () => {
    expect(clockText({ label: 'a', state: 'finished', step: 'finished', detail: '', started: 0, stopped: 12_400, ended: 14_000, limitMs: 60_000 }, 99_000)).toBe('0:12 / 1:00 +2s');
    expect(clockText({ label: 'a', state: 'running', step: 'turn 1', detail: '', started: 0, limitMs: 60_000 }, 30_000)).toBe('0:30 / 1:00');
    expect(clockText({ label: 'a', state: 'queued', step: 'queued', detail: '' }, 30_000)).toBe('');
    expect(clock(3_723_000)).toBe('1:02:03');
  });

  it('gives the referee phase rows of its own: each step, then the summary', () => {
    const { tty, at, screen } = view();
    at(0, start);
    at(0, { type: 'phase-start', phase: 'agents' });
    at(10_000, { type: 'phase-end', phase: 'agents', ms: 10_000 });
    at(10_000, { type: 'phase-start', phase: 'referee' });
    at(10_000, { type: 'entrant', name: 'a', state: 'refereeing', detail: 'static checks' });
    at(11_000, { type: 'entrant', name: 'b', state: 'refereeing', detail: 'static checks' });
    at(13_000, { type: 'entrant', name: 'a', state: 'refereeing', detail: 'hidden tests' });
    let rows = screen();
    expect(rows.find((l) => l.includes(' a ') && l.includes('hidden'))).toMatch(/⚖ a\s+hidden tests\s+0:03/);
    at(15_000, { type: 'entrant', name: 'a', state: 'tested', detail: 'tests passed' });
    at(16_000, { type: 'phase-end', phase: 'referee', ms: 6000 });
    tty.close();
    rows = screen();
    const refereeBlock = rows.slice(rows.indexOf('[referee] start') + 1);
    expect(refereeBlock.find((l) => l.includes(' a '))).toMatch(/⚖ a\s+tested\s+0:05\s+tests passed/);
    // The referee clock has no limit beside it and counts from its own start.
    expect(refereeBlock.find((l) => l.includes(' b '))).toMatch(/⚖ b\s+static checks\s+0:05\s*$/);
    expect(rows.at(-1)).toBe('[referee] done in 6.0 s');
  });

  it('gives the judge phase a row per decision, in flight then decided', () => {
    const { tty, at, screen } = view();
    at(0, start);
    at(0, { type: 'phase-start', phase: 'judge', detail: '2 finalists' });
    at(0, { type: 'judge-call', id: 'a vs b', label: 'a vs b' });
    expect(screen().at(-1)).toMatch(/⚖ a vs b\s+judging\s+0:00/);
    at(4000, { type: 'judge-call', id: 'a vs b', label: 'a vs b', outcome: 'a' });
    // The same news as the row: not printed twice while the rows are up.
    at(4000, { type: 'judge', line: 'a vs b: a' });
    at(5000, { type: 'phase-end', phase: 'judge', ms: 5000 });
    tty.close();
    const rows = screen();
    expect(rows).toContain('[judge] start: 2 finalists');
    expect(rows.find((l) => l.includes('a vs b'))).toMatch(/✓ a vs b\s+decided\s+0:04\s+a$/);
    expect(rows.some((l) => l.startsWith('[judge] a vs b'))).toBe(false);
  });

  it('prints other events above the block, and keeps lines within the terminal width', () => {
    const { tty, at, screen } = view(50);
    at(0, start);
    at(0, { type: 'phase-start', phase: 'agents' });
    at(0, { type: 'entrant', name: 'a', state: 'starting' });
    at(1000, { type: 'activity', name: 'a', line: 'bash: ' + 'x'.repeat(200) });
    at(2000, { type: 'warning', message: 'something happened' });
    tty.close();
    const rows = screen();
    expect(rows.indexOf('warning: something happened')).toBeLessThan(rows.findIndex((l) => l.includes(' a ')));
    for (const line of rows) expect(line.length).toBeLessThanOrEqual(49);
    expect(rows.find((l) => l.includes(' a '))!.endsWith('…')).toBe(true);
  });

  it("strips an entrant's escape codes from its name, steps and activity", () => {
    const hostile = 'bash: npm test \x1b]52;c;Y3VybCBldmlsfHNo\x07\x1b]0;winner: hasty\x07\x1b[2A\x1b[0Jtests passed\r\x9b31m';
    const { tty, at, out } = view();
    at(0, { ...start, entrants: [{ name: 'a\x1b[2J', model: 'm/a' }] } as RunEvent);
    at(0, { type: 'phase-start', phase: 'agents' });
    at(0, { type: 'activity', name: 'a\x1b[2J', line: hostile });
    at(0, { type: 'step', name: 'a\x1b[2J', step: { step: 'turn', turn: 1, tool: hostile }, limitMs: 1000 });
    tty.close();
    // Only tourney's own redraw sequences remain.
    const text = out.join('').replace(/\x1b\[\d+A\x1b\[0J/g, '');
    expect(text).toContain('bash: npm test tests passed');
    expect(text).not.toMatch(CONTROL);
    expect(renderRows([{ label: 'x\x07', state: 'running', step: 'turn 1\x1b[1m', detail: '' }], 0, 80)[0]).not.toMatch(CONTROL);
  });
});

describe('terminal width', () => {
  it('falls back to COLUMNS, then 100, when the terminal reports no width', () => {
    const saved = { columns: process.stderr.columns, env: process.env.COLUMNS };
    try {
      Object.defineProperty(process.stderr, 'columns', { value: 0, configurable: true });
      process.env.COLUMNS = '132';
      expect(terminalColumns()).toBe(132);
      delete process.env.COLUMNS;
      expect(terminalColumns()).toBe(100);
      Object.defineProperty(process.stderr, 'columns', { value: 80, configurable: true });
      expect(terminalColumns()).toBe(80);
    } finally {
      Object.defineProperty(process.stderr, 'columns', { value: saved.columns, configurable: true });
      if (saved.env === undefined) delete process.env.COLUMNS;
      else process.env.COLUMNS = saved.env;
    }
  });
});

describe('format characters', () => {
  it('drops bidi overrides and zero-width characters from rows, which would reorder what the user reads', () => {
    const [row] = renderRows([{ label: 'a\u202Eb', state: 'running', step: 'turn 1', detail: 'edit x\u202Egnp.exe\u200b' }], 0, 120);
    expect(row).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200b]/u);
    expect(row).toContain('edit xgnp.exe');
  });
});
