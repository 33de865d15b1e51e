import type { Selection } from './ranking/selection.js';
import type { TrialSummary } from './ranking/trials.js';
import type { GateVerdict } from './gate/types.js';
import type { ProviderSettingsMap } from './agents/gateways.js';
import type { AgentKindName } from './agents/kind.js';
// Plain data passed between stages and saved in the run directory.
// Everything here must stay JSON-serialisable: any stage can be re-run from what is on disk.

import type { EntrantChecks } from './checks/types.js';
import type { GateResult, Score } from './ranking/types.js';
import type { JudgeResult } from './judge/judge.js';
import type { EntrantEnvironment, EnvironmentRecord, SetupNetwork } from './prepare/types.js';

export const RESULT_SCHEMA_VERSION = 2;

/** A parsed feature spec (Markdown brief with YAML front matter). */
export interface Spec {
  /** Absolute path of the spec file. */
  path: string;
  /** `sha256:<hex>` of the spec file's bytes as read (the winner commit's Tourney-Spec trailer). */
  sha256?: string;
  title: string;
  /** The Markdown body without the front matter. */
  body: string;
  /** Markdown sections by lower-cased heading ("outcome", "acceptance criteria", ...). */
  sections: Record<string, string>;
  test: string;
  /** Installs dependencies and tools: run once per run (or reused from cache) into a prepared image. */
  setup?: string;
  /** Globs overriding which files the prepared environment's cache key covers. */
  setupKey?: string[];
  /** Per-entrant time limit in seconds from the spec, overriding the config default. */
  timeLimitSec?: number;
  /** Build or typecheck command, run by the referee like the tests. */
  build?: string;
  /**
   * Acceptance tests entrants never see: absolute paths of files/folders beside the spec, copied
   * into the referee's copy under `into` (repo-relative), then `test` runs.
   */
  hidden?: { files: string[]; into: string; test: string };
  /** tinybench modules, repo-relative (hidden ones by their place under hidden.into). */
  bench?: string[];
  /** Globs the change should stay within. */
  scope?: string[];
}

export type NetworkPolicy = 'auto' | 'none' | 'model-only' | 'open' | 'allowlist';

export interface SandboxConfig {
  image: string;
  cpus: number;
  memoryMb: number;
  pids: number;
  /** What an entrant may write in its container (writable layer, watched; any one file, enforced). */
  diskMb: number;
  /** The largest diff (binary parts included) that is refereed or becomes a branch, in bytes. */
  maxDiffBytes: number;
  network: NetworkPolicy;
  /** With network `allowlist`: the only hosts an entrant (through its egress proxy) may connect to. */
  allow: { host: string; port: number | null }[];
  /** Names of host environment variables passed into entrant containers (provider credentials). */
  env: string[];
  /** Default per-entrant time limit in seconds. */
  timeLimitSec: number;
  /** Mount the user's opencode auth file read-only into entrant containers. */
  opencodeAuth: boolean;
  /** What the setup container reaches: `open` (the host's network, for registries) or `none`. */
  setupNetwork: SetupNetwork;
  setupTimeLimitSec: number;
  /** Globs of the files the prepared environment depends on; undefined = the built-in list. */
  setupKey?: string[];
  /** Host variables passed to setup containers only. */
  setupEnv: string[];
  /** Debian packages installed in an image derived from the sandbox image. */
  packages: string[];
  /** Entrants started at once; undefined = derived from the engine's CPUs and memory. */
  maxParallel?: number;
  /** Absolute path of a Dockerfile FROM the tourney image, or undefined. */
  dockerfile?: string;
  /** Absolute path of a CA bundle for setup containers, or undefined to use the host's. */
  caFile?: string;
}

export interface EntrantConfig {
  name: string;
  agent: AgentKindName;
  /** For agent `command`: the validated template as argv (see src/agents/command-template.ts). */
  command?: string[];
  /** `provider/model`, e.g. `anthropic/claude-sonnet-4-5` or `scripted/implement-slugify`. */
  model: string;
  /** Extra instructions that make this entrant differ from the others. */
  approach?: string;
  timeLimitSec?: number;
  /** Gateway settings of this entrant only, over the top-level `providers`. */
  providers?: ProviderSettingsMap;
  /** How many times it runs (`trials:`, or `--trials`); 1 when not set. */
  trials?: number;
  /** Set on each run of an entrant with several trials: the entrant's own name and this trial's number. */
  trialOf?: string;
  trial?: number;
  /** Stop the entrant (status `budget`, its partial work kept) once its usage reaches either number. */
  budget?: Budget;
}

