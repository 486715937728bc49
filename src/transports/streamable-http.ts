// Streamable HTTP transport: `--http <port>` serves the same server factory as stdio at
// http://<host>:<port>/mcp, one McpServer per MCP session, all sharing one Membrane client (so the
// concurrency cap and shared lookups hold across clients). Loaded on demand: stdio never pays for express.
//
// Guards, in order: Host header check (the SDK's DNS-rebinding middleware), Origin check (browsers),
// bearer token (when set), JSON body limit (only then is a body read), then the SDK transport (which
// checks Accept, Content-Type, session ids, protocol version).
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Server as NodeHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostHeaderValidation } from '@modelcontextprotocol/sdk/server/middleware/hostHeaderValidation.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import express, { type NextFunction, type Request, type Response } from 'express';
import { isLoopbackHost } from '../config.js';
import type { Logger } from '../log.js';
import type { CreatedServer } from '../server.js';

export const MCP_PATH = '/mcp';

/** Largest JSON-RPC request body accepted: tool arguments (a proxy body, an action input) stay well below. */
const MAX_BODY = '4mb';
/** Sessions a client never closed are dropped after this long without a request. */
const SESSION_IDLE_MS = 30 * 60_000;
/** Open sessions at once; the longest-idle one without work in flight makes room beyond it. */
export const MAX_SESSIONS = 64;

export interface HttpOptions {
  port: number;
  host: string;
  token?: string;
  allowedHosts: string[];
  makeServer: () => CreatedServer;
  log: Logger;
  /** Defaults MAX_SESSIONS and SESSION_IDLE_MS; smaller in tests. */
  maxSessions?: number;
  idleMs?: number;
  sweepEveryMs?: number;
}

export interface RunningHttpServer {
  url: string;
  /** Open MCP sessions (for logs and tests). */
  sessions(): number;
  /** Closes the sessions idle at `now` (the timer calls it every minute; tests call it directly). */
  sweepIdle(now?: number): void;
  /** Closes every session and the listener. */
  close(): Promise<void>;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  created: CreatedServer;
  lastSeen: number;
  /** Requests of this session still open (a running tool call, an open GET stream): never evicted or swept then. */
  active: number;
}

/** A JSON-RPC error answer with its HTTP status (code -32000 "server error" unless given). */
function rpcError(res: Response, status: number, message: string, headers: Record<string, string> = {}, code = -32000): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });
}

/** Compares digests so neither the token's length nor its prefix leaks through timing. */
function bearerCheck(token: string) {
  const expected = createHash('sha256').update(token).digest();
  return (req: Request, res: Response, next: NextFunction) => {
    const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    const given = createHash('sha256')
      .update(m ? m[1].trim() : '')
      .digest();
    if (m && timingSafeEqual(given, expected)) return next();
    rpcError(
      res,
      401,
      m ? 'Invalid bearer token.' : "Missing bearer token: send Authorization: Bearer <token> (the server's --http-token).",
      {
        'WWW-Authenticate': `Bearer realm="membrane-crm-mcp"${m ? ', error="invalid_token"' : ''}`,
      },
    );
  };
}

/**
 * Browsers send Origin; MCP clients outside a browser do not. A page on another site must not drive this
 * server through the user's browser, so an Origin must name a host this server answers to.
 */
function originCheck(hosts: string[] | undefined) {
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    if (origin === undefined) return next();
    let originHost: string | undefined;
    try {
      originHost = new URL(origin).hostname.toLowerCase();
    } catch {
      originHost = undefined;
    }
    const own = hosts ?? [new URL(`http://${req.headers.host ?? 'invalid'}`).hostname.toLowerCase()];
    if (originHost && own.includes(originHost)) return next();
    rpcError(res, 403, `Origin not allowed: ${origin.slice(0, 100)}`);
  };
}

/** Host names the DNS-rebinding check accepts: the configured list, else the loopback names on a loopback host. */
export function allowedHostNames(host: string, configured: string[]): string[] | undefined {
  if (configured.length) return configured.map((h) => h.toLowerCase());
  if (isLoopbackHost(host)) return ['localhost', '127.0.0.1', '[::1]', ...(host.startsWith('127.') && host !== '127.0.0.1' ? [host] : [])];
  return undefined;
}

