import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
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
  let docker: Docker;
  let fixture: ScoreFixture;
  let spec: string;

  beforeAll(async () => {
    docker = await ensureTestImage();
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

  const score = async (judges: string[], candidates = ['correct', 'slow'], configPath?: string) => {
    const result: RunResult = await scoreCandidates(
      { repoDir: fixture.repo, specPath: spec, configPath, candidates: candidates.map((c) => `${c}=cand/${c}`), judgeModels: judges.map((j) => `scripted/${j}`) },
      { onEvent: () => undefined },
    );
    expect(result.judge.ran).toBe(true);
    return { result, judge: result.judge as JudgeResult };
  };

  it('judges each pair in both orders with neutral labels and lets its verdict decide between equals', async () => {
    const { result, judge } = await score(['judge-likes-loops']);
    expect(judge.matches).toHaveLength(1);
    const match = judge.matches[0]!;
    expect(match.calls.map((c) => [c.first, c.second, c.verdict])).toEqual(
      expect.arrayContaining([['correct', 'slow', 'B'], ['slow', 'correct', 'A']]),
    );
    expect(match.outcome).toBe(match.a === 'slow' ? 'a' : 'b');
    expect(match.calls[0]!.rationale).toContain('whitespace');
    expect(judge.scores.slow!).toBeGreaterThan(judge.scores.correct!);
    const judgePart = (name: string) => result.entrants.find((e) => e.name === name)!.score!.parts.find((p) => p.part === 'judge');
    expect(judgePart('slow')!.score).toBeGreaterThan(judgePart('correct')!.score);
    expect(judge.calls).toBe(2);
    expect(result.totals.tokens.input).toBeGreaterThan(0);
    expect(await leftoverResources(docker)).toEqual([]);
  });

  it('asks again after an invalid answer, and records a judge that never answers properly as failed', async () => {
    const rambling = (await score(['judge-rambles'])).judge;
    expect(rambling.failedCalls).toBe(0);
    expect(rambling.matches[0]!.calls.every((c) => c.attempts === 2)).toBe(true);
    const broken = (await score(['judge-never-json'])).judge;
    expect(broken.failedCalls).toBe(2);
    expect(broken.matches[0]!.outcome).toBe('failed');
    expect(broken.matches[0]!.calls[0]!.error).toMatch(/invalid answer/);
    expect(broken.matches[0]!.calls[0]!.attempts).toBe(3);
    expect(broken.scores.correct).toBeCloseTo(broken.scores.slow!);
  });

  it('turns a verdict that follows the position into a tie', async () => {
    const { judge } = await score(['judge-position-a']);
    expect(judge.matches[0]!.outcome).toBe('tie');
    expect(judge.matches[0]!.perJudge[0]!.flipped).toBe(true);
    expect(judge.scores.correct).toBeCloseTo(judge.scores.slow!);
  });

  it('combines a panel and reports its disagreement', async () => {
    const { judge } = await score(['judge-likes-loops', 'judge-likes-split']);
    expect(judge.models).toHaveLength(2);
    const match = judge.matches[0]!;
    expect(match.calls).toHaveLength(4);
    expect(match.perJudge.map((j) => j.outcome).sort()).toEqual(['a', 'b']);
    expect(match.outcome).toBe('tie');
    expect(match.agreement).toBeLessThan(1);
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

  it('never shows the judge an entrant that tries to talk to it', async () => {
    const { result, judge } = await score(['judge-likes-loops'], ['correct', 'slow', 'flatterer']);
    const flatterer = result.entrants.find((e) => e.name === 'flatterer')!;
    expect(flatterer.checks.injection?.flagged).toBe(true);
    expect(flatterer.gates.find((g) => g.gate === 'injection')?.passed).toBe(false);
    expect(judge.matches.flatMap((m) => [m.a, m.b])).not.toContain('flatterer');
    expect(flatterer.rank).toBeNull();
  });
});
