// An HTTP server whose "models" are script files replayed turn by turn. It speaks OpenAI chat
// completions, the OpenAI Responses API and the Anthropic Messages API (see wires/), so a script
// drives opencode's scripted provider and its real anthropic and openai providers alike.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TourneyError, errorMessage } from '../errors.js';
import {
  SCRIPT_COMPLETE_TEXT,
  TITLE_MODEL,
  TITLE_TEXT,
  answerForTurn,
  findWorkdir,
  requestPurpose,
  summaryText,
  turnIndex,
  usageFor,
  type Answer,
  type Usage,
} from './protocol.js';
import { mapToCodex } from './codex-tools.js';
import { listScripts, loadScript, resolveScript } from './script.js';
import { anthropicMessages } from './wires/anthropic-messages.js';
import { openaiChat } from './wires/openai-chat.js';
import { openaiResponses } from './wires/openai-responses.js';
import { presentedKey, type NormalRequest, type Wire, type WireName } from './wires/wire.js';

/** Larger bodies are refused (413) before they are buffered: a hostile client cannot fill the host's memory. */
export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;
/** All bodies being read at once, together: many connections just under the limit do not add up either. */
export const MAX_INFLIGHT_BYTES = 128 * 1024 * 1024;

const ROUTES: Record<string, Wire> = {
  '/v1/chat/completions': openaiChat,
  '/v1/responses': openaiResponses,
  '/v1/messages': anthropicMessages,
};

export interface ScriptedModelServerOptions {
  host?: string;
  /** 0 or undefined: any free port. */
  port?: number;
  /** Directories searched for `<model>.yaml|.yml|.json`, first match wins. */
  scriptDirs: string[];
  /**
   * When set, every model request must carry one of these keys (Authorization: Bearer, x-api-key or api-key),
   * else it is answered 401 in the provider's own error format, as a real provider answers a wrong key.
   */
  apiKeys?: readonly string[];
  /** Default MAX_REQUEST_BYTES. */
  maxRequestBytes?: number;
  /** Default MAX_INFLIGHT_BYTES. */
  maxInflightBytes?: number;
}

export type RequestKind = 'tools' | 'text' | 'judge' | 'error' | 'hang' | 'title' | 'summary' | 'complete' | 'not-found' | 'bad-script' | 'bad-request' | 'unauthorized' | 'too-large';

export interface RequestLogEntry {
  /** Milliseconds since the epoch when the request arrived. */
  at: number;
  /** The API the request came in through. */
  wire: WireName;
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
  /** First 12 hex digits of the sha256 of the API key the request carried: tells keys apart without keeping them. */
  keyId?: string;
  /** Request headers other than the key's, lower-cased (a gateway's custom headers arrive here). */
  headers?: Record<string, string>;
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
  const ctx: HandlerContext = {
    scriptDirs: opts.scriptDirs,
    requests,
    track: (res) => track(open, res),
    maxRequestBytes: opts.maxRequestBytes ?? MAX_REQUEST_BYTES,
    inflight: { bytes: 0, max: opts.maxInflightBytes ?? MAX_INFLIGHT_BYTES },
    ...(opts.apiKeys === undefined ? {} : { apiKeys: opts.apiKeys }),
  };

