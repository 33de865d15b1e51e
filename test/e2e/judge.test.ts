import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Engine } from '../../src/sandbox/engine.js';
import { execa } from 'execa';
import { scoreCandidates } from '../../src/score/score.js';
import type { RunResult } from '../../src/types.js';
import type { JudgeResult } from '../../src/judge/judge.js';
import { ensureTestImage, leftoverResources } from '../support/docker.js';
import { makeScoreFixture, type ScoreFixture } from '../support/score-fixture.js';

// Judge sessions run through the real opencode binary in containers; only the model is scripted.
const SCRIPTS: Record<string, string> = {
  // Prefers whichever candidate builds the count character by character (the `slow` one), in either position.
  'judge-likes-loops': 'turns:\n  - judge:\n      prefer: "inWord"\n      rationale: "Walks the text once and handles every kind of whitespace."\n',
  'judge-likes-split': 'turns:\n  - judge:\n      prefer: "filter(Boolean)"\n      rationale: "Short and clear."\n',
  // Always answers "A": a judge with pure position bias.
  'judge-position-a': 'turns:\n  - judge:\n      position: A\n',
  // Rambles first, then answers properly when asked again.
  'judge-rambles': 'turns:\n  - text: "Both are fine, but I lean towards the first one."\n  - judge:\n      prefer: "inWord"\n',
  // Rubric mode: per-criterion scores.
  'judge-rubric': 'turns:\n  - text: \'{"scores": {"fit": 5, "correctness": 4, "scope": 5, "readability": 3, "tests": 2, "risk": 5}, "rationale": "Does the job; few tests."}\'\n',
  // Never gives valid JSON.
  'judge-never-json': 'turns:\n  - text: "A"\n  - text: "Definitely A."\n  - text: "A!"\n',
};

const JUDGE_SPEC = `---
title: Count words separated by any whitespace
test: node --test test/
scope: [src/**, test/**]
---
# Count words separated by any whitespace
\`wordCount(text)\` counts words separated by any whitespace and returns 0 for blank text.
`;

