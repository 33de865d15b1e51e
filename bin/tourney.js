#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// A reader that stops early (tourney ls | head) is not an error: stop writing, quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => {
    // Only reached if main() itself cannot load: main reports every other error itself.
    process.stderr.write(`tourney: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 4;
  },
);
