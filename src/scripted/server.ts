// An OpenAI-compatible HTTP server whose "models" are script files replayed turn by turn.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TourneyError, errorMessage } from '../errors.js';
import {
  SCRIPT_COMPLETE_TEXT,
  SUMMARY_TEXT,
  TITLE_MODEL,
  TITLE_TEXT,
  answerForTurn,
  chatRequestSchema,
  completionBody,
  errorBody,
  findWorkdir,
  requestPurpose,
  streamFrames,
  turnIndex,
  usageFor,
  type Answer,
  type ChatRequest,
  type Usage,
} from './protocol.js';
import { listScripts, loadScript, resolveScript } from './script.js';

export interface ScriptedModelServerOptions {
  host?: string;
  /** 0 or undefined: any free port. */
  port?: number;
  /** Directories searched for `<model>.yaml|.yml|.json`, first match wins. */
  scriptDirs: string[];
}

export type RequestKind = 'tools' | 'text' | 'judge' | 'error' | 'hang' | 'title' | 'summary' | 'complete' | 'not-found' | 'bad-script' | 'bad-request';

export interface RequestLogEntry {
  /** Milliseconds since the epoch when the request arrived. */
  at: number;
  model: string;
  /** null for requests that do not play a script turn (title, summary, bad requests). */
  turnIndex: number | null;
  kind: RequestKind;
  stream: boolean;
  status: number;
  workdir?: string;
  usage?: Usage;
  /** Names of the tools called in this answer. */
  tools?: string[];
  error?: string;
  /** Set when the connection ended before an answer (hang or delayMs): the client left, or close(). */
  disconnected?: boolean;
}

export interface ScriptedModelServer {
  /** Base URL for an OpenAI-compatible client, ending in `/v1`. */
  url: string;
  host: string;
  port: number;
  requests: RequestLogEntry[];
  /**
   * Listens on another address too (same scripts, same request log) and returns the base URL there: every
   * entrant's own network has its own gateway address, and the server listens on those only, never on all.
   */
  listenAlso(host: string): Promise<string>;
  close(): Promise<void>;
}

interface Pending {
  res: http.ServerResponse;
  /** Resolves when the client goes away or the server closes. */
  gone: Promise<void>;
}

export async function startScriptedModelServer(opts: ScriptedModelServerOptions): Promise<ScriptedModelServer> {
  const host = opts.host ?? '127.0.0.1';
  const requests: RequestLogEntry[] = [];
  const open = new Set<http.ServerResponse>();
  const ctx: HandlerContext = { scriptDirs: opts.scriptDirs, requests, track: (res) => track(open, res) };

  const listeners: http.Server[] = [];
  const listen = async (where: string, port: number): Promise<{ url: string; port: number }> => {
    const server = http.createServer((req, res) => {
      handle(ctx, req, res).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, errorBody(errorMessage(err), 'server_error'));
        else res.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new TourneyError(`scripted model server: cannot listen on ${where}:${port}: ${err.message}`, { cause: err })));
      server.listen(port, where, resolve);
    });
    listeners.push(server);
    const bound = (server.address() as AddressInfo).port;
    const urlHost = where.includes(':') ? `[${where}]` : where;
    return { url: `http://${urlHost}:${bound}/v1`, port: bound };
  };
  const first = await listen(host, opts.port ?? 0);

  let closing: Promise<void> | undefined;
  return {
    url: first.url,
    host,
    port: first.port,
    requests,
    async listenAlso(other: string) {
      return (await listen(other, opts.port ?? 0)).url;
    },
    close() {
      closing ??= Promise.all(listeners.map((server) => new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hanging answers would otherwise keep the server open forever.
        for (const res of open) res.destroy();
        server.closeAllConnections();
      }))).then(() => undefined);
      return closing;
    },
  };
}

function track(open: Set<http.ServerResponse>, res: http.ServerResponse): Pending {
  open.add(res);
  const gone = new Promise<void>((resolve) => {
    res.once('close', () => {
      open.delete(res);
      resolve();
    });
  });
  return { res, gone };
}

interface HandlerContext {
  scriptDirs: string[];
  requests: RequestLogEntry[];
  track(res: http.ServerResponse): Pending;
}

async function handle(ctx: HandlerContext, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const pathname = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/+$/, '');
  if (req.method === 'GET' && pathname === '/v1/models') {
    const names = [TITLE_MODEL, ...(await listScripts(ctx.scriptDirs))];
    sendJson(res, 200, { object: 'list', data: names.map((id) => ({ id, object: 'model', created: 0, owned_by: 'tourney-scripted' })) });
    return;
  }
  if (req.method === 'POST' && pathname === '/v1/chat/completions') {
    await chatCompletions(ctx, req, res);
    return;
  }
  sendJson(res, 404, errorBody(`no route for ${req.method ?? '?'} ${pathname}`, 'invalid_request_error', 'not_found'));
}

