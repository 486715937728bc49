// Connections: connect, list, get, disconnect. Connections to emulated connectors become READY at
// once (the sandbox "user" authenticates instantly); other catalog connectors can be connected but
// never become READY, because there is nothing behind them.
import { prepared, writeTx } from '../store.js';
import { badRequest, notFound } from '../error-data.js';
import { catalog, catalogEntry, findCatalogEntry, type CatalogEntry } from '../emulators.js';
import {
  connectionIdFor,
  connectionNotFound,
  connectionView,
  connectUrl,
  findConnection,
  insertConnection,
  listConnectionRows,
  reconnectUrl,
  requireConnectionRow,
  setConnectionState,
  type ClientAction,
  type Connection,
  type ConnectionRow,
} from '../connection-model.js';
import { connectionCounterName } from '../seeding.js';
import { paginate, type Page } from '../cursor-paging.js';
import type { EngineContext } from './engine-context.js';

export interface ConnectionFilter {
  /** Case-insensitive substring of the name, id or connector key. */
  search?: string;
  integrationKey?: string;
  /** An integration or connector id. */
  integrationId?: string;
  /** Only connections that are (true) or are not (false) connected. */
  connected?: boolean;
  limit?: number;
  cursor?: string;
}

export function listConnections(ctx: EngineContext, filter: ConnectionFilter): Page<Connection> {
  const search = filter.search?.toLowerCase();
  const integrationKey = filter.integrationKey?.toLowerCase();
  const byId = filter.integrationId === undefined ? undefined : findCatalogEntry({ id: filter.integrationId });
  const views = listConnectionRows(ctx.db)
    .filter(
      (r) =>
        (integrationKey === undefined || r.connector_key === integrationKey) &&
        (filter.integrationId === undefined || r.connector_key === byId?.key) &&
        (search === undefined || [r.name, r.id, r.connector_key].some((f) => f.toLowerCase().includes(search))),
    )
    .map((r) => connectionView(r, ctx.faults.expiredConnection))
    .filter((c) => filter.connected === undefined || c.connected === filter.connected);
  return paginate(views, filter.limit, filter.cursor);
}

/** The `not-found` fault: every call that names a connection or an action answers not_found. */
export function refuseNamedElement(ctx: EngineContext, what: string): void {
  if (ctx.faults.notFound) throw notFound(`${what} not found`);
}

/** One connection by id, or by key (a connector key names that connector's first connection). */
export function getConnection(ctx: EngineContext, selector: string): Connection {
  refuseNamedElement(ctx, `Connection with id '${selector}'`);
  const row = findConnection(ctx.db, selector);
  if (!row) throw connectionNotFound(selector);
  return connectionView(row, ctx.faults.expiredConnection);
}

/** The connection an action call names: an exact id, or a key (a connection id, or a connector key meaning its first connection). */
export function resolveConnection(ctx: EngineContext, named: { id?: string; key?: string }): ConnectionRow | undefined {
  if (named.id !== undefined) return requireConnectionRow(ctx.db, named.id);
  if (named.key !== undefined) {
    const row = findConnection(ctx.db, named.key);
    if (!row) throw notFound(`Connection with key '${named.key}' not found`);
    return row;
  }
  return undefined;
}

/** A catalog connector named by key, by connector or integration id, or mentioned in an intent ("connect my AmoCRM"). */
export function findConnector(named: { key?: string; id?: string; intent?: string }): CatalogEntry | undefined {
  if (named.key !== undefined) return findCatalogEntry({ key: named.key }) ?? throwNotFound(`Connector '${named.key}' not found`);
  if (named.id !== undefined) return findCatalogEntry({ id: named.id }) ?? throwNotFound(`Connector '${named.id}' not found`);
  if (named.intent !== undefined) {
    return connectorFromIntent(named.intent) ?? throwNotFound(`No connector matches the intent '${named.intent}'`);
  }
  return undefined;
}

function throwNotFound(message: string): never {
  throw notFound(message);
}

function connectorFromIntent(intent: string): CatalogEntry | undefined {
  const words = intent.toLowerCase().split(/[^\p{L}\p{N}-]+/u);
  const squashed = intent.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
  return catalog().find((e) => words.includes(e.key) || squashed.includes(e.name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '')));
}

