import type { EntrantState, EntrantStep, Reporter, RunEvent } from '../run/events.js';
import { terminalLine } from '../text/control.js';
import { describe } from './reporters.js';

type Write = (text: string) => void;

/** The phases that get a live block of rows; the others print plain lines. */
type Board = 'agents' | 'referee' | 'judge';

export interface LiveRow {
  label: string;
  state: EntrantState | 'judging' | 'decided';
  /** What it is doing now ("turn 3", "tests"), or how it ended. */
  step: string;
  detail: string;
  started?: number;
  /** When its clock stopped: the agent was stopped (extracting), or the row reached its end. */
  stopped?: number;
  ended?: number;
  limitMs?: number;
}

const FINAL: ReadonlySet<LiveRow['state']> = new Set(['finished', 'failed', 'timeout', 'error', 'disk-limit', 'diff-too-large', 'budget', 'tested', 'decided']);

const STATE_MARK: Record<LiveRow['state'], string> = {
  queued: '·',
  starting: '…',
  running: '▶',
  finished: '✓',
  failed: '✗',
  timeout: '⏱',
  error: '!',
  'disk-limit': '⛁',
  'diff-too-large': '⛁',
  budget: '$',
  refereeing: '⚖',
  tested: '⚖',
  judging: '⚖',
  decided: '✓',
};

/**
 * A live view for terminals: during the agent, referee and judge phases, one row per entrant (or judge
 * match) redrawn in place with its current step and its clock against its limit; every other event is
 * printed as a plain line above it. Each block stays on screen as it last was when its phase ends.
 */
export class TtyReporter implements Reporter {
  private board: Board | null = null;
  private rows = new Map<string, LiveRow>();
  private models = new Map<string, string>();
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: Write = (t) => process.stderr.write(t),
    private readonly now: () => number = Date.now,
    private readonly columns: () => number = terminalColumns,
  ) {}

  onEvent(event: RunEvent): void {
    switch (event.type) {
      case 'run-start':
        for (const e of event.entrants) this.models.set(e.name, e.model);
        return;
      case 'phase-start':
        if (event.phase === 'agents' || event.phase === 'referee' || event.phase === 'judge') {
          this.print(event);
          this.open(event.phase);
          return;
        }
        break;
      case 'phase-end':
        if (event.phase === this.board) {
          this.freeze();
          this.print(event);
          return;
        }
        break;
      case 'entrant':
        if (this.board === 'agents' || this.board === 'referee') {
          entrantRow(this.rowFor(event.name), event, this.now());
          return this.redraw();
        }
        break;
      case 'step':
        if (this.board === 'agents') {
          stepRow(this.rowFor(event.name), event.step, event.limitMs, this.now());
          return this.redraw();
        }
        break;
      case 'activity':
        if (this.board === 'agents') {
          const row = this.rowFor(event.name);
          row.detail = event.line;
          return this.redraw();
        }
        break;
      case 'judge-call':
        if (this.board === 'judge') {
          const row = this.rows.get(event.id) ?? { label: event.label, state: 'judging', step: 'judging', detail: '', started: this.now() };
          if (event.outcome !== undefined) Object.assign(row, { state: 'decided', step: 'decided', detail: event.outcome, ended: this.now() });
          this.rows.set(event.id, row);
          return this.redraw();
        }
        break;
      case 'judge':
        // While the judge's rows are up they say the same; outside them (judge not run) the line is the news.
        if (this.board === 'judge') return;
        break;
      case 'image-progress':
        // The image build's own lines are many; its steps say enough.
        if (!/^Step \d+/.test(event.line)) return;
        break;
      case 'run-end':
        this.freeze();
        this.print(event);
        return;
    }
    this.print(event);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private open(board: Board) {
    this.board = board;
    this.rows.clear();
    if (board === 'agents') {
      for (const [name, model] of this.models) this.rows.set(name, { label: name, state: 'queued', step: 'queued', detail: model });
    }
    this.close();
    this.timer = setInterval(() => this.redraw(), 1000);
    this.timer.unref();
    this.redraw();
  }

  /** The block becomes permanent output, as it last was. */
  private freeze() {
    if (this.board === null) return;
    this.redraw();
    this.drawn = 0;
    this.board = null;
    this.close();
  }

  private rowFor(name: string): LiveRow {
    let row = this.rows.get(name);
    if (!row) {
      row = { label: name, state: 'queued', step: 'queued', detail: '' };
      this.rows.set(name, row);
    }
    return row;
  }

  private print(event: RunEvent) {
    const line = describe(event);
    if (!line) return;
    this.clear();
    this.write(`${line}\n`);
    this.redraw();
  }

  private clear() {
    if (this.drawn > 0) this.write(`\x1b[${this.drawn}A\x1b[0J`);
    this.drawn = 0;
  }

  private redraw() {
    if (this.board === null || this.rows.size === 0) return;
    this.clear();
    const lines = renderRows([...this.rows.values()], this.now(), Math.max(40, this.columns() - 1));
    this.write(lines.join('\n') + '\n');
    this.drawn = lines.length;
  }
}

