import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { Sandbox } from '../../src/sandbox/container.js';
import { DockerEngine } from '../../src/sandbox/docker.js';
import { StdoutDemux } from '../../src/sandbox/tunnel.js';
import { DEFAULT_IMAGE } from '../../src/config/defaults.js';
import { ensureTestImage } from '../support/docker.js';

// The exec tunnel an engine elsewhere (tcp://, ssh://) is reached through, tried on the local engine with reach
// "tunnel": the server in the container listens on its loopback only and has no network at all, so nothing but the
// tunnel can reach it.

const runId = `tunnel-${process.pid}-${Date.now()}`;
let box: Sandbox;

// 4097: writes bytes k % 251 (k counting from the connection's first byte) as fast as it is let, for ever.
// 4098: reads the whole request (to the client's end), then 200 ms later answers its length and sum and hangs up.
// 4099: sends one line and then nothing, holding the connection open.
const SERVER = `
const net = require('net');
const chunk = Buffer.alloc(251 * 256).map((_, i) => i % 251);
net.createServer((c) => {
  c.on('error', () => {});
  const more = () => { for (let i = 0; i < 16 && c.writable; i++) if (!c.write(chunk)) return; setImmediate(more); };
  c.on('drain', more);
  more();
}).listen(4097, '127.0.0.1');
net.createServer({ allowHalfOpen: true }, (c) => {
  c.on('error', () => {});
  const parts = [];
  c.on('data', (d) => parts.push(d));
  c.on('end', () => setTimeout(() => { const b = Buffer.concat(parts); c.end('got ' + b.length + ' bytes, sum ' + b.reduce((a, x) => (a + x) % 65521, 0) + '\\n'); }, 200));
}).listen(4098, '127.0.0.1');
net.createServer((c) => { c.on('error', () => {}); c.write('hanging\\n'); }).listen(4099, '127.0.0.1');
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

async function tunnelPort(port: number): Promise<number> {
  return Number(new URL(await box.serverUrl(port)).port);
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s)).once('error', reject);
  });
}

/** Everything `socket` receives until the other side ends it. */
function readAll(socket: Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    socket.on('data', (d: Buffer) => parts.push(d)).once('error', reject).once('end', () => resolve(Buffer.concat(parts)));
  });
}

/** How many tunnel bridges run in the container. */
async function bridges(): Promise<number> {
  const top = (await box.container.top({ ps_args: '-eo pid,args' })) as { Processes?: string[][] };
  return (top.Processes ?? []).filter((p) => p.join(' ').includes('--v8-pool-size=1')).length;
}

function frame(type: number, payload: string): Buffer {
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(Buffer.byteLength(payload), 4);
  return Buffer.concat([header, Buffer.from(payload)]);
}

describe('StdoutDemux', () => {
  async function demux(chunks: Buffer[]): Promise<string> {
    const d = new StdoutDemux();
    const parts: Buffer[] = [];
    d.on('data', (b: Buffer) => parts.push(b));
    const done = new Promise<void>((resolve, reject) => d.once('end', resolve).once('error', reject));
    for (const c of chunks) d.write(c);
    d.end();
    await done;
    return Buffer.concat(parts).toString();
  }

  it('keeps stdout, drops stderr, across frames split and joined anywhere', async () => {
    const all = Buffer.concat([frame(1, 'hello '), frame(2, 'noise'), frame(1, ''), frame(1, 'world')]);
    expect(await demux([all])).toBe('hello world');
    // Every split point, headers included, and one byte at a time.
    for (let i = 1; i < all.length; i++) expect(await demux([all.subarray(0, i), all.subarray(i)])).toBe('hello world');
    expect(await demux([...all].map((b) => Buffer.from([b])))).toBe('hello world');
  });

  it('fails a stream that is not multiplexed, or ends inside a frame', async () => {
    await expect(demux([Buffer.from('HTTP/1.1 200 OK\r\n')])).rejects.toThrow(/not multiplexed/);
    await expect(demux([frame(1, 'hello').subarray(0, 10)])).rejects.toThrow(/inside a frame/);
  });

  it('fails rather than hold more than 1 MiB for a reader that does not read', async () => {
    const d = new StdoutDemux();
    const failed = new Promise<Error>((resolve) => d.once('error', resolve));
    d.write(frame(1, 'x'.repeat(2 * 2 ** 20)));
    expect((await failed).message).toMatch(/not reading/);
  });
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

  it('holds back a server that floods a client which does not read, in the server, not in tourney\'s memory', async () => {
    const port = await tunnelPort(4097);
    // Warm up (first exec, code paths, buffers) so the baseline is not taken before the tunnel has done anything.
    const warm = await open(port);
    await new Promise((r) => setTimeout(r, 500));
    warm.destroy();
    const before = process.memoryUsage().rss;
    const client = await open(port);
    let peak = before;
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 250));
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    const grown = (peak - before) / 2 ** 20;
    console.log(`flood: rss ${(before / 2 ** 20).toFixed(0)} MiB before, peak ${(peak / 2 ** 20).toFixed(0)} MiB in 5 s (+${grown.toFixed(1)} MiB)`);
    expect(grown).toBeLessThan(64);
    // Now read 16 MiB: what arrives is the server's bytes, from the first, none lost or reordered.
    const want = 16 * 2 ** 20;
    const got = await new Promise<Buffer>((resolve, reject) => {
      const parts: Buffer[] = [];
      let n = 0;
      client.on('data', (d: Buffer) => {
        parts.push(d);
        n += d.length;
        if (n >= want) resolve(Buffer.concat(parts).subarray(0, want));
      }).once('error', reject).once('end', () => reject(new Error(`ended after ${n} bytes`)));
    });
    expect(await bridges()).toBe(1);
    client.destroy();
    const bad = got.findIndex((b, k) => b !== k % 251);
    expect(bad).toBe(-1);
    // Both connections' bridges in the container end with them (the blocked one on its next write).
    let left = -1;
    for (let i = 0; i < 30 && left !== 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      left = await bridges();
    }
    expect(left).toBe(0);
  }, 60_000);

  it('passes on a client\'s half-close and still delivers the whole response', async () => {
    const client = await open(await tunnelPort(4098));
    const body = Buffer.alloc(300_000).map((_, i) => (i * 13) % 256);
    const answer = readAll(client);
    client.end(body);
    expect((await answer).toString()).toBe(`got ${body.length} bytes, sum ${body.reduce((a, x) => (a + x) % 65521, 0)}\n`);
  });

  it('closes the host socket when the container dies mid-response', async () => {
    const client = await open(await tunnelPort(4099));
    const received = readAll(client);
    await new Promise((r) => setTimeout(r, 500));
    await box.kill();
    // Ended or reset, but not left open: readAll settles either way.
    const outcome = await Promise.race([
      received.then((b) => b.toString(), (err: Error) => err.message),
      new Promise<string>((r) => setTimeout(() => r('still open'), 10_000)),
    ]);
    expect(outcome).not.toBe('still open');
  }, 30_000);

  it('closes with the sandbox: its port refuses connections afterwards', async () => {
    const url = await box.serverUrl(4096);
    await box.remove();
    await expect(fetch(`${url}/after`, { signal: AbortSignal.timeout(3000) })).rejects.toThrow();
  });
});
