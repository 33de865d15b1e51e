import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSpec } from '../spec/load.js';
import { git, openRepo } from '../git/repo.js';
import { loadConfig } from '../config/load.js';
import type { Reporter } from '../run/events.js';
import type { RunResult } from '../types.js';
import type { CheckTimings } from '../referee/referee.js';
import { resolveGateRefs, changesAnything } from './refs.js';
import { snapshotExcludes } from '../run/sandbox-environment.js';
import { resolveWinnerSource, verifyWinner } from './winner.js';
import type { GateFailure, GateVerdict, ProvenanceCheck } from './types.js';

export interface GateOptions {
  repoDir: string;
  specPath: string;
  configPath?: string;
  /** `--head`, default HEAD. */
  head?: string;
  /** `--base`; default: see resolveGateRefs. */
  base?: string;
  /** `--require-winner RUN|auto`. */
  requireWinner?: string;
  image?: string;
  /** Accepted like `score`'s, and unused: one candidate has nobody to be compared with. */
  judgeModels?: string[];
  signal?: AbortSignal;
  runId?: string;
  env?: NodeJS.ProcessEnv;
  checkTimings?: CheckTimings;
}

/** `result` is null when the verdict came before any container ran (nothing to gate, provenance failed). */
export interface GateOutcome {
  result: RunResult | null;
  verdict: GateVerdict;
}

/** The name the gated head has in result.json, the report and the CI outputs. */
export const GATE_CANDIDATE = 'head';

/** Paths among `paths` that base..head changes and that base already has (a new spec may come with its change). */
async function editedInputs(root: string, base: string, head: string, paths: string[]): Promise<string[]> {
  const changed = await git(root, ['diff', '--name-only', '--no-renames', base, head, '--', ...paths.map((p) => `:(literal)${p}`)]);
  if (changed.exitCode !== 0) throw new Error(`git diff ${base} ${head} failed: ${changed.stderr}`);
  const names = changed.stdout.split('\n').filter(Boolean);
  const out: string[] = [];
  for (const name of names) {
    // .tourney/ never belongs in a change: run dirs there are what --require-winner trusts.
    if (name === '.tourney' || name.startsWith('.tourney/')) { out.push(name); continue; }
    const atBase = await git(root, ['cat-file', '-e', `${base}:${name}`]);
    if (atBase.exitCode === 0) out.push(name);
  }
  return out;
}

/**
 * `tourney gate`: the head commit refereed against the base exactly as `score` referees one
 * candidate, passed only if it passes every gate. Everything cheap comes first (spec, repo, config,
 * refs, --require-winner's provenance) so bad input and a forged winner fail before Docker.
 */
export async function runGate(options: GateOptions, reporter: Reporter): Promise<GateOutcome> {
  const spec = await loadSpec(options.specPath);
  const repo = await openRepo(options.repoDir);
  await loadConfig(repo.root, { configPath: options.configPath, withoutEntrants: true });
  const refs = await resolveGateRefs(repo.root, { head: options.head, base: options.base, env: options.env });
  const source = options.requireWinner !== undefined ? await resolveWinnerSource(repo.root, options.requireWinner) : undefined;
  const verdictOf = (failures: GateFailure[], failedFast: boolean, provenance?: ProvenanceCheck): GateVerdict => ({
    passed: failures.length === 0,
    head: refs.head,
    base: refs.base,
    baseSource: refs.baseSource,
    failures,
    ...(provenance && { provenance }),
    failedFast,
  });
  reporter.onEvent({ type: 'note', message: `gate: head ${refs.head.slice(0, 12)} against base ${refs.base.slice(0, 12)}: ${refs.baseSource}` });

  if (!(await changesAnything(repo.root, refs.base, refs.head, snapshotExcludes(repo.root, spec)))) {
    const what = refs.head === refs.base ? 'head is the base commit' : 'head changes nothing but the spec and its hidden tests, if anything';
    return { result: null, verdict: verdictOf([{ gate: 'changed', reason: `${what} (${refs.head.slice(0, 12)}): nothing to gate` }], true) };
  }

  // The spec and the hidden tests are the bar the head is measured against, read from this checkout
  // (in CI: the head's). A change may add them, but one that edits them where base has them would set
  // its own bar, and the gated diff leaves them out, so no other check would see it.
  const inputs = snapshotExcludes(repo.root, spec);
  const edited = await editedInputs(repo.root, refs.base, refs.head, inputs);
  if (edited.length > 0) {
    return { result: null, verdict: verdictOf([{ gate: 'tampering', reason: `the change edits what it is gated by, as the base has it: ${edited.slice(0, 5).join(', ')}${edited.length > 5 ? ` and ${edited.length - 5} more` : ''} (the spec, its hidden tests or .tourney/); change them in a pull request of their own` }], true) };
  }

  let provenance: ProvenanceCheck | undefined;
  if (source) {
    provenance = await verifyWinner({ root: repo.root, base: refs.base, head: refs.head, specPath: spec.path, source });
    reporter.onEvent({ type: 'note', message: `gate: winner: ${provenance.reason}` });
    if (!provenance.passed) return { result: null, verdict: verdictOf([{ gate: 'winner', reason: provenance.reason }], true, provenance) };
  }
  if (options.judgeModels?.length) {
    reporter.onEvent({ type: 'note', message: 'gate: --judge is not used: the judge compares candidates and a gate has one, passed or failed by its gates alone' });
  }

  const { scoreCandidates } = await import('../score/score.js');
  const result = await scoreCandidates(
    {
      repoDir: repo.root,
      specPath: spec.path,
      configPath: options.configPath,
      candidates: [`${GATE_CANDIDATE}=${refs.head}`],
      base: refs.base,
      image: options.image,
      // No judge: its credentials are not needed (a CI job need not hold a model key to gate).
      judgeModels: [],
      signal: options.signal,
      runId: options.runId,
      mode: 'gate',
      excludeSpecFromDiff: true,
      checkTimings: options.checkTimings,
    },
    reporter,
  );
  const entrant = result.entrants.find((e) => e.name === GATE_CANDIDATE);
  if (provenance && entrant) {
    entrant.gates.push({ gate: 'winner', passed: provenance.passed, reason: provenance.reason });
  }
  const failures: GateFailure[] = !entrant
    ? [{ gate: 'changed', reason: 'the head was not refereed' }]
    : entrant.gates.filter((g) => !g.passed).map((g) => ({ gate: g.gate, reason: entrant.status === 'finished' || !entrant.error ? g.reason : `${g.reason} (${entrant.error})` }));
  const verdict = verdictOf(failures, false, provenance);
  result.gate = verdict;
  // settle wrote result.json and the report before the gate's verdict existed: both again, with it.
  const { renderReport } = await import('../report/render.js');
  await renderReport(result, result.runDir);
  await writeFile(join(result.runDir, 'result.json'), JSON.stringify(result, null, 2) + '\n');
  return { result, verdict };
}

/** One line per failed gate (or the pass), for the terminal and CI logs. */
export function verdictLines(verdict: GateVerdict): string[] {
  if (verdict.passed) {
    const winner = verdict.provenance ? `; ${verdict.provenance.reason}` : '';
    return [`gate passed: head ${verdict.head.slice(0, 12)} passed every gate against ${verdict.base.slice(0, 12)}${winner}`];
  }
  return [
    `gate failed: head ${verdict.head.slice(0, 12)} against ${verdict.base.slice(0, 12)}, ${verdict.failures.length} gate${verdict.failures.length === 1 ? '' : 's'} failed`,
    ...verdict.failures.map((f) => `gate failed: ${f.gate}: ${f.reason}`),
  ];
}
