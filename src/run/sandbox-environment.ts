import { existsSync } from 'node:fs';
import { relative, isAbsolute } from 'node:path';
import { opencodeAuthFile } from '../agents/providers.js';
import type Docker from 'dockerode';
import { displayPath } from '../config/load.js';
import { archiveCommit } from '../git/repo.js';
import { createInternalNetwork } from '../sandbox/network.js';
import { retarAs } from '../sandbox/tar.js';
import { SANDBOX_UID } from '../sandbox/labels.js';
import { startScriptedModelServer, type ScriptedModelServer } from '../scripted/server.js';
import { isScripted } from '../agents/opencode-config.js';
import { TourneyError } from '../errors.js';
import type { Spec, TourneyConfig } from '../types.js';

// What every entrant's sandbox is given: the repository snapshot, a network, credentials.

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

export interface RunNetworks {
  network: { scripted: string; open: string };
  scriptedBaseUrl: string | null;
  server?: ScriptedModelServer;
}

/** Every model a run talks to, with who uses it (for messages). */
export function runModels(config: TourneyConfig): { who: string; model: string }[] {
  return [
    ...config.entrants.map((e) => ({ who: `entrant "${e.name}"`, model: e.model })),
    ...config.judge.models.map((model) => ({ who: 'the judge', model })),
  ];
}

/**
 * Scripted entrants (and judges) get an internal network whose only reachable host is the model server on the
 * gateway; real providers need the internet, so they get the default bridge unless policy forbids it.
 */
export async function prepareNetwork(docker: Docker, runId: string, config: TourneyConfig, models: { who: string; model: string }[]): Promise<RunNetworks> {
  const policy = config.sandbox.network;
  const real = models.filter((m) => !isScripted(m.model));
  if (real.length > 0 && (policy === 'none' || policy === 'model-only')) {
    throw new TourneyError(
      `${config.source ? displayPath(config.source) : 'config'}: sandbox.network is "${policy}", but ${real[0]?.who} uses ${real[0]?.model}, ` +
        'which needs internet access to its provider; use network "open" or "auto"',
    );
  }
  const result: RunNetworks = { network: { scripted: 'none', open: 'bridge' }, scriptedBaseUrl: null };
  if (real.length === models.length) return result;
  const internal = await createInternalNetwork(docker, runId);
  const server = await startScriptedModelServer({ host: internal.gateway, port: 0, scriptDirs: config.scriptDirs });
  return { network: { scripted: internal.name, open: 'bridge' }, scriptedBaseUrl: server.url, server };
}

export function authBinds(config: TourneyConfig): string[] {
  if (!config.sandbox.opencodeAuth) return [];
  const auth = opencodeAuthFile();
  if (!existsSync(auth)) throw new TourneyError(`sandbox.opencodeAuth is true but ${auth} does not exist (run "opencode auth login" first)`);
  return [`${auth}:/home/tourney/.local/share/opencode/auth.json`];
}
