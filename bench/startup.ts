// How long the CLI takes to answer the commands that should be instant, against bare Node starting
// (`node -e 0`) on the same machine in the same rounds: --version, --help, a usage error, `run --help`.
// Run: npm run build && npx tsx bench/startup.ts [repeats=9] [--quick]
import { execa } from 'execa';
import { packagePath } from '../src/paths.js';
import { arg } from './lib/args.js';

const repeats = Number(arg(0, '9', '1'));
const bin = packagePath('bin', 'tourney.js');

const cases: [name: string, args: string[]][] = [
  ['node -e 0 (baseline)', ['-e', '0']],
  ['tourney --version', [bin, '--version']],
  ['tourney --help', [bin, '--help']],
  ['tourney run --help', [bin, 'run', '--help']],
  ['usage error', [bin, 'run']],
];

async function timed(args: string[]): Promise<{ ms: number }> {
  // /usr/bin/time would add its own start; a fresh node measured from here is what a shell sees.
  const started = process.hrtime.bigint();
  const r = await execa('node', args, { reject: false, env: { ...process.env, NODE_OPTIONS: '' } });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.exitCode !== 0 && !(args.includes('run') && args.length === 2)) throw new Error(`${args.join(' ')} exited with ${r.exitCode}: ${r.stderr}`);
  return { ms };
}

async function main() {
  const results = new Map<string, number[]>();
  for (let round = 0; round < repeats; round++) {
    // Rotated order, so a warming or throttling machine does not favour one case.
    for (let i = 0; i < cases.length; i++) {
      const [name, args] = cases[(i + round) % cases.length]!;
      const { ms } = await timed(args);
      results.set(name, [...(results.get(name) ?? []), ms]);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const baseline = median(results.get(cases[0]![0])!);
  for (const [name] of cases) {
    const m = median(results.get(name)!);
    console.log(`${name.padEnd(22)} median ${(m / 1000).toFixed(3)} s  ${(m / baseline).toFixed(2)}x bare node  +${((m - baseline) / 1000).toFixed(3)} s  (n=${repeats})`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
