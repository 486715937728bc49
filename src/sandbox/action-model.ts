// Actions as the CLI shows them: the emulations' prebuilt catalogs (in code, always READY) plus
// actions built by `action create` (rows of the `actions` table, rebuilt from operation + entity
// through `emulator.buildAction` whenever they are used).
import {
  ACTION_TYPE_OF_OPERATION,
  type ActionDef,
  type ActionType,
  type Emulator,
  type JsonSchema,
  type Operation,
} from './emulator-types.js';
import type { Db } from './store.js';
import { emulatorIn, isEmulatedKey, type EmulatorRegistry } from './emulators.js';
import { badRequest, notFound } from './error-data.js';
import { hexId } from './hex-ids.js';
import { SEED_CLOCK_ISO } from './seeding.js';

export type ActionState = 'BUILDING' | 'READY' | 'SETUP_FAILED';

/** An action of either kind, with its state as of "now". */
export interface SandboxAction {
  id: string;
  key: string;
  name: string;
  description: string;
  connectorKey: string;
  type: ActionType;
  state: ActionState;
  /** The runnable definition; undefined when the build failed. */
  def: ActionDef | undefined;
  /** Why the build failed (state SETUP_FAILED). */
  error?: string;
  /** Built actions: the connection they were created for. */
  connectionId?: string;
  prebuilt: boolean;
  createdAt: string;
  updatedAt: string;
  /** When a built action leaves BUILDING (ms); 0 for prebuilt ones. */
  readyAtMs: number;
}

/** The Action object printed by `action list/get/create` (SDK ActionApiResponse fields). */
export interface ActionObject {
  id: string;
  key: string;
  name: string;
  description: string;
  type: ActionType;
  state: ActionState;
  connectionId?: string;
  integrationKey: string;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
  isReadOnly: boolean;
  createdAt: string;
  updatedAt: string;
  error?: { type: 'action_instance_setup'; message: string };
  errors?: { type: 'action_instance_setup'; message: string }[];
  /**
   * `action list --intent` only: relevance from 0 to 1 (0.5 and up: the intent names the action's record
   * type and operation). Not an SDK field; clients that do not know it ignore it.
   */
  score?: number;
}

export interface ActionRow {
  id: string;
  connector_key: string;
  connection_id: string | null;
  key: string;
  name: string;
  description: string;
  operation: string | null;
  entity: string | null;
  /** The state the build ends in (READY or SETUP_FAILED); BUILDING is derived from ready_at. */
  state: 'READY' | 'SETUP_FAILED';
  error: string | null;
  ready_at: number;
  created_at: string;
  updated_at: string;
}

const READ_ONLY: ReadonlySet<Operation> = new Set(['list', 'get', 'search']);

export function prebuiltActionId(connectorKey: string, key: string): string {
  return hexId('action', connectorKey, key);
}

export function builtActionId(n: number): string {
  return hexId('built-action', n);
}

export function prebuiltActions(emulator: Emulator): SandboxAction[] {
  return emulator.actions.map((def) => ({
    id: prebuiltActionId(emulator.key, def.key),
    key: def.key,
    name: def.name,
    description: def.description,
    connectorKey: emulator.key,
    type: def.type,
    state: 'READY',
    def,
    prebuilt: true,
    createdAt: SEED_CLOCK_ISO,
    updatedAt: SEED_CLOCK_ISO,
    readyAtMs: 0,
  }));
}

export function builtActionRows(db: Db, connectorKey?: string): ActionRow[] {
  return (
    connectorKey === undefined
      ? db.prepare('SELECT * FROM actions ORDER BY rowid').all()
      : db.prepare('SELECT * FROM actions WHERE connector_key = ? ORDER BY rowid').all(connectorKey)
  ) as ActionRow[];
}

