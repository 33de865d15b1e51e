// Judge calls and judge time for 3, 6 and 10 finalists (pairwise, one scripted judge through the real
// opencode binary), next to the referee time of the same run as a baseline.
// Run: npx tsx bench/judge-calls.ts [sizes=3,6,10] [--quick]
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { makeScoreFixture } from '../test/support/score-fixture.js';
import { scoreCandidates } from '../src/score/score.js';
import type { JudgeResult } from '../src/judge/judge.js';
import { arg } from './lib/args.js';

const sizes = arg(0, '3,6,10', '3').split(',').map(Number);
const SPEC = '---\ntest: node --test test/\n---\n# Count words\n`wordCount(text)` counts words separated by any whitespace.\n';

async function main() {
  const fixture = await makeScoreFixture();
  const git = (...a: string[]) => execa('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', ...a], { cwd: fixture.repo });
  try {
    const spec = join(fixture.repo, '..', 'bench-spec.md');
    await writeFile(spec, SPEC);
    await mkdir(join(fixture.repo, 'bench-scripts'));
    await writeFile(join(fixture.repo, 'bench-scripts', 'judge.yaml'), 'turns:\n  - judge:\n      prefer: "variant 1 "\n');
    await writeFile(join(fixture.repo, 'tourney.config.yaml'), 'scripts: [./bench-scripts]\n');
    await git('add', '-A');
    await git('commit', '-qm', 'bench config');
    const max = Math.max(...sizes);
    for (let i = 1; i <= max; i++) {
      await git('checkout', '-q', '-b', `variant-${i}`, 'cand/correct');
      await writeFile(join(fixture.repo, 'src', 'variant.js'), `// variant ${i} \nexport const variant = ${i};\n`);
      await git('add', '-A');
      await git('commit', '-qm', `variant ${i}`);
    }
    await git('checkout', '-q', 'main');
    console.log('finalists  judge calls  judge time  referee time  judge/referee');
    for (const n of sizes) {
      const result = await scoreCandidates(
        { repoDir: fixture.repo, specPath: spec, candidates: Array.from({ length: n }, (_, i) => `v${i + 1}=variant-${i + 1}`), judgeModels: ['scripted/judge'] },
        { onEvent: () => undefined },
      );
      const judge = result.judge as JudgeResult;
      const judgeMs = result.timings.judgeMs ?? 0;
      console.log(`${String(n).padStart(9)}  ${String(judge.calls).padStart(11)}  ${(judgeMs / 1000).toFixed(1).padStart(8)} s  ${(result.timings.refereeMs / 1000).toFixed(1).padStart(10)} s  ${(judgeMs / result.timings.refereeMs).toFixed(2).padStart(13)}`);
    }
  } finally {
    await fixture.cleanup();
  }
}

void main();
