import * as z from 'zod';
import { strictObject } from './zod-errors.js';

export const ENGINE_HOST_EXPECTED = 'expected a Docker host: unix:///var/run/docker.sock, tcp://box:2376 or ssh://user@box';
const ENGINE_NAME_RE = /^[a-z0-9][a-z0-9._-]{0,31}$/;
export const MAX_ENGINE_SLOTS = 64;

/** Why a DOCKER_HOST-form string is not one tourney can connect to, or null when it is. */
export function engineHostProblem(host: string): string | null {
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    return ENGINE_HOST_EXPECTED;
  }
  if (url.protocol === 'unix:') return url.pathname.length > 1 && !url.host ? null : `${ENGINE_HOST_EXPECTED} (a unix socket needs an absolute path after unix://)`;
  if (url.protocol === 'tcp:' || url.protocol === 'ssh:') {
    if (!url.hostname) return `${ENGINE_HOST_EXPECTED} (no host name)`;
    if (url.protocol === 'tcp:' && (url.username || url.password)) return `${ENGINE_HOST_EXPECTED} (a tcp:// host takes no user or password: use tls)`;
    if (url.password) return `${ENGINE_HOST_EXPECTED} (no password in an ssh:// host: use your ssh agent)`;
    if (url.pathname && url.pathname !== '/') return `${ENGINE_HOST_EXPECTED} (no path after the host)`;
    return null;
  }
  return `${ENGINE_HOST_EXPECTED} (not ${url.protocol.replace(/:$/, '')}://)`;
}

const tlsSchema = strictObject({
  ca: z.string().trim().min(1, 'expected the path of the CA certificate (PEM)'),
  cert: z.string().trim().min(1, 'expected the path of the client certificate (PEM)'),
  key: z.string().trim().min(1, 'expected the path of the client key (PEM)'),
});

const engineSchema = strictObject({
  host: z.string().superRefine((host, ctx) => {
    const problem = engineHostProblem(host);
    if (problem) ctx.addIssue({ code: 'custom', input: host, message: problem });
  }),
  /** Named in results and messages; default `local` for the first unix socket, else the host name. */
  name: z.string().regex(ENGINE_NAME_RE, 'expected a name of 1-32 lower-case letters, digits, ".", "_" or "-"').optional(),
  slots: z.int('expected a whole number of jobs at once, like 4').min(1, 'expected at least 1 slot').max(MAX_ENGINE_SLOTS, `expected at most ${MAX_ENGINE_SLOTS} slots`).optional(),
  tls: tlsSchema.optional(),
  /** How the host reaches agent servers there: default `address` for a unix socket, `tunnel` (through the API) otherwise. */
  reach: z.enum(['address', 'tunnel'], 'expected "address" (the container\'s own address, routable from here) or "tunnel" (through the engine\'s API)').optional(),
});

export const enginesSchema = z.array(engineSchema).min(1, 'expected at least one engine, e.g. engines: [{ host: unix:///var/run/docker.sock }]').max(16).superRefine((engines, ctx) => {
  const hosts = new Map<string, number>();
  engines.forEach((e, i) => {
    const same = sameEngineKey(e.host);
    const seen = hosts.get(same);
    if (seen !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'host'], input: e.host, message: `expected each engine once; ${e.host} is also engines[${seen}]` });
    hosts.set(same, i);
    const sameName = e.name === undefined ? -1 : engines.findIndex((o) => o.name === e.name);
    if (sameName !== -1 && sameName < i) ctx.addIssue({ code: 'custom', path: [i, 'name'], input: e.name, message: `expected each engine name once; "${e.name}" is also engines[${sameName}]` });
    if (e.tls && !e.host.startsWith('tcp://')) ctx.addIssue({ code: 'custom', path: [i, 'tls'], input: e.tls, message: 'expected tls only for a tcp:// host (unix sockets and ssh need none)' });
  });
});

/** One spelling per engine (default ports filled in, no trailing slash), to find the same engine listed twice. */
function sameEngineKey(host: string): string {
  try {
    const url = new URL(host);
    if (url.protocol === 'unix:') return `unix://${url.pathname.replace(/\/+$/, '')}`;
    const port = url.port || (url.protocol === 'ssh:' ? '22' : '2375');
    return `${url.protocol}//${url.username ? `${url.username}@` : ''}${url.hostname.toLowerCase()}:${port}`;
  } catch {
    return host;
  }
}

export type RawEngines = z.output<typeof enginesSchema>;

/** Names for engines without one: `local` for a unix socket, the host name otherwise, made unique with -2, -3... */
export function engineNames(engines: readonly { host: string; name?: string }[]): string[] {
  const taken = new Set(engines.flatMap((e) => (e.name ? [e.name] : [])));
  return engines.map((e) => {
    if (e.name) return e.name;
    const url = new URL(e.host);
    const base = url.protocol === 'unix:' ? 'local' : url.hostname.toLowerCase().replace(/[^a-z0-9._-]/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 28) || 'engine';
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
    taken.add(name);
    return name;
  });
}
