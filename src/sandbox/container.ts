import { createReadStream } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { pack as tarPack } from 'tar-stream';
import type { ExecStreamOptions, ExecStreamResult } from '../agents/kind.js';
import type Docker from 'dockerode';
import { LABELS, SANDBOX_UID } from './labels.js';
import { OutputCapture } from './capture.js';
import { ownerLabels } from './owner.js';
import { dockerOf } from './docker.js';
import { openTunnel, type Tunnel } from './tunnel.js';
import type { Engine, SandboxHandle } from './engine.js';

/**
 * The hard lifetime of a container whose creator names none. Every container has one, enforced by its
 * own PID 1 (`timeout`), so it ends even when tourney is dead (SIGKILL, power loss of the terminal).
 */
export const DEFAULT_LIFETIME_SEC = 3 * 60 * 60;

export interface SandboxLimits {
  cpus: number;
  memoryMb: number;
  pids: number;
  /** No single file larger than this (RLIMIT_FSIZE: the writer gets SIGXFSZ / EFBIG). */
  diskMb?: number;
}

export interface SandboxOptions {
  image: string;
  runId: string;
  /** entrant name, or `referee:<entrant>` */
  role: string;
  name: string;
  limits: SandboxLimits;
  /** Docker network name, or 'none'. */
  network: string;
  /** Names other containers on `network` reach this one by (user-defined networks only). */
  aliases?: string[];
  /** Further networks, joined before the container starts (an egress proxy sits on two). */
  alsoOn?: { network: string; aliases?: string[] }[];
  env?: Record<string, string>;
  /** Main process; the default keeps the container alive for execs. */
  cmd?: string[];
  /** Read-only bind mounts `host:container`. */
  readOnlyBinds?: string[];
  /** Seconds after which the container's main process is killed, whatever tourney does; default DEFAULT_LIFETIME_SEC. */
  lifetimeSec?: number;
  /** Docker removes the container when it stops (default). Off for entrants: their stopped filesystem is read after the kill. */
  autoRemove?: boolean;
  /** Extra labels (the image's own are inherited too). */
  labels?: Record<string, string>;
}

export interface ExecResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

/** One container. Everything tourney does to an entrant's copy goes through here. */
export class Sandbox implements SandboxHandle {
  private constructor(
    readonly engine: Engine,
    readonly docker: Docker,
    readonly container: Docker.Container,
    readonly options: SandboxOptions,
  ) {}

