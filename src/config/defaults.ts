import { fileURLToPath } from 'node:url';
import type { SandboxConfig, ScoringConfig } from '../types.js';

export const DEFAULT_IMAGE = 'tourney-sandbox:local';

export const CONFIG_FILENAMES = ['tourney.config.yaml', 'tourney.config.yml', 'tourney.config.json'] as const;

/** Entrants made from flags when neither `--entrants` nor the config says how many. */
export const DEFAULT_ENTRANTS = 3;
export const MAX_ENTRANTS = 16;
/** Runs of one entrant; every run is a sandbox of its own, so entrants times trials stays within MAX_ENTRANTS too. */
export const MAX_TRIALS = 10;

export const DEFAULT_SANDBOX: Readonly<SandboxConfig> = Object.freeze({
  image: DEFAULT_IMAGE,
  cpus: 1,
  memoryMb: 2048,
  pids: 512,
  diskMb: 2048,
  maxDiffBytes: 4 * 1024 * 1024,
  network: 'auto',
  allow: [],
  env: [],
  timeLimitSec: 15 * 60,
  opencodeAuth: false,
  setupNetwork: 'open',
  setupTimeLimitSec: 20 * 60,
  setupEnv: [],
  packages: [],
});

/** Documented in the README ("Gates, score, ranking"); change both together. */
const scoring: ScoringConfig = {
  gates: { tests: true, hiddenTests: true, tampering: true, security: 'high', build: true, performance: false, injection: true },
  weights: { tests: 25, hiddenTests: 35, lint: 10, security: 10, performance: 10, scope: 10, judge: 20 },
  protectedPaths: [],
  performance: { threshold: 0.1, rounds: 3 },
};
export const DEFAULT_SCORING: Readonly<ScoringConfig> = Object.freeze(scoring);

/** The package's default judge rubric, in judges/. */
export function builtinRubric(): string {
  return fileURLToPath(new URL('../../judges/default.md.hbs', import.meta.url));
}

export const DEFAULT_JUDGE = Object.freeze({ mode: 'pairwise' as const, retries: 2, timeLimitSec: 5 * 60 });

/** Cycled over flag-made entrants so that a tournament is not N copies of the same attempt. */
export const DEFAULT_APPROACHES: readonly string[] = [
  'Make the smallest change that satisfies the spec.',
  'Write or update the tests first, then implement.',
  'Read the surrounding code carefully and follow its conventions; keep the change easy to review.',
];

/**
 * The package's own `examples/scripts`. This file sits two levels below the package root both as
 * source (`src/config/`) and when built (`dist/config/`), so one relative URL serves both.
 */
export function builtinScriptsDir(): string {
  return fileURLToPath(new URL('../../examples/scripts', import.meta.url));
}
