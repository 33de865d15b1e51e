// Results of the referee's checks: plain, JSON-serialisable data saved in result.json.
// Each check says whether it ran; a check that could not run carries `error` and never counts as a pass.

import type { TestCheck } from '../types.js';
import type { InjectionCheck } from './injection.js';
import type { HarnessCheck } from '../referee/sentinel.js';

/** The same shape serves every command-running check (visible tests, hidden tests, build). */
export type CommandCheck = TestCheck;

export type TamperKind =
  | 'test-deleted'
  | 'test-modified'
  | 'skip-added'
  | 'only-added'
  | 'test-config-changed'
  | 'lint-config-changed'
  | 'security-config-changed'
  | 'ci-changed'
  | 'lint-disabled-inline'
  | 'protected-path-changed'
  /** A package.json install script (preinstall, postinstall, prepare...) added or changed: it runs at setup, with a network. */
  | 'install-script-changed'
  /** Sentinel tests that must fail passed in the referee's run (see referee/sentinel.ts). */
  | 'harness-neutralised'
  /** Added code that reassigns or patches a member of an assertion or test-framework module. */
  | 'harness-patched'
  /** A symlink whose target leaves the repository (absolute, `../..`, through another link): never read through. */
  | 'symlink-escapes'
  /** A .gitattributes line naming a filter/diff/merge driver: code the user's git would run on checkout or diff. */
  | 'git-driver-added'
  // From comparing an existing test file's cases and assertions, base vs head (test-compare.ts):
  | 'test-case-removed'
  | 'assertion-removed'
  | 'assertion-loosened'
  | 'await-removed'
  | 'assertion-neutralised'
  | 'inputs-narrowed'
  | 'test-edit-ambiguous';

/** `gate`: the entrant cannot win. `low`: an edit that may be honest; it lowers the tests part of the score. */
export type TamperSeverity = 'gate' | 'low';

export interface TamperFinding {
  kind: TamperKind;
  /** Absent in results saved before severities existed, when every finding gated. */
  severity?: TamperSeverity;
  file: string;
  /** Line in the entrant's version, when the evidence is an added line. */
  line?: number;
  /** The line or change that shows it, quoted as data. */
  evidence: string;
}

export type StrengthKind = 'test-case-added' | 'assertion-added' | 'assertion-tightened' | 'fixture-extended' | 'expected-extended';

/** An edit that makes the existing tests check more: shown in the report, never a gate. */
export interface TestStrengthening {
  kind: StrengthKind;
  file: string;
  line?: number;
  evidence: string;
}

export interface TamperCheck {
  /** True when a finding of severity `gate` exists. */
  flagged: boolean;
  findings: TamperFinding[];
  /** Absent in results saved before it existed. */
  strengthened?: TestStrengthening[];
}

export interface LintMessageSummary {
  file: string;
  line: number;
  column: number;
  ruleId: string | null;
  severity: 'error' | 'warning';
  message: string;
  /** `new` unless base has the same problem (rule, message, source line text); only new ones count. Absent in results saved before it existed. */
  baselineState?: 'new' | 'unchanged';
}

export interface LintCounts {
  errors: number;
  warnings: number;
}

export interface LintCheck {
  ran: boolean;
  /** Which configuration was used: the repository's own (from the base commit) or tourney's default. */
  config: 'repository' | 'built-in' | null;
  /** Why the repository's own config was not used, when it exists but could not be loaded. */
  configNote?: string;
  filesLinted: number;
  base: LintCounts;
  head: LintCounts;
  /** Head problems with no matching base problem (same rule, message and line text, as a multiset). */
  newErrors: number;
  newWarnings: number;
  /** Messages in the entrant's version of the changed files (capped), for the report. */
  messages: LintMessageSummary[];
  /** SARIF 2.1.0 file, relative to the run directory. */
  sarifPath: string | null;
  durationMs: number;
  error?: string;
}

export type Severity = 'high' | 'medium' | 'low';

export interface SecurityFinding {
  ruleId: string;
  severity: Severity;
  /** e.g. "CWE-78" */
  cwe: string;
  file: string;
  line: number;
  message: string;
  /** The matched source text (trimmed, capped). */
  snippet: string;
}

