import { gatewayEndpoint, type ProviderSettings } from '../agents/gateways.js';
import type { Engine } from '../sandbox/engine.js';
import { isScripted } from '../agents/models.js';
import { AGENT_SERVER_PORT } from '../agents/kind.js';
import { displayPath } from '../config/load.js';
import { TourneyError } from '../errors.js';
import { createContainerNetwork, createEgressNetwork, removeNetwork, type RunNetwork } from '../sandbox/network.js';
import { AGENT_ALIAS, EgressProxy, type AllowedHost } from '../sandbox/egress-proxy.js';
import type { Sandbox, SandboxLimits } from '../sandbox/container.js';
import { startScriptedModelServer, type ScriptedModelServer } from '../scripted/server.js';
import type { EgressRecord, TourneyConfig } from '../types.js';

/** Where one agent container (an entrant or a judge) sits, and what it may reach. */
export interface Attachment {
  /** The container's own network ('none' for no network at all). */
  network: string;
  aliases?: string[];
  /** The scripted model server's URL as this container sees it, when its model is scripted. */
  scriptedBaseUrl: string | null;
  /** Proxy variables (allowlist). */
  env: Record<string, string>;
  /** The host's URL of the agent server listening on `port` in `sandbox`. */
  serverUrl(sandbox: Sandbox, port: number): Promise<string>;
  /** What the egress proxy let through and refused (allowlist only). */
  egress(): Promise<EgressRecord | undefined>;
  /** Removes what was made for this container (its proxy, its network), after the container itself. */
  release(): Promise<void>;
}

/**
 * One network per agent container, so no entrant or judge can open a connection to another's (Docker drops traffic
 * between bridges), and never Docker's default bridge, which every other container on the host shares:
 * - scripted model: an internal network whose only reachable address is the host's, where the model server listens;
 * - real model (`auto`, `open`): a NAT bridge of its own (internet, and the host's addresses: Docker does not filter those);
 * - `allowlist`: a sealed network (no host address, no route out) shared only with an egress proxy that connects to
 *   the allowed hosts and records the rest.
 */
export class SandboxNetworks {
  /** Per engine (by id): its egress network, and the model server's URL there. */
  private readonly egressNetworks = new Map<string, { engine: Engine; network: Promise<RunNetwork>; modelUrl?: Promise<string> }>();

  private constructor(
    private readonly engine: Engine,
    private readonly runId: string,
    private readonly config: TourneyConfig,
    private readonly proxyImage: string,
    private readonly limits: SandboxLimits,
    /** Runs when any model is scripted; listens on each network's host address, never on all. */
    readonly server: ScriptedModelServer | undefined,
  ) {}

  static async prepare(engine: Engine, runId: string, config: TourneyConfig, models: { who: string; model: string }[], proxyImage: string): Promise<SandboxNetworks> {
    const policy = config.sandbox.network;
    const real = models.filter((m) => !isScripted(m.model));
    if (real.length > 0 && (policy === 'none' || policy === 'model-only')) {
      throw new TourneyError(
        `${config.source ? displayPath(config.source) : 'config'}: sandbox.network is "${policy}", but ${real[0]?.who} uses ${real[0]?.model}, ` +
          'which needs internet access to its provider; use network "open", "auto" or "allowlist"',
      );
    }
    const server = real.length === models.length ? undefined : await startScriptedModelServer({ host: '127.0.0.1', port: 0, scriptDirs: config.scriptDirs });
    return new SandboxNetworks(engine, runId, config, proxyImage, config.sandbox, server);
  }

  /**
   * Whether tourney's scripted server itself refused `model` (its script answered 401/402/403): host-side proof of
   * a refusal an agent reports, which the entrant could otherwise forge to stop the other entrants.
   */
  scriptedRefusal(model: string): boolean {
    if (!this.server || !isScripted(model)) return false;
    const id = model.slice(model.indexOf('/') + 1);
    return this.server.requests.some((r) => r.kind === 'error' && [401, 402, 403].includes(r.status) && r.model === id);
  }

