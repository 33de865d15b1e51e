import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type Docker from 'dockerode';
import { TourneyError, errorMessage } from '../errors.js';
import type { SandboxOptions } from './container.js';
import { Sandbox } from './container.js';
import type { Engine, EngineReach } from './engine.js';
import { inspectImage } from './image.js';

const HOST_FORMS = 'expected unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host';

type DockerOptions = NonNullable<ConstructorParameters<typeof Docker>[0]>;

/**
 * docker-modem's reading of DOCKER_HOST (lib/modem.js defaultOpts), for a host given explicitly: the
 * modem only reads the variable. `host: undefined` / `socketPath: undefined` are spelled out because the
 * modem lays these options over what it read from DOCKER_HOST, which must not win.
 */
/** Client certificates for a tcp:// engine with TLS (paths to PEM files). */
export interface EngineTls {
  ca: string;
  cert: string;
  key: string;
}

function clientOptions(host: string, tlsFiles?: EngineTls): DockerOptions {
  // Every field spelled out: the modem lays these over what it read from DOCKER_HOST, DOCKER_TLS_VERIFY and
  // DOCKER_CERT_PATH, which belong to DOCKER_HOST's engine, not to this one.
  const clear = { socketPath: undefined, host: undefined, port: undefined, protocol: 'http' as const, ca: undefined, cert: undefined, key: undefined };
  if (host.startsWith('unix://')) return { ...clear, socketPath: host.slice('unix://'.length) || '/var/run/docker.sock' };
  const url = new URL(host.includes('//') ? host : `tcp://${host}`);
  if (!['tcp:', 'ssh:', 'http:', 'https:'].includes(url.protocol)) throw new Error(`unknown scheme ${url.protocol}//`);
  if (!url.hostname) throw new Error('no host name');
  const tls = tlsFiles !== undefined || url.port === '2376' || url.protocol === 'https:';
  const options: DockerOptions = {
    ...clear,
    host: url.hostname,
    // Docker's own defaults: 2376 with TLS, 2375 without (the modem would take 80); ssh's is 22.
    port: url.port || (url.protocol === 'ssh:' ? '22' : tls ? '2376' : '2375'),
    protocol: url.protocol === 'ssh:' ? 'ssh' : tls ? 'https' : 'http',
    ...(url.protocol === 'ssh:' && { username: decodeURIComponent(url.username), sshOptions: { agent: process.env.SSH_AUTH_SOCK } }),
  };
  if (tlsFiles) {
    options.ca = readFileSync(tlsFiles.ca);
    options.cert = readFileSync(tlsFiles.cert);
    options.key = readFileSync(tlsFiles.key);
  }
  return options;
}

// Kept off the class so that nothing outside src/sandbox/ can reach the client through an engine.
const clients = new WeakMap<DockerEngine, Docker>();

/** A Docker engine (the local one or one at a DOCKER_HOST-style address); its dockerode client never leaves src/sandbox/. */
export class DockerEngine implements Engine {
  readonly host: string;

  /**
   * `host` in DOCKER_HOST form; without it, DOCKER_HOST (or the local socket) exactly as dockerode reads it.
   * Throws (exit code 3) on a host it cannot parse; does not connect (see ping()).
   */
  readonly reach: EngineReach;

  constructor(host?: string, readonly id = 'local', tls?: EngineTls, reach?: EngineReach) {
    // Loaded here, not imported at the top: dockerode (with ssh2 and protobufjs) takes a while to load, and
    // the preflight that runs before any engine is made should answer at once.
    const DockerClient = createRequire(import.meta.url)('dockerode') as typeof Docker;
    const fromEnv = tls === undefined && (host === undefined || host === process.env.DOCKER_HOST);
    this.host = host ?? process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
    // An engine on this machine has bridges routable from here; any other is reached through the API alone.
    this.reach = reach ?? (engineOnThisMachine(this.host) ? 'address' : 'tunnel');
    let client: Docker;
    try {
      client = fromEnv ? new DockerClient() : new DockerClient(clientOptions(this.host, tls));
    } catch (err) {
      // docker-modem throws on a DOCKER_HOST it cannot parse, before any connection.
      const what = fromEnv ? `DOCKER_HOST=${JSON.stringify(process.env.DOCKER_HOST ?? '')}` : `engine "${id}" host ${JSON.stringify(this.host)}`;
      throw new TourneyError(`${what}: ${errorMessage(err)}; ${HOST_FORMS}`, { exitCode: 3 });
    }
    clients.set(this, client);
  }

  async ping(): Promise<void> {
    await dockerOf(this).ping();
  }

  createSandbox(options: SandboxOptions): Promise<Sandbox> {
    return Sandbox.create(this, options);
  }

  async listByLabel(label: string, value?: string): Promise<{ containers: string[]; networks: string[] }> {
    const filters = JSON.stringify({ label: [value === undefined ? label : `${label}=${value}`] });
    const docker = dockerOf(this);
    const [containers, networks] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters })]);
    return { containers: containers.map((c) => c.Names[0] ?? c.Id), networks: networks.map((n) => n.Name) };
  }

  async imageSize(ref: string): Promise<number | undefined> {
    return (await inspectImage(this, ref))?.Size;
  }

  async engineVersion(): Promise<{ version: string; apiVersion: string }> {
    const v = await dockerOf(this).version();
    return { version: v.Version, apiVersion: v.ApiVersion };
  }
}

/** Whether a DOCKER_HOST-form address is an engine on this machine: a unix socket, or tcp:// on the loopback. */
export function engineOnThisMachine(host: string): boolean {
  if (host.startsWith('unix://')) return true;
  try {
    const url = new URL(host);
    return url.protocol === 'tcp:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  } catch {
    return false;
  }
}

/** The dockerode client behind an engine: for src/sandbox/ only (the layering rule keeps dockerode there). */
export function dockerOf(engine: Engine): Docker {
  const client = engine instanceof DockerEngine ? clients.get(engine) : undefined;
  if (client) return client;
  throw new Error(`engine "${engine.id}" (${engine.host}) is not a Docker engine; this operation needs one`);
}

/** An engine that has answered a ping, or an error that says how to get one. */
export async function connectEngine(host?: string, id = 'local', tls?: EngineTls, reach?: EngineReach): Promise<Engine> {
  const engine = new DockerEngine(host, id, tls, reach);
  try {
    await engine.ping();
  } catch (err) {
    throw new TourneyError(
      `cannot reach the Docker engine${host === undefined ? '' : ` "${id}" at ${host}`} (${errorMessage(err)}). Start Docker (or dockerd), or set DOCKER_HOST; "tourney doctor" checks everything tourney needs`,
      { exitCode: 3 },
    );
  }
  return engine;
}
