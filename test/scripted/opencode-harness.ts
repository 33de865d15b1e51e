// Drives a real `opencode serve` on the host against the scripted model server, for integration tests.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { createOpencodeClient, type Config, type Event, type OpencodeClient } from '@opencode-ai/sdk/v2/client';
import { createOpencodeServer } from '@opencode-ai/sdk/v2/server';

export const OPENCODE_BIN_DIR = path.resolve('node_modules/opencode-linux-x64/bin');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A git repo with one commit: without a commit opencode files the session under a "global" project. */
export async function makeGitRepo(dir: string, files: Record<string, string> = { 'README.md': '# fixture\n' }): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=tourney', '-c', 'user.email=tourney@example.invalid', ...args], { cwd: dir, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'initial');
}

export function scriptedConfig(baseURL: string, models: string[]): Config {
  const model = (name: string) => ({ name, tool_call: true, limit: { context: 200_000, output: 32_000 }, cost: { input: 0, output: 0 } });
  const main = models[0] ?? '_title';
  return {
    provider: {
      scripted: {
        npm: '@ai-sdk/openai-compatible',
        name: 'Scripted',
        options: { baseURL, apiKey: 'none' },
        models: Object.fromEntries([...models, '_title'].map((m) => [m, model(m)])),
      },
    },
    enabled_providers: ['scripted'],
    model: `scripted/${main}`,
    small_model: 'scripted/_title',
    autoupdate: false,
    share: 'disabled',
    permission: { edit: 'allow', bash: 'allow', webfetch: 'deny', external_directory: 'deny' },
  } as Config;
}

export interface OpencodeHandle {
  url: string;
  pid: number;
  client: OpencodeClient;
  stop(): Promise<void>;
}

/** Starts `opencode serve` through the SDK with its own XDG dirs under `stateDir`. */
export async function startOpencode(opts: { config: Config; stateDir: string; env?: Record<string, string> }): Promise<OpencodeHandle> {
  const port = await freePort();
  const env: Record<string, string> = {
    ...opts.env,
    PATH: `${OPENCODE_BIN_DIR}${path.delimiter}${process.env.PATH ?? ''}`,
    OPENCODE_DISABLE_MODELS_FETCH: '1',
    OPENCODE_DISABLE_AUTOUPDATE: '1',
    OPENCODE_DISABLE_PROJECT_CONFIG: '1',
  };
  for (const kind of ['CONFIG', 'DATA', 'CACHE', 'STATE']) env[`XDG_${kind}_HOME`] = path.join(opts.stateDir, kind.toLowerCase());
  // The SDK takes no env option: it copies process.env when spawning, so set it only around the call.
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  let server: Awaited<ReturnType<typeof createOpencodeServer>>;
  try {
    server = await createOpencodeServer({ hostname: '127.0.0.1', port, timeout: 30_000, config: opts.config });
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  // The SDK hides the child process and its close() only sends one SIGTERM, which opencode may ignore.
  const pid = findChildPid(`--port=${port}`);
  return {
    url: server.url,
    pid,
    client: createOpencodeClient({ baseUrl: server.url }),
    async stop() {
      server.close();
      if (await exited(pid, 5_000)) return;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        return;
      }
      await exited(pid, 5_000);
    },
  };
}

function findChildPid(argMarker: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (ppid === process.pid && cmdline.includes(argMarker)) return Number(entry);
    } catch {
      // The process went away while we looked.
    }
  }
  throw new Error(`opencode child process with ${argMarker} not found`);
}

function isRunning(pid: number): boolean {
  const statPath = `/proc/${pid}/stat`;
  if (!existsSync(statPath)) return false;
  try {
    const stat = readFileSync(statPath, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function exited(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isRunning(pid);
}

/**
 * The session's messages once every assistant message is complete. After `session.idle` the last
 * assistant message (with its `error`, when the run failed) can still be on its way.
 */
export async function settledMessages(client: OpencodeClient, sessionID: string, directory: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const messages = (await client.session.messages({ sessionID, directory }, { throwOnError: true })).data;
    const complete = messages.every((m) => m.info.role !== 'assistant' || m.info.time.completed !== undefined);
    if (complete || Date.now() > deadline) return messages;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export type SessionOutcome =
  | { kind: 'idle' }
  | { kind: 'error'; error: unknown }
  | { kind: 'permission'; request: unknown }
  | { kind: 'timeout' };

/** Collects the events of one directory and tells when a session settles. */
export class EventWatcher {
  readonly events: Event[] = [];
  private readonly abort = new AbortController();
  private waiters: (() => void)[] = [];
  private done: Promise<void> = Promise.resolve();

  static async start(client: OpencodeClient, directory: string): Promise<EventWatcher> {
    const watcher = new EventWatcher();
    const { stream } = await client.event.subscribe({ directory }, { signal: watcher.abort.signal, sseMaxRetryAttempts: 0 });
    watcher.done = (async () => {
      try {
        for await (const event of stream) {
          watcher.events.push(event as Event);
          for (const wake of watcher.waiters.splice(0)) wake();
        }
      } catch {
        // Aborted or the server went away.
      }
    })();
    return watcher;
  }

  /** Idle, error or a permission prompt for the session, whichever comes first. */
  async settle(sessionID: string, timeoutMs: number): Promise<SessionOutcome> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const outcome = this.outcome(sessionID);
      if (outcome) return outcome;
      const left = deadline - Date.now();
      if (left <= 0) return { kind: 'timeout' };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private outcome(sessionID: string): SessionOutcome | undefined {
    for (const e of this.events) {
      if (e.type === 'session.error' && e.properties.sessionID === sessionID) return { kind: 'error', error: e.properties.error };
      if (e.type === 'permission.asked' && e.properties.sessionID === sessionID) return { kind: 'permission', request: e.properties };
      if (e.type === 'session.idle' && e.properties.sessionID === sessionID) return { kind: 'idle' };
    }
    return undefined;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}
