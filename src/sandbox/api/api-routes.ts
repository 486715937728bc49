// The Membrane REST routes the sandbox serves, each a thin translation of a request into one engine
// call: the same connections, actions, runs, intent search and CRM emulations as the sandbox CLI.
import type { IncomingMessage } from 'node:http';
import type { HttpRequest, HttpResponse } from '../emulator-types.js';
import { badRequest, SandboxError } from '../error-data.js';
import { findCatalogEntry } from '../emulators.js';
import { connectionNotFound, findConnection, getConnectionRow, listConnectionRows, type ConnectionRow } from '../connection-model.js';
import type { EngineContext } from '../engine/engine-context.js';
import { getConnection, listConnections, resolveConnection } from '../engine/connection-engine.js';
import { createAction, getAction, INTENT_MAX_CHARS, listActions, runAction } from '../engine/action-engine.js';
import { proxyRequest } from '../engine/proxy-engine.js';
import { objectBody, parseJsonBody, stringField, upstreamRequestHeaders, type QueryReader } from './api-wire.js';

export interface ApiRequest {
  method: string;
  /** The route's `:param` segments, percent-decoded (`/actions/abc/run` → ['abc']). */
  params: string[];
  /** The proxy route: what follows `/proxy`, still percent-encoded, with the request's query string. */
  proxyPath: string;
  query: QueryReader;
  headers: IncomingMessage['headers'];
  /** The request body as text, read on first call. */
  body(): Promise<string>;
  /** Aborts when the client goes away or the server closes (ends a long-poll early). */
  signal: AbortSignal;
}

export type ApiResult =
  | { kind: 'json'; status: number; body: unknown }
  | {
      kind: 'proxied';
      method: HttpRequest['method'];
      response: HttpResponse;
      /** What reached the CRM, for the request log. */
      upstream: { method: string; path: string; headers: string[] };
    };

type Handler = (ctx: EngineContext, req: ApiRequest) => Promise<ApiResult>;

const ok = (body: unknown, status = 200): ApiResult => ({ kind: 'json', status, body });

/** Long-poll bounds of `wait=true&timeout=<s>`. */
const WAIT_MIN_S = 1;
const WAIT_MAX_S = 60;
const WAIT_DEFAULT_S = 30;

const listConnectionsRoute: Handler = async (ctx, { query: q }) => {
  const disconnected = q.boolean('disconnected');
  return ok(
    listConnections(ctx, {
      search: q.string('search'),
      integrationKey: q.string('integrationKey'),
      integrationId: q.string('integrationId') ?? q.string('connectorId'),
      connected: q.boolean('connected') ?? (disconnected === undefined ? undefined : !disconnected),
      limit: q.integer('limit', 1, 1000),
      cursor: q.cursor(),
    }),
  );
};

const getConnectionRoute: Handler = async (ctx, { params, query: q }) => {
  // Sandbox connections are never BUILDING (authentication is instant): `wait` has nothing to wait
  // for and answers at once, but its timeout is still checked.
  q.seconds('timeout', WAIT_MIN_S, WAIT_MAX_S);
  return ok(getConnection(ctx, params[0]));
};

/** The connection `connectionId` / `connectionKey` name in the query, if any. */
function queryConnection(ctx: EngineContext, q: QueryReader): ConnectionRow | undefined {
  return resolveConnection(ctx, { id: q.string('connectionId'), key: q.string('connectionKey') });
}

const listActionsRoute: Handler = async (ctx, { query: q }) => {
  const intent = q.string('intent');
  // Membrane's API refuses a longer intent (a client bug worth seeing), where the CLI cuts it.
  if (intent !== undefined && intent.length > INTENT_MAX_CHARS) {
    throw badRequest(`'intent' must be at most ${INTENT_MAX_CHARS} characters, got ${intent.length}`);
  }
  const limit = q.integer('limit', 1, 1000);
  return ok(await listActions(ctx, { connection: queryConnection(ctx, q), intent, limit, cursor: q.cursor() }));
};

