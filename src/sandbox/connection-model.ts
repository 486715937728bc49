// Connections: rows of the `connections` table and the Connection object the CLI prints
// (the SDK's ConnectionApiResponse fields the contract lists).
import { prepared, type Db } from './store.js';
import { catalogEntry, connectorId, integrationId, logoUri, SANDBOX_UI } from './emulators.js';
import { connectionDefunct, notFound } from './error-data.js';
import { hexId } from './hex-ids.js';
import { SANDBOX_SESSION, TENANT_ID } from './session.js';

export type ConnectionState = 'READY' | 'CLIENT_ACTION_REQUIRED';

export interface ClientAction {
  type: 'connect';
  description: string;
  uiUrl: string;
}

export interface ConnectionRow {
  id: string;
  connector_key: string;
  name: string;
  state: ConnectionState;
  disconnected: number;
  client_action: string | null;
  created_at: string;
  updated_at: string;
}

export interface Connection {
  id: string;
  name: string;
  userId: string;
  tenantId: string;
  connectorId: string;
  connectorKey: string;
  integrationId: string;
  integrationKey: string;
  integration: { id: string; key: string; name: string; logoUri: string };
  state: ConnectionState;
  connected: boolean;
  disconnected: boolean;
  clientAction?: ClientAction;
  createdAt: string;
  updatedAt: string;
}

export function reconnectUrl(id: string): string {
  return `${SANDBOX_UI}/connections/${id}/reconnect`;
}

export function connectUrl(id: string): string {
  return `${SANDBOX_UI}/connections/${id}/connect`;
}

/** Id of the n-th connection made for a connector; the seed makes n = 1. */
export function connectionIdFor(connectorKey: string, n: number): string {
  return hexId('connection', connectorKey, n);
}

export function listConnectionRows(db: Db): ConnectionRow[] {
  // rowid = creation order, whatever the clock said (seed rows carry the fixed seed clock).
  return prepared(db, 'SELECT * FROM connections ORDER BY rowid').all() as ConnectionRow[];
}

export function getConnectionRow(db: Db, id: string): ConnectionRow | undefined {
  return prepared(db, 'SELECT * FROM connections WHERE id = ?').get(id) as ConnectionRow | undefined;
}

/**
 * A connection by id, else by key. Sandbox connections have no key of their own: a connector key
 * (`amocrm`) names that connector's first connection.
 */
export function findConnection(db: Db, selector: string): ConnectionRow | undefined {
  const byId = getConnectionRow(db, selector);
  if (byId) return byId;
  const key = selector.toLowerCase();
  return listConnectionRows(db).find((r) => r.connector_key === key);
}

export function connectionNotFound(id: string) {
  return notFound(`Connection with id '${id}' not found`);
}

export function requireConnectionRow(db: Db, id: string): ConnectionRow {
  const row = getConnectionRow(db, id);
  if (!row) throw connectionNotFound(id);
  return row;
}

/**
 * The printed Connection. Under the `expired-connection` fault every connection reports itself
 * disconnected, as Membrane does once a refresh token stops working.
 */
export function connectionView(row: ConnectionRow, expired = false): Connection {
  const entry = catalogEntry(row.connector_key);
  const integration = {
    id: integrationId(entry.key),
    key: entry.key,
    name: entry.name,
    logoUri: logoUri(entry.key),
  };
  let state = row.state;
  let disconnected = row.disconnected === 1;
  let clientAction = row.client_action ? (JSON.parse(row.client_action) as ClientAction) : undefined;
  if (expired) {
    state = 'CLIENT_ACTION_REQUIRED';
    disconnected = true;
    clientAction = {
      type: 'connect',
      description: `The ${entry.name} credentials of this connection expired. Reconnect to continue.`,
      uiUrl: reconnectUrl(row.id),
    };
  }
  return {
    id: row.id,
    name: row.name,
    userId: SANDBOX_SESSION.user.id,
    tenantId: TENANT_ID,
    connectorId: connectorId(entry.key),
    connectorKey: entry.key,
    integrationId: integration.id,
    integrationKey: entry.key,
    integration,
    state,
    connected: state === 'READY',
    disconnected,
    ...(clientAction ? { clientAction } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface NewConnection {
  id: string;
  connectorKey: string;
  name: string;
  state: ConnectionState;
  clientAction?: ClientAction;
  at: string;
}

/** Call inside a write transaction. */
export function insertConnection(db: Db, c: NewConnection): void {
  prepared(
    db,
    `INSERT INTO connections (id, connector_key, name, state, disconnected, client_action, created_at, updated_at)
     VALUES (?, ?, ?, ?, 0, ?, ?, ?)`,
  ).run(c.id, c.connectorKey, c.name, c.state, c.clientAction ? JSON.stringify(c.clientAction) : null, c.at, c.at);
}

/** Call inside a write transaction. */
export function setConnectionState(
  db: Db,
  id: string,
  state: ConnectionState,
  disconnected: boolean,
  clientAction: ClientAction | undefined,
  at: string,
): void {
  prepared(db, 'UPDATE connections SET state = ?, disconnected = ?, client_action = ?, updated_at = ? WHERE id = ?').run(
    state,
    disconnected ? 1 : 0,
    clientAction ? JSON.stringify(clientAction) : null,
    at,
    id,
  );
}

/**
 * The connection `action run` and `request` go through: it must exist and be READY (and not
 * reported expired by the fault). Throws not_found or connection_is_defunct ErrorData.
 */
export function requireUsableConnection(db: Db, id: string, expired: boolean): ConnectionRow {
  const row = requireConnectionRow(db, id);
  const view = connectionView(row, expired);
  if (view.state !== 'READY') {
    const uiUrl = view.clientAction?.uiUrl ?? reconnectUrl(id);
    const why = expired ? 'its credentials expired' : view.disconnected ? 'it is disconnected' : `it is not ready (state ${view.state})`;
    throw connectionDefunct(id, uiUrl, `Connection '${id}' cannot be used: ${why}. Reconnect it at ${uiUrl}`);
  }
  return row;
}
