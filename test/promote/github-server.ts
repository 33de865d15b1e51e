// A local stand-in for the GitHub REST API (GitHub cannot be reached from here). Every request's
// method, path and JSON body is checked against GitHub's published OpenAPI description
// (@octokit/openapi), and every answer against the response schema, so a request GitHub would
// reject fails here too and the answers have the real shape.
import { createRequire } from 'node:module';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

interface Operation {
  requestBody?: { content: Record<string, { schema: object }> };
  responses: Record<string, { content?: Record<string, { schema: object; examples?: Record<string, { value: unknown }> }> }>;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
}

let spec: OpenApi | null = null;
function openapi(): OpenApi {
  spec ??= createRequire(import.meta.url)('@octokit/openapi/generated/api.github.com.deref.json') as OpenApi;
  return spec;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ strict: false, allErrors: true, formats: { 'repo.nwo': /^[\w.-]+\/[\w.-]+$/, uri: true, 'uri-template': true } }));
const validators = new Map<string, ValidateFunction>();
function validator(key: string, schema: object): ValidateFunction {
  let v = validators.get(key);
  if (!v) validators.set(key, (v = ajv.compile(schema)));
  return v;
}

/** The OpenAPI path template that matches `path`, e.g. /repos/{owner}/{repo}/pulls, with its parameters. */
export function matchPath(path: string): { template: string; params: Record<string, string> } | null {
  for (const template of Object.keys(openapi().paths)) {
    const names: string[] = [];
    const re = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_m, name: string) => (names.push(name), '([^/]+)'))}$`);
    const m = re.exec(path);
    if (m) return { template, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)])) };
  }
  return null;
}

/** Problems with a request body for `method template`, per the published schema ([] = valid). */
export function requestProblems(method: string, template: string, body: unknown): string[] {
  const op = openapi().paths[template]?.[method.toLowerCase()];
  if (!op) return [`${method} ${template} is not in GitHub's API`];
  const schema = op.requestBody?.content['application/json']?.schema;
  if (!schema) return body === undefined ? [] : ['the endpoint takes no body'];
  const v = validator(`req ${method} ${template}`, schema);
  return v(body) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''}`);
}

function responseProblems(method: string, template: string, status: number, body: unknown): string[] {
  const schema = openapi().paths[template]?.[method.toLowerCase()]?.responses[String(status)]?.content?.['application/json']?.schema;
  if (!schema) return [`no ${status} response for ${method} ${template}`];
  const v = validator(`res ${status} ${method} ${template}`, schema);
  return v(body) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

/** GitHub's own example answer for an operation, as a base to fill in. */
function example<T>(method: string, template: string, status: number): T {
  const content = openapi().paths[template]![method]!.responses[String(status)]!.content!['application/json']!;
  return structuredClone(Object.values(content.examples ?? {})[0]!.value) as T;
}

export interface Recorded {
  method: string;
  path: string;
  template: string | null;
  query: Record<string, string>;
  auth: string | undefined;
  body: unknown;
  problems: string[];
}

export interface FakeGitHub {
  url: string;
  requests: Recorded[];
  /** Answer POST /pulls with 422 "already exists" (an open PR with this number exists). */
  existingPr: number | null;
  /** Answer everything with this status (401, 403, 404). */
  failWith: number | null;
  defaultBranch: string;
  close: () => Promise<void>;
}

type Pull = { number: number; html_url: string; url: string; draft?: boolean; title: string; body: string | null; head: { ref: string; label: string }; base: { ref: string; label: string } };

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : undefined;
}

export async function startFakeGitHub(token: string): Promise<FakeGitHub> {
  openapi();
  const state: FakeGitHub = { url: '', requests: [], existingPr: null, failWith: null, defaultBranch: 'main', close: async () => {} };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const body = await readBody(req);
      const match = matchPath(url.pathname);
      const method = (req.method ?? 'GET').toLowerCase();
      const rec: Recorded = { method: method.toUpperCase(), path: url.pathname, template: match?.template ?? null, query: Object.fromEntries(url.searchParams), auth: req.headers.authorization, body, problems: [] };
      state.requests.push(rec);
      const send = (status: number, data: unknown) => {
        if (match) rec.problems.push(...responseProblems(method, match.template, status, data).map((p) => `response: ${p}`));
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(data));
      };
      if (!match) return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
      rec.problems.push(...requestProblems(method, match.template, body));
      if (rec.problems.length) return send(422, { message: 'Invalid request.', documentation_url: 'https://docs.github.com/rest', errors: rec.problems.map((m) => ({ code: 'invalid', message: m })) });
      if (req.headers.authorization !== `token ${token}` && req.headers.authorization !== `Bearer ${token}` || state.failWith === 401) {
        return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
      }
      if (state.failWith === 403) return send(403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request', status: '403' });
      if (state.failWith === 404) return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request', status: '404' });
      const { owner, repo } = match.params;
      const pull = (n: number, head: string, base: string, extra: Partial<Pull> = {}) => {
        const p = example<Pull>('post', '/repos/{owner}/{repo}/pulls', 201);
        // GitHub's own example lists a team without fields its schema requires; a real answer has them.
        return { ...p, ...extra, requested_teams: [], number: n, html_url: `https://github.com/${owner}/${repo}/pull/${n}`, url: `${state.url}/repos/${owner}/${repo}/pulls/${n}`, head: { ...p.head, ref: head, label: `${owner}:${head}` }, base: { ...p.base, ref: base, label: `${owner}:${base}` } };
      };
      switch (`${method} ${match.template}`) {
        case 'get /repos/{owner}/{repo}': {
          // GitHub's example leaves out "language", which its schema requires (null when unknown).
          const r = example<{ source?: object; parent?: object }>('get', '/repos/{owner}/{repo}', 200);
          const fill = (o: object | undefined) => (o ? { language: null, ...o } : o);
          return send(200, { language: 'JavaScript', ...r, source: fill(r.source), parent: fill(r.parent), default_branch: state.defaultBranch, full_name: `${owner}/${repo}` });
        }
        case 'post /repos/{owner}/{repo}/pulls': {
          const b = body as { head: string; base: string; title: string; body?: string; draft?: boolean };
          if (state.existingPr !== null) {
            return send(422, { message: 'Validation Failed', errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${owner}:${b.head}.` }], documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request', status: '422' });
          }
          return send(201, pull(42, b.head, b.base, { title: b.title, body: b.body ?? null, draft: b.draft ?? false }));
        }
        case 'get /repos/{owner}/{repo}/pulls': {
          const head = (url.searchParams.get('head') ?? '').split(':')[1] ?? '';
          return send(200, state.existingPr === null ? [] : [pull(state.existingPr, head, 'main')]);
        }
        case 'post /repos/{owner}/{repo}/issues/{issue_number}/labels': {
          const names = ((body as { labels: (string | { name: string })[] }).labels).map((l) => (typeof l === 'string' ? l : l.name));
          const [sample] = example<object[]>('post', '/repos/{owner}/{repo}/issues/{issue_number}/labels', 200);
          return send(200, names.map((name, i) => ({ ...sample, id: 1000 + i, name })));
        }
        default:
          return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
      }
    })().catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise((resolve) => server.close(() => resolve()));
  return state;
}
