// Streamable HTTP: `--http <port>` serves the server factory at http://<host>:<port>/mcp, statelessly: every
// request (2026-era, or 2025-era through the SDK's stateless fallback) is answered by a fresh instance, and
// nothing a later request needs stays in this process (it is in the state store), so any replica behind a
// load balancer can answer any request. Loaded on demand: stdio never pays for it.
//
// Guards, in order, before a body is read: Host header (DNS rebinding), Origin (browsers), bearer token
// (the shared --http-token in constant time), the one path, the one method, each caller's own Membrane token
// (under --http-auth membrane); then the body (size limit, its own deadline, JSON), then the per-client limit
// (per caller under --http-auth membrane), then the SDK (Accept, Content-Type, protocol version, the era).
// Every refusal is a JSON-RPC error. A request counts against its client's open requests only once its body
// is in: bodies sent slowly (or never finished) hold no slot, end in 408 after a few seconds, and are
// bounded per address on their own.
// Two more paths answer load balancers, before any guard (they cannot send a token, and tell nothing
// secret): GET /healthz (the process is up; no other work) and GET /readyz (health-checks.ts: the state
// store and the backend answer; 200 or 503 with a JSON body saying which check failed).
// Limits that keep one client from holding the server: requests open at once per client address, and a
// response the client does not read, or a stream with nothing to say, is closed after a while.
import { createHash, timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, type Server as NodeHttpServer, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AuthInfo, type McpServerFactory, createMcpHandler, validateHostHeader } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { isLoopbackHost } from '../config.js';
import { withDeadline } from '../deadline.js';
import type { Logger } from '../log.js';
import type { Readiness } from './health-checks.js';
import { invalidToolsCall } from './request-checks.js';

export const MCP_PATH = '/mcp';
export const HEALTH_PATH = '/healthz';
export const READY_PATH = '/readyz';

/** Largest JSON-RPC request body accepted: tool arguments (a proxy body, an action input) stay well below. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface HttpLimits {
  /** Requests one client address may have open at once (calls running, responses streaming). */
  perClient: number;
  /** A response whose bytes the client has not read for this long is closed. */
  unreadMs: number;
  /** A response that has sent no MCP message (keep-alives do not count) for this long is closed. */
  idleMs: number;
  /** How often open responses are checked. */
  sweepMs: number;
  /** A request body not fully received this long after its headers is answered 408. */
  bodyMs: number;
  /**
   * Request bodies one client address may be sending at once (they hold no open-request slot meanwhile). A new
   * request beyond that makes the longest-arriving body give way, if it has been arriving for `bodyGraceMs`.
   */
  perClientReading: number;
  bodyGraceMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  perClient: 16,
  unreadMs: 30_000,
  idleMs: 5 * 60_000,
  sweepMs: 5_000,
  bodyMs: 10_000,
  perClientReading: 64,
  bodyGraceMs: 1_000,
};

/** Whether a request may proceed under per-caller credentials, and as whom. */
export type CallerAdmission =
  { ok: true; authInfo: AuthInfo; release: () => void } | { ok: false; status: number; message: string; invalidToken: boolean };

export interface HttpOptions {
  port: number;
  host: string;
  token?: string;
  /** Per-caller credentials (--http-auth membrane): each request is admitted by its own bearer token; its authInfo reaches the factory. */
  callers?: { admit(authorization: string | undefined, address: string): Promise<CallerAdmission> };
  /** What GET /readyz reports (default: ready once listening). */
  readiness?: () => Promise<Readiness>;
  allowedHosts: string[];
  factory: McpServerFactory;
  log: Logger;
  limits?: Partial<HttpLimits>;
}

export interface RunningHttpServer {
  url: string;
  /** Requests being answered now (for logs and tests). */
  open(): number;
  /** Closes responses that broke a time limit at `now` (a timer calls it; tests call it directly). */
  sweep(now?: number): void;
  close(): Promise<void>;
}

/** A JSON-RPC error answer with its HTTP status (code -32000 "server error" unless given). */
function rpcError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}, code = -32000): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