/** A cap on usage; tokens count every token the agent reported (input, output, reasoning, cache read and write). */
export interface Budget {
  tokens?: number;
  costUsd?: number;
}

/** Block on any new security finding at or above this severity; `off` never blocks. */
export type SecurityGate = 'high' | 'medium' | 'low' | 'off';

export interface GateConfig {
  tests: boolean;
  /** Applies only when the spec has hidden tests. */
  hiddenTests: boolean;
  tampering: boolean;
  security: SecurityGate;
  /** Applies only when the spec has a build command. */
  build: boolean;
  /** Block a slowdown beyond performance.threshold (only when the spec names benchmarks). */
  performance: boolean;
  /** Block an entrant whose added text addresses the judge or tries to override instructions. */
  injection: boolean;
  /** Score points the winner must lead the runner-up by (a tie-break win never suffices); null: any lead. */
  minMargin?: number | null;
}

export interface ScoreWeights {
  tests: number;
  hiddenTests: number;
  lint: number;
  security: number;
  performance: number;
  scope: number;
  /** Applies only when a judge ran for the entrant (a finalist, with a judge model configured). */
  judge: number;
}

export interface JudgeConfig {
  /** `provider/model` of each judge on the panel; empty when no judge is configured. */
  models: string[];
  mode: 'pairwise' | 'rubric';
  /** Absolute path of the rubric template (handlebars Markdown). */
  rubric: string;
  /** Further attempts after an answer that is not valid JSON of the required shape. */
  retries: number;
  /** Per judge call. */
  timeLimitSec: number;
}

export interface ScoringConfig {
  gates: GateConfig;
  weights: ScoreWeights;
  /** Globs whose change counts as tampering, on top of the built-in test/lint/CI patterns. */
  protectedPaths: string[];
  performance: { threshold: number; rounds: number };
}

export interface TourneyConfig {
  /** Where the config came from, for messages; undefined when built from flags/defaults. */
  source?: string;
  entrants: EntrantConfig[];
  sandbox: SandboxConfig;
  /** Directories searched for scripted-model scripts (`scripted/<name>`), absolute. */
  scriptDirs: string[];
  scoring: ScoringConfig;
  judge: JudgeConfig;
  /** Provider gateways (`providers.<id>`), for every entrant and the judge. */
  providers: ProviderSettingsMap;
  /** For all entrants together: once spent, no further entrant starts (running ones go on to their own budgets). */
  budget?: Budget;
  /** The Docker engines to place containers on; empty: the one engine DOCKER_HOST names (default the local socket). */
  engines: EngineConfig[];
}

/** One engine of the pool (`engines[]`), its TLS files resolved to absolute paths. */
export interface EngineConfig {
  name: string;
  /** DOCKER_HOST form: unix:///var/run/docker.sock, tcp://box:2376, ssh://user@box. */
  host: string;
  /** Jobs (entrants, referee jobs) at once; default: what its CPUs and memory hold at the sandbox limits. */
  slots?: number;
  tls?: { ca: string; cert: string; key: string };
  /** How the host reaches agent servers in its containers (default: `address` for a unix socket, else `tunnel`). */
  reach?: 'address' | 'tunnel';
}

/**
 * `disk-limit`: stopped for writing more than sandbox.disk; `diff-too-large`: its diff is over sandbox.maxDiff. Neither is refereed.
 * `budget`: stopped at its own or the run's budget (its partial work kept, like a timeout), or never started because the run's was spent.
 */
export type EntrantStatus = 'finished' | 'failed' | 'timeout' | 'error' | 'disk-limit' | 'diff-too-large' | 'budget';

export interface DiffStats {
  files: number;
  additions: number;
  deletions: number;
}

