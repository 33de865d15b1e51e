// The referee's part of result.json (src/checks/types.ts), as zod schemas: read back by report, show,
// promote and gate, so a hand-edited or corrupt file fails on reading, naming the key, instead of deep
// inside a renderer. result-schema.ts checks that these agree with the TypeScript types both ways.
import * as z from 'zod';

export const num = z.number();
export const count = z.number().int().nonnegative();
export const ms = z.number().nonnegative();
const str = z.string();
const nullableStr = z.string().nullable();

export const testCheckSchema = z.object({
  passed: z.boolean().nullable(),
  exitCode: z.number().int().nullable(),
  counts: z.object({ passed: count, failed: count, skipped: count.optional() }).nullable(),
  durationMs: ms,
  logPath: str,
  error: str.optional(),
});

const TAMPER_KINDS = [
  'test-deleted', 'test-modified', 'skip-added', 'only-added', 'test-config-changed', 'lint-config-changed',
  'security-config-changed', 'ci-changed', 'lint-disabled-inline', 'protected-path-changed', 'install-script-changed',
  'harness-neutralised', 'harness-patched', 'symlink-escapes', 'git-driver-added', 'test-case-removed', 'assertion-removed',
  'assertion-loosened', 'await-removed', 'assertion-neutralised', 'inputs-narrowed', 'test-edit-ambiguous',
] as const;
const STRENGTH_KINDS = ['test-case-added', 'assertion-added', 'assertion-tightened', 'fixture-extended', 'expected-extended'] as const;

const tamperCheckSchema = z.object({
  flagged: z.boolean(),
  findings: z.array(z.object({
    kind: z.enum(TAMPER_KINDS),
    severity: z.enum(['gate', 'low']).optional(),
    file: str,
    line: count.optional(),
    evidence: str,
  })),
  strengthened: z.array(z.object({ kind: z.enum(STRENGTH_KINDS), file: str, line: count.optional(), evidence: str })).optional(),
});

const lintCounts = z.object({ errors: count, warnings: count });
const lintCheckSchema = z.object({
  ran: z.boolean(),
  config: z.enum(['repository', 'built-in']).nullable(),
  configNote: str.optional(),
  filesLinted: count,
  base: lintCounts,
  head: lintCounts,
  newErrors: count,
  newWarnings: count,
  messages: z.array(z.object({
    file: str,
    line: num,
    column: num,
    ruleId: nullableStr,
    severity: z.enum(['error', 'warning']),
    message: str,
    baselineState: z.enum(['new', 'unchanged']).optional(),
  })),
  sarifPath: nullableStr,
  durationMs: ms,
  error: str.optional(),
});

const severity = z.enum(['high', 'medium', 'low']);
const securityCheckSchema = z.object({
  ran: z.boolean(),
  newFindings: z.array(z.object({ ruleId: str, severity, cwe: str, file: str, line: num, message: str, snippet: str })),
  counts: z.record(severity, count),
  baseFindings: count,
  sarifPath: nullableStr,
  rulesApplied: count,
  durationMs: ms,
  error: str.optional(),
});

const perfBasis = z.enum(['base', 'fastest candidate']);
export const perfCheckSchema = z.object({
  ran: z.boolean(),
  tasks: z.array(z.object({
    file: str,
    task: str,
    baseOpsPerSec: num,
    baseRme: num,
    opsPerSec: num,
    rme: num,
    ratio: num.nullable(),
    relativeTo: perfBasis.nullable().optional(),
    reference: z.object({ name: str, opsPerSec: num }).optional(),
    state: z.enum(['measured', 'base failed', 'entrant failed', 'not run']).optional(),
    detail: str.optional(),
  })),
  ratio: num.nullable(),
  relativeTo: z.union([perfBasis, z.literal('mixed')]).nullable().optional(),
  regression: z.boolean(),
  threshold: num,
  rounds: count,
  durationMs: ms,
  logPath: nullableStr,
  sessionLogPath: nullableStr.optional(),
  skipped: z.object({ gate: str, reason: str }).optional(),
  error: str.optional(),
});

const scopeCheckSchema = z.object({
  scope: z.array(str).nullable(),
  files: z.array(str),
  outOfScope: z.array(str),
  additions: count,
  deletions: count,
  newDependencies: z.array(str),
});

const injectionCheckSchema = z.object({
  flagged: z.boolean(),
  findings: z.array(z.object({ file: str, line: count, pattern: str, text: str })),
});

const PROBE_KINDS = ['node:assert', 'expect', 'chai', 'python assert', 'unittest assert', 'thrown error'] as const;
const harnessCheckSchema = z.object({
  ran: z.boolean(),
  command: nullableStr,
  files: z.array(str),
  probes: z.array(z.object({ kind: z.enum(PROBE_KINDS), file: str, token: str, failed: z.boolean() })),
  exitCode: z.number().int().nullable(),
  neutralised: z.boolean(),
  evidence: nullableStr,
  durationMs: ms,
  logPath: nullableStr,
});

export const entrantChecksSchema = z.object({
  tests: testCheckSchema.nullable(),
  hiddenTests: testCheckSchema.nullable().optional(),
  build: testCheckSchema.nullable().optional(),
  tampering: tamperCheckSchema.optional(),
  lint: lintCheckSchema.optional(),
  security: securityCheckSchema.optional(),
  performance: perfCheckSchema.nullable().optional(),
  scope: scopeCheckSchema.optional(),
  injection: injectionCheckSchema.optional(),
  harness: harnessCheckSchema.optional(),
  error: str.optional(),
});
