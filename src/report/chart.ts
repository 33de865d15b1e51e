// The score parts of every scored entrant as one stacked bar each: an inline SVG drawn from numbers
// computed here (no script, no style attributes, so the page keeps its strict CSP).
import type { EntrantResult, ScoreWeights } from '../types.js';
import { formatFixed } from './format.js';
import { PART_LABELS } from './rules.js';

const PARTS = Object.keys(PART_LABELS) as (keyof ScoreWeights)[];
const LABEL_W = 140;
const BAR_W = 560;
const ROW_H = 26;
const BAR_H = 16;

export interface ChartSegment {
  part: string;
  x: string;
  width: string;
  title: string;
}

export interface ChartRow {
  name: string;
  y: number;
  textY: number;
  barY: number;
  segments: ChartSegment[];
  total: string;
  totalX: string;
  eligible: boolean;
}

export interface PartsChart {
  width: number;
  height: number;
  labelWidth: number;
  barWidth: number;
  barHeight: number;
  rows: ChartRow[];
  /** Parts that appear in at least one bar, in a fixed order (the legend). */
  legend: { part: string; label: string }[];
  /** One sentence for screen readers. */
  description: string;
}

const fix = (n: number) => n.toFixed(1);

/** Null when fewer than two entrants have a score: a chart of one bar compares nothing. */
export function partsChart(entrants: readonly EntrantResult[]): PartsChart | null {
  const scored = entrants.filter((e) => e.score !== null);
  if (scored.length < 2) return null;
  const used = new Set<string>();
  const rows = scored.map((e, i): ChartRow => {
    let x = LABEL_W;
    const segments: ChartSegment[] = [];
    for (const part of PARTS) {
      const p = e.score?.parts.find((q) => q.part === part);
      if (!p || !(p.points > 0)) continue;
      used.add(part);
      const width = (Math.min(p.points, 100) / 100) * BAR_W;
      segments.push({ part, x: fix(x), width: fix(width), title: `${e.name}: ${PART_LABELS[part]} ${formatFixed(p.points, 1)} points (part score ${formatFixed(p.score, 2)} × weight ${p.weight})` });
      x += width;
    }
    const y = i * ROW_H;
    return { name: e.name, y, textY: y + 17, barY: y + (ROW_H - BAR_H) / 2, segments, total: formatFixed(e.score?.total ?? 0, 1), totalX: fix(x + 6), eligible: e.eligible };
  });
  const legend = PARTS.filter((p) => used.has(p)).map((part) => ({ part, label: PART_LABELS[part] }));
  return {
    width: LABEL_W + BAR_W + 50,
    height: rows.length * ROW_H,
    labelWidth: LABEL_W,
    barWidth: BAR_W,
    barHeight: BAR_H,
    rows,
    legend,
    description: `Score parts of ${rows.length} entrants: ${rows.map((r) => `${r.name} ${r.total}`).join(', ')} out of 100.`,
  };
}