export interface TokenUsage {
  input: number;
  output: number;
  reasoning: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface TestCounts {
  passed: number;
  failed: number;
  skipped?: number;
}

export interface TestCheck {
  /** null when the check could not run (no diff to apply, diff did not apply...). */
  passed: boolean | null;
  exitCode: number | null;
  counts: TestCounts | null;
  durationMs: number;
  /** Relative to the run directory. */
  logPath: string;
  /** Why the check did not run or failed before the test command (e.g. patch did not apply). */
  error?: string;
}

/** Where an entrant's wall time went (tourney run only). The time limit is charged from sandbox start, not while queued. */
export interface EntrantTimings {
  /** Waiting for a free slot under sandbox.maxParallel. */
  queuedMs: number;
  /** Container up and the repository copied in. */
  sandboxMs: number;
  /** The agent's session (server start included), up to the stop. */
  agentMs: number;
  /** The kill from the engine, saving the stopped filesystem and reading the diff from it. */
  stopMs: number;
}

export interface EntrantResult {
  name: string;
  agent: string;
  model: string;
  approach?: string;
  status: EntrantStatus;
  /** Human-readable reason for failed / timeout / error. */
  error?: string;
  diff: DiffStats;
  tokens: TokenUsage;
  costUsd: number;
  durationMs: number;
  timings?: EntrantTimings;
  branch: string | null;
  /** Paths relative to the run directory. */
  diffPath: string;
  transcriptPath: string | null;
  checks: EntrantChecks;
  /** Every gate that applies, passed or not; an entrant that fails any gate cannot win. */
  gates: GateResult[];
  eligible: boolean;
  /** Weighted total and its parts; null when there was nothing to score (no change). */
  score: Score | null;
  rank: number | null;
  /** Whether its dependency change got it an environment of its own for the referee. */
  environment?: EntrantEnvironment;
  /** With network `allowlist`: what its egress proxy let through and refused. */
  egress?: EgressRecord;
  /** One trial of an entrant that ran several times: the entrant's name and the trial's number (from 1). */
  trialOf?: string;
  trial?: number;
  /** The engine (engines[].name) its agent ran on, and the one its referee job ran on. */
  engine?: string;
  refereeEngine?: string;
  /** Set when its first engine was lost mid-run and it ran again, once, on `engine`: where it first ran, and why it moved. */
  retried?: { engine: string; reason: string };
  /** The same for its referee job. */
  refereeRetried?: { engine: string; reason: string };
}

/** One engine of the run's pool, as result.json records it. */
export interface EngineUse {
  name: string;
  host: string;
  slots: number;
  /** Why it left the pool mid-run (it stopped answering); absent when it served to the end. */
  lost?: string;
}

export interface EgressAttempt {
  decision: 'allowed' | 'denied';
  host: string;
  port: number | null;
  /** CONNECT, or the HTTP method of a plain proxied request. */
  how: string;
  at: string;
}

export interface EgressRecord {
  policy: 'allowlist';
  /** sandbox.allow as configured (plus the scripted model server, when one runs). */
  allow: string[];
  allowed: number;
  denied: number;
  /** The first refused attempts (the proxy logs the first 100 of each kind in detail, then totals). */
  deniedAttempts: Omit<EgressAttempt, 'decision'>[];
}

export interface PhaseTimings {
  imageMs: number;
  /** Toolchain image, cache lookup and (on a miss) the setup: once per run. */
  prepareMs?: number;
  sandboxStartMs: number;
  agentsMs: number;
  refereeMs: number;
  judgeMs?: number;
  reportMs: number;
  totalMs: number;
}

export interface RunResult {
  schemaVersion: number;
  runId: string;
  startedAt: string;
  finishedAt: string;
  repo: string;
  baseCommit: string;
  /** The branch checked out when the run started (promote --to merge/pr's default target); null on a detached HEAD. */
  startBranch?: string | null;
  spec: { title: string; path: string; sha256?: string; test: string; setup?: string; build?: string; hiddenTest?: string; bench?: string[]; scope?: string[] };
  /** 'run': entrants were agents run by tourney; 'score': candidates given as refs or patches; 'gate': one head commit gated (`tourney gate`). */
  mode: 'run' | 'score' | 'gate';
  /** `tourney gate` only: the verdict, and with --require-winner the provenance check. */
  gate?: GateVerdict;
  gatesConfig: GateConfig;
  weights: ScoreWeights;
  winner: string | null;
  winnerBranch: string | null;
  /** How the winner was chosen, in words, for the report. */
  rankingRule: string;
  /** Runner-up, margin, what decided it and whether it is confident (absent in results from before it existed). */
  selection?: Selection;
  entrants: EntrantResult[];
  /** With trials (an entrant run more than once): per entrant, its pass rate, mean score, spread and best trial, ranked. */
  trials?: TrialSummary[];
  /** The Docker engines the run placed its containers on (absent in results from before it existed). */
  engines?: EngineUse[];
  /** The prepared environment every container started from (null in results from before it existed). */
  environment?: EnvironmentRecord | null;
  /** The judge's matches, ranking and cost; or why it did not run. */
  judge: JudgeResult | { ran: false; reason: string };
  totals: { tokens: TokenUsage; costUsd: number };
  timings: PhaseTimings;
  /** Absolute path of report.html. */
  reportPath: string;
  runDir: string;
}

export function emptyTokens(): TokenUsage {
  return { input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0 };
}

export function addTokens(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    input: a.input + b.input,
    output: a.output + b.output,
    reasoning: a.reasoning + b.reasoning,
    cacheRead: a.cacheRead + b.cacheRead,
    cacheWrite: a.cacheWrite + b.cacheWrite,
  };
}
