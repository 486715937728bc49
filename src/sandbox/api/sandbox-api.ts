// The sandbox as a Membrane REST API server (`membrane-sandbox serve`, or startSandboxApi from a test
// or a bench): node:http over the same SQLite store and engine as the CLI. One process keeps the
// emulations loaded and the statements prepared, so a call costs a request, not a process.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appendFileSync } from 'node:fs';
import { openDb, RecordStore, type Db } from '../store.js';
import { badRequest, toInternal, type SandboxError } from '../error-data.js';
import { GARBAGE_TEXT, noiseLines, parseFaults, pause, type Faults } from '../faults.js';
import { ensureSeeded } from '../seeding.js';
import { loadEmulators } from '../emulators.js';
import { validateInput } from '../validate.js';
import { DEFAULT_BUILD_MS, refusalByFault, type EngineContext } from '../engine/engine-context.js';
import { authenticate, completeCredentials, type Authenticated, type SandboxApiCredentials } from './api-auth.js';
import { matchRoute, type ApiResult } from './api-routes.js';
import { downstreamResponseHeaders, httpStatusOf, QueryReader, readBody } from './api-wire.js';

export interface SandboxApiOptions {
  /** The sandbox's SQLite file (what MEMBRANE_SANDBOX_DB names for the CLI); seeded on first use. */
  db: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Any part not given is random for this start. */
  credentials?: Partial<SandboxApiCredentials>;
  /** Faults in MEMBRANE_SANDBOX_FAULT syntax (`latency=200,expired-token`); none by default. */
  faults?: string;
  /** How long a new action stays BUILDING, in ms (default 1500). */
  buildMs?: number;
  /** Append one JSON line per answered request to this file (method, path, query, auth kind, status, ms). */
  requestLog?: string;
  /**
   * Serve any tenant a token signed with the workspace secret names (not only `credentials.tenantKey`): each
   * other tenant gets a store of its own next to `db`, seeded on its first request (tenantDbPath).
   */
  anyTenant?: boolean;
}

/** Tenants besides the sandbox's own that one server keeps open at most (a store file each). */
export const MAX_OTHER_TENANTS = 32;

/** The store of another tenant: `<db>.tenant-<tenantKey>` next to the main one (the key is checked by TENANT_KEY_PATTERN). */
export function tenantDbPath(db: string, tenantKey: string): string {
  return `${db}.tenant-${tenantKey}`;
}

export interface SandboxApi {
  /** The `apiUri` to give the SDK, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  credentials: SandboxApiCredentials;
  /** Stops listening, ends held and idle connections, waits for requests in flight, closes the store. */
  close(): Promise<void>;
}