/** Compares digests so neither the token's length nor its prefix leaks through timing. */
function tokenMatches(expected: Buffer, header: string | undefined): 'ok' | 'missing' | 'wrong' {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  const given = createHash('sha256')
    .update(m ? m[1].trim() : '')
    .digest();
  if (!m) return 'missing';
  return timingSafeEqual(given, expected) ? 'ok' : 'wrong';
}

/** Host names the DNS-rebinding check accepts: the configured list, else the loopback names on a loopback host. */
export function allowedHostNames(host: string, configured: string[]): string[] | undefined {
  if (configured.length) return configured.map((h) => h.toLowerCase());
  if (isLoopbackHost(host)) return ['localhost', '127.0.0.1', '[::1]', ...(host.startsWith('127.') && host !== '127.0.0.1' ? [host] : [])];
  return undefined;
}

/**
 * Browsers send Origin; MCP clients outside a browser do not. A page on another site must not drive this
 * server through the user's browser, so an Origin must name a host this server answers to.
 */
function originAllowed(origin: string | undefined, hostHeader: string | undefined, hosts: string[] | undefined): boolean {
  if (origin === undefined) return true;
  let originHost: string | undefined;
  try {
    originHost = new URL(origin).hostname.toLowerCase();
  } catch {
    return false;
  }
  let own = hosts;
  if (!own) {
    try {
      own = [new URL(`http://${hostHeader ?? 'invalid'}`).hostname.toLowerCase()];
    } catch {
      return false;
    }
  }
  return own.includes(originHost);
}

class BodyError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** A request body still arriving; `giveWay` ends its reading with 408 to make room for a newer request. */
interface ArrivingBody {
  since: number;
  giveWay: AbortController;
}

const GAVE_WAY = 'Request body dropped: too many bodies were arriving slowly from this address, and this one had waited longest.';

/** The request body as JSON, read only up to the size limit, within `timeoutMs`, until `dropped` aborts. */
async function readJsonBody(req: IncomingMessage, timeoutMs: number, dropped: AbortSignal): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (declared > MAX_BODY_BYTES) throw new BodyError(413, -32000, `Request body over ${MAX_BODY_BYTES / 1024 / 1024} MB.`);
  const reading = readBytes(req);
  reading.catch(() => undefined);
  const gaveWay = new Promise<never>((_, reject) =>
    dropped.addEventListener('abort', () => reject(new BodyError(408, -32000, GAVE_WAY)), { once: true }),
  );
  gaveWay.catch(() => undefined);
  try {
    const bytes = await withDeadline(Promise.race([reading, gaveWay]), timeoutMs, () => {
      throw new BodyError(408, -32000, `Request body not received within ${Math.round(timeoutMs / 1000)} s.`);
    });
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (e) {
    if (e instanceof BodyError) throw e;
    throw new BodyError(400, -32700, 'Parse error: the body is not JSON.');
  }
}

async function readBytes(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) throw new BodyError(413, -32000, `Request body over ${MAX_BODY_BYTES / 1024 / 1024} MB.`);
      chunks.push(chunk);
    }
  } catch (e) {
    if (e instanceof BodyError) throw e;
    // The client went away mid-body: nobody reads the answer.
    throw new BodyError(400, -32000, 'The request body broke off.');
  }
  return Buffer.concat(chunks);
}

/** One response being answered: who asked, and when it last made progress. */
interface OpenResponse {
  client: string;
  res: ServerResponse;
  /** Last time an MCP message (not a keep-alive) was written. */
  lastMessage: number;
  /** Since when written bytes wait for the client to read them (undefined: nothing waiting). */
  unreadSince?: number;
}

/** SSE frames that carry an event (a `data:` line); comment frames (`: keep-alive`) do not count as activity. */
function carriesMessage(chunk: Uint8Array): boolean {
  return /(^|\n)data:/.test(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1'));
}

/** The response with its body observed: every MCP message written counts as activity of `open`. */
function observed(response: Response, open: OpenResponse): Response {
  if (!response.body) return response;
  const streaming = response.headers.get('content-type')?.includes('text/event-stream') ?? false;
  const body = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        if (!streaming || carriesMessage(chunk)) open.lastMessage = Date.now();
        controller.enqueue(chunk);
      },
    }),
  );
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

