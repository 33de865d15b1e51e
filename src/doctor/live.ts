// `tourney doctor --live`: one minimal request per configured model, from inside a sandbox set up
// exactly as an entrant's (same image, network, credentials, gateway), so "ok" means a run would work.
import type Docker from 'dockerode';
import { gatewayEndpoint } from '../agents/gateways.js';
import { agentClient, createSession, newServerSecret, promptUntilIdle, serverSecretEnv, waitForServer } from '../agents/opencode.js';
import { entrantEnv, entrantOpencodeConfig, isScripted, OPENCODE_PORT } from '../agents/opencode-config.js';
import type { ProviderFailureKind } from '../agents/provider-errors.js';
import { errorMessage } from '../errors.js';
import { credentialEnv, credentialNames, gatewayFor, modelUses, type CredentialPlan, type ModelUse } from '../run/preflight.js';
import { newRunId } from '../run/session.js';
import { authBinds } from '../run/sandbox-environment.js';
import { SandboxNetworks } from '../run/networks.js';
import { Sandbox } from '../sandbox/container.js';
import { removeRunResources } from '../sandbox/network.js';
import type { TourneyConfig } from '../types.js';

export type LiveOutcome = 'ok' | 'auth failed' | 'model unknown' | 'unreachable' | 'rate limited' | 'quota' | 'forbidden' | 'no answer' | 'error';

export interface LiveCheck {
  model: string;
  /** Who uses it: entrants and the judge, for the line shown. */
  who: string[];
  outcome: LiveOutcome;
  detail: string;
  /** Sandbox and opencode start, then the request itself. */
  startMs: number;
  answerMs: number;
}

const ANSWER_TIMEOUT_MS = 90_000;
// Read-only and tool-less: the check costs one short answer.
const PROMPT = 'This is a connectivity check. Reply with the single word OK and nothing else. Do not use any tool.';
const NO_TOOLS = { edit: 'deny', bash: 'deny', read: 'deny', webfetch: 'deny', websearch: 'deny', external_directory: 'deny', question: 'deny', doom_loop: 'deny' } as const;

const OUTCOME_OF: Record<ProviderFailureKind, LiveOutcome> = {
  'missing-credentials': 'auth failed',
  auth: 'auth failed',
  forbidden: 'forbidden',
  'unknown-model': 'model unknown',
  'rate-limit': 'rate limited',
  quota: 'quota',
  unreachable: 'unreachable',
  other: 'error',
};

/** Checks each distinct model (with its gateway settings) once, all in parallel; scripted models need no check. */
export async function liveChecks(docker: Docker, image: string, config: TourneyConfig, plan: CredentialPlan): Promise<LiveCheck[]> {
  const groups = new Map<string, { use: ModelUse; who: string[] }>();
  for (const use of modelUses(config)) {
    if (isScripted(use.model)) continue;
    const key = `${use.model} ${JSON.stringify(use.settings ?? null)}`;
    const group = groups.get(key) ?? { use, who: [] };
    group.who.push(use.who);
    groups.set(key, group);
  }
  const runId = `doctor-${newRunId(new Date())}`;
  let networks: SandboxNetworks | undefined;
  try {
    // The entrants' own kind of network (and egress proxy, with an allowlist): "ok" must mean a run would work.
    networks = await SandboxNetworks.prepare(docker, runId, config, [...groups.values()].map(({ use }) => ({ who: use.who, model: use.model })), image);
    const ready = networks;
    return await Promise.all([...groups.values()].map(({ use, who }, index) => checkOne(docker, image, config, plan, runId, use, who, index, ready)));
  } finally {
    await networks?.close();
    await removeRunResources(docker, runId).catch(() => undefined);
  }
}

