import { readFile } from 'node:fs/promises';
import { execa } from 'execa';
import type { TrustRecord } from './types.js';

/**
 * The host's trust and proxy settings, carried into setup containers. Behind a TLS-intercepting
 * proxy the host's package managers trust a CA the image does not, and without it every install
 * fails (or hangs in retries); the same goes for a proxy only the host's environment names.
 */
export interface HostTrust extends TrustRecord {
  /** PEM text of caFile. */
  caPem: string | null;
  /** Values of the passed variables (proxies, registry URLs): for setup containers only. */
  env: Record<string, string>;
}

/** Proxy and registry variables a setup honours; passed when set on the host. */
export const PASSED_VARIABLES = [
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'all_proxy',
  'npm_config_registry', 'NPM_CONFIG_REGISTRY', 'YARN_NPM_REGISTRY_SERVER',
  'PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL', 'PIP_TRUSTED_HOST', 'UV_INDEX_URL', 'UV_DEFAULT_INDEX',
  'GOPROXY', 'GOPRIVATE', 'GONOSUMDB', 'GOFLAGS',
] as const;

const DEFAULT_NPM_REGISTRY = 'https://registry.npmjs.org/';

/** Where the CA bundle goes in a setup container, and the bundle made from it plus the image's own roots. */
export const CA_IN_CONTAINER = '/tmp/tourney-trust/host-ca.pem';
export const BUNDLE_IN_CONTAINER = '/tmp/tourney-trust/ca-bundle.pem';

interface NpmSettings {
  cafile: string | null;
  registry: string | null;
}

/** npm's own view (it reads ~/.npmrc, the global npmrc and npm_config_* variables); null fields when npm is absent. */
async function npmSettings(): Promise<NpmSettings> {
  try {
    // Several keys print as "key=value" lines.
    const { stdout } = await execa('npm', ['config', 'get', 'cafile', 'registry'], { timeout: 15_000 });
    const values = new Map(stdout.split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1).trim()]));
    const str = (v: string | undefined) => (v && v !== 'null' && v !== 'undefined' ? v : null);
    return { cafile: str(values.get('cafile')), registry: str(values.get('registry')) };
  } catch {
    return { cafile: null, registry: null };
  }
}

/**
 * Finds the CA bundle (sandbox.caFile, then NODE_EXTRA_CA_CERTS, SSL_CERT_FILE, npm's cafile) and
 * the proxy and registry variables. `caFile` from the config must be readable (checked at load).
 */
export async function detectHostTrust(caFile: string | null, env: NodeJS.ProcessEnv = process.env, npm: () => Promise<NpmSettings> = npmSettings): Promise<HostTrust> {
  const passed: Record<string, string> = {};
  for (const name of PASSED_VARIABLES) {
    const value = env[name];
    if (value) passed[name] = value;
  }
  const candidates: [string, string | undefined][] = [
    ['sandbox.caFile', caFile ?? undefined],
    ['NODE_EXTRA_CA_CERTS', env.NODE_EXTRA_CA_CERTS],
    ['SSL_CERT_FILE', env.SSL_CERT_FILE],
  ];
  let settings: NpmSettings | undefined;
  const fromNpm = async () => (settings ??= await npm());
  let found: { file: string; source: string; pem: string } | null = null;
  for (const [source, file] of candidates) {
    if (!file) continue;
    const pem = await readPem(file);
    if (pem) {
      found = { file, source, pem };
      break;
    }
  }
  if (!found) {
    const file = (await fromNpm()).cafile;
    const pem = file ? await readPem(file) : null;
    if (file && pem) found = { file, source: 'npm config cafile', pem };
  }
  // A registry the host's npm is pointed at (a mirror) is where the setup's npm must go too.
  if (!passed.npm_config_registry && !passed.NPM_CONFIG_REGISTRY) {
    const registry = (await fromNpm()).registry;
    if (registry && registry !== DEFAULT_NPM_REGISTRY) passed.npm_config_registry = registry;
  }
  return { caFile: found?.file ?? null, caSource: found?.source ?? null, caPem: found?.pem ?? null, passed: Object.keys(passed).sort(), env: passed };
}

async function readPem(file: string): Promise<string | null> {
  try {
    const text = await readFile(file, 'utf8');
    return text.includes('-----BEGIN CERTIFICATE-----') ? text : null;
  } catch {
    return null;
  }
}

/**
 * Variables that point every common package manager at the combined bundle (the image's roots plus
 * the host's CA): npm, pip, requests, curl, git, cargo, and anything using OpenSSL's default file.
 */
export function trustEnv(trust: HostTrust): Record<string, string> {
  const ca: Record<string, string> = trust.caPem
    ? {
        NODE_EXTRA_CA_CERTS: CA_IN_CONTAINER,
        npm_config_cafile: BUNDLE_IN_CONTAINER,
        SSL_CERT_FILE: BUNDLE_IN_CONTAINER,
        REQUESTS_CA_BUNDLE: BUNDLE_IN_CONTAINER,
        PIP_CERT: BUNDLE_IN_CONTAINER,
        CURL_CA_BUNDLE: BUNDLE_IN_CONTAINER,
        GIT_SSL_CAINFO: BUNDLE_IN_CONTAINER,
        CARGO_HTTP_CAINFO: BUNDLE_IN_CONTAINER,
      }
    : {};
  return { ...trust.env, ...ca };
}

/**
 * For a setup that runs an entrant's manifests (its install scripts, with a network): the CA, and
 * proxy and registry URLs without their user:password. sandbox.setupEnv never gets here.
 */
export function entrantTrustEnv(trust: HostTrust): Record<string, string> {
  return Object.fromEntries(Object.entries(trustEnv(trust)).map(([name, value]) => [name, value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1')]));
}

/** The record kept in result.json: where trust came from and which variables, never their values. */
export function trustRecord(trust: HostTrust): TrustRecord {
  return { caFile: trust.caFile, caSource: trust.caSource, passed: trust.passed };
}
