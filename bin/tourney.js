#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => {
    // Only reached if main() itself cannot load: main reports every other error itself.
    process.stderr.write(`tourney: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 4;
  },
);
