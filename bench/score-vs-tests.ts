// Times `tourney score` on 4 candidates against the bare test command run 4 times on the same repo,
// both on the host and in the sandbox image (same limits as the referee), and prints the time spent in
// each kind of check. Scores twice per repeat: with the spec as it is, and with its `bench` taken out
// (the same spec, no benchmarks), so the referee's own overhead reads apart from the benchmarks' time.
// Run: npx tsx bench/score-vs-tests.ts [repeats=2] [--quick]
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { makeScoreFixture } from '../test/support/score-fixture.js';
import { scoreCandidates } from '../src/score/score.js';
import { DEFAULT_IMAGE } from '../src/config/defaults.js';
import type { CheckTimings } from '../src/referee/referee.js';
import type { PhaseTimings } from '../src/types.js';
import { arg } from './lib/args.js';

const repeats = Number(arg(0, '2', '1'));
const CANDIDATES = ['correct', 'slow', 'visible-only', 'injection'];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main() {
  const fixture = await makeScoreFixture();
  // Beside the original, so its `hidden.files: acceptance/` resolves to the same folder.
  const noBenchSpec = join(dirname(fixture.spec), 'feature-no-bench.md');
  const specText = await readFile(fixture.spec, 'utf8');
  const withoutBench = specText.replace(/^bench:.*\n/m, '');
  if (withoutBench === specText) throw new Error(`score-vs-tests: no \`bench:\` line to take out of ${fixture.spec}`);
  await writeFile(noBenchSpec, withoutBench);
  const host: number[] = [];
  const container: number[] = [];
  const score: number[] = [];
  const scoreNoBench: number[] = [];
  const checks: CheckTimings[] = [];
  const phases: PhaseTimings[] = [];
  const run = async (specPath: string, timings: CheckTimings) => {
    const t0 = performance.now();
    const result = await scoreCandidates(
      { repoDir: fixture.repo, specPath, candidates: CANDIDATES.map((c) => `${c}=cand/${c}`), checkTimings: timings },
      { onEvent: () => undefined },
    );
    return { ms: performance.now() - t0, result };
  };
  try {
    for (let r = 0; r < repeats; r++) {
      let t0 = performance.now();
      for (let i = 0; i < 4; i++) await execa('node', ['--test', 'test/'], { cwd: fixture.repo, reject: false });
      host.push(performance.now() - t0);

      t0 = performance.now();
      for (let i = 0; i < 4; i++) {
        await execa('docker', ['run', '--rm', '--network', 'none', '--cpus', '1', '--memory', '2g', '-v', `${fixture.repo}:/src:ro`, DEFAULT_IMAGE,
          'sh', '-c', 'cp -r /src /work/repo && cd /work/repo && node --test test/'], { reject: false });
      }
      container.push(performance.now() - t0);

      const timings: CheckTimings = {};
      const withBench = await run(fixture.spec, timings);
      score.push(withBench.ms);
      checks.push(timings);
      const noBench = await run(noBenchSpec, {});
      if (noBench.result.entrants.some((e) => e.checks.performance)) throw new Error('score-vs-tests: the spec without `bench` still ran benchmarks');
      scoreNoBench.push(noBench.ms);
      phases.push(noBench.result.timings);
    }
  } finally {
    await fixture.cleanup();
  }
  const hostMs = median(host);
  const containerMs = median(container);
  const scoreMs = median(score);
  const noBenchMs = median(scoreNoBench);
  const ratios = (ms: number) => `${(ms / hostMs).toFixed(1)}x host, ${(ms / containerMs).toFixed(1)}x containers`;
  console.log(`repeats: ${repeats} (medians)`);
  console.log(`bare test command x4, host:          ${hostMs.toFixed(0)} ms`);
  console.log(`bare test command x4, in containers: ${containerMs.toFixed(0)} ms`);
  console.log(`tourney score, 4 candidates:         ${scoreMs.toFixed(0)} ms  = ${ratios(scoreMs)}`);
  console.log(`  the same spec without bench:       ${noBenchMs.toFixed(0)} ms  = ${ratios(noBenchMs)}  (benchmarks excluded)`);
  // Each repeat against its own baseline too: on a shared machine the load moves between repeats.
  const paired = (xs: number[]) => xs.map((ms, i) => (ms / container[i]!).toFixed(1)).join(', ');
  console.log(`  per repeat, x containers: with bench ${paired(score)}; benchmarks excluded ${paired(scoreNoBench)}`);
  const phaseKeys = Object.keys(phases[0] ?? {}) as (keyof PhaseTimings)[];
  console.log(`  its phases: ${phaseKeys.map((k) => `${k} ${median(phases.map((p) => p[k] ?? 0)).toFixed(0)}`).join(', ')}`);
  console.log('time per check with bench, summed over the 4 candidates (2 run in parallel on this machine; tests.* and hidden.* are');
  console.log('the container steps inside tests and hiddenTests, which now overlap the static checks and each other):');
  const keys = [...new Set(checks.flatMap((c) => Object.keys(c)))];
  for (const key of keys) {
    const ms = median(checks.map((c) => c[key] ?? 0));
    console.log(`  ${key.padEnd(16)} ${ms.toFixed(0).padStart(6)} ms  (${(ms / 4).toFixed(0)} ms per candidate)`);
  }
  console.log(`JSON ${JSON.stringify({ host, container, score, scoreNoBench })}`);
}

void main();
