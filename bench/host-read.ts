// Host-side static reading (materialise + tampering, scope, lint, security) of one entrant diff,
// and a sandbox start with and without the disk limit, each as the median of N rounds.
// Usage: npx tsx bench/host-read.ts [rounds=5] [--quick]
import { mkdtemp, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerEngine } from '../src/sandbox/docker.js';
import { execa } from 'execa';
import { createDemoRepo } from '../src/demo/demo.js';
import { materialize } from '../src/referee/materialize.js';
import { runTamperCheck } from '../src/checks/tampering.js';
import { runScopeCheck } from '../src/checks/scope.js';
import { runLintCheck } from '../src/checks/lint.js';
import { runSecurityCheck } from '../src/checks/security.js';
import { retarAs } from '../src/sandbox/tar.js';
import { Sandbox } from '../src/sandbox/container.js';
import { prepareWorkspace } from '../src/sandbox/workspace.js';
import { DEFAULT_IMAGE } from '../src/config/defaults.js';
import { arg } from './lib/args.js';

const rounds = Number(arg(0, '5', '1'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const dir = await mkdtemp(join(tmpdir(), 'tourney-bench-hostread-'));
const repo = await createDemoRepo(join(dir, 'repo'));
await execa('git', ['archive', '--format=tar', '--prefix=repo/', '-o', join(dir, 'raw.tar'), 'HEAD'], { cwd: repo });
await retarAs(join(dir, 'raw.tar'), join(dir, 'base.tar'), 10001);
await appendFile(join(repo, 'src/strings.js'), '\nexport function slugify(t) { return t.toLowerCase().replace(/[^a-z0-9]+/g, "-"); }\n');
await writeFile(join(repo, 'test/slugify.test.js'), "import { test } from 'node:test';\nimport assert from 'node:assert';\nimport { slugify } from '../src/strings.js';\ntest('s', () => assert.equal(slugify('A b'), 'a-b'));\n");
await execa('git', ['add', '-A'], { cwd: repo });
const patch = (await execa('git', ['diff', '--cached', '--binary'], { cwd: repo })).stdout + '\n';

const staticMs: number[] = [];
for (let i = 0; i < rounds; i += 1) {
  const t0 = Date.now();
  const tree = await materialize(join(dir, 'base.tar'), patch, join(dir, `w${i}`));
  const changedFiles = tree.changes.filter((c) => c.status !== 'deleted').map((c) => c.path);
  const input = { baseDir: tree.baseDir, headDir: tree.headDir, changedFiles, outDir: join(dir, `o${i}`), outRel: 'o' };
  await runTamperCheck({ ...tree, patch, protectedPaths: [] });
  await runScopeCheck(tree);
  await runLintCheck(input);
  await runSecurityCheck(input);
  staticMs.push(Date.now() - t0);
}
console.log(`host-side static checks: median ${median(staticMs)} ms over ${rounds}`);

const engine = new DockerEngine();
const start = async (diskMb: number | undefined, i: number) => {
  const t0 = Date.now();
  const s = await Sandbox.create(engine, {
    image: DEFAULT_IMAGE, runId: 'bench-hostread', role: 'bench', name: `tourney-bench-hostread-${diskMb ?? 0}-${i}`, network: 'none',
    limits: { cpus: 1, memoryMb: 1024, pids: 256, ...(diskMb && { diskMb }) },
  });
  await prepareWorkspace(s, join(dir, 'base.tar'));
  const ms = Date.now() - t0;
  const p0 = Date.now();
  for (let k = 0; k < 5; k += 1) await s.writableBytes();
  const pollMs = (Date.now() - p0) / 5;
  await s.remove();
  return { ms, pollMs };
};
const plain: number[] = [];
const limited: number[] = [];
const polls: number[] = [];
for (let i = 0; i < rounds; i += 1) {
  plain.push((await start(undefined, i)).ms);
  const r = await start(2048, i);
  limited.push(r.ms);
  polls.push(r.pollMs);
}
console.log(`sandbox start + repo copy: ${median(plain)} ms without the disk limit, ${median(limited)} ms with it (ratio ${(median(limited) / median(plain)).toFixed(2)})`);
console.log(`one disk-watch poll (inspect with size): median ${median(polls).toFixed(0)} ms`);
await rm(dir, { recursive: true, force: true });
