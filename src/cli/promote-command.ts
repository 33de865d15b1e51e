import { TourneyError } from '../errors.js';
import { promote } from '../promote/promote.js';
import { renderPrPacket } from '../promote/packet.js';
import type { PromoteMode, PromoteRecord } from '../promote/types.js';
import type { PromoteCommandOptions, PromoteFlags } from './promote-flags.js';
import { loadRunResult } from '../run/run-dirs.js';
import { stripControl } from '../text/control.js';
import type { RunResult } from '../types.js';

function print(record: PromoteRecord, packet: string | null, json: boolean | undefined, out: NodeJS.WritableStream): void {
  if (json) {
    out.write(JSON.stringify(packet === null ? record : { ...record, packet }, null, 2) + '\n');
    return;
  }
  const head = record.dryRun ? 'dry run, nothing changed; would' : 'promote:';
  out.write(stripControl(`${record.plan.map((line) => `${head} ${line}`).join('\n')}\n`));
  if (packet !== null) out.write(`\n--- PR packet ---\n${stripControl(packet)}`);
}

/** `tourney promote [RUN]`. Exit 0 when promoted (or already there); errors carry their own code. */
export async function promoteCommand(run: string, options: PromoteCommandOptions): Promise<number> {
  const { record, runDir } = await promote({
    repo: options.repo, run, mode: options.to, into: options.into, remote: options.remote, draft: options.draft ?? false,
    labels: options.label ?? [], githubRepo: options.githubRepo, dryRun: options.dryRun ?? false, env: process.env,
  });
  const result = await loadRunResult(runDir);
  const packet = options.dryRun ? renderPrPacket(result, { relativeTo: result.repo }) : null;
  print(record, packet, options.json, process.stdout);
  return 0;
}

/**
 * `run`/`score --promote MODE`: after the run, promote its winner. No confident winner: nothing
 * is promoted and the run's own exit code (1) stands. Output goes to stderr when stdout carries --json.
 */
export async function promoteAfterRun(result: RunResult, mode: PromoteMode | undefined, flags: PromoteFlags & { json?: boolean }): Promise<number | null> {
  if (!mode) return null;
  const err = process.stderr;
  if (!result.winner) {
    err.write(`tourney: --promote ${mode}: no winner, nothing promoted\n`);
    return null;
  }
  try {
    const { record } = await promote({
      repo: result.repo, run: result.runDir, mode, into: flags.into, remote: flags.remote, draft: flags.draft ?? false,
      labels: flags.label ?? [], githubRepo: flags.githubRepo, dryRun: false, env: process.env,
    });
    print(record, null, false, flags.json ? err : process.stdout);
    return null;
  } catch (e) {
    if (e instanceof TourneyError) {
      err.write(stripControl(`tourney: --promote ${mode}: ${e.message}\n`));
      return e.exitCode;
    }
    throw e;
  }
}