  const listeners: http.Server[] = [];
  const listen = async (where: string, port: number): Promise<{ url: string; port: number }> => {
    const server = http.createServer((req, res) => {
      handle(ctx, req, res).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, openaiChat.errorBody(500, errorMessage(err)));
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
  apiKeys?: readonly string[];
  maxRequestBytes: number;
  /** Bytes of request bodies buffered right now, over every connection. */
  inflight: { bytes: number; max: number };
}

async function handle(ctx: HandlerContext, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const pathname = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/+$/, '');
  if (req.method === 'GET' && pathname === '/v1/models') {
    const names = [TITLE_MODEL, ...(await listScripts(ctx.scriptDirs))];
    sendJson(res, 200, { object: 'list', data: names.map((id) => ({ id, object: 'model', created: 0, owned_by: 'tourney-scripted' })) });
    return;
  }
  const wire = req.method === 'POST' ? ROUTES[pathname] : undefined;
  if (wire) {
    await answerRequest(ctx, wire, req, res);
    return;
  }
  sendJson(res, 404, openaiChat.errorBody(404, `no route for ${req.method ?? '?'} ${pathname}`, 'not_found'));
}

async function answerRequest(ctx: HandlerContext, wire: Wire, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const at = Date.now();
  const pending = ctx.track(res);
  const key = presentedKey(req);
  const refuse = (kind: RequestKind, status: number, message: string, code?: string, model = '') => {
    ctx.requests.push({ at, wire: wire.name, model, turnIndex: null, kind, stream: false, status, error: message, ...(key !== undefined && { keyId: keyId(key) }) });
    sendJson(res, status, wire.errorBody(status, message, code));
  };
  if (ctx.apiKeys !== undefined && (key === undefined || !ctx.apiKeys.includes(key))) {
    // Real providers check the key before reading the body.
    req.resume();
    refuse('unauthorized', 401, key === undefined ? 'missing API key' : 'invalid x-api-key', 'invalid_api_key');
    return;
  }
  const text = await readBody(req, ctx.maxRequestBytes, ctx.inflight);
  if (text === 'busy') {
    refuse('too-large', 503, `too many request bytes in flight (over ${ctx.inflight.max}); retry later`, 'server_busy');
    res.once('finish', () => req.destroy());
    return;
  }
  if (text === null) {
    refuse('too-large', 413, `request body larger than ${ctx.maxRequestBytes} bytes`, 'request_too_large');
    res.once('finish', () => req.destroy());
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const request = wire.parse(body);
  if (typeof request === 'string') {
    refuse('bad-request', 400, request);
    return;
  }
  const entry: RequestLogEntry = { at, wire: wire.name, model: request.model, turnIndex: null, kind: 'text', stream: request.stream, status: 200, headers: loggedHeaders(req) };
  if (key !== undefined) entry.keyId = keyId(key);
  const workdir = findWorkdir(request.messages);
  if (workdir !== undefined) entry.workdir = workdir;

  const planned = await plan(ctx, request, workdir, entry);
  // Logged once its kind is known: a reader never sees a hanging request as "text".
  ctx.requests.push(entry);
  if ('refuse' in planned) {
    Object.assign(entry, { kind: planned.refuse, status: planned.status, error: planned.message });
    sendJson(res, planned.status, wire.errorBody(planned.status, planned.message, planned.code));
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
    sendJson(res, answer.status, wire.errorBody(answer.status, answer.message));
    return;
  }
  const usage = usageFor(request.messages, answer);
  entry.usage = usage;
  if (answer.toolCalls.length > 0) entry.tools = answer.toolCalls.map((c) => c.name);
  if (entry.kind === 'text' && answer.toolCalls.length > 0) entry.kind = 'tools';
  const meta = { id: `chatcmpl-scripted-${entry.turnIndex ?? entry.kind}`, model: request.model, created: Math.floor(at / 1000) };
  if (request.stream) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    for (const frame of wire.frames(answer, meta, usage, request)) res.write(frame);
    res.end();
  } else {
    sendJson(res, 200, wire.body(answer, meta, usage));
  }
}

type Plan = { answer: Answer; delayMs: number } | { refuse: 'not-found' | 'bad-script'; status: number; code: string; message: string };

async function plan(ctx: HandlerContext, request: NormalRequest, workdir: string | undefined, entry: RequestLogEntry): Promise<Plan> {
  const purpose = request.purpose ?? requestPurpose(request);
  if (purpose !== 'script') {
    entry.kind = purpose;
    const text = purpose === 'title' ? TITLE_TEXT : summaryText(turnIndex(request.messages));
    return { answer: { kind: 'reply', text, toolCalls: [] }, delayMs: 0 };
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
  const answer = answerForTurn(turn, index, workdir, request.messages);
  const { tools } = request;
  if (tools && answer.kind === 'reply') answer.toolCalls = answer.toolCalls.map((call) => mapToCodex(call, tools, workdir));
  return { answer, delayMs: turn.delayMs ?? 0 };
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

/**
 * The body as text; null once it exceeds `limit` bytes, 'busy' once all bodies being read together would
 * exceed the shared budget (in either case the rest is not buffered).
 */
function readBody(req: http.IncomingMessage, limit: number, inflight: { bytes: number; max: number }): Promise<string | null | 'busy'> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (value: string | null | 'busy') => {
      if (settled) return;
      settled = true;
      inflight.bytes -= size;
      chunks.length = 0;
      resolve(value);
    };
    const onData = (c: Buffer) => {
      if (size + c.length > limit || inflight.bytes + c.length > inflight.max) {
        const over = size + c.length > limit ? null : 'busy';
        req.off('data', onData);
        req.resume();
        finish(over);
        return;
      }
      size += c.length;
      inflight.bytes += c.length;
      chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () => finish(Buffer.concat(chunks).toString('utf8')));
    // A client that goes away mid-body gives its bytes back to the budget.
    req.on('close', () => finish(null));
    req.on('error', (err) => {
      if (!settled) {
        settled = true;
        inflight.bytes -= size;
      }
      reject(err);
    });
  });
}

export function keyId(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

const SECRET_HEADERS = new Set(['authorization', 'x-api-key', 'api-key', 'cookie']);

function loggedHeaders(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!SECRET_HEADERS.has(name) && typeof value === 'string') out[name] = value;
  }
  return out;
}

function sendJson(res: http.ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