export interface SecurityCheck {
  ran: boolean;
  /** Findings in the entrant's version that the base version of the same files does not have. */
  newFindings: SecurityFinding[];
  counts: Record<Severity, number>;
  /** Findings already present at base in the changed files (not held against the entrant). */
  baseFindings: number;
  sarifPath: string | null;
  rulesApplied: number;
  durationMs: number;
  error?: string;
}

/** What a performance ratio compares with: base, or (when base could not run the task) the fastest candidate that did. */
export type PerfBasis = 'base' | 'fastest candidate';

/**
 * One task for one candidate: `measured` (compared with base), `base failed` (base could not run it:
 * compared with the fastest candidate), `entrant failed` (it failed or did not run on this candidate's
 * side: no ratio), `not run` (this candidate's benchmarks did not run at all; `detail` says why).
 */
export type PerfTaskState = 'measured' | 'base failed' | 'entrant failed' | 'not run';

export interface PerfTaskResult {
  /** Bench file (repo-relative) and task name. */
  file: string;
  task: string;
  baseOpsPerSec: number;
  /** Relative margin of error, percent (tinybench `rme`). */
  baseRme: number;
  opsPerSec: number;
  rme: number;
  /** opsPerSec over the reference's (see relativeTo): above 1 is faster; null when there is nothing to compare. */
  ratio: number | null;
  /** Absent in results saved before candidates were compared with each other (then: base). */
  relativeTo?: PerfBasis | null;
  /** With relativeTo `fastest candidate`: who that was and its ops/s (median over the rounds). */
  reference?: { name: string; opsPerSec: number };
  state?: PerfTaskState;
  /** One line for the report: the numbers compared, or why there are none. */
  detail?: string;
}

export interface PerfCheck {
  ran: boolean;
  tasks: PerfTaskResult[];
  /** Geometric mean of the task ratios (each to its own reference), or null when nothing compared. */
  ratio: number | null;
  /** What the ratio is relative to; `mixed` when some tasks compare with base and others with the fastest candidate. */
  relativeTo?: PerfBasis | 'mixed' | null;
  /** A task slower than its reference by more than the threshold (ratio < 1 - threshold), or a failure on the entrant's side. */
  regression: boolean;
  threshold: number;
  rounds: number;
  /** The whole interleaved session's time (shared by every candidate measured in it). */
  durationMs: number;
  logPath: string | null;
  /** The session log: base and every candidate, in the order they ran. */
  sessionLogPath?: string | null;
  /** Set when the benchmarks were not run for this entrant because it was already out on a gate (without --full). */
  skipped?: { gate: string; reason: string };
  error?: string;
}

export interface ScopeCheck {
  /** The spec's scope globs, or null when the spec sets none. */
  scope: string[] | null;
  files: string[];
  outOfScope: string[];
  additions: number;
  deletions: number;
  /** Dependencies added to a manifest (package.json, requirements.txt, pyproject.toml), as "manifest: name". */
  newDependencies: string[];
}

export interface EntrantChecks {
  tests: CommandCheck | null;
  hiddenTests?: CommandCheck | null;
  build?: CommandCheck | null;
  tampering?: TamperCheck;
  lint?: LintCheck;
  security?: SecurityCheck;
  performance?: PerfCheck | null;
  scope?: ScopeCheck;
  /** Text in the diff that addresses the judge or tries to override instructions. */
  injection?: InjectionCheck;
  /** Sentinel tests that must fail, run with the hidden (else visible) test command. Absent in results saved before it existed. */
  harness?: HarnessCheck;
  /** Referee-level problem that stopped every check (e.g. the diff does not apply). */
  error?: string;
}

/**
 * What a check needs to read an entrant's change as data: the clean base tree and base + diff,
 * both materialised on the host (nothing from the agent's container), plus the changed paths.
 */
export interface StaticCheckInput {
  baseDir: string;
  headDir: string;
  /** Repo-relative paths added or modified by the diff (not deleted ones). */
  changedFiles: string[];
  /** Directory for artefacts (SARIF), absolute; results refer to it relative to the run directory. */
  outDir: string;
  /** outDir relative to the run directory, for paths in results. */
  outRel: string;
}
