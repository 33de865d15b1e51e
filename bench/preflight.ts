// How fast a run that cannot work stops: the built CLI's `--version` (bare start) as the baseline, then
// `tourney run --model anthropic/...` with no key, with an unknown model, and with a gateway key unset.
// Run: npm run build && npx tsx bench/preflight.ts [repeats=5] [--quick]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { createDemoRepo } from '../src/demo/demo.js';
import { packagePath } from '../src/paths.js';
import { arg } from './lib/args.js';

const repeats = Number(arg(0, '5', '1'));
const bin = packagePath('bin', 'tourney.js');

async function timed(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ ms: number; code: number }> {
  const started = process.hrtime.bigint();
  const r = await execa('node', [bin, ...args], { cwd, env, extendEnv: false, reject: false });
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, code: r.exitCode ?? -1 };
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'tourney-bench-preflight-'));
  try {
    const repo = await createDemoRepo(join(dir, 'repo'));
    const gatewayRepo = await createDemoRepo(join(dir, 'gateway'));
    await writeFile(join(gatewayRepo, 'tourney.config.yaml'), 'entrants:\n  - { name: a, model: anthropic/claude-sonnet-4-5 }\nproviders:\n  anthropic: { baseURL: "https://gw.example.com/v1", apiKeyEnv: CORP_KEY }\n');
    await execa('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', 'commit', '-qam', 'gateway'], { cwd: gatewayRepo });
    await execa('git', ['rm', '-q', 'tourney.config.yaml'], { cwd: repo });
    await execa('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', 'commit', '-qm', 'no config'], { cwd: repo });
    const base = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS };
    const cases: [string, string[], string, NodeJS.ProcessEnv][] = [
      ['--version (baseline)', ['--version'], repo, base],
      ['no ANTHROPIC_API_KEY', ['run', 'feature.md', '--model', 'anthropic/claude-sonnet-4-5', '--entrants', '2'], repo, base],
      ['unknown model', ['run', 'feature.md', '--model', 'anthropic/claude-sonet-4-5', '--entrants', '2'], repo, { ...base, ANTHROPIC_API_KEY: 'x' }],
      ['gateway apiKeyEnv unset', ['run', 'feature.md'], gatewayRepo, { ...base, ANTHROPIC_API_KEY: 'x' }],
    ];
    const results = new Map<string, number[]>();
    // Interleaved rounds, so the machine's noise hits every case alike.
    for (let round = 0; round < repeats; round++) {
      for (const [name, args, cwd, env] of cases) {
        const { ms, code } = await timed(args, cwd, env);
        if (name !== '--version (baseline)' && code !== 2) throw new Error(`${name}: expected exit code 2, got ${code}`);
        results.set(name, [...(results.get(name) ?? []), ms]);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const baseline = median(results.get('--version (baseline)')!);
    for (const [name, ms] of results) {
      console.log(`${name.padEnd(26)} median ${(median(ms) / 1000).toFixed(2)} s  ${(median(ms) / baseline).toFixed(1)}x baseline  (n=${ms.length})`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
