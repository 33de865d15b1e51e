// `tourney doctor --live`: one minimal request per configured model, from inside a sandbox set up
// exactly as an entrant's (same image, network, credentials, gateway), so "ok" means a run would work.
import type { Engine } from '../sandbox/engine.js';
import { gatewayEndpoint } from '../agents/gateways.js';
import { isScripted } from '../agents/models.js';
import { agentKind } from '../agents/kinds.js';
import { agentSandbox } from '../sandbox/agent-sandbox.js';
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
export async function liveChecks(engine: Engine, image: string, config: TourneyConfig, plan: CredentialPlan): Promise<LiveCheck[]> {
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
    networks = await SandboxNetworks.prepare(engine, runId, config, [...groups.values()].map(({ use }) => ({ who: use.who, model: use.model })), image);
    const ready = networks;
    return await Promise.all([...groups.values()].map(({ use, who }, index) => checkOne(engine, image, config, plan, runId, use, who, index, ready)));
  } finally {
    await networks?.close();
    await removeRunResources(engine, runId).catch(() => undefined);
  }
}

async function checkOne(engine: Engine, image: string, config: TourneyConfig, plan: CredentialPlan, runId: string, use: ModelUse, who: string[], index: number, networks: SandboxNetworks): Promise<LiveCheck> {
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
  let attachment: Awaited<ReturnType<SandboxNetworks['attach']>> | undefined;
  try {
    attachment = await networks.attach(`doctor-${index}`, use.model, gateway?.settings);
    // As a judge: read-only, no shell, no edits (the prompt asks for no tool at all).
    const launch = agentKind('opencode').launch({
      model: use.model,
      scriptedBaseUrl: null,
      ...(gateway && { gateway }),
      passEnv: credentialEnv(plan, use.model, use.entrant),
      sandboxEnv: attachment.env,
      role: 'judge',
    });
    sandbox = await Sandbox.create(engine, {
      image,
      runId,
      role: `doctor:${index}`,
      name: `tourney-${runId}-${index}`,
      limits: config.sandbox,
      network: attachment.network,
      aliases: attachment.aliases,
      env: launch.env,
      readOnlyBinds: authBinds(config),
      cmd: launch.cmd,
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
    await sandbox.exec(['mkdir', '-p', '/work/check']);
    const joined = attachment;
    if (!launch.answerer) throw new Error('the opencode kind cannot answer');
    const answerer = await launch.answerer(agentSandbox(sandbox, (box, port) => joined.serverUrl(box, port)), { directory: '/work/check' });
    const conversation = await answerer.open('tourney doctor --live');
    const asked = Date.now();
    const turn = await conversation.send(PROMPT, {
      timeLimitMs: ANSWER_TIMEOUT_MS,
      credentialNames: credentialNames(plan, use.model, use.entrant),
      ...(gateway?.settings.baseURL && { baseURL: gateway.settings.baseURL }),
    });
    if (turn.status === 'finished') return result('ok', 'answered', asked);
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

