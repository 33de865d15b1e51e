import { rm } from 'node:fs/promises';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { renderJunit } from '../../src/outputs/junit.js';
import type { RunResult } from '../../src/types.js';
import { makeRun } from '../report/fixture.js';
import { junitXsdErrors } from './validators.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
async function fixture(): Promise<RunResult> {
  const fx = await makeRun();
  dirs.push(fx.runDir);
  return fx.result;
}

interface Case { '@_name': string; failure?: { '@_message': string; '#text'?: string }; error?: { '@_message': string } }
interface Suite { '@_name': string; '@_tests': string; '@_failures': string; '@_errors': string; testcase?: Case[] }
const parser = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testsuite' || name === 'testcase' || name === 'property', trimValues: false });
const suites = (xml: string) => (parser.parse(xml) as { testsuites: { testsuite: Suite[] } }).testsuites.testsuite;

// Text an entrant controls, with what XML must escape and what XML 1.0 cannot carry at all.
const HOSTILE = '</failure></testcase><testcase name="forged"/> & "quotes" \'apos\' ]]> <![CDATA[x]]> \u0000\u0001\u0008\u000b\u000c\u001b[31m \ud800 lone surrogate \uffff\ufffe end\r\nnext line\ttab';
// eslint-disable-next-line no-control-regex -- these characters are what is tested
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/gu;

describe('JUnit XML', () => {
  it('is well-formed and valid against the Ant JUnit XSD, one suite per entrant, one case per gate', async () => {
    const result = await fixture();
    const xml = renderJunit(result);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(await junitXsdErrors(xml)).toBe('');
    // The validator is real: the same file without an attribute the schema requires is refused.
    expect(await junitXsdErrors(xml.replace(/ hostname="[^"]*"/, ''))).toMatch(/hostname/);
    const got = suites(xml);
    expect(got.map((s) => s['@_name'])).toEqual(result.entrants.map((e) => e.name));
    for (const [i, e] of result.entrants.entries()) {
      const s = got[i]!;
      const failed = e.gates.filter((g) => !g.passed);
      expect((s.testcase ?? []).map((c) => c['@_name']).slice(0, e.gates.length)).toEqual(e.gates.map((g) => g.gate));
      expect(Number(s['@_failures'])).toBe(failed.length);
      // A failed gate carries its reason, as the referee wrote it.
      for (const g of failed) expect(s.testcase!.find((c) => c['@_name'] === g.gate)!.failure!['@_message']).toBe(g.reason);
      expect(Number(s['@_tests'])).toBe(s.testcase?.length ?? 0);
    }
  });

  it('an entrant that never reached the referee gets an errored case saying why', async () => {
    const result = await fixture();
    const slow = result.entrants.find((e) => e.status === 'timeout')!;
    const alone = { ...result, entrants: [{ ...slow, gates: [] }] };
    const xml = renderJunit(alone);
    expect(await junitXsdErrors(xml)).toBe('');
    const [s] = suites(xml);
    expect(s!['@_errors']).toBe('1');
    expect(s!.testcase![0]!.error!['@_message']).toContain('timeout');
  });

  it('entrant text cannot add or close elements, and what XML 1.0 forbids is removed', async () => {
    const result = await fixture();
    const e = result.entrants[1]!;
    const hostile = { ...result, entrants: [{ ...e, name: HOSTILE, model: HOSTILE, error: HOSTILE, gates: e.gates.map((g) => ({ ...g, passed: false, reason: HOSTILE })) }] };
    const xml = renderJunit(hostile);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(await junitXsdErrors(xml)).toBe('');
    expect(xml).not.toMatch(XML_FORBIDDEN);
    const [s] = suites(xml);
    expect(s!.testcase!.map((c) => c['@_name'])).toEqual(e.gates.map((g) => g.gate));
    const kept = HOSTILE.replace(XML_FORBIDDEN, '');
    const failure = s!.testcase![0]!.failure!;
    // The attribute keeps newlines and tabs as references; the element text is the reason itself.
    expect(parser.parse(`<a m="${failure['@_message'].replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')}"/>`)).toBeTruthy();
    expect(failure['#text']).toBe(new XMLParser({ trimValues: false, processEntities: true }).parse(`<x>${kept.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</x>`).x);
  });
});