  /**
   * `gateway`: the provider gateway this container talks to (`providers.<id>.baseURL`), allowed under an allowlist.
   * `engine`: where the container runs (networks are per engine; the model server listens on each one's gateway).
   */
  async attach(role: string, model: string, gateway?: ProviderSettings, engine: Engine = this.engine): Promise<Attachment> {
    const scripted = isScripted(model);
    if (this.config.sandbox.network === 'allowlist') return this.attachAllowlisted(engine, role, scripted, gatewayEndpoint(gateway));
    const own = await createContainerNetwork(engine, this.runId, role, scripted ? 'internal' : 'egress');
    return {
      network: own.name,
      scriptedBaseUrl: scripted ? await this.modelServer().listenAlso(own.gateway) : null,
      env: {},
      serverUrl: (sandbox, port) => sandbox.serverUrl(port, own.name),
      egress: async () => undefined,
      release: () => removeNetwork(engine, own.name),
    };
  }

  private async attachAllowlisted(engine: Engine, role: string, scripted: boolean, gateway: { host: string; port: number } | null): Promise<Attachment> {
    let shared = this.egressNetworks.get(engine.id);
    if (!shared) this.egressNetworks.set(engine.id, (shared = { engine, network: createEgressNetwork(engine, this.runId) }));
    const egress = await shared.network;
    // The entrant's own gateway is its provider: reachable without listing it again under sandbox.allow.
    // The proxy compares hosts as written in a request line: an IPv6 address in brackets.
    const own = gateway ? [{ ...gateway, host: gateway.host.includes(':') ? `[${gateway.host}]` : gateway.host }] : [];
    const allow: AllowedHost[] = [...this.config.sandbox.allow, ...own];
    let scriptedBaseUrl: string | null = null;
    if (scripted) {
      // The scripted model is the entrant's provider: it is allowed, at the host's address on the egress network.
      scriptedBaseUrl = await (shared.modelUrl ??= this.modelServer().listenAlso(egress.gateway));
      const url = new URL(scriptedBaseUrl);
      allow.push({ host: url.hostname, port: Number(url.port) });
    }
    const sealed = await createContainerNetwork(engine, this.runId, role, 'sealed');
    let proxy: EgressProxy;
    try {
      proxy = await EgressProxy.start({
        engine,
        image: this.proxyImage,
        runId: this.runId,
        role,
        limits: this.limits,
        sealedNetwork: sealed.name,
        egressNetwork: egress,
        allow,
        agentPort: AGENT_SERVER_PORT,
      });
    } catch (err) {
      await removeNetwork(engine, sealed.name).catch(() => undefined);
      throw err;
    }
    return {
      network: sealed.name,
      aliases: [AGENT_ALIAS],
      scriptedBaseUrl,
      env: EgressProxy.env(),
      serverUrl: async (_sandbox, port) => {
        if (port !== AGENT_SERVER_PORT) throw new Error(`the egress proxy forwards port ${AGENT_SERVER_PORT} only, not ${port}`);
        return proxy.agentUrl;
      },
      egress: () => proxy.record(),
      release: async () => {
        await proxy.remove();
        await removeNetwork(engine, sealed.name);
      },
    };
  }

  private modelServer(): ScriptedModelServer {
    if (!this.server) throw new Error('a scripted model needs the scripted model server, which is not running');
    return this.server;
  }

  async close(): Promise<void> {
    await this.server?.close();
    // After every container has released its own network and proxy (the run's sweep removes any leftovers).
    for (const { engine, network } of this.egressNetworks.values()) {
      const egress = await network.catch(() => undefined);
      // Bounded: an engine that went silent mid-run would hold the close for ever (the next run's sweep gets it).
      if (egress) await Promise.race([removeNetwork(engine, egress.name).catch(() => undefined), new Promise((r) => setTimeout(r, 30_000).unref())]);
    }
  }
}
