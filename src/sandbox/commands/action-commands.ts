// action list / get / create / run.
import { ArgvProblem, parseIntFlag, parseSecondsFlag, type ParsedArgs } from '../args.js';
import { readTx, writeTx } from '../store.js';
import { InvalidInput, UpstreamFailure, type EmulatorContext } from '../emulator-types.js';
import { actionNotReady, actionRunFailed, badRequest, invalidInput, notFound, rateLimited, type InputProblem } from '../error-data.js';
import { catalogEntry, emulatorIn, isEmulatedKey, loadEmulators, type EmulatorRegistry } from '../emulators.js';
import { findConnection, requireConnectionRow, requireUsableConnection, type ConnectionRow } from '../connection-model.js';
import {
  actionLine,
  actionView,
  allActions,
  builtAction,
  builtActionId,
  findAction,
  type ActionObject,
  type ActionRow,
  type SandboxAction,
} from '../action-model.js';
import { parseDescription, rankActions, tokenize } from '../intent.js';
import { validateInput } from '../validate.js';
import { randomHexId } from '../hex-ids.js';
import { sleep, takeRateSlot } from '../faults.js';
import { paginate } from '../cursor-paging.js';
import { output, pretty, type CommandContext, type CommandOutput } from './command-context.js';

const DEFAULT_INTENT_LIMIT = 10;
/** The Membrane API caps `intent` at 200 characters; longer text is cut, not rejected. */
const INTENT_MAX_CHARS = 200;
export const DEFAULT_BUILD_MS = 1500;

/** --connectionId, or --connectionKey (a connection id, or a connector key meaning its first connection). */
function connectionArg(ctx: CommandContext, args: ParsedArgs, required: boolean): ConnectionRow | undefined {
  const id = args.string('connectionId');
  if (id !== undefined) return requireConnectionRow(ctx.db, id);
  const key = args.string('connectionKey');
  if (key !== undefined) {
    const row = findConnection(ctx.db, key);
    if (!row) throw notFound(`Connection with key '${key}' not found`);
    return row;
  }
  if (required) throw new ArgvProblem('--connectionId=<id> is required');
  return undefined;
}

/** An action for this connection: scoped to its connector, with a clear error for another connector's id. */
async function actionForConnection(ctx: CommandContext, idOrKey: string, connection: ConnectionRow | undefined): Promise<SandboxAction> {
  const now = ctx.now();
  if (!connection) return findAction(allActions(ctx.db, await loadEmulators(), undefined, now), idOrKey);
  try {
    return findAction(allActions(ctx.db, await loadEmulators([connection.connector_key]), connection.connector_key, now), idOrKey);
  } catch (err) {
    const elsewhere = allActions(ctx.db, await loadEmulators(), undefined, now).find((a) => a.id === idOrKey);
    if (elsewhere) {
      throw badRequest(
        `Action '${elsewhere.key}' belongs to connector '${elsewhere.connectorKey}', but connection '${connection.id}' is a '${connection.connector_key}' connection`,
      );
    }
    throw err;
  }
}

export async function actionList(ctx: CommandContext, args: ParsedArgs): Promise<CommandOutput> {
  const connection = connectionArg(ctx, args, false);
  const intent = args.string('intent')?.slice(0, INTENT_MAX_CHARS).trim();
  // A connection's list needs only its own emulation; a connection-less list needs them all.
  const emulators = await loadEmulators(connection ? [connection.connector_key] : undefined);
  const actions = allActions(ctx.db, emulators, connection?.connector_key, ctx.now());
  // As in Membrane, intent ranking needs a connection; without one the intent is ignored.
  const ranked = Boolean(connection && intent);
  let views: ActionObject[] = actions.map((a) => actionView(a, connection?.id));
  if (connection && intent) {
    const vocab = isEmulatedKey(connection.connector_key) ? emulatorIn(emulators, connection.connector_key).entities : [];
    const rankable = actions.map((a) => ({
      key: a.key,
      name: a.name,
      description: a.description,
      operation: a.def?.operation,
      entity: a.def?.entity,
      action: a,
    }));
    // Only actions that match at all, each with its relevance (`score`, 0–1; 0.5 and up is a strong match).
    views = rankActions(intent, rankable, vocab).map((r) => ({ ...actionView(r.action.action, connection.id), score: r.score }));
  }
  const limit = parseIntFlag(args.string('limit'), 'limit', 1, 1000) ?? (ranked ? DEFAULT_INTENT_LIMIT : undefined);
  const page = paginate(views, limit, args.string('cursor'));
  const text = page.items.length ? page.items.map(actionLine).join('\n') : ranked ? 'No action matches' : 'No actions';
  return output(page, page.cursor ? `${text}\n(more: --cursor=${page.cursor})` : text);
}

