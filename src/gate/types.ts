// What `tourney gate` decided, as plain data: saved in result.json (key "gate") and printed with --json.

/** `--require-winner`: whether head descends from a promoted winner commit that its run dir vouches for. */
export interface ProvenanceCheck {
  passed: boolean;
  /** One line: what was proven, or the first check that failed and why. */
  reason: string;
  /** The nearest commit in base..head with valid Tourney trailers (absent when none has them). */
  commit?: string;
  runId?: string;
  /** The run dir the trailers were checked against. */
  runDir?: string;
  /** The run's winner, when result.json was read. */
  winner?: string;
  /** Commits on top of the winner commit (refereed with it, since the whole head is gated). */
  laterCommits?: number;
}

export interface GateFailure {
  /** A gate name (tests, security, ...), `winner` for --require-winner, or `changed` for nothing to gate. */
  gate: string;
  reason: string;
}

export interface GateVerdict {
  passed: boolean;
  /** Commit ids. */
  head: string;
  base: string;
  /** How the base was chosen, e.g. `--base v1.2`, `merge base with origin/main ($GITHUB_BASE_REF)`. */
  baseSource: string;
  /** Every gate that failed, one line each; empty when passed. */
  failures: GateFailure[];
  /** Present with --require-winner. */
  provenance?: ProvenanceCheck;
  /** True when the verdict came before any container ran (provenance failed, or nothing to gate). */
  failedFast: boolean;
}
