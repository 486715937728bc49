// Actions: list (ranked by intent), get (with a long-poll while BUILDING), create (BUILDING → READY
// or SETUP_FAILED) and run (input validation, the CRM emulation, the run record).
import { readTx, prepared, writeTx } from '../store.js';
import { InvalidInput, UpstreamFailure, type EmulatorContext } from '../emulator-types.js';
import {
  accessDenied,
  actionNotReady,
  actionRunFailed,
  badRequest,
  invalidInput,
  notFound,
  rateLimited,
  type InputProblem,
} from '../error-data.js';
import { catalogEntry, EMULATED_KEYS, emulatorIn, isEmulatedKey, loadEmulators, type EmulatorRegistry } from '../emulators.js';
import { requireUsableConnection, type ConnectionRow } from '../connection-model.js';
import {
  actionView,
  allActions,
  builtAction,
  builtActionId,
  builtActionRow,
  builtActionRowsByKey,
  prebuiltActions,
  type ActionObject,
  type ActionRow,
  type SandboxAction,
} from '../action-model.js';
import { tokenize } from '../intent.js';
import { validateInput } from '../validate.js';
import { randomHexId } from '../hex-ids.js';
import { meetsRateLimit, pause } from '../faults.js';
import { paginate, type Page } from '../cursor-paging.js';
import { refuseNamedElement } from './connection-engine.js';
import { parseBuildIntent, rankByIntent } from './action-search.js';
import type { EngineContext } from './engine-context.js';

/** The Membrane API's cap on an intent's length. */
export const INTENT_MAX_CHARS = 200;

/** How many actions an intent search returns when the caller gives no limit. */
const DEFAULT_INTENT_LIMIT = 10;

export interface ActionListQuery {
  /** Without a connection every connector's actions are listed and the intent is ignored, as in Membrane. */
  connection?: ConnectionRow;
  intent?: string;
  limit?: number;
  cursor?: string;
}

export async function listActions(ctx: EngineContext, q: ActionListQuery): Promise<Page<ActionObject>> {
  const { connection } = q;
  const intent = q.intent?.trim();
  // A connection's list needs only its own emulation; a connection-less list needs them all.
  const emulators = await loadEmulators(connection ? [connection.connector_key] : undefined);
  const actions = allActions(ctx.db, emulators, connection?.connector_key, ctx.now());
  const ranked = Boolean(connection && intent);
  const views =
    connection && intent
      ? rankByIntent(intent, actions, emulators, connection.connector_key).map((r) => ({
          ...actionView(r.action, connection.id),
          score: r.score,
        }))
      : actions.map((a) => actionView(a, connection?.id));
  const limit = q.limit ?? (ranked ? DEFAULT_INTENT_LIMIT : undefined);
  return paginate(views, limit, q.cursor);
}

function prebuiltById(emulators: EmulatorRegistry, id: string): SandboxAction | undefined {
  for (const key of EMULATED_KEYS) {
    const e = emulators[key];
    const found = e && prebuiltActions(e).find((a) => a.id === id);
    if (found) return found;
  }
  return undefined;
}

function prebuiltByKey(emulators: EmulatorRegistry, actionKey: string): SandboxAction[] {
  return EMULATED_KEYS.flatMap((key) => {
    const e = emulators[key];
    return e ? prebuiltActions(e).filter((a) => a.key === actionKey) : [];
  });
}

/**
 * An action by id, else by key. With a connection, only that connector's actions count (an id of
 * another connector's action gets an error that says so); keys are unique per connector, so a key
 * that several connectors use needs a connection to choose.
 */
export async function findAction(ctx: EngineContext, idOrKey: string, connection?: ConnectionRow): Promise<SandboxAction> {
  const scope = connection?.connector_key;
  const now = ctx.now();
  const emulators = await loadEmulators(scope === undefined ? undefined : [scope]);
  const prebuilt = prebuiltById(emulators, idOrKey);
  if (prebuilt) return prebuilt;
  const row = builtActionRow(ctx.db, idOrKey);
  const built = row ? builtAction(row, await loadEmulators([row.connector_key]), now) : undefined;
  if (built && (scope === undefined || built.connectorKey === scope)) return built;

  const byKey = [
    ...prebuiltByKey(emulators, idOrKey),
    ...builtActionRowsByKey(ctx.db, idOrKey, scope).map((r) => builtAction(r, emulators, now)),
  ];
  if (byKey.length === 1) return byKey[0];
  if (byKey.length > 1) {
    const connectors = [...new Set(byKey.map((a) => a.connectorKey))].join(', ');
    throw badRequest(`Action key '${idOrKey}' exists for several connectors (${connectors}); pass --connectionId to choose`);
  }
  const elsewhere = built ?? (connection ? prebuiltById(await loadEmulators(), idOrKey) : undefined);
  if (connection && elsewhere) {
    throw badRequest(
      `Action '${elsewhere.key}' belongs to connector '${elsewhere.connectorKey}', but connection '${connection.id}' is a '${connection.connector_key}' connection`,
    );
  }
  throw notFound(`Action with id or key '${idOrKey}' not found`);
}

