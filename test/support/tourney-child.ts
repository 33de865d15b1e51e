// The CLI as its own process (run with `node --import tsx`), for tests that kill it as a user or the OOM killer would.
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv);
