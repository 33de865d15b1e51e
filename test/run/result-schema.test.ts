// result.json is checked against the whole RunResult shape whenever it is read. Real results must pass
// unchanged (a demo run's file, the report fixture's result in every judge mode); each kind of damage
// must be named by file, key path, what was expected and what was found.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { parseRunResult } from '../../src/run/run-dirs.js';
import { TourneyError } from '../../src/errors.js';
import type { RunResult } from '../../src/types.js';
import { makeRun } from '../report/fixture.js';

const DEMO = readFileSync(new URL('../fixtures/results/demo-run.json', import.meta.url));
const demo = () => JSON.parse(DEMO.toString('utf8')) as RunResult;
const parse = (value: unknown) => parseRunResult(Buffer.from(JSON.stringify(value)), '/runs/x/result.json');
const problem = (value: unknown): string => {
  try {
    parse(value);
  } catch (err) {
    expect(err).toBeInstanceOf(TourneyError);
    return (err as TourneyError).message;
  }
  throw new Error('expected the result to be refused');
};

describe('result.json schema', () => {
  it('passes the result.json of a real demo run, and reads it back unchanged', () => {
    expect(parseRunResult(DEMO, 'demo/result.json')).toEqual(demo());
  });

  it.each(['pairwise', 'rubric', 'none'] as const)('passes the report fixture (judge %s)', async (judge) => {
    const { runDir, result } = await makeRun(judge);
    await rm(runDir, { recursive: true, force: true });
    // Through JSON first, as on disk (undefined keys vanish).
    const onDisk = JSON.parse(JSON.stringify(result)) as unknown;
    expect(parse(onDisk)).toEqual(onDisk);
  });

  it('keeps no key it does not know (a newer writer\'s extras are dropped, not trusted)', () => {
    const r = { ...demo(), extra: { evil: true } };
    expect(parse(r)).not.toHaveProperty('extra');
  });

  it('names the file and the key path, what was expected and what was found', () => {
    const r = demo();
    r.entrants[0]!.checks.tests = { ...r.entrants[0]!.checks.tests!, exitCode: 'one' as never };
    expect(problem(r)).toMatch(/^\/runs\/x\/result\.json: not a valid tourney result.*\n\/runs\/x\/result\.json: key "entrants\[0\]\.checks\.tests\.exitCode": expected a number, got "one"$/);
  });

  it('reports a bad entrant name once, not again as a winner naming nobody', () => {
    const r = demo();
    r.entrants[0]!.name = 'Tidy/../x';
    const lines = problem(r).split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/key "entrants\[0\]\.name": expected a name of 1-40 lower-case letters/);
  });

  it.each([
    ['an entrant named "winner"', (r: RunResult) => void (r.entrants[0]!.name = 'winner'), /entrants\[0\]\.name": expected a name other than "winner"/],
    ['an entrant branch outside tourney/', (r: RunResult) => void (r.entrants[0]!.branch = 'refs/heads/main'), /entrants\[0\]\.branch": expected a branch name/],
    ['a branch with ..', (r: RunResult) => void (r.winnerBranch = 'tourney/a..b/winner'), /"winnerBranch": expected a branch name/],
    ['a rank of 0', (r: RunResult) => void (r.entrants[0]!.rank = 0), /entrants\[0\]\.rank": expected a number > 0, got 0/],
    ['a judge verdict outside A/B/tie', (r: RunResult) => {
      if (r.judge.ran) r.judge.matches[0]!.calls[0]!.verdict = 'C' as never;
    }, /judge\.matches\[0\]\.calls\[0\]\.verdict": expected one of "A", "B", "tie", got "C"/],
    ['a strength interval of one number', (r: RunResult) => {
      if (r.judge.ran && r.judge.confidence) r.judge.confidence.strengthIntervals = { tidy: [0.5] as never };
    }, /judge\.confidence\.strengthIntervals\.tidy"/],
    ['an environment status unknown', (r: RunResult) => void (r.environment = { ...r.environment!, status: 'cached' as never }), /"environment\.status": expected one of "none", "reused", "built", got "cached"/],
  ])('refuses %s', (_what, change, says) => {
    const r = demo();
    change(r);
    expect(problem(r)).toMatch(says);
  });
});
