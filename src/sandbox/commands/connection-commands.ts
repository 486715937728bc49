// connect, connection list, connection get. Connections to emulated connectors become READY at
// once (the sandbox "user" authenticates instantly); other catalog connectors can be connected but
// never become READY, because there is nothing behind them.
import { parseIntFlag, parseSecondsFlag, ArgvProblem, type ParsedArgs } from '../args.js';
import { writeTx } from '../store.js';
import { badRequest, notFound } from '../error-data.js';
import { catalog, catalogEntry, findCatalogEntry, type CatalogEntry } from '../emulators.js';
import {
  connectionIdFor,
  connectionNotFound,
  findConnection,
  connectionView,
  connectUrl,
  insertConnection,
  listConnectionRows,
  requireConnectionRow,
  setConnectionState,
  type ClientAction,
  type Connection,
  type ConnectionRow,
} from '../connection-model.js';
import { connectionCounterName } from '../seeding.js';
import { paginate } from '../cursor-paging.js';
import { output, type CommandContext, type CommandOutput } from './command-context.js';

export function connectionLine(c: Connection): string {
  const line = `${c.id}  ${c.state.padEnd(22)} ${c.connectorKey.padEnd(10)} ${c.name}`;
  return c.clientAction ? `${line}\n  ${c.clientAction.description} ${c.clientAction.uiUrl}` : line;
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
function reconnect(ctx: CommandContext, row: ConnectionRow, name: string | undefined): void {
  const at = new Date(ctx.now()).toISOString();
  const entry = catalogEntry(row.connector_key);
  if (name) ctx.db.prepare('UPDATE connections SET name = ? WHERE id = ?').run(name, row.id);
  if (entry.emulated) setConnectionState(ctx.db, row.id, 'READY', false, undefined, at);
  else setConnectionState(ctx.db, row.id, 'CLIENT_ACTION_REQUIRED', row.disconnected === 1, notEmulatedAction(entry, row.id), at);
}

/** A catalog connector whose key or name the intent mentions ("connect my AmoCRM account"). */
function connectorFromIntent(intent: string): CatalogEntry | undefined {
  const words = intent.toLowerCase().split(/[^\p{L}\p{N}-]+/u);
  const squashed = intent.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
  return catalog().find((e) => words.includes(e.key) || squashed.includes(e.name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '')));
}

/** The connector named by --connectorKey/--integrationKey, --connectorId/--integrationId or --intent, if any. */
function requestedConnector(args: ParsedArgs): CatalogEntry | undefined {
  const key = args.string('connectorKey') ?? args.string('integrationKey');
  const id = args.string('connectorId') ?? args.string('integrationId');
  const intent = args.string('intent');
  if (key !== undefined) return findCatalogEntry({ key }) ?? throwNotFound(`Connector '${key}' not found`);
  if (id !== undefined) return findCatalogEntry({ id }) ?? throwNotFound(`Connector '${id}' not found`);
  if (intent !== undefined) return connectorFromIntent(intent) ?? throwNotFound(`No connector matches the intent '${intent}'`);
  return undefined;
}

function throwNotFound(message: string): never {
  throw notFound(message);
}

export async function connect(ctx: CommandContext, args: ParsedArgs): Promise<CommandOutput> {
  const name = args.string('name');
  const selector = args.string('connectionId') ?? args.string('connectionKey');
  const entry = requestedConnector(args);

  if (selector !== undefined) {
    const row = findConnection(ctx.db, selector);
    if (!row) throw connectionNotFound(selector);
    const connectionId = row.id;
    if (entry && entry.key !== row.connector_key) {
      throw badRequest(`Connection '${connectionId}' belongs to connector '${row.connector_key}', not '${entry.key}'`);
    }
    writeTx(ctx.db, () => reconnect(ctx, row, name));
    const view = connectionView(requireConnectionRow(ctx.db, connectionId), ctx.faults.expiredConnection);
    return output(view, connectionLine(view));
  }

  if (!entry)
    throw new ArgvProblem(
      'connect needs --connectorKey=<key>, --connectorId=<id> or --intent=<text> (or --connectionId=<id> to reconnect)',
    );
  const allowMultiple = args.flag('allowMultipleConnections');
  const nonInteractive = args.flag('non-interactive');
  const store = ctx.store;

  const id = writeTx(ctx.db, () => {
    const existing = listConnectionRows(ctx.db).find((r) => r.connector_key === entry.key);
    if (existing && !allowMultiple) {
      reconnect(ctx, existing, name);
      return existing.id;
    }
    const n = store.nextInt(connectionCounterName(entry.key));
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
  const view = connectionView(requireConnectionRow(ctx.db, id), ctx.faults.expiredConnection);
  return output(view, connectionLine(view));
}

export async function connectionList(ctx: CommandContext, args: ParsedArgs): Promise<CommandOutput> {
  const limit = parseIntFlag(args.string('limit'), 'limit', 1, 1000);
  const search = args.string('search')?.toLowerCase();
  const integrationKey = args.string('integrationKey')?.toLowerCase();
  const rows = listConnectionRows(ctx.db).filter(
    (r) =>
      (integrationKey === undefined || r.connector_key === integrationKey) &&
      (search === undefined || [r.name, r.id, r.connector_key].some((f) => f.toLowerCase().includes(search))),
  );
  const page = paginate(
    rows.map((r) => connectionView(r, ctx.faults.expiredConnection)),
    limit,
    args.string('cursor'),
  );
  const text = page.items.length ? page.items.map(connectionLine).join('\n') : 'No connections';
  return output(page, page.cursor ? `${text}\n(more: --cursor=${page.cursor})` : text);
}

export async function connectionGet(ctx: CommandContext, args: ParsedArgs): Promise<CommandOutput> {
  const id = args.rest(2)[0];
  // Membrane long-polls with --wait while a connection is BUILDING. Sandbox connections are never
  // BUILDING (authentication is instant), so there is nothing to wait for; --timeout is still checked.
  parseSecondsFlag(args.string('timeout'), 'timeout', 30, 60);
  const row = findConnection(ctx.db, id);
  if (!row) throw connectionNotFound(id);
  const view = connectionView(row, ctx.faults.expiredConnection);
  return output(view, connectionLine(view));
}
