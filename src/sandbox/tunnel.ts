import { createServer, type Server, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import type { Sandbox } from './container.js';
import { SANDBOX_USER } from './workspace.js';

/**
 * Inside the container: one TCP connection to `host:port`, bridged to the exec's stdin and stdout. Written for node
 * because the agent images carry it; half-close is passed on both ways so an HTTP request body can end first.
 */
const BRIDGE = [
  "const s = require('net').connect(+process.argv[2], process.argv[1]);",
  'process.stdin.pipe(s);',
  's.pipe(process.stdout);',
  "s.on('error', () => process.exit(1));",
  "s.on('close', () => process.exit(0));",
].join(' ');

export interface Tunnel {
  /** http://127.0.0.1:<port>: where the host reaches the server in the container. */
  url: string;
  close(): Promise<void>;
}

/**
 * A port on the host's loopback that reaches `port` inside the container through the engine's exec API: each connection
 * is one exec running a bridge. It needs no route to the container's network and no published port, so it works for an
 * engine anywhere tourney's Docker connection reaches (tcp, ssh), and nothing new listens on the engine's machine.
 * What it carries is what the agent server would get over its network anyway; the entrant, who owns the container, can
 * at most break its own connection.
 */
export async function openTunnel(box: Sandbox, port: number, target = '127.0.0.1'): Promise<Tunnel> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    void bridge(box, socket, target, port).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the tunnel has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function bridge(box: Sandbox, socket: Socket, target: string, port: number): Promise<void> {
  socket.pause();
  const exec = await box.container.exec({
    // One V8 worker: each connection's bridge counts against the container's pids limit (4 threads, not 7).
    Cmd: ['node', '--v8-pool-size=1', '-e', BRIDGE, target, String(port)],
    User: SANDBOX_USER,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({ hijack: true, stdin: true });
  const out = new PassThrough();
  box.docker.modem.demuxStream(stream, out, new PassThrough().resume());
  // The exec's end ends `out`, and the pipe ends the socket once what `out` holds is written.
  out.pipe(socket);
  socket.pipe(stream);
  socket.resume();
  const finish = () => out.end();
  stream.once('end', finish);
  stream.once('close', finish);
  stream.once('error', () => socket.destroy());
  socket.once('error', () => stream.destroy());
  socket.once('close', () => stream.destroy());
}