export interface WaitOptions {
  /** Give up waiting after this long and answer with the action as it is (still BUILDING). */
  timeoutMs: number;
  /** Stops the wait early (the client went away, the server is closing). */
  signal?: AbortSignal;
}

/**
 * One action; with `wait`, held while it is BUILDING until it leaves that state or the timeout
 * passes. The build's end time is known, so the wait is one timer, never a busy loop.
 */
export async function getAction(
  ctx: EngineContext,
  idOrKey: string,
  connection?: ConnectionRow,
  wait?: WaitOptions,
): Promise<ActionObject> {
  refuseNamedElement(ctx, `Action with id or key '${idOrKey}'`);
  const deadline = ctx.now() + (wait?.timeoutMs ?? 0);
  let action = await findAction(ctx, idOrKey, connection);
  while (wait && action.state === 'BUILDING' && ctx.now() < deadline && !wait.signal?.aborted) {
    await pause(Math.max(1, Math.min(action.readyAtMs - ctx.now() + 5, deadline - ctx.now())), wait.signal);
    action = await findAction(ctx, action.id, connection);
  }
  return actionView(action, connection?.id);
}

function slug(text: string): string {
  return tokenize(text).slice(0, 8).join('-').slice(0, 48).replace(/-+$/, '') || 'action';
}

