// JUnit XML for CI test-report views: one testsuite per entrant, one testcase per gate, a failed gate
// a <failure> with its reason. The layout follows the Apache Ant JUnit schema (the XSD most CI
// readers accept), so attributes it requires are always written. Entrant text is data: escaped for
// XML, and characters XML 1.0 cannot carry at all (most controls, lone surrogates) are removed.

import { hostname } from 'node:os';
import type { EntrantResult, RunResult } from '../types.js';

// XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
// eslint-disable-next-line no-control-regex -- removing what XML forbids is the point
const NOT_XML_CHAR = /[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

export function xmlText(text: string): string {
  return text.replace(NOT_XML_CHAR, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** For attribute values: quotes too, and whitespace kept as references (a parser would normalise raw newlines to spaces). */
export function xmlAttr(text: string): string {
  return xmlText(text).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

/** xs:token values (names): collapsed whitespace, never empty. */
const token = (text: string) => text.replace(NOT_XML_CHAR, '').replace(/\s+/g, ' ').trim() || '(unnamed)';

const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);

/** The schema's ISO 8601 pattern has no fraction and no zone: UTC is implied. */
const timestamp = (iso: string) => {
  const d = new Date(iso);
  return (Number.isNaN(d.getTime()) ? new Date(0) : d).toISOString().slice(0, 19);
};

function gateMs(e: EntrantResult, gate: string): number {
  const c = e.checks;
  const by: Record<string, number | undefined> = {
    tests: c.tests?.durationMs, hiddenTests: c.hiddenTests?.durationMs, build: c.build?.durationMs,
    security: c.security?.durationMs, performance: c.performance?.durationMs ?? undefined,
  };
  return by[gate] ?? 0;
}

function suite(result: RunResult, e: EntrantResult, id: number): string {
  const name = token(e.name);
  const classname = token(`tourney.${e.name}`);
  const cases = e.gates.map((g) => {
    const open = `    <testcase name="${xmlAttr(g.gate)}" classname="${xmlAttr(classname)}" time="${seconds(gateMs(e, g.gate))}"`;
    if (g.passed) return `${open}/>`;
    return `${open}>\n      <failure message="${xmlAttr(g.reason)}" type="gate">${xmlText(g.reason)}</failure>\n    </testcase>`;
  });
  // An entrant that never reached the referee (timed out, crashed) has no gates: one errored case says why.
  const errors = e.gates.length === 0 && e.status !== 'finished' ? 1 : 0;
  if (errors) {
    const why = `${e.status}${e.error ? `: ${e.error}` : ''}`;
    cases.push(`    <testcase name="finished" classname="${xmlAttr(classname)}" time="${seconds(e.durationMs)}">\n      <error message="${xmlAttr(why)}" type="${xmlAttr(e.status)}">${xmlText(why)}</error>\n    </testcase>`);
  }
  const failures = e.gates.filter((g) => !g.passed).length;
  const props: [string, string][] = [
    ['model', e.model], ['status', e.status], ['eligible', String(e.eligible)],
    ['score', e.score ? String(e.score.total) : ''], ['rank', e.rank === null ? '' : String(e.rank)],
    ['winner', String(result.winner === e.name)], ['branch', e.branch ?? ''],
  ];
  return [
    `  <testsuite package="tourney" id="${id}" name="${xmlAttr(name)}" timestamp="${timestamp(result.startedAt)}" hostname="${xmlAttr(token(hostname()))}" ` +
      `tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${seconds(e.durationMs)}">`,
    '    <properties>',
    ...props.map(([k, v]) => `      <property name="${k}" value="${xmlAttr(v)}"/>`),
    '    </properties>',
    ...cases,
    `    <system-out>${xmlText(`run ${result.runId}; report ${result.reportPath}`)}</system-out>`,
    '    <system-err/>',
    '  </testsuite>',
  ].join('\n');
}

export function renderJunit(result: RunResult): string {
  return ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites>', ...result.entrants.map((e, i) => suite(result, e, i)), '</testsuites>', ''].join('\n');
}