/** The terminal's width; a terminal that reports none (some CI ptys say 0) gets COLUMNS, else 100. */
export function terminalColumns(): number {
  const reported = process.stderr.columns;
  if (reported && reported >= 20) return reported;
  const fromEnv = Number(process.env.COLUMNS);
  return Number.isInteger(fromEnv) && fromEnv >= 20 ? fromEnv : 100;
}

/** Applies an entrant state change to its row: the clock starts at `starting` (when its time limit starts). */
export function entrantRow(row: LiveRow, event: Extract<RunEvent, { type: 'entrant' }>, now: number): LiveRow {
  if (event.state === 'starting' || (event.state === 'refereeing' && row.state !== 'refereeing')) {
    Object.assign(row, { started: now, stopped: undefined, ended: undefined });
    if (event.state === 'refereeing') row.limitMs = undefined;
  }
  row.state = event.state;
  row.step = event.state === 'running' ? (row.step === 'queued' || row.step === 'sandbox' ? 'running' : row.step) : event.state === 'refereeing' ? (event.detail ?? 'checks') : event.state;
  if (event.detail !== undefined && event.state !== 'refereeing') row.detail = event.detail;
  if (FINAL.has(event.state)) {
    row.ended = now;
    row.stopped ??= now;
  }
  return row;
}

/** Applies an entrant step to its row. The clock stops when the agent is stopped, not when its diff is read. */
export function stepRow(row: LiveRow, step: EntrantStep, limitMs: number, now: number): LiveRow {
  row.limitMs = limitMs;
  row.started ??= now;
  row.step = stepText(step);
  if (step.step === 'turn' && step.tool) row.detail = step.tool;
  if (step.step === 'extracting') row.stopped ??= now;
  return row;
}

export function stepText(step: EntrantStep): string {
  switch (step.step) {
    case 'sandbox':
      return 'sandbox';
    case 'agent-start':
      return 'agent start';
    case 'turn':
      return `turn ${step.turn}`;
    case 'extracting':
      return 'reading diff';
  }
}

/**
 * The rows as lines no wider than `width`. The clock is shown against the limit, and never past it: an
 * agent stopped at its limit shows exactly the limit, and the seconds spent stopping it are shown apart.
 */
export function renderRows(rows: LiveRow[], now: number, width: number): string[] {
  const labelWidth = Math.min(24, Math.max(...rows.map((r) => r.label.length)));
  const stepWidth = Math.max(8, ...rows.map((r) => r.step.length));
  return rows.map((row) => {
    const label = terminalLine(row.label).slice(0, labelWidth).padEnd(labelWidth);
    const text = `  ${STATE_MARK[row.state]} ${label}  ${terminalLine(row.step).padEnd(stepWidth)}  ${clockText(row, now).padStart(13)}  ${flat(row.detail)}`;
    return text.length > width ? `${text.slice(0, width - 1)}…` : text;
  });
}

export function clockText(row: LiveRow, now: number): string {
  if (row.started === undefined) return '';
  const elapsed = (row.stopped ?? row.ended ?? now) - row.started;
  if (row.limitMs === undefined) return clock(elapsed);
  const shown = Math.min(elapsed, row.limitMs);
  // The stop itself (transcript, kill, diff) happens after the limit and is the tool's time, not the agent's.
  const stopping = row.stopped !== undefined ? (row.ended ?? now) - row.stopped : 0;
  return `${clock(shown)} / ${clock(row.limitMs)}${stopping >= 1000 ? ` +${Math.round(stopping / 1000)}s` : ''}`;
}

/** "0:07", "12:30", "1:02:03". */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

function flat(text: string): string {
  return terminalLine(text);
}
