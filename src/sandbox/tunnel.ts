import { createServer, type Server, type Socket } from 'node:net';
import { Transform, type Duplex, type TransformCallback } from 'node:stream';
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
  // Once tourney has hung up, the next write to stdout fails: leave then rather than hold the connection open.
  "process.stdout.on('error', () => process.exit(1));",
  "s.on('close', () => process.exit(0));",
].join(' ');

export interface Tunnel {
  /** http://127.0.0.1:<port>: where the host reaches the server in the container. */
  url: string;
  close(): Promise<void>;
}

/**
 * What one connection may hold in tourney's memory from the container, in the demuxer; the streams around it hold
 * their high-water marks. The pipes below never let it get near this: it is there so a change that breaks the
 * backpressure fails a connection rather than letting an entrant's server fill tourney's memory.
 */
const MAX_BUFFERED = 1024 * 1024;
/** After the container's side has ended: how long the client may take to hang up before its socket is destroyed. */
const LINGER_MS = 5_000;

/**
 * A port on the host's loopback that reaches `port` inside the container through the engine's exec API: each connection
 * is one exec running a bridge. It needs no route to the container's network and no published port, so it works for an
 * engine anywhere tourney's Docker connection reaches (tcp, ssh), and nothing new listens on the engine's machine.
 * What it carries is what the agent server would get over its network anyway; the entrant, who owns the container, can
 * at most break its own connection.
 */
export async function openTunnel(box: Sandbox, port: number, target = '127.0.0.1'): Promise<Tunnel> {
  const sockets = new Set<Socket>();
  // Half-open: a client that has sent all of its request (FIN) still gets the whole response.
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
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

/**
 * The stdout payload of Docker's multiplexed exec stream (frames of an 8-byte header, [stream, 0, 0, 0, uint32 BE
 * length], then the payload); stderr is dropped. Unlike docker-modem's demuxStream, which reads in flowing mode and
 * ignores write()'s return value, it is a stream in a pipe, so a client that reads slowly stops the reading of the
 * exec stream and TCP flow control pushes back into the container. It holds no more than a header and the chunk at hand.
 */
export class StdoutDemux extends Transform {
  private readonly header = Buffer.alloc(8);
  private headerBytes = 0;
  /** Payload bytes of the current frame still to come. */
  private left = 0;
  private keep = false;

  constructor() {
    super({ readableHighWaterMark: 64 * 1024, writableHighWaterMark: 64 * 1024 });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.left === 0) {
        const n = Math.min(8 - this.headerBytes, chunk.length - at);
        chunk.copy(this.header, this.headerBytes, at, at + n);
        this.headerBytes += n;
        at += n;
        if (this.headerBytes < 8) break;
        this.headerBytes = 0;
        const type = this.header[0]!;
        if (type > 2 || this.header[1] !== 0 || this.header[2] !== 0 || this.header[3] !== 0) {
          done(new Error(`the exec stream is not multiplexed (frame header ${this.header.toString('hex')})`));
          return;
        }
        this.keep = type === 1;
        this.left = this.header.readUInt32BE(4);
      } else {
        const n = Math.min(this.left, chunk.length - at);
        if (this.keep) this.push(chunk.subarray(at, at + n));
        this.left -= n;
        at += n;
      }
    }
    if (this.readableLength > MAX_BUFFERED) {
      done(new Error(`the tunnel's client is not reading: ${this.readableLength} bytes held for it`));
      return;
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    done(this.headerBytes > 0 || this.left > 0 ? new Error('the exec stream ended inside a frame') : null);
  }
}

async function bridge(box: Sandbox, socket: Socket, target: string, port: number): Promise<void> {
  socket.pause();
  const started: { stream?: Duplex } = {};
  const demux = new StdoutDemux();
  // Any error on either side ends both: the exec (its bridge sees stdin end and stdout fail) and the client's socket.
  const fail = () => {
    started.stream?.destroy();
    demux.destroy();
    socket.destroy();
  };
  socket.on('error', fail);
  socket.once('close', fail);
  const exec = await box.container.exec({
    // One V8 worker: each connection's bridge counts against the container's pids limit (4 threads, not 7).
    Cmd: ['node', '--v8-pool-size=1', '-e', BRIDGE, target, String(port)],
    User: SANDBOX_USER,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = (started.stream = await exec.start({ hijack: true, stdin: true }));
  if (socket.destroyed) {
    stream.destroy();
    return;
  }
  stream.on('error', fail);
  demux.on('error', fail);
  // Cut off (the container died, the engine went away) rather than ended: the client must not wait for more.
  stream.once('close', () => {
    if (!stream.readableEnded) fail();
  });
  // The exec's end (its connection in the container closed) ends the socket once what the pipes hold is written.
  stream.pipe(demux).pipe(socket);
  // The client's end (half-close) ends the exec's stdin, and the bridge passes it on; the response still comes back.
  socket.pipe(stream);
  // The container's side is done: what the client still sends has nowhere to go (and writing it to the ended exec
  // stream would fail the connection before the response is out). Read it and drop it, so that closing does not reset
  // the connection under data the client has yet to read.
  stream.once('end', () => {
    socket.unpipe(stream);
    socket.resume();
  });
  socket.once('finish', () => {
    // All the response is out: the socket closes on the client's end, or after LINGER_MS.
    stream.destroy();
    socket.setTimeout(LINGER_MS, () => socket.destroy());
  });
  socket.resume();
}