export async function actionGet(ctx: CommandContext, args: ParsedArgs): Promise<CommandOutput> {
  const idOrKey = args.rest(2)[0];
  const connection = connectionArg(ctx, args, false);
  const wait = args.flag('wait');
  const timeoutS = parseSecondsFlag(args.string('timeout'), 'timeout', 30, 60);
  const deadline = ctx.now() + timeoutS * 1000;
  let action = await actionForConnection(ctx, idOrKey, connection);
  // --wait long-polls while BUILDING; on timeout the action is printed as it is (still BUILDING), exit 0.
  while (wait && action.state === 'BUILDING' && ctx.now() < deadline) {
    await sleep(Math.max(1, Math.min(action.readyAtMs - ctx.now() + 5, deadline - ctx.now())));
    action = await actionForConnection(ctx, action.id, connection);
  }
  const view = actionView(action, connection?.id);
  return output(view, `${actionLine(view)}\n${action.description}`);
}

function buildTimeMs(env: NodeJS.ProcessEnv): number {
  const raw = env.MEMBRANE_SANDBOX_BUILD_MS;
  const n = raw === undefined || raw === '' ? DEFAULT_BUILD_MS : Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : DEFAULT_BUILD_MS;
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

function planBuild(emulators: EmulatorRegistry, connectorKey: string, description: string, name: string): BuildPlan {
  if (!isEmulatedKey(connectorKey)) {
    return {
      state: 'SETUP_FAILED',
      error: `${catalogEntry(connectorKey).name} is not emulated by membrane-sandbox: actions cannot be built for it`,
    };
  }
  const emulator = emulatorIn(emulators, connectorKey);
  const parsed = parseDescription(description, emulator);
  if ('reason' in parsed) return { state: 'SETUP_FAILED', error: parsed.reason };
  const built = emulator.buildAction(parsed.operation, parsed.entity, name, description);
  return built.ok
    ? { state: 'READY', operation: parsed.operation, entity: parsed.entity }
    : { state: 'SETUP_FAILED', operation: parsed.operation, entity: parsed.entity, error: built.reason };
}

export async function actionCreate(ctx: CommandContext, args: ParsedArgs): Promise<CommandOutput> {
  const description = (args.rest(2).join(' ') || args.string('intent') || '').trim();
  if (!description) throw new ArgvProblem('action create needs a "<description>"');
  const connection = connectionArg(ctx, args, true) as ConnectionRow;
  const givenName = args.string('name');
  const name = givenName ?? sentence(description);
  const emulators = await loadEmulators([connection.connector_key]);
  const plan = planBuild(emulators, connection.connector_key, description, name);
  const store = ctx.store;
  const row = writeTx(ctx.db, () => {
    // Stamped inside the transaction: waiting for the write lock must not eat into the build time.
    const nowMs = ctx.now();
    const at = new Date(nowMs).toISOString();
    const taken = new Set(allActions(ctx.db, emulators, connection.connector_key, nowMs).map((a) => a.key));
    const newRow: ActionRow = {
      id: builtActionId(store.nextInt('sandbox:built-actions')),
      connector_key: connection.connector_key,
      connection_id: connection.id,
      key: uniqueKey(slug(givenName ?? description), taken),
      name,
      description,
      operation: plan.operation ?? null,
      entity: plan.entity ?? null,
      state: plan.state,
      error: plan.state === 'SETUP_FAILED' ? plan.error : null,
      ready_at: nowMs + buildTimeMs(ctx.env),
      created_at: at,
      updated_at: at,
    };
    ctx.db
      .prepare(
        `INSERT INTO actions (id, connector_key, connection_id, key, name, description, operation, entity, state, error, ready_at, created_at, updated_at)
         VALUES (@id, @connector_key, @connection_id, @key, @name, @description, @operation, @entity, @state, @error, @ready_at, @created_at, @updated_at)`,
      )
      .run(newRow);
    return newRow;
  });
  // As of its creation: `action create` always answers BUILDING (unless the build time is 0).
  const view = actionView(builtAction(row, emulators, Date.parse(row.created_at)), connection.id);
  return output(view, `${actionLine(view)}\nWait for it: membrane-sandbox action get ${view.id} --wait`);
}

function parseInputJson(raw: string | undefined): unknown {
  if (raw === undefined) return {};
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw invalidInput(`Invalid JSON in --input: ${(err as Error).message}`);
  }
}

