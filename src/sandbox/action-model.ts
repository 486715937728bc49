// Actions as the CLI shows them: the emulations' prebuilt catalogs (in code, always READY) plus
// actions built by `action create` (rows of the `actions` table, rebuilt from operation + entity
// through `emulator.buildAction` whenever they are used).
import {
  ACTION_TYPE_OF_OPERATION,
  type ActionDef,
  type ActionType,
  type BuildResult,
  type Emulator,
  type JsonSchema,
  type Operation,
} from './emulator-types.js';
import { prepared, type Db } from './store.js';
import { emulatorIn, isEmulatedKey, type EmulatorRegistry } from './emulators.js';
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

// Prebuilt actions never change in a process, so each emulation's list is made once.
const PREBUILT = new WeakMap<Emulator, SandboxAction[]>();

export function prebuiltActions(emulator: Emulator): SandboxAction[] {
  let list = PREBUILT.get(emulator);
  if (!list) {
    list = makePrebuiltActions(emulator);
    PREBUILT.set(emulator, list);
  }
  return list;
}

function makePrebuiltActions(emulator: Emulator): SandboxAction[] {
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

export function builtActionRow(db: Db, id: string): ActionRow | undefined {
  return prepared(db, 'SELECT * FROM actions WHERE id = ?').get(id) as ActionRow | undefined;
}

/** Built actions with this key, of one connector or of all, in creation order. */
export function builtActionRowsByKey(db: Db, key: string, connectorKey?: string): ActionRow[] {
  return (
    connectorKey === undefined
      ? prepared(db, 'SELECT * FROM actions WHERE key = ? ORDER BY rowid').all(key)
      : prepared(db, 'SELECT * FROM actions WHERE key = ? AND connector_key = ? ORDER BY rowid').all(key, connectorKey)
  ) as ActionRow[];
}

export function builtActionRows(db: Db, connectorKey?: string): ActionRow[] {
  return (
    connectorKey === undefined
      ? prepared(db, 'SELECT * FROM actions ORDER BY rowid').all()
      : prepared(db, 'SELECT * FROM actions WHERE connector_key = ? ORDER BY rowid').all(connectorKey)
  ) as ActionRow[];
}

// A built action is rebuilt from (operation, entity, name, description) whenever it is used; the
// result depends on nothing else, so a long-running `serve` builds each one once (and its input
// schema stays the same object, which keeps its compiled validator). Bounded: cleared when full.
const BUILT = new Map<string, BuildResult>();
const BUILT_MAX = 512;

function buildOnce(emulator: Emulator, operation: Operation, entity: string, name: string, description: string): BuildResult {
  const key = JSON.stringify([emulator.key, operation, entity, name, description]);
  let result = BUILT.get(key);
  if (!result) {
    if (BUILT.size >= BUILT_MAX) BUILT.clear();
    result = emulator.buildAction(operation, entity, name, description);
    BUILT.set(key, result);
  }
  return result;
}

export function builtAction(row: ActionRow, emulators: EmulatorRegistry, nowMs: number): SandboxAction {
  let state: ActionState = row.state;
  let error = row.error ?? undefined;
  let def: ActionDef | undefined;
  const operation = row.operation as Operation | null;
  if (state === 'READY' && operation && row.entity && isEmulatedKey(row.connector_key)) {
    const built = buildOnce(emulatorIn(emulators, row.connector_key), operation, row.entity, row.name, row.description);
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
