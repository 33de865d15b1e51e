import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { Sandbox } from '../../src/sandbox/container.js';
import { DockerEngine } from '../../src/sandbox/docker.js';
import { DEFAULT_IMAGE } from '../../src/config/defaults.js';
import { ensureTestImage } from '../support/docker.js';

// The exec tunnel an engine elsewhere (tcp://, ssh://) is reached through, tried on the local engine with reach
// "tunnel": the server in the container listens on its loopback only and has no network at all, so nothing but the
// tunnel can reach it.

const runId = `tunnel-${process.pid}-${Date.now()}`;
let box: Sandbox;

const SERVER = `
const http = require('http');
http.createServer((req, res) => {
  if (req.url === '/echo') { const parts = []; req.on('data', (d) => parts.push(d)); req.on('end', () => { const body = Buffer.concat(parts); res.end(JSON.stringify({ bytes: body.length, sum: body.reduce((a, b) => (a + b) % 65521, 0) })); }); return; }
  if (req.url === '/stream') { res.writeHead(200, { 'content-type': 'text/event-stream' }); let n = 0; const t = setInterval(() => { res.write('data: ' + n + '\\n\\n'); if (++n === 5) { clearInterval(t); res.end(); } }, 100); return; }
  res.end('hello from ' + req.url);
}).listen(4096, '127.0.0.1', () => console.log('listening'));
`;

beforeAll(async () => {
  await ensureTestImage();
  const engine = new DockerEngine(undefined, 'local', undefined, 'tunnel');
  box = await Sandbox.create(engine, {
    image: DEFAULT_IMAGE, runId, role: 'tunnel-test', name: `tourney-${runId}`, network: 'none',
    limits: { cpus: 1, memoryMb: 256, pids: 128 },
    cmd: ['node', '-e', SERVER],
  });
  for (let i = 0; i < 50 && !(await box.logs()).includes('listening'); i++) await new Promise((r) => setTimeout(r, 100));
}, 600_000);
afterAll(async () => {
  await box?.remove();
});

describe('the exec tunnel', () => {
  it('reaches a server on the container\'s loopback, with no network, from a host port on 127.0.0.1', async () => {
    const url = await box.serverUrl(4096);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await box.serverUrl(4096)).toBe(url);
    expect(await (await fetch(`${url}/hi`)).text()).toBe('hello from /hi');
  });

  it('carries a 2 MB request body intact and 20 requests at once', async () => {
    const url = await box.serverUrl(4096);
    const body = Buffer.alloc(2 * 1024 * 1024, 0).map((_, i) => (i * 7) % 251);
    const expected = { bytes: body.length, sum: body.reduce((a, b) => (a + b) % 65521, 0) };
    expect(await (await fetch(`${url}/echo`, { method: 'POST', body })).json()).toEqual(expected);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => fetch(`${url}/n${i}`).then((r) => r.text())));
    expect(answers).toEqual(Array.from({ length: 20 }, (_, i) => `hello from /n${i}`));
  });

  it('streams a response as it is written (server-sent events)', async () => {
    const url = new URL(await box.serverUrl(4096));
    const arrivals: number[] = [];
    const text = await new Promise<string>((resolve, reject) => {
      request({ host: url.hostname, port: url.port, path: '/stream' }, (res) => {
        let all = '';
        res.on('data', (d: Buffer) => { arrivals.push(Date.now()); all += d.toString(); });
        res.on('end', () => resolve(all));
      }).on('error', reject).end();
    });
    expect(text).toBe([0, 1, 2, 3, 4].map((n) => `data: ${n}\n\n`).join(''));
    // Five writes 100 ms apart arrive apart, not all at the end.
    expect(arrivals.length).toBeGreaterThanOrEqual(3);
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(200);
  });

  it('closes with the sandbox: its port refuses connections afterwards', async () => {
    const url = await box.serverUrl(4096);
    await box.remove();
    await expect(fetch(`${url}/after`, { signal: AbortSignal.timeout(3000) })).rejects.toThrow();
  });
});
