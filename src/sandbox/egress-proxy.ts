import { packagePath } from '../paths.js';
import { Sandbox, type SandboxLimits } from './container.js';
import type { Engine } from './engine.js';
import type { EgressAttempt, EgressRecord } from '../types.js';

/** Where the entrant finds its proxy and the proxy finds the entrant, on the entrant's sealed network. */
export const PROXY_ALIAS = 'tourney-proxy';
export const AGENT_ALIAS = 'tourney-agent';
export const PROXY_PORT = 3128;
const PROGRAM = '/opt/tourney/egress-proxy.mjs';

export interface AllowedHost {
  host: string;
  /** null: the usual web ports (80 and 443). */
  port: number | null;
}

export interface EgressProxyOptions {
  engine: Engine;
  image: string;
  runId: string;
  role: string;
  limits: SandboxLimits;
  /** The entrant's sealed network and the run's egress network (with the host's address on it). */
  sealedNetwork: string;
  egressNetwork: { name: string; gateway: string };
  allow: AllowedHost[];
  /** Port of the agent server inside the entrant's container, forwarded for the host only. */
  agentPort: number;
}

/**
 * The egress sidecar of one entrant (containers/egress-proxy.mjs in its own container from the sandbox image): the
 * entrant's only way out, and the host's only way in (the sealed network has no host address).
 */
export class EgressProxy {
  private constructor(
    private readonly sandbox: Sandbox,
    private readonly allow: AllowedHost[],
    /** The host's URL of the entrant's agent server, through the proxy's forward. */
    readonly agentUrl: string,
  ) {}

  static async start(options: EgressProxyOptions): Promise<EgressProxy> {
    const sandbox = await Sandbox.create(options.engine, {
      image: options.image,
      runId: options.runId,
      role: `proxy:${options.role}`,
      name: `tourney-${options.runId}-${options.role.replace(/[^a-zA-Z0-9_.-]/g, '-')}-proxy`,
      // A proxy needs little; the entrant's limits bound it anyway.
      limits: { cpus: Math.min(1, options.limits.cpus), memoryMb: Math.min(256, options.limits.memoryMb), pids: 64 },
      network: options.egressNetwork.name,
      alsoOn: [{ network: options.sealedNetwork, aliases: [PROXY_ALIAS] }],
      env: {
        TOURNEY_ALLOW: JSON.stringify(options.allow),
        TOURNEY_AGENT: `${AGENT_ALIAS}:${options.agentPort}`,
        TOURNEY_HOST_ADDRESS: options.egressNetwork.gateway,
      },
      cmd: ['node', PROGRAM],
      readOnlyBinds: [`${packagePath('containers', 'egress-proxy.mjs')}:${PROGRAM}`],
    });
    try {
      const ip = await sandbox.ipAddress(options.egressNetwork.name);
      await waitForReady(sandbox);
      return new EgressProxy(sandbox, options.allow, `http://${ip}:${options.agentPort}`);
    } catch (err) {
      await sandbox.remove();
      throw err;
    }
  }

  /** What the entrant's proxy variables say (every common spelling: tools differ in which they read). */
  static env(): Record<string, string> {
    const url = `http://${PROXY_ALIAS}:${PROXY_PORT}`;
    return { HTTP_PROXY: url, HTTPS_PROXY: url, http_proxy: url, https_proxy: url, ALL_PROXY: url, NO_PROXY: '', no_proxy: '' };
  }

  /** The decisions so far, from the proxy's log (its first lines in detail, then running totals). */
  async record(): Promise<EgressRecord> {
    return parseEgressLog(await this.sandbox.logs(), this.allow);
  }

  async remove(): Promise<void> {
    await this.sandbox.remove();
  }
}

async function waitForReady(sandbox: Sandbox): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if ((await sandbox.logs()).includes('"egress-ready"')) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the egress proxy did not start within 15 s: ${(await sandbox.logs()).slice(-500)}`);
}

/** Reads the proxy's JSON lines; anything else in the log is ignored. */
export function parseEgressLog(log: string, allow: AllowedHost[]): EgressRecord {
  const attempts: EgressAttempt[] = [];
  let allowed = 0;
  let denied = 0;
  // Past its first lines the proxy only logs running totals.
  const totals = { allowed: 0, denied: 0 };
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (entry.tourney === 'egress') {
      const decision = entry.decision === 'allowed' ? 'allowed' : 'denied';
      if (decision === 'allowed') allowed += 1;
      else denied += 1;
      attempts.push({
        decision,
        host: String(entry.host),
        port: typeof entry.port === 'number' ? entry.port : null,
        how: String(entry.how),
        at: typeof entry.at === 'number' ? new Date(entry.at).toISOString() : '',
      });
    } else if (entry.tourney === 'egress-totals') {
      totals.allowed = Math.max(totals.allowed, Number(entry.allowed) || 0);
      totals.denied = Math.max(totals.denied, Number(entry.denied) || 0);
    }
  }
  allowed = Math.max(allowed, totals.allowed);
  denied = Math.max(denied, totals.denied);
  return {
    policy: 'allowlist',
    allow: allow.map((a) => (a.port === null ? a.host : `${a.host}:${a.port}`)),
    allowed,
    denied,
    deniedAttempts: attempts.filter((a) => a.decision === 'denied').map(({ host, port, how, at }) => ({ host, port, how, at })),
  };
}