function uniqueKey(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

function sentence(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim().slice(0, 100);
  return t.charAt(0).toUpperCase() + t.slice(1);
}

type BuildPlan =
  { state: 'READY'; operation: string; entity: string } | { state: 'SETUP_FAILED'; operation?: string; entity?: string; error: string };

const BUILD_FAULT_REASON = 'The action-building agent gave up without a working action (MEMBRANE_SANDBOX_FAULT=build-fails)';

function planBuild(ctx: EngineContext, emulators: EmulatorRegistry, connectorKey: string, description: string, name: string): BuildPlan {
  if (!isEmulatedKey(connectorKey)) {
    return {
      state: 'SETUP_FAILED',
      error: `${catalogEntry(connectorKey).name} is not emulated by membrane-sandbox: actions cannot be built for it`,
    };
  }
  const emulator = emulatorIn(emulators, connectorKey);
  const parsed = parseBuildIntent(description, emulator);
  if ('reason' in parsed) return { state: 'SETUP_FAILED', error: parsed.reason };
  if (ctx.faults.buildFails)
    return { state: 'SETUP_FAILED', operation: parsed.operation, entity: parsed.entity, error: BUILD_FAULT_REASON };
  const built = emulator.buildAction(parsed.operation, parsed.entity, name, description);
  return built.ok
    ? { state: 'READY', operation: parsed.operation, entity: parsed.entity }
    : { state: 'SETUP_FAILED', operation: parsed.operation, entity: parsed.entity, error: built.reason };
}

export interface CreateActionRequest {
  /** What the action should do, in words ("create a lead"): the intent the building agent gets. */
  description: string;
  connection: ConnectionRow;
  name?: string;
}

/** Stores a new action for the connection; it answers BUILDING (unless the build time is 0) and becomes READY or SETUP_FAILED. */
export async function createAction(ctx: EngineContext, req: CreateActionRequest): Promise<ActionObject> {
  const { connection, description } = req;
  refuseNamedElement(ctx, `Connection with id '${connection.id}'`);
  if (ctx.faults.actionCreateForbidden && ctx.caller === 'tenant') {
    throw accessDenied(
      'Access denied: creating an action needs a workspace (manager) token; a tenant token may search and run actions but not create them. ' +
        'Use a token minted with the workspace secret without a tenant (claims {workspaceKey, isAdmin: true}), or ask a workspace admin to create the action.',
    );
  }
  const name = req.name ?? sentence(description);
  const emulators = await loadEmulators([connection.connector_key]);
  const plan = planBuild(ctx, emulators, connection.connector_key, description, name);
  const row = writeTx(ctx.db, () => {
    // Stamped inside the transaction: waiting for the write lock must not eat into the build time.
    const nowMs = ctx.now();
    const at = new Date(nowMs).toISOString();
    const taken = new Set(allActions(ctx.db, emulators, connection.connector_key, nowMs).map((a) => a.key));
    const newRow: ActionRow = {
      id: builtActionId(ctx.store.nextInt('sandbox:built-actions')),
      connector_key: connection.connector_key,
      connection_id: connection.id,
      key: uniqueKey(slug(req.name ?? description), taken),
      name,
      description,
      operation: plan.operation ?? null,
      entity: plan.entity ?? null,
      state: plan.state,
      error: plan.state === 'SETUP_FAILED' ? plan.error : null,
      // build-hangs: the build never ends (as far as any process of this store can tell).
      ready_at: ctx.faults.buildHangs ? Number.MAX_SAFE_INTEGER : nowMs + ctx.buildMs,
      created_at: at,
      updated_at: at,
    };
    prepared(
      ctx.db,
      `INSERT INTO actions (id, connector_key, connection_id, key, name, description, operation, entity, state, error, ready_at, created_at, updated_at)
       VALUES (@id, @connector_key, @connection_id, @key, @name, @description, @operation, @entity, @state, @error, @ready_at, @created_at, @updated_at)`,
    ).run(newRow);
    return newRow;
  });
  // As of its creation.
  return actionView(builtAction(row, emulators, Date.parse(row.created_at)), connection.id);
}

export interface RunActionRequest {
  idOrKey: string;
  connection: ConnectionRow;
  /**
   * The input, a JSON object that must match the action's input schema. Read only after the action
   * and the connection were checked, so a front that parses it here reports those errors first.
   */
  input: () => unknown;
}

export interface ActionRunResult {
  output: unknown;
  actionRunId: string;
}

function recordRun(ctx: EngineContext, id: string, actionId: string, connectionId: string, status: string): void {
  prepared(ctx.db, 'INSERT INTO action_runs (id, action_id, connection_id, status, created_at) VALUES (?, ?, ?, ?, ?)').run(
    id,
    actionId,
    connectionId,
    status,
    new Date(ctx.now()).toISOString(),
  );
}

/** Thrown inside the run transaction when the rate-limit fault says no; nothing is written. */
class RateLimitHit extends Error {}

export async function runAction(ctx: EngineContext, req: RunActionRequest): Promise<ActionRunResult> {
  const { connection } = req;
  refuseNamedElement(ctx, `Action with id or key '${req.idOrKey}'`);
  const action = await findAction(ctx, req.idOrKey, connection);
  if (action.state !== 'READY' || !action.def) throw actionNotReady(action.state, action.error);
  requireUsableConnection(ctx.db, connection.id, ctx.faults.expiredConnection);

  const def = action.def;
  const input = req.input();
  const problems = await validateInput(def.inputSchema, input);
  if (problems.length > 0) {
    const summary = problems.map((p) => `${p.path} ${p.message}`).join('; ');
    throw invalidInput(`Input does not match the input schema of action '${action.key}': ${summary}`, problems);
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalidInput('Input must be a JSON object', [{ path: '/', message: 'must be object' }]);
  }
  const fields = input as Record<string, unknown>;

  const runId = randomHexId();
  const ectx: EmulatorContext = { store: ctx.store, connectionId: connection.id, now: () => ctx.now() };
  const reads = def.operation === 'list' || def.operation === 'get' || def.operation === 'search';
  try {
    let output: unknown;
    if (meetsRateLimit(ctx.db, ctx.faults, connection.connector_key, ctx.now())) throw new RateLimitHit();
    if (reads) {
      // Reads run on a consistent WAL snapshot without the write lock; only the bookkeeping writes.
      output = readTx(ctx.db, () => def.run(ectx, fields));
      writeTx(ctx.db, () => recordRun(ctx, runId, action.id, connection.id, 'succeeded'));
    } else {
      output = writeTx(ctx.db, () => {
        const out = def.run(ectx, fields);
        recordRun(ctx, runId, action.id, connection.id, 'succeeded');
        return out;
      });
    }
    return { output, actionRunId: runId };
  } catch (err) {
    if (err instanceof RateLimitHit) throw rateLimited(catalogEntry(connection.connector_key).name);
    if (err instanceof UpstreamFailure) {
      writeTx(ctx.db, () => recordRun(ctx, runId, action.id, connection.id, 'failed'));
      const { status, headers, body } = err.response;
      throw actionRunFailed(err.message, runId, { status, headers, data: body });
    }
    if (err instanceof InvalidInput) {
      writeTx(ctx.db, () => recordRun(ctx, runId, action.id, connection.id, 'failed'));
      const problem: InputProblem = { path: err.field ? `/${err.field.replace(/\./g, '/')}` : '/', message: err.message };
      // The run was recorded (as failed), so its id goes with the error, as for CRM errors.
      throw invalidInput(err.message, [problem], runId);
    }
    throw err;
  }
}
