// MembraneClient over Membrane's REST API: one keep-alive HTTPS request per call instead of a CLI process.
// The routes (relative to the API address):
//   connection list  GET  /connections?limit&cursor            ({items, cursor}, followed for a bounded number of pages)
//   action list      GET  /actions?connectionId&intent&limit   (intent search needs the connection; intent ≤ 200 chars)
//   action get       GET  /actions/:id?connectionId&wait&timeout (long-poll while the action builds)
//   action create    POST /actions {intent, connectionId, name}
//   action run       POST /act {id, connectionId, input}; the deprecated POST /actions/:id/run?connectionId {input}
//                    only when /act does not exist on this API (a 404 or 405 that is not Membrane's ErrorData)
//   request          ANY  /connections/:id/proxy/<path>         (the CRM's status, headers and body, passed on)
// One attempt per call, bounded by the call's signal, a timeout, a concurrency cap and a response size cap;
// retries and the write rules are the decorator's (../call-safety.ts).
import { ToolError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { redactDeep } from '../../redact.js';
import { type ErrorContext, fromErrorData, upstreamError } from '../membrane-errors.js';
import { allConnections } from '../connection-pages.js';
import { ID_PATTERN } from '../identifiers.js';
import { Limiter, QueueAbort } from '../limiter.js';
import {
  type AccessCheck,
  type Action,
  type ActionCreateQuery,
  type ActionGetQuery,
  type ActionListQuery,
  type ActionRunQuery,
  type Backend,
  type BackendInfo,
  type CallOptions,
  type Connection,
  type MembraneClient,
  type MembraneOperation,
  type ProxyRequest,
  type ProxyResponse,
  type RunResult,
  type UserActionHints,
  longPollSeconds,
} from '../membrane-client.js';
import { toAction, toActions, toConnections, toRunResult } from '../response-schemas.js';
import { type StopReason, membraneErrorData, responseFailure, transportFailure, unexpectedBody } from './api-failures.js';
import { type ApiMethod, type ApiResponse, type ApiTransport, loadSdk } from './sdk-transport.js';

/** Connections asked for per page (connection-pages.ts follows the cursor). */
const PAGE_SIZE = 100;
/** Membrane's intent search takes at most this many characters. */
export const MAX_INTENT_CHARS = 200;
/** The SDK this backend is built on (pinned exactly in package.json). */
export const SDK_VERSION = '0.28.3';

export interface ApiClientOptions {
  transport: ApiTransport;
  backend: Extract<Backend, 'membrane-api' | 'sandbox-api'>;
  hints: UserActionHints;
  /** The API's address as users see it (no credentials in it); a function when it is known only once `host` started. */
  apiUri: string | (() => string);
  /** True when MEMBRANE_API_URI names another API than Membrane's own. */
  customApiUri: boolean;
  /** Which credential variables were found (names only), for the doctor. */
  credentialNames: string[];
  log: Logger;
  defaultTimeoutMs: number;
  maxConcurrency: number;
  maxResponseBytes: number;
  /**
   * The local process that serves this API, when the server started one (sandbox-api: `membrane-sandbox serve`):
   * describe() waits for its start and reports a failed one; close() stops it once the requests are aborted.
   */
  host?: { ready(): Promise<unknown>; stop(): Promise<void> };
}

interface Route {
  operation: MembraneOperation;
  method: ApiMethod;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  ids?: Pick<ErrorContext, 'connectionId' | 'actionId'>;
}

/** An id or key that goes into a URL path: validated (the SDK does not encode paths), then encoded all the same. */
function segment(field: string, value: string): string {
  if (!ID_PATTERN.test(value)) {
    throw new ToolError('INVALID_INPUT', `${field} "${value.slice(0, 60)}" is not a valid identifier`, {
      retryable: false,
      details: { fields: [{ field, problem: `must match ${ID_PATTERN.source}` }] },
    });
  }
  return encodeURIComponent(value);
}

/** `?a=1&b=2` from the set values (booleans and numbers as text, as Membrane reads them); repeated keys for arrays. */
function queryString(query: Record<string, string | number | boolean | string[] | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) params.append(k, String(one));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** A signal that aborts when any of these does (AbortSignal.any needs Node 20.3; the server runs on any Node 20). */
function linked(signals: AbortSignal[]): { signal: AbortSignal; unlink: () => void } {
  const controller = new AbortController();
  const abort = () => controller.abort();
  for (const s of signals) {
    if (s.aborted) abort();
    else s.addEventListener('abort', abort, { once: true });
  }
  return { signal: controller.signal, unlink: () => signals.forEach((s) => s.removeEventListener('abort', abort)) };
}

export class ApiMembraneClient implements MembraneClient {
  readonly backend: Backend;
  readonly hints: UserActionHints;
  private readonly limiter: Limiter;
  /** Aborts every request in flight at shutdown. */
  private readonly shutdown = new AbortController();
  private closed = false;
  /** Set once this API answered that it has no POST /act: later runs go straight to the deprecated route. */
  private legacyRun = false;

  constructor(private readonly opts: ApiClientOptions) {
    this.backend = opts.backend;
    this.hints = opts.hints;
    this.limiter = new Limiter(opts.maxConcurrency);
  }

  private get apiUri(): string {
    return typeof this.opts.apiUri === 'function' ? this.opts.apiUri() : this.opts.apiUri;
  }

  private get origin(): string {
    try {
      return new URL(this.apiUri).origin;
    } catch {
      return this.apiUri;
    }
  }

  /** One request: a concurrency slot, then the transport, within the call's timeout and signal. */
  private async send(route: Route, opts: CallOptions | undefined): Promise<ApiResponse> {
    const timeoutMs = opts?.timeoutMs ?? this.opts.defaultTimeoutMs;
    const ctx = {
      operation: route.operation,
      hints: this.hints,
      ...route.ids,
      apiOrigin: this.origin,
      customApiUri: this.opts.customApiUri,
      timeoutMs,
    };
    const notStarted = { details: { started: false } };
    if (this.closed) throw transportFailure(undefined, { ...ctx, stopped: 'shutdown' }).with(notStarted);
    const deadline = Date.now() + timeoutMs;
    let release: () => void;
    try {
      release = await this.limiter.acquire(opts?.signal, deadline);
    } catch (e) {
      if (!(e instanceof QueueAbort)) throw e;
      if (e.reason === 'cancelled') throw transportFailure(e, { ...ctx, stopped: 'cancelled' }).with(notStarted);
      throw new ToolError(
        'TIMEOUT',
        `"${route.operation}" ran out of its ${Math.round(timeoutMs / 1000)} s while waiting for a free request slot; it never started`,
        { nextStep: 'Retry when fewer calls are running, or raise --max-concurrency / --cli-timeout.', retryable: true, ...notStarted },
      );
    }
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), Math.max(1, deadline - Date.now()));
    const { signal, unlink } = linked([timeout.signal, this.shutdown.signal, ...(opts?.signal ? [opts.signal] : [])]);
    const started = Date.now();
    try {
      const res = await this.opts.transport({
        method: route.method,
        path: route.path,
        body: route.body,
        headers: route.headers,
        signal,
        maxBytes: this.opts.maxResponseBytes,
      });
      this.opts.log.debug(`api ${route.operation}: HTTP ${res.status} in ${Date.now() - started} ms`);
      return res;
    } catch (e) {
      const stopped: StopReason | undefined = this.shutdown.signal.aborted
        ? 'shutdown'
        : opts?.signal?.aborted
          ? 'cancelled'
          : timeout.signal.aborted
            ? 'timeout'
            : undefined;
      throw transportFailure(e, { ...ctx, stopped });
    } finally {
      clearTimeout(timer);
      unlink();
      release();
    }
  }

  /** A route of Membrane's own: its JSON body on 2xx, its error as a ToolError otherwise. */
  private async call(route: Route, opts: CallOptions | undefined): Promise<ApiResponse> {
    const res = await this.send(route, opts);
    if (res.status >= 200 && res.status < 300) return res;
    throw responseFailure(res, { operation: route.operation, hints: this.hints, ...route.ids });
  }

  private context(operation: MembraneOperation, ids?: Route['ids']): ErrorContext {
    return { operation, hints: this.hints, ...ids };
  }

  listConnections(opts?: CallOptions): Promise<Connection[]> {
    return allConnections(opts?.timeoutMs ?? this.opts.defaultTimeoutMs, async (cursor, timeoutMs) => {
      const path = `/connections${queryString({ limit: PAGE_SIZE, cursor })}`;
      const res = await this.call({ operation: 'connection list', method: 'GET', path }, { ...opts, timeoutMs });
      const connections = toConnections(res.body);
      if (!connections) throw unexpectedBody(res, this.context('connection list'), 'a list of connections');
      return { connections, cursor: (res.body as { cursor?: unknown } | null)?.cursor };
    });
  }

  async listActions(q: ActionListQuery, opts?: CallOptions): Promise<Action[]> {
    const ids = { connectionId: q.connectionId };
    segment('connectionId', q.connectionId);
    const query = queryString({ connectionId: q.connectionId, intent: q.intent?.slice(0, MAX_INTENT_CHARS), limit: q.limit });
    const res = await this.call({ operation: 'action list', method: 'GET', path: `/actions${query}`, ids }, opts);
    const list = toActions(res.body);
    if (!list) throw unexpectedBody(res, this.context('action list', ids), 'a list of actions');
    return list;
  }

  async getAction(q: ActionGetQuery, opts?: CallOptions): Promise<Action> {
    const ids = { connectionId: q.connectionId, actionId: q.id };
    if (q.connectionId) segment('connectionId', q.connectionId);
    const wait = longPollSeconds(q);
    const query = queryString({ connectionId: q.connectionId, ...(wait ? { wait: true, timeout: wait } : {}) });
    const res = await this.call(
      { operation: 'action get', method: 'GET', path: `/actions/${segment('actionId', q.id)}${query}`, ids },
      opts,
    );
    const action = toAction(res.body);
    if (!action) throw unexpectedBody(res, this.context('action get', ids), 'an action');
    return action;
  }

  async createAction(q: ActionCreateQuery, opts?: CallOptions): Promise<Action> {
    const ids = { connectionId: q.connectionId };
    segment('connectionId', q.connectionId);
    const body = { intent: q.description, connectionId: q.connectionId, ...(q.name ? { name: q.name } : {}) };
    const res = await this.call({ operation: 'action create', method: 'POST', path: '/actions', body, ids }, opts);
    const action = toAction(res.body);
    if (!action) throw unexpectedBody(res, this.context('action create', ids), 'an action');
    return action;
  }

  async runAction(q: ActionRunQuery, opts?: CallOptions): Promise<RunResult> {
    const ids = { connectionId: q.connectionId, actionId: q.actionId };
    const action = segment('actionId', q.actionId);
    segment('connectionId', q.connectionId);
    const input = q.input ?? {};
    const legacy: Route = {
      operation: 'action run',
      method: 'POST',
      path: `/actions/${action}/run${queryString({ connectionId: q.connectionId })}`,
      body: { input },
      ids,
    };
    let res: ApiResponse;
    if (this.legacyRun) {
      res = await this.send(legacy, opts);
    } else {
      res = await this.send(
        { operation: 'action run', method: 'POST', path: '/act', body: { id: q.actionId, connectionId: q.connectionId, input }, ids },
        opts,
      );
      // An API without /act answers its router's own 404 (or 405), not a Membrane ErrorData: nothing ran, so the
      // deprecated route is safe to try. A Membrane not_found (the action or connection is missing) is an answer.
      if ((res.status === 404 || res.status === 405) && !membraneErrorData(res.body)) {
        this.opts.log.info(`POST /act is not on this API (HTTP ${res.status}): runs use POST /actions/:id/run from now on`);
        this.legacyRun = true;
        res = await this.send(legacy, opts);
      }
    }
    if (res.status < 200 || res.status >= 300) throw responseFailure(res, this.context('action run', ids));
    const isOutput = !!res.body && typeof res.body === 'object' && 'output' in res.body;
    const err = isOutput ? undefined : membraneErrorData(res.body);
    if (err) throw fromErrorData(err, { ...this.context('action run', ids), status: res.status, headers: res.headers });
    return toRunResult(res.body);
  }

  async request(q: ProxyRequest, opts?: CallOptions): Promise<ProxyResponse> {
    const ids = { connectionId: q.connectionId };
    // The proxy takes a full URL too: only a relative API path may follow it (the tool's path rules check more).
    if (!q.path.startsWith('/') || q.path.startsWith('//') || /[?#]/.test(q.path)) {
      throw new ToolError('INVALID_INPUT', 'path must be a relative API path starting with "/", without "?" or "#"', {
        retryable: false,
        details: { fields: [{ field: 'path', problem: 'must be a relative API path' }] },
      });
    }
    // HEAD has no SDK method: it is sent as GET, and the body is dropped (status and headers are HEAD's answer).
    const method: ApiMethod = q.method === 'HEAD' ? 'GET' : q.method;
    // A body is JSON unless the caller said otherwise (as the CLI backend sends it).
    const headers: Record<string, string> = { ...q.headers };
    if (q.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
      headers['Content-Type'] = 'application/json';
    const res = await this.send(
      {
        operation: 'request',
        method,
        path: `/connections/${segment('connectionId', q.connectionId)}/proxy${q.path}${queryString(q.query ?? {})}`,
        body: q.body,
        headers,
        ids,
      },
      opts,
    );
    // Membrane's own refusal (a defunct connection, a login) comes as ErrorData; anything else is the CRM's answer.
    const own = res.status >= 400 ? membraneErrorData(res.body) : undefined;
    if (own) throw fromErrorData(own, { ...this.context('request', ids), status: res.status, headers: res.headers });
    if (res.status >= 400) throw upstreamError(res.status, res.body, res.headers, this.context('request', ids));
    return { status: res.status, headers: redactDeep(res.headers), body: q.method === 'HEAD' ? undefined : res.body };
  }

  /** The SDK's version and where it points; loads the SDK (no network), so a broken install shows here. */
  async describe(): Promise<BackendInfo> {
    // A host (the sandbox API child) reports its own start failure as a ToolError.
    await this.opts.host?.ready();
    try {
      await loadSdk();
    } catch (e) {
      throw new ToolError(
        'MEMBRANE_ERROR',
        `The Membrane SDK could not be loaded: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
        {
          nextStep: 'Reinstall membrane-crm-mcp (a clone: `npm ci && npm run build`).',
          retryable: false,
        },
      );
    }
    const where = this.opts.host ? ' (membrane-sandbox serve, started by the server)' : this.opts.customApiUri ? ' (MEMBRANE_API_URI)' : '';
    return {
      version: `@membranehq/sdk ${SDK_VERSION}`,
      apiUri: this.apiUri,
      details: [`API: ${this.apiUri}${where}`, `credentials: ${this.opts.credentialNames.join(', ')}`],
    };
  }

  /** One page of one connection: the cheapest call that proves the credentials. */
  async checkAccess(opts?: CallOptions): Promise<AccessCheck> {
    const started = Date.now();
    const res = await this.send({ operation: 'connection list', method: 'GET', path: `/connections${queryString({ limit: 1 })}` }, opts);
    const durationMs = Date.now() - started;
    if (res.status >= 200 && res.status < 300) {
      return { loggedIn: true, summary: `credentials accepted (${this.opts.credentialNames.join(', ')})`, durationMs };
    }
    const e = responseFailure(res, this.context('connection list'));
    if (e.code === 'LOGIN_REQUIRED') {
      return {
        loggedIn: false,
        summary: `Membrane refused the credentials (HTTP ${res.status}) from ${this.opts.credentialNames.join(', ')}`,
        durationMs,
      };
    }
    throw e;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.shutdown.abort();
    await this.opts.host?.stop();
  }
}
