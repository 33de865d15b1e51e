import { existsSync } from 'node:fs';
import { relative, isAbsolute } from 'node:path';
import { opencodeAuthFile } from '../agents/providers.js';
import { archiveCommit } from '../git/repo.js';
import { retarAs } from '../sandbox/tar.js';
import { SANDBOX_UID } from '../sandbox/labels.js';
import { TourneyError } from '../errors.js';
import type { Spec, TourneyConfig } from '../types.js';

// What every entrant's sandbox is given: the repository snapshot and credentials (its network: networks.ts).

/** The base snapshot: `head` minus the spec, hidden tests and .tourney/, owned by the sandbox user. */
export async function snapshotBase(root: string, head: string, spec: Spec, rawTar: string, baseTar: string): Promise<void> {
  await archiveCommit(root, head, rawTar, snapshotExcludes(root, spec), 'repo/');
  await retarAs(rawTar, baseTar, SANDBOX_UID, { listUnder: 'repo/' });
}

/** Repo paths entrants never see: the spec and its hidden tests may live in the repository. */
export function snapshotExcludes(root: string, spec: Spec): string[] {
  const exclude = ['.tourney'];
  for (const path of [spec.path, ...(spec.hidden?.files ?? [])]) {
    const rel = relative(root, path);
    if (rel && !rel.startsWith('..') && !isAbsolute(rel)) exclude.push(rel);
  }
  return exclude;
}

export function authBinds(config: TourneyConfig): string[] {
  if (!config.sandbox.opencodeAuth) return [];
  const auth = opencodeAuthFile();
  if (!existsSync(auth)) throw new TourneyError(`sandbox.opencodeAuth is true but ${auth} does not exist (run "opencode auth login" first)`);
  return [`${auth}:/home/tourney/.local/share/opencode/auth.json`];
}
