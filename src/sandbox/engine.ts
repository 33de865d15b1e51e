import type { ExecStreamOptions, ExecStreamResult } from '../agents/kind.js';
import type { ExecResult, SandboxOptions } from './container.js';

/**
 * What a stage may do to one sandbox, whatever runs it (a Docker container today; a Pod would fit too).
 * `Sandbox` in container.ts is the Docker implementation.
 */
export interface SandboxHandle {
  readonly id: string;
  readonly options: SandboxOptions;
  /** Copy in: unpack a tar (a file path or an in-memory tar) at `dest`. */
  putTar(tar: string | Buffer, dest: string): Promise<void>;
  writeFile(path: string, content: string | Buffer, options?: { mode?: number }): Promise<void>;
  /** Exec with limits: killed at `timeoutMs`, output cut at `maxOutputBytes`. */
  exec(cmd: string[], options?: { user?: string; workdir?: string; env?: Record<string, string>; timeoutMs?: number; maxOutputBytes?: number }): Promise<ExecResult>;
  execStream(cmd: string[], options?: ExecStreamOptions): Promise<ExecStreamResult>;
  /** The main process's output. */
  logs(): Promise<string>;
  /** Where the host reaches a server in the sandbox (today: its address on its network). */
  ipAddress(network?: string): Promise<string>;
  /** Bytes the sandbox has written (for the disk watch). */
  writableBytes(): Promise<number>;
  /** Save the filesystem as an image (prepared environments). */
  commit(repo: string, tag: string, labels: Record<string, string>, extraChanges?: string[]): Promise<string>;
  kill(): Promise<void>;
  remove(): Promise<void>;
}

/** The operations outside src/sandbox/ need from an engine, with nothing Docker-specific in their types. */
export interface SandboxProvider {
  createSandbox(options: SandboxOptions): Promise<SandboxHandle>;
  /** Sandboxes and networks carrying a label, e.g. `dev.tourney.run=<id>`. */
  listByLabel(label: string, value?: string): Promise<{ containers: string[]; networks: string[] }>;
  imageSize(ref: string): Promise<number | undefined>;
  engineVersion(): Promise<{ version: string; apiVersion: string }>;
}

/**
 * The typed handle every stage gets instead of a dockerode client (issue 14 item 1). `DockerEngine` in docker.ts
 * is the implementation; src/sandbox/ functions reach its client with dockerOf().
 */
export interface Engine extends SandboxProvider {
  /** Names the engine in results and messages, e.g. 'local'. */
  readonly id: string;
  /** DOCKER_HOST form: unix:///var/run/docker.sock, tcp://host:2376, ssh://user@host. */
  readonly host: string;
  /**
   * How the host reaches a server in one of its containers: `address`, the container's address on its network (an
   * engine on this machine, whose bridges are routable from here); `tunnel`, through the engine's exec API.
   */
  readonly reach: EngineReach;
  /** Resolves when the engine answers; rejects with the transport's error. */
  ping(): Promise<void>;
}

export type EngineReach = 'address' | 'tunnel';
