// Runs every bench/*.ts once in quick mode, one after another (they share 2 cores and one Docker engine, so
// running them together would only measure each other), and exits non-zero when any of them fails.
// Run: npm run bench:quick [-- name ...]   (names without .ts pick a subset)
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const benchDir = dirname(dirname(fileURLToPath(import.meta.url)));
const only = process.argv.slice(2);
const scripts = (await readdir(benchDir)).filter((f) => f.endsWith('.ts')).sort()
  .filter((f) => only.length === 0 || only.includes(f.replace(/\.ts$/, '')));
if (scripts.length === 0) {
  console.error(`bench:quick: no bench script matches ${only.join(', ')} in ${benchDir}`);
  process.exit(2);
}
const failed: string[] = [];
const total = performance.now();
for (const script of scripts) {
  const t0 = performance.now();
  console.log(`\n=== ${script} (quick)`);
  const r = await execa('npx', ['tsx', join(benchDir, script), '--quick'], { env: { BENCH_QUICK: '1' }, stdio: 'inherit', reject: false });
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  if (r.exitCode !== 0) failed.push(script);
  console.log(`=== ${script}: ${r.exitCode === 0 ? 'ok' : `FAILED (exit ${r.exitCode ?? r.signal})`} in ${s} s`);
}
console.log(`\nbench:quick: ${scripts.length - failed.length}/${scripts.length} ok in ${((performance.now() - total) / 1000).toFixed(1)} s`);
if (failed.length > 0) {
  console.error(`bench:quick: failed: ${failed.join(', ')}`);
  process.exit(1);
}