async function chatCompletions(ctx: HandlerContext, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const at = Date.now();
  const pending = ctx.track(res);
  let body: unknown;
  try {
    body = JSON.parse(await readBody(req));
  } catch {
    body = undefined;
  }
  const parsed = chatRequestSchema.safeParse(body);
  if (!parsed.success) {
    const message = 'request body must be JSON with a "model" string and a "messages" list';
    ctx.requests.push({ at, model: '', turnIndex: null, kind: 'bad-request', stream: false, status: 400, error: message });
    sendJson(res, 400, errorBody(message, 'invalid_request_error'));
    return;
  }
  const request = parsed.data;
  const entry: RequestLogEntry = { at, model: request.model, turnIndex: null, kind: 'text', stream: request.stream === true, status: 200 };
  const workdir = findWorkdir(request.messages);
  if (workdir !== undefined) entry.workdir = workdir;
  ctx.requests.push(entry);

  const planned = await plan(ctx, request, workdir, entry);
  if ('refuse' in planned) {
    Object.assign(entry, { kind: planned.refuse, status: planned.status, error: planned.message });
    sendJson(res, planned.status, errorBody(planned.message, 'invalid_request_error', planned.code));
    return;
  }
  const { answer, delayMs } = planned;
  if (answer.kind === 'hang') entry.kind = 'hang';
  if (delayMs > 0 && !(await waitOrGone(delayMs, pending.gone))) {
    entry.disconnected = true;
    return;
  }
  if (answer.kind === 'hang') {
    await pending.gone;
    entry.disconnected = true;
    return;
  }
  if (answer.kind === 'error') {
    Object.assign(entry, { kind: 'error', status: answer.status, error: answer.message });
    sendJson(res, answer.status, errorBody(answer.message, answer.status >= 500 ? 'server_error' : 'invalid_request_error'));
    return;
  }
  const usage = usageFor(request.messages, answer);
  entry.usage = usage;
  if (answer.toolCalls.length > 0) entry.tools = answer.toolCalls.map((c) => c.name);
  if (entry.kind === 'text' && answer.toolCalls.length > 0) entry.kind = 'tools';
  const meta = { id: `chatcmpl-scripted-${entry.turnIndex ?? entry.kind}`, model: request.model, created: Math.floor(at / 1000) };
  if (request.stream) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const includeUsage = request.stream_options?.include_usage === true;
    for (const frame of streamFrames(answer, meta, includeUsage ? usage : undefined)) res.write(frame);
    res.end();
  } else {
    sendJson(res, 200, completionBody(answer, meta, usage));
  }
}

type Plan = { answer: Answer; delayMs: number } | { refuse: 'not-found' | 'bad-script'; status: number; code: string; message: string };

async function plan(ctx: HandlerContext, request: ChatRequest, workdir: string | undefined, entry: RequestLogEntry): Promise<Plan> {
  const purpose = requestPurpose(request);
  if (purpose !== 'script') {
    entry.kind = purpose;
    return { answer: { kind: 'reply', text: purpose === 'title' ? TITLE_TEXT : SUMMARY_TEXT, toolCalls: [] }, delayMs: 0 };
  }
  let file;
  try {
    file = await resolveScript(request.model, ctx.scriptDirs);
  } catch (err) {
    return { refuse: 'not-found', status: 404, code: 'model_not_found', message: errorMessage(err) };
  }
  let script;
  try {
    script = await loadScript(file);
  } catch (err) {
    // 400, not 500: opencode retries 5xx answers, and a broken script will not fix itself.
    return { refuse: 'bad-script', status: 400, code: 'invalid_script', message: errorMessage(err) };
  }
  const index = turnIndex(request.messages);
  entry.turnIndex = index;
  const turn = script.turns[index];
  if (!turn) {
    entry.kind = 'complete';
    return { answer: { kind: 'reply', text: SCRIPT_COMPLETE_TEXT, toolCalls: [] }, delayMs: 0 };
  }
  if (turn.kind === 'judge') entry.kind = 'judge';
  return { answer: answerForTurn(turn, index, workdir, request.messages), delayMs: turn.delayMs ?? 0 };
}

/** True when the delay ran out, false when the client went away first. */
async function waitOrGone(ms: number, gone: Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), ms);
  });
  const result = await Promise.race([elapsed, gone.then(() => false)]);
  clearTimeout(timer);
  return result;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