function recordRun(ctx: CommandContext, id: string, actionId: string, connectionId: string, status: string): void {
  ctx.db
    .prepare('INSERT INTO action_runs (id, action_id, connection_id, status, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(id, actionId, connectionId, status, new Date(ctx.now()).toISOString());
}

/** Thrown inside the run transaction when the rate-limit fault says no; nothing is written. */
class RateLimitHit extends Error {}

export async function actionRun(ctx: CommandContext, args: ParsedArgs): Promise<CommandOutput> {
  const idOrKey = args.rest(2)[0];
  const connection = connectionArg(ctx, args, true) as ConnectionRow;
  const action = await actionForConnection(ctx, idOrKey, connection);
  if (action.state !== 'READY' || !action.def) throw actionNotReady(action.state, action.error);
  requireUsableConnection(ctx.db, connection.id, ctx.faults.expiredConnection);

  const def = action.def;
  const input = parseInputJson(args.string('input'));
  const problems = await validateInput(def.inputSchema, input);
  if (problems.length > 0) {
    const summary = problems.map((p) => `${p.path} ${p.message}`).join('; ');
    throw invalidInput(`Input does not match the input schema of action '${action.key}': ${summary}`, problems);
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalidInput('Input must be a JSON object', [{ path: '/', message: 'must be object' }]);
  }

  const runId = randomHexId();
  const ectx: EmulatorContext = { store: ctx.store, connectionId: connection.id, now: () => ctx.now() };
  const limited = ctx.faults.rateLimit && connection.connector_key === 'amocrm';
  const reads = def.operation === 'list' || def.operation === 'get' || def.operation === 'search';
  try {
    let result: unknown;
    if (reads) {
      // Reads run on a consistent WAL snapshot without the write lock; only the bookkeeping writes.
      if (limited && !writeTx(ctx.db, () => takeRateSlot(ctx.db, connection.connector_key, ctx.now()))) throw new RateLimitHit();
      result = readTx(ctx.db, () => def.run(ectx, input as Record<string, unknown>));
      writeTx(ctx.db, () => recordRun(ctx, runId, action.id, connection.id, 'succeeded'));
    } else {
      result = writeTx(ctx.db, () => {
        if (limited && !takeRateSlot(ctx.db, connection.connector_key, ctx.now())) throw new RateLimitHit();
        const out = def.run(ectx, input as Record<string, unknown>);
        recordRun(ctx, runId, action.id, connection.id, 'succeeded');
        return out;
      });
    }
    return output({ output: result, actionRunId: runId }, pretty(result));
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
