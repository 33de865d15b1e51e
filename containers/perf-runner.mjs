// tourney's performance runner. Runs inside a referee container (no network), mounted read-only at
// /opt/tourney/perf-runner.mjs next to a read-only /opt/tourney/node_modules/tinybench, so
// `import 'tinybench'` resolves without installing anything into the repository copy.
//
// Usage: node /opt/tourney/perf-runner.mjs <repo-relative bench file>...   (cwd: the repository copy)
//
// Bench file format: an ES module whose default export maps task names to functions (sync or async):
//
//   import { slugify } from '../src/slugify.js';
//   export default { 'slugify short': () => slugify('Hello World') };
//   export const options = { time: 500, warmupTime: 100 }; // optional, milliseconds
//
// Recognised options: time, warmupTime, iterations, warmupIterations (tinybench BenchOptions).
//
// Output: one line `TOURNEY_PERF <secret> <json>` on stdout, json = { files: [{ file, error?, tasks: [{ name,
// opsPerSec, rme, samples, error? }] }] }. A file that cannot be imported gets `error` and no tasks,
// so one broken bench file does not hide the others' numbers.

import { readFileSync, unlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';

// The referee writes a fresh secret here before each run (when no process of the sandbox user is
// alive) and the runner takes it away before any bench module loads: a module that prints its own
// result line cannot know the secret, so the referee never mistakes it for the runner's.
const NONCE_FILE = '/work/.tourney-perf-nonce';
let nonce = '';
try {
  nonce = readFileSync(NONCE_FILE, 'utf8').trim();
  unlinkSync(NONCE_FILE);
} catch {
  // No secret: the referee refuses the output, which is what it should do.
}
const MARKER = `TOURNEY_PERF ${nonce} `;
// Shorter than tinybench's 1 s / 250 ms: every task runs rounds x (base + every candidate) times per session.
const DEFAULTS = { time: 500, warmupTime: 100 };
const OPTION_KEYS = ['time', 'warmupTime', 'iterations', 'warmupIterations'];

// Captured before any bench module loads, so a module that replaces console.log cannot swallow it.
const write = process.stdout.write.bind(process.stdout);
// A debug print left in a hot path would flood the referee's capped output (and push the result line
// past the cap) and time the console instead of the code; errors are reported in the result anyway.
for (const method of ['log', 'info', 'debug', 'warn', 'error', 'trace', 'dir', 'table']) console[method] = () => {};

function message(err) {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function pickOptions(raw) {
  const options = { ...DEFAULTS };
  if (raw && typeof raw === 'object') {
    for (const key of OPTION_KEYS) {
      const value = raw[key];
      if (typeof value === 'number' && Number.isFinite(value) && value >= 0) options[key] = value;
    }
  }
  return options;
}

async function runFile(file) {
  let mod;
  try {
    mod = await import(pathToFileURL(resolve(process.cwd(), file)).href);
  } catch (err) {
    return { file, error: `cannot import: ${message(err)}`, tasks: [] };
  }
  const tasks = mod.default;
  if (!tasks || typeof tasks !== 'object') return { file, error: 'the default export is not an object of task functions', tasks: [] };
  const entries = Object.entries(tasks);
  const notFunctions = entries.filter(([, fn]) => typeof fn !== 'function').map(([name]) => name);
  if (entries.length === 0) return { file, error: 'the default export has no tasks', tasks: [] };
  if (notFunctions.length > 0) return { file, error: `not functions: ${notFunctions.join(', ')}`, tasks: [] };

  const bench = new Bench({ name: file, ...pickOptions(mod.options) });
  for (const [name, fn] of entries) bench.add(name, fn);
  try {
    await bench.run();
  } catch (err) {
    return { file, error: `bench failed: ${message(err)}`, tasks: [] };
  }
  return {
    file,
    tasks: bench.tasks.map((task) => {
      const result = task.result;
      if (result.state === 'completed') {
        return { name: task.name, opsPerSec: result.throughput.mean, rme: result.throughput.rme, samples: result.latency.samplesCount };
      }
      const error = result.state === 'errored' ? message(result.error) : `task ${result.state}`;
      return { name: task.name, opsPerSec: 0, rme: 0, samples: 0, error };
    }),
  };
}

const files = [];
for (const file of process.argv.slice(2)) files.push(await runFile(file));
write(`\n${MARKER}${JSON.stringify({ files })}\n`);