export async function startHttpServer(opts: HttpOptions): Promise<RunningHttpServer> {
  const { log } = opts;
  const limits = { ...DEFAULT_HTTP_LIMITS, ...opts.limits };
  const hosts = allowedHostNames(opts.host, opts.allowedHosts);
  if (!hosts)
    log.warning(
      `HTTP on ${opts.host} without a Host allow-list: only the bearer token protects it (set --http-allowed-hosts to the names clients use)`,
    );
  const expectedToken = opts.token ? createHash('sha256').update(opts.token).digest() : undefined;
  const handler = createMcpHandler(opts.factory, {
    onerror: (e) => log.debug(`HTTP: ${e.message.split('\n')[0].slice(0, 300)}`),
    maxRequestBodySize: MAX_BODY_BYTES,
  });
  const open = new Set<OpenResponse>();
  const perClient = new Map<string, number>();
  /** Bodies being received, per client address. */
  const reading = new Map<string, Set<ArrivingBody>>();

  /** GET /healthz and /readyz: no Host, Origin or token check (a load balancer sends none of them), no body, nothing secret. */
  const probe = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(body));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { status: 'method not allowed: use GET' }, { allow: 'GET, HEAD' });
    if (path === HEALTH_PATH) return json(200, { status: 'ok' });
    const report = (await opts.readiness?.()) ?? { ready: true, checks: {} };
    json(report.ready ? 200 : 503, { status: report.ready ? 'ready' : 'not ready', checks: report.checks });
  };

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '').split('?')[0];
    if (path === HEALTH_PATH || path === READY_PATH) return probe(req, res, path);
    if (hosts) {
      const host = validateHostHeader(req.headers.host, hosts);
      if (!host.ok) return rpcError(res, 403, host.message);
    }
    if (!originAllowed(req.headers.origin, req.headers.host, hosts))
      return rpcError(res, 403, `Origin not allowed: ${String(req.headers.origin).slice(0, 100)}`);
    if (expectedToken) {
      const token = tokenMatches(expectedToken, req.headers.authorization);
      if (token !== 'ok')
        return rpcError(
          res,
          401,
          token === 'wrong'
            ? 'Invalid bearer token.'
            : "Missing bearer token: send Authorization: Bearer <token> (the server's --http-token).",
          { 'www-authenticate': `Bearer realm="membrane-crm-mcp"${token === 'wrong' ? ', error="invalid_token"' : ''}` },
        );
    }
    // One canonical path: /MCP, /mcp/ and /mcp/x are not the endpoint (a query string is ignored).
    if (path !== MCP_PATH) return rpcError(res, 404, `Not found: the MCP endpoint is ${MCP_PATH}.`);
    // Stateless: no session stream to GET, no session to DELETE.
    if (req.method !== 'POST')
      return rpcError(res, 405, 'Method not allowed: use POST (this server keeps no sessions).', { allow: 'POST' });

    // The caller's token is checked before the body is read; their tenant stays held until the answer is sent.
    const address = req.socket.remoteAddress ?? 'unknown';
    let authInfo: AuthInfo | undefined;
    if (opts.callers) {
      const admission = await opts.callers.admit(req.headers.authorization, address);
      if (!admission.ok) {
        const challenge = `Bearer realm="membrane-crm-mcp"${admission.invalidToken ? ', error="invalid_token"' : ''}`;
        return rpcError(
          res,
          admission.status,
          admission.message,
          admission.status === 401 ? { 'www-authenticate': challenge } : { 'retry-after': '2' },
        );
      }
      authInfo = admission.authInfo;
      if (res.closed) admission.release();
      else res.on('close', admission.release);
    }

    // The body first, on its own deadline and its own count per address: a body that arrives slowly (or never)
    // takes none of the open-request slots the client's other requests need. Local clients all share one address,
    // so slow bodies cannot hold the count against everyone: at the limit, the one arriving longest gives way.
    let arriving = reading.get(address);
    if (!arriving) reading.set(address, (arriving = new Set<ArrivingBody>()));
    if (arriving.size >= limits.perClientReading) {
      const [longest] = arriving;
      if (!longest || Date.now() - longest.since < limits.bodyGraceMs) {
        return rpcError(res, 429, `Too many request bodies being sent from this address (${limits.perClientReading}); retry shortly.`, {
          'retry-after': '1',
        });
      }
      arriving.delete(longest);
      longest.giveWay.abort();
    }
    const mine: ArrivingBody = { since: Date.now(), giveWay: new AbortController() };
    arriving.add(mine);
    let body: unknown;
    try {
      body = await readJsonBody(req, limits.bodyMs, mine.giveWay.signal);
    } catch (e) {
      if (!(e instanceof BodyError)) throw e;
      rpcError(res, e.status, e.message, e.status === 413 || e.status === 408 ? { connection: 'close' } : {}, e.code);
      // What is left of the body is not read: the connection ends with the answer.
      if (e.status === 408) res.once('finish', () => req.destroy());
      return;
    } finally {
      arriving.delete(mine);
      if (arriving.size === 0 && reading.get(address) === arriving) reading.delete(address);
    }

    // Per caller when each brings their token (behind a load balancer every request comes from its address);
    // per client address otherwise.
    const client = authInfo?.clientId ?? address;
    const count = perClient.get(client) ?? 0;
    if (count >= limits.perClient) {
      return rpcError(res, 429, `Too many open requests from this client (${limits.perClient}); retry when one has finished.`, {
        'retry-after': '1',
      });
    }
    perClient.set(client, count + 1);
    const entry: OpenResponse = { client, res, lastMessage: Date.now() };
    open.add(entry);
    res.on('close', () => {
      open.delete(entry);
      const left = (perClient.get(client) ?? 1) - 1;
      if (left > 0) perClient.set(client, left);
      else perClient.delete(client);
    });
    res.on('drain', () => (entry.unreadSince = undefined));

    const refused = invalidToolsCall(body);
    if (refused) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify(refused));
    }
    const node = toNodeHandler(
      {
        fetch: async (request, options) => observed(await handler.fetch(request, { ...options, ...(authInfo ? { authInfo } : {}) }), entry),
      },
      { onerror: (e) => log.error('HTTP request failed', { stack: e.stack ?? e.message }) },
    );
    await node(req, res, body);
  };

  const listener: NodeHttpServer = createServer((req, res) => {
    serve(req, res).catch((e: unknown) => {
      log.error('HTTP request failed', { stack: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      rpcError(res, 500, 'Internal server error; the server keeps running.');
    });
  });
  // A client that sends its request slowly (or never finishes it) is cut off.
  listener.headersTimeout = 10_000;
  listener.requestTimeout = 30_000;

  const sweep = (now = Date.now()) => {
    for (const entry of open) {
      const { res } = entry;
      if (res.writableNeedDrain) entry.unreadSince ??= now;
      const unread = entry.unreadSince !== undefined && now - entry.unreadSince >= limits.unreadMs;
      const idle = now - entry.lastMessage >= limits.idleMs;
      if (!unread && !idle) continue;
      log.info(`HTTP: closed a response to ${entry.client} (${unread ? 'the client stopped reading it' : 'nothing sent for a long time'})`);
      res.destroy();
    }
  };
  const timer = setInterval(sweep, limits.sweepMs);
  timer.unref();

  await new Promise<void>((resolve, reject) => {
    listener.once('listening', resolve);
    listener.once('error', reject);
    listener.listen(opts.port, opts.host);
  });
  const address = listener.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}${MCP_PATH}`,
    open: () => open.size,
    sweep,
    async close() {
      clearInterval(timer);
      await handler.close().catch(() => undefined);
      listener.closeAllConnections();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}
