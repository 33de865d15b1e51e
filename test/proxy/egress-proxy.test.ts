// The egress proxy program (containers/egress-proxy.mjs) on the host, against local listeners: what it lets through,
// what it refuses, and that a refused connection never arrives. In Docker it is the same file (see test/e2e).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { packagePath } from '../../src/paths.js';
import { parseEgressLog } from '../../src/sandbox/egress-proxy.js';
import { entrantEgressView } from '../../src/report/egress.js';
import type { EntrantResult } from '../../src/types.js';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

/** Sends raw bytes to the proxy and returns its first line. */
function ask(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(text));
    let got = '';
    s.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.includes('\r\n')) {
        resolve(got.split('\r\n')[0] ?? '');
        s.destroy();
      }
    });
    s.on('error', (e) => resolve(e.message));
    s.on('close', () => resolve(got ? (got.split('\r\n')[0] ?? '') : 'closed'));
  });
}

describe('the egress proxy program', () => {
  let proxy: ChildProcess;
  let log = '';
  let proxyPort: number;
  let forwardPort: number;
  let allowedPort: number;
  let deniedPort: number;
  let agentPort: number;
  let deniedArrivals = 0;
  const servers: net.Server[] = [];

  beforeAll(async () => {
    const model = http.createServer((req, res) => res.end(`model ${req.method} ${req.url}`));
    const denied = net.createServer((s) => {
      deniedArrivals += 1;
      s.destroy();
    });
    const agent = net.createServer((s) => s.end('agent\n'));
    servers.push(model, denied, agent);
    [allowedPort, deniedPort, agentPort, proxyPort, forwardPort] = [await listen(model), await listen(denied), await listen(agent), await freePort(), await freePort()];
    proxy = spawn(process.execPath, [packagePath('containers', 'egress-proxy.mjs')], {
      env: {
        PATH: process.env.PATH,
        TOURNEY_ALLOW: JSON.stringify([{ host: '127.0.0.1', port: allowedPort }, { host: 'localhost', port: null }]),
        TOURNEY_AGENT: `127.0.0.1:${agentPort}`,
        // Not us: the forward must hang up on every other peer.
        TOURNEY_HOST_ADDRESS: '10.255.255.1',
        TOURNEY_PROXY_PORT: String(proxyPort),
        TOURNEY_FORWARD_PORT: String(forwardPort),
        TOURNEY_LISTEN_HOST: '127.0.0.1',
      },
    });
    proxy.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    while (!log.includes('egress-ready')) await new Promise((resolve) => setTimeout(resolve, 50));
  }, 30_000);

  afterAll(() => {
    proxy?.kill();
    for (const s of servers) s.close();
  });

  it('forwards plain HTTP and CONNECT to an allowed host:port', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: proxyPort, path: `http://127.0.0.1:${allowedPort}/v1/models` }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(body));
      }).on('error', reject);
    });
    expect(answer).toBe('model GET /v1/models');
    expect(await ask(proxyPort, `CONNECT 127.0.0.1:${allowedPort} HTTP/1.1\r\nHost: x\r\n\r\n`)).toBe('HTTP/1.1 200 Connection Established');
  });

  it('refuses every other destination, and the refused connection never arrives', async () => {
    const attempts = [
      `CONNECT 127.0.0.1:${deniedPort} HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET http://127.0.0.1:${deniedPort}/steal HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
      // The same port under another name, a name that only looks allowed, a port beyond the allowed one.
      `CONNECT 127.0.0.2:${allowedPort} HTTP/1.1\r\nHost: x\r\n\r\n`,
      `CONNECT 127.0.0.1.nip.io:${allowedPort} HTTP/1.1\r\nHost: x\r\n\r\n`,
      `CONNECT localhost:${deniedPort} HTTP/1.1\r\nHost: x\r\n\r\n`,
      // Not a proxy request at all, and a name built to break the log line.
      'GET /internal HTTP/1.1\r\nHost: x\r\n\r\n',
    ];
    for (const text of attempts) expect(await ask(proxyPort, text), text).toMatch(/^HTTP\/1\.1 403/);
    // Not even HTTP: the connection is dropped.
    expect(await ask(proxyPort, 'CONNECT evil"}\n{"tourney":"egress","decision":"allowed:1 HTTP/1.1\r\nHost: x\r\n\r\n')).toMatch(/^(closed|HTTP\/1\.1 4\d\d)/);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(deniedArrivals).toBe(0);
    const record = parseEgressLog(log, [{ host: '127.0.0.1', port: allowedPort }]);
    expect(record.allowed).toBe(2);
    expect(record.denied).toBeGreaterThanOrEqual(6);
    expect(record.allowed).toBe(2);
    expect(record.deniedAttempts.map((a) => `${a.how} ${a.host}:${a.port}`)).toEqual(expect.arrayContaining([
      `CONNECT 127.0.0.1:${deniedPort}`,
      `GET 127.0.0.1:${deniedPort}`,
      `CONNECT 127.0.0.2:${allowedPort}`,
      `CONNECT localhost:${deniedPort}`,
    ]));
    // The forged line stayed inside a string: nothing the entrant sent became an "allowed" record.
    expect(log.split('\n').filter((l) => l.includes('"decision":"allowed"'))).toHaveLength(2);
  });

  it('hangs up the agent forward on anyone but the host', async () => {
    expect(await ask(forwardPort, 'GET / HTTP/1.1\r\n\r\n')).toMatch(/^(closed|read ECONNRESET)$/);
  });

  it('keeps counting past its first 100 log lines, in totals', async () => {
    for (let i = 0; i < 120; i++) await ask(proxyPort, `CONNECT flood-${i}.example:443 HTTP/1.1\r\nHost: x\r\n\r\n`);
    await new Promise((resolve) => setTimeout(resolve, 800));
    const record = parseEgressLog(log, []);
    expect(record.deniedAttempts.length).toBe(100);
    expect(record.denied).toBeGreaterThanOrEqual(126);
    expect(record.allowed).toBe(2);
    const view = entrantEgressView({ egress: record } as EntrantResult);
    expect(view?.refused).toBe(true);
    expect(view?.more).toBe(record.denied - 100);
    expect(view?.summary).toMatch(/^Egress allowlist \(nothing\): 2 connection\(s\) allowed, \d+ refused$/);
  }, 60_000);
});