async function jsonObject(req: ApiRequest): Promise<Record<string, unknown>> {
  return objectBody(parseJsonBody(await req.body()));
}

const createActionRoute: Handler = async (ctx, req) => {
  const body = await jsonObject(req);
  const intent = stringField(body, 'intent')?.trim();
  if (!intent) throw badRequest("'intent' is required: the sandbox builds an action from what the intent asks for");
  const id = stringField(body, 'connectionId');
  const key = stringField(body, 'connectionKey');
  if (id === undefined && key === undefined)
    throw badRequest("'connectionId' is required: the sandbox builds connection-level actions only");
  const connection = resolveConnection(ctx, { id, key }) as ConnectionRow;
  return ok(await createAction(ctx, { description: intent, connection, name: stringField(body, 'name') }), 201);
};

const getActionRoute: Handler = async (ctx, { params, query: q, signal }) => {
  const wait = q.boolean('wait') ?? false;
  const timeoutS = q.seconds('timeout', WAIT_MIN_S, WAIT_MAX_S) ?? WAIT_DEFAULT_S;
  return ok(await getAction(ctx, params[0], queryConnection(ctx, q), wait ? { timeoutMs: timeoutS * 1000, signal } : undefined));
};

/**
 * The connection a run names: by id, by key (a connection id or a connector key), or by
 * integration (its connector's first connection). One that does not exist is not_found (404), the
 * body Membrane documents for a missing connection; connection_is_defunct is for one that exists
 * but cannot be used (the engine says so), as on the CLI front.
 */
function runConnection(
  ctx: EngineContext,
  named: { connectionId?: string; connectionKey?: string; integrationKey?: string; integrationId?: string },
): ConnectionRow {
  const selector = named.connectionId ?? named.connectionKey;
  if (selector !== undefined) {
    const row = named.connectionId !== undefined ? getConnectionRow(ctx.db, selector) : findConnection(ctx.db, selector);
    if (!row) throw connectionNotFound(selector);
    return row;
  }
  const integration = named.integrationKey ?? named.integrationId;
  if (integration !== undefined) {
    const entry = findCatalogEntry(named.integrationKey !== undefined ? { key: integration } : { id: integration });
    const row = entry && listConnectionRows(ctx.db).find((r) => r.connector_key === entry.key);
    if (!row) throw connectionNotFound(integration);
    return row;
  }
  throw badRequest('Name the connection to run on: connectionId, connectionKey, integrationKey or integrationId');
}

/** The keys POST /act accepts; its body schema is strict, so any other key is a bad request. */
const ACT_KEYS = new Set(['id', 'key', 'api', 'code', 'integrationId', 'integrationKey', 'connectionId', 'connectionKey', 'input', 'meta']);

const actRoute: Handler = async (ctx, req) => {
  const body = await jsonObject(req);
  const unknown = Object.keys(body).filter((k) => !ACT_KEYS.has(k));
  if (unknown.length > 0) throw badRequest(`Unrecognized key(s) in the /act body: ${unknown.map((k) => `'${k}'`).join(', ')}`);
  if (body.api !== undefined || body.code !== undefined) {
    throw badRequest(
      "membrane-sandbox runs actions by 'id' or 'key' only; inline 'api' and 'code' runs are not emulated (use the connection proxy)",
    );
  }
  if (body.meta !== undefined && (typeof body.meta !== 'object' || body.meta === null || Array.isArray(body.meta))) {
    throw badRequest("'meta' must be a JSON object");
  }
  const idOrKey = stringField(body, 'id') ?? stringField(body, 'key');
  if (idOrKey === undefined) throw badRequest("Name the action to run: 'id' or 'key'");
  const connection = runConnection(ctx, {
    connectionId: stringField(body, 'connectionId'),
    connectionKey: stringField(body, 'connectionKey'),
    integrationKey: stringField(body, 'integrationKey'),
    integrationId: stringField(body, 'integrationId'),
  });
  return ok(await runAction(ctx, { idOrKey, connection, input: () => body.input ?? {} }));
};