describe('the judge', () => {
  let engine: Engine;
  let fixture: ScoreFixture;
  let spec: string;

  beforeAll(async () => {
    engine = await ensureTestImage();
    fixture = await makeScoreFixture();
    spec = join(fixture.repo, '..', 'judge-spec.md');
    await writeFile(spec, JUDGE_SPEC);
    const scripts = join(fixture.repo, 'judge-scripts');
    await mkdir(scripts);
    for (const [name, text] of Object.entries(SCRIPTS)) await writeFile(join(scripts, `${name}.yaml`), text);
    await writeFile(join(fixture.repo, 'tourney.config.yaml'), 'scripts: [./judge-scripts]\n');
    await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qam', 'judge scripts', '--allow-empty'], { cwd: fixture.repo });
    await execa('git', ['add', '-A'], { cwd: fixture.repo });
    await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'judge config'], { cwd: fixture.repo });
  }, 600_000);

  afterAll(async () => {
    await fixture?.cleanup();
  });

  const score = async (judges: string[], candidates: string[], configPath?: string) => {
    const result: RunResult = await scoreCandidates(
      { repoDir: fixture.repo, specPath: spec, configPath, candidates: candidates.map((c) => `${c}=cand/${c}`), judgeModels: judges.map((j) => `scripted/${j}`) },
      { onEvent: () => undefined },
    );
    expect(result.judge.ran).toBe(true);
    return { result, judge: result.judge as JudgeResult };
  };

  // One run shares the referee and the containers: a panel of five scripted judges, each showing one
  // behaviour, over two finalists (and one entrant that tries to talk to the judge).
  describe('a panel of five judges', () => {
    const PANEL = ['judge-likes-loops', 'judge-likes-split', 'judge-position-a', 'judge-rambles', 'judge-never-json'];
    let result: RunResult;
    let judge: JudgeResult;
    const callsOf = (name: string) => judge.matches[0]!.calls.filter((c) => c.judge === `scripted/${name}`);
    const outcomeOf = (name: string) => judge.matches[0]!.perJudge.find((p) => p.judge === `scripted/${name}`)!;
    const side = (entrant: string) => (judge.matches[0]!.a === entrant ? 'a' : 'b');

    beforeAll(async () => {
      ({ result, judge } = await score(PANEL, ['correct', 'slow', 'flatterer']));
    }, 600_000);

    it('judges the pair in both orders with neutral labels, and records each rationale', () => {
      expect(judge.models).toHaveLength(5);
      expect(judge.matches).toHaveLength(1);
      expect(judge.calls).toBe(10);
      expect(callsOf('judge-likes-loops').map((c) => [c.first, c.second, c.verdict])).toEqual(
        expect.arrayContaining([['correct', 'slow', 'B'], ['slow', 'correct', 'A']]),
      );
      expect(callsOf('judge-likes-loops')[0]!.rationale).toContain('whitespace');
      expect(outcomeOf('judge-likes-loops').outcome).toBe(side('slow'));
      expect(outcomeOf('judge-likes-split').outcome).toBe(side('correct'));
    });

    it('asks again after an invalid answer, and records a judge that never answers properly as failed', () => {
      expect(callsOf('judge-rambles').every((c) => c.attempts === 2 && c.verdict !== null)).toBe(true);
      expect(outcomeOf('judge-rambles').outcome).toBe(side('slow'));
      const broken = callsOf('judge-never-json');
      expect(broken.every((c) => c.verdict === null && c.attempts === 3)).toBe(true);
      expect(broken[0]!.error).toMatch(/invalid answer/);
      expect(outcomeOf('judge-never-json').outcome).toBe('failed');
      expect(judge.failedCalls).toBe(2);
    });

    it('turns a verdict that follows the position into a tie', () => {
      expect(outcomeOf('judge-position-a')).toMatchObject({ outcome: 'tie', flipped: true });
    });

    it('combines the panel by majority, reports the disagreement, and feeds the score', () => {
      const match = judge.matches[0]!;
      // Votes: slow 2 (loops, rambles), correct 1 (split), tie 1 (position bias); one judge failed.
      expect(match.outcome).toBe(side('slow'));
      expect(match.agreement).toBeCloseTo(0.5);
      expect(judge.scores.slow!).toBeGreaterThan(judge.scores.correct!);
      const judgePart = (name: string) => result.entrants.find((e) => e.name === name)!.score!.parts.find((p) => p.part === 'judge')!;
      expect(judgePart('slow').score).toBeGreaterThan(judgePart('correct').score);
      expect(result.totals.tokens.input).toBeGreaterThan(0);
    });

    it('never shows the judge an entrant that tries to talk to it', async () => {
      const flatterer = result.entrants.find((e) => e.name === 'flatterer')!;
      expect(flatterer.checks.injection?.flagged).toBe(true);
      expect(flatterer.gates.find((g) => g.gate === 'injection')?.passed).toBe(false);
      expect(judge.matches.flatMap((m) => [m.a, m.b])).not.toContain('flatterer');
      expect(flatterer.rank).toBeNull();
      expect(await leftoverResources(engine)).toEqual([]);
    });
  });

  it('scores each finalist on every criterion in rubric mode', async () => {
    const config = join(fixture.repo, 'rubric.config.yaml');
    await writeFile(config, 'scripts: [./judge-scripts]\njudge: { mode: rubric }\n');
    const { result, judge } = await score(['judge-rubric'], ['correct', 'slow'], config);
    expect(judge.mode).toBe('rubric');
    expect(judge.rubric).toHaveLength(2);
    expect(judge.rubric[0]!.scores).toEqual({ fit: 5, correctness: 4, scope: 5, readability: 3, tests: 2, risk: 5 });
    // Mean 4 on a 1-5 scale is 0.75.
    expect(judge.scores.correct).toBeCloseTo(0.75);
    expect(result.entrants.find((e) => e.name === 'correct')!.score!.parts.find((p) => p.part === 'judge')!.score).toBeCloseTo(0.75);
  });
});