export function builtAction(row: ActionRow, emulators: EmulatorRegistry, nowMs: number): SandboxAction {
  let state: ActionState = row.state;
  let error = row.error ?? undefined;
  let def: ActionDef | undefined;
  const operation = row.operation as Operation | null;
  if (state === 'READY' && operation && row.entity && isEmulatedKey(row.connector_key)) {
    const built = emulatorIn(emulators, row.connector_key).buildAction(operation, row.entity, row.name, row.description);
    if (built.ok) def = built.action;
    else {
      state = 'SETUP_FAILED';
      error = built.reason;
    }
  }
  const building = nowMs < row.ready_at;
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    description: row.description,
    connectorKey: row.connector_key,
    type: def?.type ?? (operation ? ACTION_TYPE_OF_OPERATION[operation] : 'connector-operation'),
    state: building ? 'BUILDING' : state,
    def,
    ...(error !== undefined && !building ? { error } : {}),
    ...(row.connection_id ? { connectionId: row.connection_id } : {}),
    prebuilt: false,
    createdAt: row.created_at,
    updatedAt: building ? row.created_at : new Date(Math.max(row.ready_at, Date.parse(row.created_at))).toISOString(),
    readyAtMs: row.ready_at,
  };
}

/**
 * Prebuilt then built actions, of one connector or of all. `emulators` must hold the connector
 * (or every emulated connector when `connectorKey` is undefined).
 */
export function allActions(db: Db, emulators: EmulatorRegistry, connectorKey: string | undefined, nowMs: number): SandboxAction[] {
  const prebuilt = Object.values(emulators)
    .filter((e): e is Emulator => e !== undefined && (connectorKey === undefined || e.key === connectorKey))
    .flatMap(prebuiltActions);
  const built = builtActionRows(db, connectorKey).map((r) => builtAction(r, emulators, nowMs));
  return [...prebuilt, ...built];
}

/**
 * Finds an action by id, else by key. Keys are unique per connector; a key that exists for several
 * connectors needs a connection to choose (the error says so).
 */
export function findAction(actions: readonly SandboxAction[], idOrKey: string): SandboxAction {
  const byId = actions.find((a) => a.id === idOrKey);
  if (byId) return byId;
  const byKey = actions.filter((a) => a.key === idOrKey);
  if (byKey.length === 1) return byKey[0];
  if (byKey.length > 1) {
    const connectors = [...new Set(byKey.map((a) => a.connectorKey))].join(', ');
    throw badRequest(`Action key '${idOrKey}' exists for several connectors (${connectors}); pass --connectionId to choose`);
  }
  throw notFound(`Action with id or key '${idOrKey}' not found`);
}

const EMPTY_OBJECT_SCHEMA: JsonSchema = { type: 'object' };

export function actionView(a: SandboxAction, connectionId?: string): ActionObject {
  // Built actions that failed have no definition, hence no operation.
  const op = a.def?.operation;
  const shownConnection = connectionId ?? a.connectionId;
  const failure = a.state === 'SETUP_FAILED' ? { type: 'action_instance_setup' as const, message: a.error ?? 'Build failed' } : undefined;
  return {
    id: a.id,
    key: a.key,
    name: a.name,
    description: a.description,
    type: a.type,
    state: a.state,
    ...(shownConnection ? { connectionId: shownConnection } : {}),
    integrationKey: a.connectorKey,
    inputSchema: a.def?.inputSchema ?? EMPTY_OBJECT_SCHEMA,
    outputSchema: a.def?.outputSchema ?? EMPTY_OBJECT_SCHEMA,
    isReadOnly: op !== undefined && READ_ONLY.has(op),
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    ...(failure ? { error: failure, errors: [failure] } : {}),
  };
}

export function actionLine(a: ActionObject): string {
  const line = `${a.key.padEnd(28)} ${a.state.padEnd(12)} ${a.id}  ${a.name}${a.score === undefined ? '' : `  (score ${a.score})`}`;
  return a.error ? `${line}\n  ${a.error.message}` : line;
}
