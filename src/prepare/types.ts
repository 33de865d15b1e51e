// Plain data about prepared environments, saved in result.json (see src/types.ts).

/** What the setup container may reach: `open` = the host's network (registries), `none` = nothing. */
export type SetupNetwork = 'open' | 'none';

/** How the environment is made, from the spec (setup, setupKey) and the config (sandbox.*). */
export interface EnvironmentSettings {
  setup: string | null;
  /** Globs of the files whose content the prepared image depends on (the cache key). */
  setupKey: string[];
  /** True when the spec or config named setupKey (else the built-in manifest and lockfile list). */
  setupKeyGiven: boolean;
  setupNetwork: SetupNetwork;
  setupTimeLimitSec: number;
  /** Host variables passed to setup containers only (private registry tokens). */
  setupEnv: string[];
  /** Debian packages installed in a derived image, built once and cached. */
  packages: string[];
  /** Absolute path of a Dockerfile `FROM` the tourney image, or null. */
  dockerfile: string | null;
  /** Absolute path of a CA bundle for setup containers (sandbox.caFile), or null to detect the host's. */
  caFile: string | null;
}

export interface ToolchainRecord {
  /** What every container starts from before setup: the sandbox image or an image derived from it. */
  image: string;
  imageId: string;
  packages: string[];
  dockerfile: string | null;
  built: boolean;
  durationMs: number;
}

export interface TrustRecord {
  /** The CA bundle given to setup containers, and where it was found. */
  caFile: string | null;
  caSource: string | null;
  /** Names (never values) of the proxy and registry variables passed to setup containers. */
  passed: string[];
}

/** The run's prepared environment: one image that every entrant and referee container starts from. */
export interface EnvironmentRecord {
  /** 'none': the spec has no setup, containers start from the toolchain image as it is. */
  status: 'none' | 'reused' | 'built';
  setup: string | null;
  /** Cache key (sha256), null without setup. */
  key: string | null;
  /** Repository files in the key, with the globs they matched. */
  keyFiles: string[];
  keyGlobs: string[];
  image: string;
  imageId: string;
  toolchain: ToolchainRecord;
  network: SetupNetwork;
  /** How many times the setup command ran in this run, base and re-prepared entrants together. */
  setupRuns: number;
  setupMs: number;
  /** Whole prepare stage: toolchain, cache lookup, setup, commit. */
  durationMs: number;
  /** Relative to the run directory; null when the setup did not run in this run. */
  logPath: string | null;
  /** The prepared image's size, and what the setup added on top of the toolchain image. */
  sizeBytes: number | null;
  addedBytes: number | null;
  trust: TrustRecord | null;
  warnings: string[];
}

/** Per entrant: whether its dependency change got it an environment of its own. */
export interface EntrantEnvironment {
  reprepared: boolean;
  /** Key files the entrant's diff changed (why it was re-prepared). */
  touched: string[];
  status?: 'reused' | 'built' | 'failed';
  key?: string;
  image?: string;
  setupMs?: number;
  logPath?: string;
  error?: string;
  /** What its setup said about itself (products outside the usual dependency folders...). */
  warnings?: string[];
}