/** The deprecated `POST /actions/:id/run?connectionId=` with `{input}` (what the SDK's `action(id).run` sends). */
const runActionRoute: Handler = async (ctx, req) => {
  const body = await jsonObject(req);
  const q = req.query;
  const connection = runConnection(ctx, {
    connectionId: q.string('connectionId'),
    connectionKey: q.string('connectionKey'),
    integrationKey: q.string('integrationKey'),
    integrationId: q.string('integrationId'),
  });
  return ok(await runAction(ctx, { idOrKey: req.params[0], connection, input: () => body.input ?? {} }));
};

const PROXY_METHODS: readonly HttpRequest['method'][] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** The proxied body as the CRM sees it: parsed JSON when the text is JSON, the text otherwise, none when empty. */
function proxiedBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const proxyRoute: Handler = async (ctx, req) => {
  const method = req.method as HttpRequest['method'];
  const selector = req.params[0];
  // The selector is a connection id, or a connector key naming its connector's first connection.
  const row = findConnection(ctx.db, selector);
  if (!row) throw connectionNotFound(selector);
  const headers = upstreamRequestHeaders(req.headers);
  const response = await proxyRequest(ctx, {
    connectionId: row.id,
    method,
    rawPath: req.proxyPath,
    headers,
    body: proxiedBody(await req.body()),
  });
  return { kind: 'proxied', method, response, upstream: { method, path: req.proxyPath, headers: Object.keys(headers).sort() } };
};

interface Route {
  /** Literal segments, with ':' for one parameter and '*' for the rest of the path (the proxy). */
  pattern: string[];
  methods: Partial<Record<string, Handler>>;
}

const ROUTES: Route[] = [
  { pattern: ['connections'], methods: { GET: listConnectionsRoute } },
  { pattern: ['connections', ':'], methods: { GET: getConnectionRoute } },
  { pattern: ['connections', ':', 'proxy', '*'], methods: Object.fromEntries(PROXY_METHODS.map((m) => [m, proxyRoute])) },
  { pattern: ['actions'], methods: { GET: listActionsRoute, POST: createActionRoute } },
  { pattern: ['actions', ':'], methods: { GET: getActionRoute } },
  { pattern: ['actions', ':', 'run'], methods: { POST: runActionRoute } },
  { pattern: ['act'], methods: { POST: actRoute } },
];

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`Malformed percent-encoding in the path segment '${segment}'`);
  }
}

export interface MatchedRoute {
  handler: Handler;
  params: string[];
  /** For the proxy route: the path after `/proxy` (percent-encoded as sent). */
  rest: string;
}

/** The handler for a method and path, or a not_found / method-not-allowed SandboxError. */
export function matchRoute(method: string, pathname: string): MatchedRoute {
  const raw = pathname.split('/').slice(1);
  for (const route of ROUTES) {
    const params: string[] = [];
    let rest: string | undefined;
    const matched = route.pattern.every((p, i) => {
      if (p === '*') {
        rest = '/' + raw.slice(i).join('/');
        return true;
      }
      const segment = raw[i];
      if (segment === undefined || segment === '') return false;
      if (p === ':') {
        params.push(decodeSegment(segment));
        return true;
      }
      return segment === p;
    });
    if (!matched || (rest === undefined && raw.length !== route.pattern.length)) continue;
    const handler = route.methods[method];
    if (!handler) {
      throw new SandboxError(
        {
          type: 'bad_request',
          message: `Method ${method} is not allowed on ${pathname} (allowed: ${Object.keys(route.methods).join(', ')})`,
        },
        { httpStatus: 405, httpHeaders: { allow: Object.keys(route.methods).join(', ') } },
      );
    }
    return { handler, params, rest: rest ?? '' };
  }
  throw new SandboxError({ type: 'bad_request', key: 'not_found', message: `No route for ${method} ${pathname}` });
}