export async function startHttpServer(opts: HttpOptions): Promise<RunningHttpServer> {
  const { log } = opts;
  const maxSessions = opts.maxSessions ?? MAX_SESSIONS;
  const idleMs = opts.idleMs ?? SESSION_IDLE_MS;
  const sessions = new Map<string, Session>();
  const app = express();
  app.disable('x-powered-by');

  const hosts = allowedHostNames(opts.host, opts.allowedHosts);
  if (hosts) app.use(hostHeaderValidation(hosts));
  else
    log.warning(
      `HTTP on ${opts.host} without a Host allow-list: only the bearer token protects it (set --http-allowed-hosts to the names clients use)`,
    );
  app.use(originCheck(hosts));
  if (opts.token) app.use(bearerCheck(opts.token));

  const closeSession = async (id: string, why: string) => {
    const s = sessions.get(id);
    if (!s) return;
    sessions.delete(id);
    log.debug(`HTTP session ${id.slice(0, 8)} closed (${why})`);
    await s.transport.close().catch(() => undefined);
    await s.created.close().catch(() => undefined);
  };

  const sweepIdle = (now = Date.now()) => {
    for (const [id, s] of sessions) if (s.active === 0 && now - s.lastSeen > idleMs) void closeSession(id, 'idle');
  };
  const sweep = setInterval(sweepIdle, opts.sweepEveryMs ?? 60_000);
  sweep.unref();

  /** Counts a request against its session until the response closes (a tool call, an SSE stream). */
  const track = (s: Session, res: Response) => {
    s.active++;
    s.lastSeen = Date.now();
    res.on('close', () => {
      s.active--;
      s.lastSeen = Date.now();
    });
  };

  /** Initializes under way: counted against the limit before their session exists. */
  let pendingInits = 0;
  /**
   * Reserves room for one more session (counted in pendingInits until it exists or fails), evicting the
   * longest-idle session with nothing in flight when at the limit; false when every session is busy.
   */
  const reserveSlot = (): boolean => {
    if (sessions.size + pendingInits >= maxSessions) {
      const idle = [...sessions.entries()].filter(([, s]) => s.active === 0).sort((a, b) => a[1].lastSeen - b[1].lastSeen)[0];
      if (!idle) return false;
      void closeSession(idle[0], 'session limit'); // leaves the map at once; its transport closes in the background
    }
    pendingInits++;
    return true;
  };

  app.post(MCP_PATH, express.json({ limit: MAX_BODY }), async (req: Request, res: Response) => {
    const id = req.headers['mcp-session-id'];
    const existing = typeof id === 'string' ? sessions.get(id) : undefined;
    if (existing) {
      track(existing, res);
      return existing.transport.handleRequest(req, res, req.body);
    }
    if (id !== undefined) return rpcError(res, 404, 'Unknown or expired MCP session: initialize a new one.');
    if (!isInitializeRequest(req.body)) return rpcError(res, 400, 'No MCP session: the first request must be initialize.');
    if (!reserveSlot()) return rpcError(res, 503, `All ${maxSessions} MCP sessions are busy; retry shortly.`, { 'Retry-After': '5' });

    let created: CreatedServer | undefined;
    let transport: StreamableHTTPServerTransport | undefined;
    try {
      created = opts.makeServer();
      transport = sessionTransport(created, res);
      await created.server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    } finally {
      pendingInits--;
      // The SDK refused the initialize (Accept, Content-Type, version…): no session exists, so nothing else would free it.
      if (created && !(transport?.sessionId && sessions.has(transport.sessionId))) await created.close().catch(() => undefined);
    }
  });

  /** The transport of a new session: registers it once the SDK accepts the initialize. */
  function sessionTransport(created: CreatedServer, res: Response): StreamableHTTPServerTransport {
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sid) => {
        const session: Session = { transport, created, lastSeen: Date.now(), active: 0 };
        sessions.set(sid, session);
        track(session, res);
        log.debug(`HTTP session ${sid.slice(0, 8)} opened (${sessions.size} open)`);
      },
      onsessionclosed: (sid) => void closeSession(sid, 'client ended it'),
    });
    transport.onclose = () => {
      if (transport.sessionId) void closeSession(transport.sessionId, 'transport closed');
    };
    return transport;
  }

  // GET opens the server-to-client stream of a session; DELETE ends it. Both need the session id.
  const existingSession = async (req: Request, res: Response) => {
    const id = req.headers['mcp-session-id'];
    const s = typeof id === 'string' ? sessions.get(id) : undefined;
    if (!s)
      return rpcError(
        res,
        typeof id === 'string' ? 404 : 400,
        typeof id === 'string' ? 'Unknown or expired MCP session.' : 'Missing Mcp-Session-Id header.',
      );
    track(s, res);
    await s.transport.handleRequest(req, res);
  };
  app.get(MCP_PATH, existingSession);
  app.delete(MCP_PATH, existingSession);
  app.all(MCP_PATH, (_req: Request, res: Response) =>
    rpcError(res, 405, 'Method not allowed: use POST, GET or DELETE.', { Allow: 'POST, GET, DELETE' }),
  );
  app.use((_req: Request, res: Response) => rpcError(res, 404, `Not found: the MCP endpoint is ${MCP_PATH}.`));
  // Last: a body that is not JSON or too big gets a JSON-RPC error; anything else a generic one (never a stack trace).
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (err.type === 'entity.too.large') return rpcError(res, 413, `Request body over ${MAX_BODY}.`);
    if (err.type === 'entity.parse.failed') return rpcError(res, 400, 'Parse error: the body is not JSON.', {}, -32700);
    if (err.status && err.status >= 400 && err.status < 500) return rpcError(res, err.status, 'Bad request.');
    log.error('HTTP request failed', { error: err.stack ?? err.message });
    if (!res.headersSent) rpcError(res, 500, 'Internal server error; the server keeps running.');
  });

  const listener: NodeHttpServer = await new Promise((resolve, reject) => {
    const srv = app.listen(opts.port, opts.host);
    srv.once('listening', () => resolve(srv));
    srv.once('error', reject);
  });
  const address = listener.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}${MCP_PATH}`;

  return {
    url,
    sessions: () => sessions.size,
    sweepIdle,
    async close() {
      clearInterval(sweep);
      await Promise.all([...sessions.keys()].map((id) => closeSession(id, 'server shutting down')));
      listener.closeAllConnections();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}