interface LogEntry {
  at: string;
  method: string;
  path: string;
  query: [string, string][];
  apiVersion?: string;
  auth?: Authenticated['kind'];
  caller?: Authenticated['caller'];
  /** The tenant a token named, when it is not the sandbox's own (anyTenant). */
  tenant?: string;
  status?: number;
  ms?: number;
  upstream?: Extract<ApiResult, { kind: 'proxied' }>['upstream'];
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** `crash`: the status, the headers and half the body, then the connection drops (the work was done). */
function sendHalfAndDrop(res: ServerResponse, status: number, headers: Record<string, string | number>, body: Buffer): void {
  res.writeHead(status, { ...headers, 'content-length': body.length });
  res.write(body.subarray(0, Math.floor(body.length / 2)));
  res.socket?.destroy();
}

/** Where an answer goes: the response, the faults that shape it, and what must happen before it leaves. */
interface Reply {
  res: ServerResponse;
  faults: Faults;
  /** Writes the request log line: before the answer, so a client holding the answer always finds its line. */
  beforeAnswer(status: number): void;
}

function send(reply: Reply, status: number, headers: Record<string, string | number>, body: Buffer | undefined): void {
  const { res, faults } = reply;
  if (res.destroyed || res.headersSent) return;
  reply.beforeAnswer(status);
  if (faults.crash) return sendHalfAndDrop(res, status, headers, body ?? Buffer.alloc(0));
  res.writeHead(status, body === undefined ? headers : { ...headers, 'content-length': body.length });
  res.end(body);
}

function jsonBuffer(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** A proxied CRM answer: its status and headers, its body as JSON or text (none for HEAD, 204 or null). */
function sendProxied(reply: Reply, result: Extract<ApiResult, { kind: 'proxied' }>): void {
  const { response } = result;
  const headers: Record<string, string> = downstreamResponseHeaders(response.headers);
  const empty = result.method === 'HEAD' || response.body === null || response.body === undefined;
  let body: Buffer | undefined;
  if (!empty) {
    const isText = typeof response.body === 'string';
    body = isText ? Buffer.from(response.body as string) : jsonBuffer(response.body);
    const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
    if (!hasType) headers['content-type'] = isText ? 'text/plain; charset=utf-8' : 'application/json';
  }
  send(reply, response.status, headers, body);
}

function sendErrorData(reply: Reply, err: SandboxError): void {
  send(reply, httpStatusOf(err), { ...err.httpHeaders, 'content-type': JSON_TYPE }, jsonBuffer(err.errorData));
}

export async function startSandboxApi(options: SandboxApiOptions): Promise<SandboxApi> {
  const faults = parseFaults(options.faults);
  const credentials = completeCredentials(options.credentials);
  const db = openDb(options.db);
  try {
    await ensureSeeded(db);
  } catch (err) {
    db.close();
    throw err;
  }
  const contextOf = (tenantDb: Db): Omit<EngineContext, 'caller'> => ({
    db: tenantDb,
    store: new RecordStore(tenantDb),
    faults,
    buildMs: options.buildMs ?? DEFAULT_BUILD_MS,
    now: () => Date.now(),
  });
  const base = contextOf(db);
  /** Other tenants' stores (anyTenant), opened and seeded on first use. */
  const others = new Map<string, Promise<Omit<EngineContext, 'caller'>>>();
  const otherTenant = (tenantKey: string): Promise<Omit<EngineContext, 'caller'>> => {
    let ctx = others.get(tenantKey);
    if (!ctx) {
      if (others.size >= MAX_OTHER_TENANTS)
        throw badRequest(`This sandbox serves at most ${MAX_OTHER_TENANTS} tenants besides its own`, 'access_denied');
      const tenantDb = openDb(tenantDbPath(options.db, tenantKey));
      ctx = ensureSeeded(tenantDb).then(
        () => contextOf(tenantDb),
        (err: unknown) => {
          tenantDb.close();
          others.delete(tenantKey);
          throw err;
        },
      );
      others.set(tenantKey, ctx);
    }
    return ctx;
  };
  const closing = new AbortController();
  /** Requests the `hang` fault holds forever (until close). */
  const held = new Set<ServerResponse>();
  const inFlight = new Set<Promise<void>>();

  function writeLog(entry: LogEntry): void {
    if (!options.requestLog) return;
    try {
      appendFileSync(options.requestLog, JSON.stringify(entry) + '\n');
    } catch (err) {
      process.stderr.write(`membrane-sandbox: cannot write the request log: ${(err as Error).message}\n`);
    }
  }

  async function answer(req: IncomingMessage, reply: Reply, log: LogEntry): Promise<void> {
    const { res } = reply;
    // Split by hand rather than with URL, which would resolve `.`/`..` segments (also percent-encoded
    // ones) and so turn a proxied path into another route instead of a refused one.
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const pathname = q >= 0 ? target.slice(0, q) : target;
    const search = q >= 0 ? target.slice(q) : '';
    const searchParams = new URLSearchParams(search);
    const method = (req.method ?? 'GET').toUpperCase();
    log.method = method;
    log.path = pathname;
    log.query = [...searchParams];
    if (faults.stderrNoise) for (const line of noiseLines()) process.stderr.write(`${line}\n`);
    if (faults.latencyMs > 0) await pause(faults.latencyMs, closing.signal);
    if (faults.hang) {
      held.add(res);
      res.on('close', () => held.delete(res));
      return;
    }
    if (faults.garbage) {
      // What a gateway in front of the API answers when the API is down: an HTML page, not ErrorData.
      send(reply, 502, { 'content-type': 'text/html; charset=utf-8' }, Buffer.from(GARBAGE_TEXT.slice(GARBAGE_TEXT.indexOf('<html>'))));
      return;
    }
    try {
      const auth = authenticate(req.headers.authorization, credentials, Date.now(), options.anyTenant);
      log.auth = auth.kind;
      log.caller = auth.caller;
      if (auth.otherTenant) log.tenant = auth.otherTenant;
      const tenantBase = auth.otherTenant ? await otherTenant(auth.otherTenant) : base;
      if (faults.notLoggedIn) throw badRequest('Not authenticated: the access token was not accepted', 'not_authenticated');
      const refusal = refusalByFault(faults);
      if (refusal) throw refusal;
      const route = matchRoute(method, pathname);
      // The route's work stops waiting when the client leaves or the server closes.
      const gone = new AbortController();
      const onClosing = () => gone.abort();
      closing.signal.addEventListener('abort', onClosing, { once: true });
      res.on('close', () => {
        gone.abort();
        closing.signal.removeEventListener('abort', onClosing);
      });
      let bodyText: Promise<string> | undefined;
      const result = await route.handler(
        { ...tenantBase, caller: auth.caller },
        {
          method,
          params: route.params,
          proxyPath: route.rest + search,
          query: new QueryReader(searchParams),
          headers: req.headers,
          body: () => (bodyText ??= readBody(req)),
          signal: gone.signal,
        },
      );
      if (result.kind === 'json') send(reply, result.status, { 'content-type': JSON_TYPE }, jsonBuffer(result.body));
      else {
        log.upstream = result.upstream;
        sendProxied(reply, result);
      }
    } catch (err) {
      sendErrorData(reply, toInternal(err));
    }
  }

  const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    const started = performance.now();
    const log: LogEntry = { at: new Date().toISOString(), method: '', path: '', query: [] };
    const version = req.headers['membrane-api-version'];
    if (typeof version === 'string') log.apiVersion = version;
    let logged = false;
    const record = (status: number) => {
      if (logged) return;
      logged = true;
      log.status = status;
      log.ms = Math.round((performance.now() - started) * 100) / 100;
      writeLog(log);
    };
    const reply: Reply = { res, faults, beforeAnswer: record };
    const work = answer(req, reply, log)
      .catch((err: unknown) => sendErrorData(reply, toInternal(err)))
      .finally(() => {
        inFlight.delete(work);
        // A request that got no answer (the client left first) is logged when its work ends; a held one never.
        if (!held.has(res)) record(res.statusCode);
      });
    inFlight.add(work);
  });

  let address: AddressInfo;
  try {
    address = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  } catch (err) {
    db.close();
    throw err;
  }
  // Load what the first calls need now rather than on the first call: the emulations and the validator.
  void Promise.all([loadEmulators(), validateInput({ type: 'object' }, {})]).catch(() => undefined);

  let closed: Promise<void> | undefined;
  async function close(): Promise<void> {
    closing.abort();
    for (const res of held) res.socket?.destroy();
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await Promise.allSettled([...inFlight]);
    server.closeAllConnections();
    await stopped;
    db.close();
    for (const other of others.values()) (await other.catch(() => undefined))?.db.close();
  }

  return {
    url: `http://${hostForUrl(address.address)}:${address.port}`,
    credentials,
    close: () => (closed ??= close()),
  };
}
