// Times `tourney score` on 4 candidates against the bare test command run 4 times on the same repo,
// both on the host and in the sandbox image (same limits as the referee), and prints the time spent in
// each kind of check. Run: npx tsx bench/score-vs-tests.ts [repeats=2] [--quick]
import { execa } from 'execa';
import { makeScoreFixture } from '../test/support/score-fixture.js';
import { scoreCandidates } from '../src/score/score.js';
import { DEFAULT_IMAGE } from '../src/config/defaults.js';
import type { CheckTimings } from '../src/referee/referee.js';
import { arg } from './lib/args.js';

const repeats = Number(arg(0, '2', '1'));
const CANDIDATES = ['correct', 'slow', 'visible-only', 'injection'];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main() {
  const fixture = await makeScoreFixture();
  const host: number[] = [];
  const container: number[] = [];
  const score: number[] = [];
  const checks: CheckTimings[] = [];
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
      t0 = performance.now();
      await scoreCandidates(
        { repoDir: fixture.repo, specPath: fixture.spec, candidates: CANDIDATES.map((c) => `${c}=cand/${c}`), checkTimings: timings },
        { onEvent: () => undefined },
      );
      score.push(performance.now() - t0);
      checks.push(timings);
    }
  } finally {
    await fixture.cleanup();
  }
  const hostMs = median(host);
  const containerMs = median(container);
  const scoreMs = median(score);
  console.log(`repeats: ${repeats} (medians)`);
  console.log(`bare test command x4, host:          ${hostMs.toFixed(0)} ms`);
  console.log(`bare test command x4, in containers: ${containerMs.toFixed(0)} ms`);
  console.log(`tourney score, 4 candidates:         ${scoreMs.toFixed(0)} ms  = ${(scoreMs / hostMs).toFixed(1)}x host, ${(scoreMs / containerMs).toFixed(1)}x containers`);
  console.log('time per check, summed over the 4 candidates (2 run in parallel on this machine):');
  const keys = [...new Set(checks.flatMap((c) => Object.keys(c)))];
  for (const key of keys) {
    const ms = median(checks.map((c) => c[key] ?? 0));
    console.log(`  ${key.padEnd(12)} ${ms.toFixed(0).padStart(6)} ms  (${(ms / 4).toFixed(0)} ms per candidate)`);
  }
}

void main();