function notEmulatedAction(entry: CatalogEntry, id: string): ClientAction {
  return {
    type: 'connect',
    description: `${entry.name} is not emulated by membrane-sandbox: this connection can never become READY.`,
    uiUrl: connectUrl(id),
  };
}

function pendingAuthAction(entry: CatalogEntry, id: string): ClientAction {
  return {
    type: 'connect',
    description: `Authenticate ${entry.name} to finish the connection (sandbox: run \`membrane-sandbox connect --connectionId=${id}\`).`,
    uiUrl: connectUrl(id),
  };
}

/** Brings an existing connection back to READY (emulated connectors only). Call inside a write transaction. */
function reconnect(ctx: EngineContext, row: ConnectionRow, name: string | undefined): void {
  const at = new Date(ctx.now()).toISOString();
  const entry = catalogEntry(row.connector_key);
  if (name) prepared(ctx.db, 'UPDATE connections SET name = ? WHERE id = ?').run(name, row.id);
  if (entry.emulated) setConnectionState(ctx.db, row.id, 'READY', false, undefined, at);
  else setConnectionState(ctx.db, row.id, 'CLIENT_ACTION_REQUIRED', row.disconnected === 1, notEmulatedAction(entry, row.id), at);
}

export type ConnectRequest =
  | { reconnect: string; connector?: CatalogEntry; name?: string }
  | { connector: CatalogEntry; name?: string; allowMultiple: boolean; nonInteractive: boolean };

/**
 * Reconnects a connection (by id or key), or connects a connector: its existing connection unless
 * `allowMultiple`, else a new one (READY for emulated connectors unless `nonInteractive`).
 */
export function connect(ctx: EngineContext, req: ConnectRequest): Connection {
  if ('reconnect' in req) {
    const row = findConnection(ctx.db, req.reconnect);
    if (!row) throw connectionNotFound(req.reconnect);
    if (req.connector && req.connector.key !== row.connector_key) {
      throw badRequest(`Connection '${row.id}' belongs to connector '${row.connector_key}', not '${req.connector.key}'`);
    }
    writeTx(ctx.db, () => reconnect(ctx, row, req.name));
    return connectionView(requireConnectionRow(ctx.db, row.id), ctx.faults.expiredConnection);
  }
  const { connector: entry, name, allowMultiple, nonInteractive } = req;
  const id = writeTx(ctx.db, () => {
    const existing = listConnectionRows(ctx.db).find((r) => r.connector_key === entry.key);
    if (existing && !allowMultiple) {
      reconnect(ctx, existing, name);
      return existing.id;
    }
    const n = ctx.store.nextInt(connectionCounterName(entry.key));
    const newId = connectionIdFor(entry.key, n);
    const ready = entry.emulated && !nonInteractive;
    insertConnection(ctx.db, {
      id: newId,
      connectorKey: entry.key,
      name: name ?? (n === 1 ? `${entry.name} (sandbox)` : `${entry.name} (sandbox #${n})`),
      state: ready ? 'READY' : 'CLIENT_ACTION_REQUIRED',
      ...(ready ? {} : { clientAction: entry.emulated ? pendingAuthAction(entry, newId) : notEmulatedAction(entry, newId) }),
      at: new Date(ctx.now()).toISOString(),
    });
    return newId;
  });
  return connectionView(requireConnectionRow(ctx.db, id), ctx.faults.expiredConnection);
}

/** Marks a connection disconnected (what a revoked refresh token does): it needs the user again. */
export function disconnect(ctx: EngineContext, id: string): Connection {
  requireConnectionRow(ctx.db, id);
  const uiUrl = reconnectUrl(id);
  writeTx(ctx.db, () =>
    setConnectionState(
      ctx.db,
      id,
      'CLIENT_ACTION_REQUIRED',
      true,
      { type: 'connect', description: 'The connection was disconnected. Reconnect to continue.', uiUrl },
      new Date(ctx.now()).toISOString(),
    ),
  );
  return connectionView(requireConnectionRow(ctx.db, id));
}
