// The referee's time for 4 candidates with benchmarks (tourney score on the score fixture: correct, slow,
// visible-only (out on the hidden-tests gate), test-deleter (out on the tampering gate)), against a
// baseline measured in the same run: the bare test command run 4 times in containers (same limits).
// Runs unchanged on older checkouts (they ignore `full`), so the same script measures before and after.
// Run: npx tsx bench/referee-4.ts [repeats=1] [modes=lean,full] [--quick]
import { execa } from 'execa';
import { makeScoreFixture } from '../test/support/score-fixture.js';
import { scoreCandidates, type ScoreOptions } from '../src/score/score.js';
import { DEFAULT_IMAGE } from '../src/config/defaults.js';
import type { CheckTimings } from '../src/referee/referee.js';
import { arg } from './lib/args.js';

const repeats = Number(arg(0, '1', '1'));
const modes = arg(1, 'lean,full', 'lean').split(',');
const CANDIDATES = ['correct', 'slow', 'visible-only', 'test-deleter'];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main() {
  const fixture = await makeScoreFixture();
  const baseline: number[] = [];
  const referee: Record<string, number[]> = Object.fromEntries(modes.map((m) => [m, []]));
  const perf: Record<string, number[]> = Object.fromEntries(modes.map((m) => [m, []]));
  const measured: Record<string, string[]> = {};
  try {
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      for (let i = 0; i < 4; i++) {
        await execa('docker', ['run', '--rm', '--network', 'none', '--cpus', '1', '--memory', '2g', '-v', `${fixture.repo}:/src:ro`, DEFAULT_IMAGE,
          'sh', '-c', 'cp -r /src /work/repo && cd /work/repo && node --test test/'], { reject: false });
      }
      baseline.push(performance.now() - t0);
      for (const mode of modes) {
        const timings: CheckTimings = {};
        const options = { repoDir: fixture.repo, specPath: fixture.spec, candidates: CANDIDATES.map((c) => `${c}=cand/${c}`), checkTimings: timings, full: mode === 'full' } as ScoreOptions;
        const result = await scoreCandidates(options, { onEvent: () => undefined });
        referee[mode]!.push(result.timings.refereeMs);
        perf[mode]!.push(timings.performance ?? 0);
        measured[mode] = result.entrants.filter((e) => e.checks.performance?.ran).map((e) => e.name);
      }
    }
  } finally {
    await fixture.cleanup();
  }
  const base = median(baseline);
  console.log(`repeats: ${repeats} (medians); baseline = bare test command x4 in containers: ${base.toFixed(0)} ms`);
  for (const mode of modes) {
    const ms = median(referee[mode]!);
    console.log(`${mode.padEnd(5)} referee (4 candidates, benchmarks for ${measured[mode]!.join(', ')}): ${ms.toFixed(0)} ms = ${(ms / base).toFixed(2)}x baseline; performance check time ${median(perf[mode]!).toFixed(0)} ms`);
  }
  console.log(`JSON ${JSON.stringify({ baseline, referee, perf, measured })}`);
}

void main();
