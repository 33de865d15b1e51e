import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSpec } from '../../src/spec/load.js';
import { loadConfig } from '../../src/config/load.js';
import { DEFAULT_SCORING } from '../../src/config/defaults.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tourney-keys-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const spec = async (front: string) => {
  const file = join(dir, 'feature.md');
  await writeFile(file, `---\ntest: npm test\n${front}\n---\n# T\n`);
  return loadSpec(file);
};
const specError = (front: string) => spec(front).then(() => '', (e: Error) => e.message);

describe('spec keys for the referee', () => {
  it('reads hidden tests (resolved beside the spec), build, bench and scope', async () => {
    await mkdir(join(dir, 'acceptance'));
    const s = await spec('build: npm run build\nhidden:\n  files: acceptance/\n  test: node --test tourney-hidden/\nbench: bench/a.bench.js\nscope: [src/**]');
    expect(s.build).toBe('npm run build');
    expect(s.hidden).toEqual({ files: [join(dir, 'acceptance')], into: 'tourney-hidden', test: 'node --test tourney-hidden/' });
    expect(s.bench).toEqual(['bench/a.bench.js']);
    expect(s.scope).toEqual(['src/**']);
  });

  it.each([
    ['hidden:\n  files: nope/\n  test: x', /"hidden\.files": .*nope does not exist \(paths are relative to the spec file\)/],
    ['hidden:\n  files: [a]', /hidden\.test/],
    ['hidden:\n  files: a\n  test: x\n  into: ../outside', /"hidden\.into": expected a path inside the repository, got "\.\.\/outside"/],
    ['bench: /etc/passwd', /"bench": expected a path inside the repository/],
    ['hidden:\n  filez: a\n  test: x', /hidden\.filez/],
    ['scope: 3', /scope/],
  ])('rejects %j naming the key', async (front, message) => {
    await writeFile(join(dir, 'a'), '');
    expect(await specError(front)).toMatch(message);
  });
});

describe('config keys for gates and weights', () => {
  const config = async (yaml: string) => {
    await writeFile(join(dir, 'tourney.config.yaml'), yaml);
    return loadConfig(dir, { model: 'a/b' });
  };

  it('defaults to the documented gates and weights', async () => {
    expect((await config('')).scoring).toEqual(DEFAULT_SCORING);
  });

  it('merges gates, weights, protected paths and performance settings', async () => {
    const s = (await config('gates: { security: medium, performance: true }\nweights: { lint: 0, scope: 20 }\ntampering: { protected: [migrations/**] }\nperformance: { threshold: 0.2, rounds: 5 }\n')).scoring;
    expect(s.gates).toEqual({ ...DEFAULT_SCORING.gates, security: 'medium', performance: true });
    expect(s.weights).toEqual({ ...DEFAULT_SCORING.weights, lint: 0, scope: 20 });
    expect(s.protectedPaths).toEqual(['migrations/**']);
    expect(s.performance).toEqual({ threshold: 0.2, rounds: 5 });
  });

  it('has no judge unless models are configured, and reads the judge settings', async () => {
    expect((await config('')).judge).toMatchObject({ models: [], mode: 'pairwise', retries: 2 });
    await writeFile(join(dir, 'rubric.md.hbs'), 'Judge {{spec.title}}');
    const judge = (await config('judge: { models: [a/judge, b/judge], mode: rubric, rubric: rubric.md.hbs, retries: 1, timeLimit: 90s }\n')).judge;
    expect(judge).toEqual({ models: ['a/judge', 'b/judge'], mode: 'rubric', rubric: join(dir, 'rubric.md.hbs'), retries: 1, timeLimitSec: 90 });
  });

  it.each([
    ['judge: { models: [gpt] }', /judge\.models\[0\].*provider\/model/],
    ['judge: { mode: tournament }', /judge\.mode/],
    ['judge: { rubric: missing.hbs }', /"judge\.rubric": .*missing\.hbs.* is not a file/],
    ['gates: { security: critical }', /gates\.security/],
    ['weights: { lint: -1 }', /weights\.lint.*>= 0/],
    ['weights: { tests: 0, hiddenTests: 0, lint: 0, security: 0, performance: 0, scope: 0, judge: 0 }', /"weights": expected at least one weight above 0/],
    ['performance: { threshold: 2 }', /performance\.threshold.*fraction/],
    ['gates: { test: true }', /gates\.test\b/],
  ])('rejects %j naming the key', async (yaml, message) => {
    expect(await config(yaml).then(() => '', (e: Error) => e.message)).toMatch(message);
  });
});
