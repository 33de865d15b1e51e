import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_IN_CONTAINER, CA_IN_CONTAINER, detectHostTrust, entrantTrustEnv, trustEnv, trustRecord } from '../../src/prepare/trust.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
let dir: string;
let a: string;
let b: string;
let c: string;
const noNpm = async () => ({ cafile: null, registry: null });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tourney-trust-'));
  [a, b, c] = ['a.pem', 'b.pem', 'c.pem'].map((n) => join(dir, n)) as [string, string, string];
  for (const f of [a, b, c]) await writeFile(f, PEM);
  await writeFile(join(dir, 'not-a-cert.txt'), 'hello');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('detectHostTrust', () => {
  it('prefers sandbox.caFile, then NODE_EXTRA_CA_CERTS, then SSL_CERT_FILE, then npm cafile', async () => {
    const npm = async () => ({ cafile: c, registry: null });
    expect((await detectHostTrust(a, { NODE_EXTRA_CA_CERTS: b, SSL_CERT_FILE: c }, npm)).caSource).toBe('sandbox.caFile');
    expect((await detectHostTrust(null, { NODE_EXTRA_CA_CERTS: b, SSL_CERT_FILE: c }, npm))).toMatchObject({ caFile: b, caSource: 'NODE_EXTRA_CA_CERTS' });
    expect((await detectHostTrust(null, { SSL_CERT_FILE: c }, npm))).toMatchObject({ caFile: c, caSource: 'SSL_CERT_FILE' });
    expect((await detectHostTrust(null, {}, npm))).toMatchObject({ caFile: c, caSource: 'npm config cafile', caPem: PEM });
  });

  it('skips a variable that names a missing file or something that is not a certificate', async () => {
    const t = await detectHostTrust(null, { NODE_EXTRA_CA_CERTS: join(dir, 'missing.pem'), SSL_CERT_FILE: join(dir, 'not-a-cert.txt') }, async () => ({ cafile: b, registry: null }));
    expect(t).toMatchObject({ caFile: b, caSource: 'npm config cafile' });
  });

  it('finds nothing, and passes no CA variable, when the host has none', async () => {
    const t = await detectHostTrust(null, {}, noNpm);
    expect(t).toMatchObject({ caFile: null, caSource: null, caPem: null, passed: [] });
    expect(trustEnv(t)).toEqual({});
  });

  it('passes the proxy variables set on the host, and a registry mirror npm is pointed at', async () => {
    const t = await detectHostTrust(null, { HTTPS_PROXY: 'http://proxy:3128', no_proxy: 'localhost', HOME: '/root', ANTHROPIC_API_KEY: 'sk-x' }, async () => ({ cafile: null, registry: 'https://npm.corp.example/' }));
    expect(t.env).toEqual({ HTTPS_PROXY: 'http://proxy:3128', no_proxy: 'localhost', npm_config_registry: 'https://npm.corp.example/' });
    // The record in result.json names the variables, never their values.
    expect(trustRecord(t)).toEqual({ caFile: null, caSource: null, passed: ['HTTPS_PROXY', 'no_proxy', 'npm_config_registry'] });
    expect(JSON.stringify(trustRecord(t))).not.toContain('proxy:3128');
  });

  it('leaves the default npm registry alone', async () => {
    expect((await detectHostTrust(null, {}, async () => ({ cafile: null, registry: 'https://registry.npmjs.org/' }))).env).toEqual({});
  });

  it('points every common package manager at the combined bundle, and node at the extra CA', async () => {
    const env = trustEnv(await detectHostTrust(a, {}, noNpm));
    expect(env.NODE_EXTRA_CA_CERTS).toBe(CA_IN_CONTAINER);
    for (const name of ['npm_config_cafile', 'SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'PIP_CERT', 'CURL_CA_BUNDLE', 'GIT_SSL_CAINFO']) {
      expect(env[name]).toBe(BUNDLE_IN_CONTAINER);
    }
  });

  it("gives an entrant's setup the CA and proxies, but no proxy or registry credentials", async () => {
    const t = await detectHostTrust(a, { HTTPS_PROXY: 'http://alice:hunter2@proxy.corp:3128', PIP_INDEX_URL: 'https://u:tok@pypi.corp/simple', NO_PROXY: 'localhost' }, noNpm);
    const env = entrantTrustEnv(t);
    expect(env).toMatchObject({ HTTPS_PROXY: 'http://proxy.corp:3128', PIP_INDEX_URL: 'https://pypi.corp/simple', NO_PROXY: 'localhost', NODE_EXTRA_CA_CERTS: CA_IN_CONTAINER });
    expect(JSON.stringify(env)).not.toMatch(/hunter2|tok@/);
    expect(trustEnv(t).HTTPS_PROXY).toBe('http://alice:hunter2@proxy.corp:3128');
  });
});