async function checkOne(docker: Docker, image: string, config: TourneyConfig, plan: CredentialPlan, runId: string, use: ModelUse, who: string[], index: number, networks: SandboxNetworks): Promise<LiveCheck> {
  const started = Date.now();
  const result = (outcome: LiveOutcome, detail: string, answerStarted = Date.now()): LiveCheck => ({
    model: use.model,
    who,
    outcome,
    detail,
    startMs: answerStarted - started,
    answerMs: Date.now() - answerStarted,
  });
  const gateway = gatewayFor(plan, use.model, use.entrant);
  let sandbox: Sandbox | undefined;
  const secret = newServerSecret();
  let attachment: Awaited<ReturnType<SandboxNetworks['attach']>> | undefined;
  try {
    attachment = await networks.attach(`doctor-${index}`, use.model, gateway?.settings);
    const opencodeConfig = { ...entrantOpencodeConfig(use.model, null, gateway), permission: NO_TOOLS };
    sandbox = await Sandbox.create(docker, {
      image,
      runId,
      role: `doctor:${index}`,
      name: `tourney-${runId}-${index}`,
      limits: config.sandbox,
      network: attachment.network,
      aliases: attachment.aliases,
      env: entrantEnv(opencodeConfig, credentialEnv(plan, use.model, use.entrant), { ...attachment.env, ...serverSecretEnv(secret) }),
      readOnlyBinds: authBinds(config),
      cmd: ['opencode', 'serve', '--hostname', '0.0.0.0', '--port', String(OPENCODE_PORT)],
      // Server start, a probe and one short answer: ten minutes is far beyond any of them.
      lifetimeSec: 10 * 60,
    });
    // A gateway that refuses connections would only be reported after opencode's retries (about a minute).
    // (Behind an egress proxy a direct connection fails by design: the session below says whether the proxy lets it through.)
    const endpoint = attachment.env.HTTP_PROXY ? undefined : gatewayEndpoint(gateway?.settings);
    if (endpoint) {
      const probe = await sandbox.exec(['node', '-e', PROBE, endpoint.host, String(endpoint.port)], { timeoutMs: 15_000 });
      if (probe.exitCode !== 0) return result('unreachable', `${gateway?.settings.baseURL} cannot be reached from the sandbox (${(probe.stdout + probe.stderr).trim() || 'no answer'})`);
    }
    const url = await attachment.serverUrl(sandbox, OPENCODE_PORT);
    await sandbox.exec(['mkdir', '-p', '/work/check']);
    await waitForServer(url, secret, 60_000);
    const client = agentClient(url, secret);
    const sessionID = await createSession(client, '/work/check', 'tourney doctor --live');
    const asked = Date.now();
    const turn = await promptUntilIdle(client, {
      sessionID,
      directory: '/work/check',
      model: use.model,
      text: PROMPT,
      timeLimitMs: ANSWER_TIMEOUT_MS,
      credentialNames: credentialNames(plan, use.model, use.entrant),
      ...(gateway?.settings.baseURL && { baseURL: gateway.settings.baseURL }),
    });
    if (turn.status === 'finished' && !turn.error) return result('ok', 'answered', asked);
    if (turn.status === 'timeout') return result('no answer', `no answer within ${ANSWER_TIMEOUT_MS / 1000} s`, asked);
    if (turn.failure) return result(OUTCOME_OF[turn.failure.kind], turn.failure.message, asked);
    return result('error', turn.error ?? 'the session failed', asked);
  } catch (err) {
    return result('error', errorMessage(err));
  } finally {
    await sandbox?.remove();
    await attachment?.release().catch(() => undefined);
  }
}

// Runs in the sandbox: exit 0 when a TCP connection to host:port opens within 5 s.
const PROBE = [
  "const s = require('net').connect({ host: process.argv[1], port: Number(process.argv[2]) });",
  "const t = setTimeout(() => { console.log('timed out after 5 s'); process.exit(1); }, 5000);",
  "s.on('connect', () => { clearTimeout(t); s.end(); process.exit(0); });",
  "s.on('error', (e) => { console.log(e.code || e.message); process.exit(1); });",
].join(' ');

