// The egress sidecar of one entrant under `sandbox.network: allowlist` (run by tourney in its own container, from
// the sandbox image, on the entrant's sealed network and on the run's egress network). The entrant's only way out:
//  - an HTTP forward proxy on :3128 (CONNECT for https, absolute-form requests for http) that connects only to the
//    allowed host:port pairs and refuses everything else;
//  - a TCP forward on :4096 to the entrant's agent server, for the host only (the sealed network has no host address).
// Every decision is a JSON line on stdout, which tourney reads from the container's log: this file trusts nothing the
// entrant sends, so names are checked before they are logged or resolved.
import http from 'node:http';
import net from 'node:net';

const ALLOW = JSON.parse(process.env.TOURNEY_ALLOW ?? '[]'); // [{ host, port }] with port null = 80 and 443
const AGENT = process.env.TOURNEY_AGENT ?? ''; // host:port of the entrant's agent server
const HOST_ADDRESS = process.env.TOURNEY_HOST_ADDRESS ?? ''; // the only peer allowed to use the agent forward
const LOG_LINES = 100;
// Fixed in the sidecar; settable so the program can be tested on its own.
const PROXY_PORT = Number(process.env.TOURNEY_PROXY_PORT ?? 3128);
const FORWARD_PORT = Number(process.env.TOURNEY_FORWARD_PORT ?? 4096);
const LISTEN_HOST = process.env.TOURNEY_LISTEN_HOST ?? '0.0.0.0';

const HOST_RE = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$|^\[[0-9a-f:.]+\]$/;
const totals = { allowed: 0, denied: 0 };
let flushTimer;

function record(decision, host, port, how) {
  totals[decision] += 1;
  if (totals[decision] <= LOG_LINES) {
    process.stdout.write(`${JSON.stringify({ tourney: 'egress', decision, host, port, how, at: Date.now() })}\n`);
  }
  // Beyond the first lines only the totals, at most twice a second: a flooding entrant cannot fill the log.
  flushTimer ??= setTimeout(() => {
    flushTimer = undefined;
    process.stdout.write(`${JSON.stringify({ tourney: 'egress-totals', ...totals })}\n`);
  }, 500);
}

function parseTarget(text, defaultPort) {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(text ?? '');
  if (!match) return null;
  const host = match[1].toLowerCase();
  const port = match[2] ? Number(match[2]) : defaultPort;
  if (!HOST_RE.test(host) || host.length > 253 || !(port >= 1 && port <= 65535)) return null;
  return { host, port };
}

function allowed({ host, port }) {
  return ALLOW.some((a) => a.host === host && (a.port === null ? port === 443 || port === 80 : a.port === port));
}

function refuse(socket, status, text) {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: ${text.length + 1}\r\n\r\n${text}\n`);
}

const unbracket = (host) => host.replace(/^\[|\]$/g, '');

const proxy = http.createServer((req, res) => {
  let url;
  try {
    url = new URL(req.url ?? '');
  } catch {
    url = null;
  }
  const target = url && url.protocol === 'http:' ? parseTarget(url.host, 80) : null;
  if (!target || !allowed(target)) {
    record('denied', target?.host ?? String(url?.host ?? '(not a proxy request)').slice(0, 100), target?.port ?? null, req.method ?? 'GET');
    res.writeHead(403, { 'Content-Type': 'text/plain', Connection: 'close' });
    res.end('tourney: this host is not in sandbox.allow\n');
    return;
  }
  record('allowed', target.host, target.port, req.method ?? 'GET');
  const headers = { ...req.headers };
  delete headers['proxy-connection'];
  delete headers['proxy-authorization'];
  const upstream = http.request(
    { host: unbracket(target.host), port: target.port, method: req.method, path: `${url.pathname}${url.search}`, headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
    res.end();
  });
  res.on('close', () => upstream.destroy());
  req.pipe(upstream);
});

proxy.on('connect', (req, socket, head) => {
  socket.on('error', () => undefined);
  const target = parseTarget(req.url, 443);
  if (!target || !allowed(target)) {
    record('denied', target?.host ?? String(req.url ?? '').slice(0, 100), target?.port ?? null, 'CONNECT');
    refuse(socket, 403, 'tourney: this host is not in sandbox.allow');
    return;
  }
  record('allowed', target.host, target.port, 'CONNECT');
  const upstream = net.connect(target.port, unbracket(target.host), () => {
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.on('error', () => refuse(socket, 502, 'tourney: the allowed host did not answer'));
  socket.on('close', () => upstream.destroy());
});
proxy.on('clientError', (_err, socket) => socket.destroy());
proxy.listen(PROXY_PORT, LISTEN_HOST, () => process.stdout.write(`${JSON.stringify({ tourney: 'egress-ready' })}\n`));

// The agent forward: only the host (the egress network's gateway) may use it.
const [agentHost, agentPort] = AGENT.split(':');
if (agentHost && agentPort) {
  net
    .createServer((socket) => {
      socket.on('error', () => undefined);
      if (socket.remoteAddress?.replace(/^::ffff:/, '') !== HOST_ADDRESS) {
        socket.destroy();
        return;
      }
      const upstream = net.connect(Number(agentPort), agentHost, () => {
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('close', () => upstream.destroy());
    })
    .listen(FORWARD_PORT, LISTEN_HOST);
}