  static async create(engine: Engine, options: SandboxOptions): Promise<Sandbox> {
    const docker = dockerOf(engine);
    const lifetime = Math.max(1, Math.ceil(options.lifetimeSec ?? DEFAULT_LIFETIME_SEC));
    const container = await docker.createContainer({
      name: options.name,
      Image: options.image,
      // Under Docker's init (PID 1), `timeout` SIGKILLs the main process at the lifetime; the init then exits
      // and the kernel kills everything else in the container (execs included, whatever signals they ignore).
      Entrypoint: ['timeout', '-s', 'KILL', `${lifetime}s`],
      Cmd: options.cmd ?? ['sleep', 'infinity'],
      Env: Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`),
      Labels: {
        ...options.labels,
        ...ownerLabels(),
        [LABELS.managed]: 'true',
        [LABELS.run]: options.runId,
        [LABELS.role]: options.role,
      },
      WorkingDir: '/work',
      // The sandbox user whatever the image says: a user's own Dockerfile may end as root.
      User: `${SANDBOX_UID}:${SANDBOX_UID}`,
      HostConfig: {
        NetworkMode: options.network,
        Memory: options.limits.memoryMb * 1024 * 1024,
        MemorySwap: options.limits.memoryMb * 1024 * 1024,
        NanoCpus: Math.round(options.limits.cpus * 1e9),
        PidsLimit: options.limits.pids,
        // overlay2 on ext4 has no per-container quota (--storage-opt size= needs xfs + pquota): this
        // bounds each file hard, and the entrant's disk watch (disk-watch.ts) bounds the total.
        ...(options.limits.diskMb && { Ulimits: [{ Name: 'fsize', Soft: options.limits.diskMb * 1024 * 1024, Hard: options.limits.diskMb * 1024 * 1024 }] }),
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        Binds: options.readOnlyBinds?.map((bind) => `${bind}:ro`),
        Init: true,
        AutoRemove: options.autoRemove ?? true,
      },
      ...(options.aliases ? { NetworkingConfig: { EndpointsConfig: { [options.network]: { Aliases: options.aliases } } } } : {}),
    });
    const sandbox = new Sandbox(engine, docker, container, options);
    try {
      for (const extra of options.alsoOn ?? []) {
        await docker.getNetwork(extra.network).connect({ Container: container.id, EndpointConfig: { Aliases: extra.aliases ?? [] } });
      }
      await container.start();
    } catch (err) {
      // A container that exists but never started is still a container: don't leave it behind.
      await sandbox.remove();
      throw err;
    }
    return sandbox;
  }

  get id(): string {
    return this.container.id;
  }

  private readonly tunnels = new Map<number, Promise<Tunnel>>();

  /**
   * The host's URL of a server on `port` in the container: its address on `network` when the engine's networks are
   * routable from here (a local engine), else a tunnel through the engine's exec API (see tunnel.ts). One per port.
   */
  async serverUrl(port: number, network?: string): Promise<string> {
    if (this.engine.reach === 'address') return `http://${await this.ipAddress(network)}:${port}`;
    let tunnel = this.tunnels.get(port);
    if (!tunnel) this.tunnels.set(port, (tunnel = openTunnel(this, port)));
    return (await tunnel).url;
  }

  /** The container's address on its network (or on `network`), for reaching a server inside it from the host. */
  async ipAddress(network?: string): Promise<string> {
    const info = await this.container.inspect();
    const networks = Object.entries(info.NetworkSettings.Networks ?? {}).filter(([name]) => !network || name === network);
    const ip = networks.map(([, n]) => n.IPAddress).find((address) => address);
    if (!ip) throw new Error(`container ${this.options.name} has no IP address (network ${network ?? this.options.network})`);
    return ip;
  }

  /** Unpacks a tar (a file path or an in-memory tar) into the container at `dest`. */
  async putTar(tar: string | Buffer, dest: string): Promise<void> {
    await this.container.putArchive(typeof tar === 'string' ? createReadStream(tar) : tar, { path: dest });
  }

  async exec(
    cmd: string[],
    options: { user?: string; workdir?: string; env?: Record<string, string>; timeoutMs?: number; maxOutputBytes?: number } = {},
  ): Promise<ExecResult> {
    const started = Date.now();
    const { exec, stream, stdout, stderr, out, err } = await this.startExec(cmd, options);
    this.docker.modem.demuxStream(stream, out, err);

    let timedOut = false;
    await new Promise<void>((resolve) => {
      const timer = options.timeoutMs
        ? setTimeout(() => {
            timedOut = true;
            stream.destroy();
            resolve();
          }, options.timeoutMs)
        : undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      stream.on('end', done);
      stream.on('close', done);
      stream.on('error', done);
    });
    if (timedOut) {
      // The exec'd process keeps running after the stream is cut; kill everything but PID 1's init.
      await this.killExecs();
    }
    const info = await exec.inspect();
    return {
      exitCode: timedOut ? null : info.ExitCode ?? null,
      stdout: stdout.text(),
      stderr: stderr.text(),
      timedOut,
      durationMs: Date.now() - started,
    };
  }

  /** Starts `cmd` attached, its stdout and stderr captured (each capped); the caller demuxes `stream` into `out`/`err`. */
  private async startExec(cmd: string[], options: { user?: string; workdir?: string; env?: Record<string, string>; maxOutputBytes?: number }) {
    const exec = await this.container.exec({
      Cmd: cmd,
      AttachStdout: true,
      AttachStderr: true,
      User: options.user,
      WorkingDir: options.workdir,
      Env: Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`),
    });
    const stream = await exec.start({ hijack: true, stdin: false });
    const limit = options.maxOutputBytes ?? 8 * 1024 * 1024;
    const stdout = new OutputCapture(limit);
    const stderr = new OutputCapture(limit);
    const out = new PassThrough();
    const err = new PassThrough();
    out.on('data', (chunk: Buffer) => stdout.add(chunk));
    err.on('data', (chunk: Buffer) => stderr.add(chunk));
    return { exec, stream, stdout, stderr, out, err };
  }

  /**
   * Runs `cmd` in its own process group, streaming lines to the callbacks. On abort the whole group is SIGKILLed
   * (the agent's children too), and the call resolves once the output has ended.
   */
  async execStream(cmd: string[], options: ExecStreamOptions = {}): Promise<ExecStreamResult> {
    const started = Date.now();
    const pidFile = `/tmp/.tourney-exec-${Math.random().toString(36).slice(2)}`;
    // setsid -w: a new session (so a process group to kill) and still wait for the command's exit code.
    const wrapped = ['setsid', '-w', 'sh', '-c', 'echo $$ > "$0"; exec "$@"', pidFile, ...cmd];
    const { exec, stream, stdout, stderr, out, err } = await this.startExec(wrapped, options);
    const lines = [lineReader(out, options.onStdout), lineReader(err, options.onStderr)];
    this.docker.modem.demuxStream(stream, out, err);

    let killed = false;
    const onAbort = () => {
      killed = true;
      void this.killGroup(pidFile, options.user);
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await new Promise<void>((resolve) => {
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', resolve);
      });
      out.end();
      err.end();
      await Promise.all(lines);
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
    const info = await exec.inspect().catch(() => undefined);
    return {
      exitCode: killed ? null : info?.ExitCode ?? null,
      stdout: stdout.text(),
      stderr: stderr.text(),
      killed,
      durationMs: Date.now() - started,
    };
  }

  private async killGroup(pidFile: string, user: string | undefined): Promise<void> {
    // dash's kill takes no "--": `kill -KILL -PID` signals the process group PID.
    const script = `pid=$(cat "$0" 2>/dev/null) && [ -n "$pid" ] && kill -KILL "-$pid" 2>/dev/null; true`;
    await this.exec(['sh', '-c', script, pidFile], { ...(user && { user }), timeoutMs: 10_000 }).catch(() => undefined);
  }

  /** Writes one file (owned by the sandbox user, mode `mode`) into an existing directory of the container. */
  async writeFile(path: string, content: string | Buffer, options: { mode?: number } = {}): Promise<void> {
    const slash = path.lastIndexOf('/');
    if (slash < 0 || !path.startsWith('/')) throw new Error(`writeFile needs an absolute path, not ${path}`);
    const pack = tarPack();
    const body = typeof content === 'string' ? Buffer.from(content) : content;
    pack.entry({ name: path.slice(slash + 1), mode: options.mode ?? 0o644, uid: SANDBOX_UID, gid: SANDBOX_UID }, body);
    pack.finalize();
    await this.container.putArchive(Readable.from(pack), { path: path.slice(0, slash) || '/' });
  }

  private async killExecs(): Promise<void> {
    const exec = await this.container.exec({ Cmd: ['sh', '-c', 'kill -9 -1 2>/dev/null || true'], User: 'root' });
    const stream = await exec.start({ hijack: true, stdin: false });
    await new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', resolve);
      stream.resume();
    });
  }

  /**
   * Saves the container's filesystem as an image (`repo:tag`) with extra labels, and returns its id.
   * Paused meanwhile, so a background process cannot write half a file into the image.
   */
  async commit(repo: string, tag: string, labels: Record<string, string>, extraChanges: string[] = []): Promise<string> {
    const changes = [...Object.entries(labels).map(([k, v]) => `LABEL ${dockerfileQuote(k)}=${dockerfileQuote(v)}`), ...extraChanges].join('\n');
    const result = (await this.container.commit({ repo, tag, pause: true, changes })) as { Id?: string };
    if (!result.Id) throw new Error(`docker commit of ${this.options.name} returned no image id`);
    return result.Id;
  }

  /** Bytes in the container's writable layer (what it wrote, the repository copy included), from Docker. */
  async writableBytes(): Promise<number> {
    // Docker's `size` query; @types/dockerode does not list it.
    const withSize: Docker.ContainerInspectOptions & { size: boolean } = { size: true };
    const info = (await this.container.inspect(withSize)) as { SizeRw?: number };
    return info.SizeRw ?? 0;
  }

  /** The main process's output; empty when the container is already gone (auto-removed after it stopped). */
  async logs(): Promise<string> {
    const buffer = await this.container.logs({ stdout: true, stderr: true, follow: false }).catch(() => Buffer.alloc(0));
    return demuxBuffer(buffer);
  }

  /** SIGKILLs every process in the container from the engine (nothing inside can ignore or outlive it). */
  async kill(): Promise<void> {
    await this.container.kill({ signal: 'SIGKILL' }).catch((err: { statusCode?: number }) => {
      // 409: not running (it ended by itself); 404: gone. Either way nothing runs in it any more.
      if (err.statusCode !== 409 && err.statusCode !== 404) throw err;
    });
    await this.container.wait({ condition: 'not-running' }).catch(() => undefined);
  }

  async remove(): Promise<void> {
    for (const tunnel of this.tunnels.values()) await tunnel.then((t) => t.close(), () => undefined);
    this.tunnels.clear();
    await this.container.remove({ force: true, v: true }).catch(() => undefined);
  }
}

/**
 * A Dockerfile double-quoted word that means exactly `text`: Docker expands `$VAR` in LABEL values
 * (a setup command like `echo ${X:+set}` would be recorded as something else), so `$` is escaped too.
 */
export function dockerfileQuote(text: string): string {
  return `"${text.replace(/[\\"$]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ')}"`;
}

/** Docker multiplexes stdout/stderr of a non-TTY container into 8-byte-framed chunks. */
function demuxBuffer(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** The longest line handed on: the rest of a longer one is dropped up to its newline (an agent's output is hostile). */
export const MAX_STREAM_LINE_BYTES = 4 * 1024 * 1024;

/**
 * Calls `onLine` for every line of `input` (without its newline); resolves when the input ends. Bounded: a line
 * longer than MAX_STREAM_LINE_BYTES is cut there and the rest of it skipped, so no output grows tourney's memory.
 */
function lineReader(input: PassThrough, onLine: ((line: string) => void) | undefined): Promise<void> {
  if (!onLine) return new Promise((resolve) => input.on('end', resolve).resume());
  return new Promise((resolve) => {
    const splitter = boundedLines(onLine);
    input.on('data', (chunk: Buffer) => splitter.push(chunk));
    input.on('end', () => {
      splitter.end();
      resolve();
    });
    input.on('error', () => resolve());
  });
}

/** Splits bytes into lines, keeping at most `max` bytes of any one line (the rest up to its newline is dropped). */
export function boundedLines(onLine: (line: string) => void, max = MAX_STREAM_LINE_BYTES): { push(chunk: Buffer): void; end(): void } {
  let parts: Buffer[] = [];
  let size = 0;
  let skipping = false;
  const emit = () => {
    const line = Buffer.concat(parts).toString('utf8').replace(/\r$/, '');
    parts = [];
    size = 0;
    onLine(line);
  };
  return {
    push(chunk) {
      let start = 0;
      while (start < chunk.length) {
        const nl = chunk.indexOf(0x0a, start);
        const end = nl < 0 ? chunk.length : nl;
        if (!skipping) {
          const room = max - size;
          const piece = chunk.subarray(start, Math.min(end, start + room));
          if (piece.length > 0) {
            parts.push(piece);
            size += piece.length;
          }
          if (end - start > room) skipping = true;
        }
        if (nl < 0) return;
        if (skipping) {
          // The line's first `max` bytes are kept: a cut line is still evidence, and parsers reject it as bad JSON.
          skipping = false;
        }
        emit();
        start = nl + 1;
      }
    },
    end() {
      if (size > 0 || parts.length > 0) emit();
    },
  };
}
