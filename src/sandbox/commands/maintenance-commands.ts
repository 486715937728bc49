// `sandbox …`: maintenance of the sandbox itself (never affected by MEMBRANE_SANDBOX_FAULT).
import { ArgvProblem, parseIntFlag, type ParsedArgs } from '../args.js';
import { prepared, SCHEMA_VERSION, writeTx } from '../store.js';
import { badRequest } from '../error-data.js';
import { EMULATED_KEYS, emulatorIn, findCatalogEntry, loadEmulators } from '../emulators.js';
import { connectionView, listConnectionRows } from '../connection-model.js';
import { disconnect } from '../engine/connection-engine.js';
import { prebuiltActions } from '../action-model.js';
import { ensureSeeded, resetAndSeed, seededAt } from '../seeding.js';
import { readSession } from '../session.js';
import { fillRateWindow, RATE_LIMIT_WINDOW_MS, refuseNextRequests } from '../faults.js';
import { connectionLine } from './connection-commands.js';
import { engineOf, output, pretty, type CommandContext, type CommandOutput } from './command-context.js';

export async function sandboxReset(ctx: CommandContext): Promise<CommandOutput> {
  await resetAndSeed(ctx.db);
  const at = seededAt(ctx.db);
  return output({ status: 'reset', db: ctx.dbPath, seededAt: at }, `Sandbox reset and seeded again (${ctx.dbPath})`);
}

export async function sandboxSeed(ctx: CommandContext): Promise<CommandOutput> {
  // cli.ts seeds on first use before any command runs, so "seeded now" is that first-use seeding.
  const seeded = ctx.seededNow || (await ensureSeeded(ctx.db));
  const status = seeded ? 'seeded' : 'already-seeded';
  return output(
    { status, db: ctx.dbPath, seededAt: seededAt(ctx.db) },
    seeded ? `Sandbox seeded (${ctx.dbPath})` : `Sandbox already seeded (${ctx.dbPath})`,
  );
}

export async function sandboxInfo(ctx: CommandContext): Promise<CommandOutput> {
  const emulators = await loadEmulators();
  const counts: Record<string, Record<string, number>> = {};
  let prebuilt = 0;
  for (const key of EMULATED_KEYS) {
    const emulator = emulatorIn(emulators, key);
    counts[key] = emulator.counts(ctx.store);
    prebuilt += prebuiltActions(emulator).length;
  }
  const built = (prepared(ctx.db, 'SELECT COUNT(*) AS n FROM actions').get() as { n: number }).n;
  const connections = listConnectionRows(ctx.db).map((r) => connectionView(r));
  const info = {
    db: ctx.dbPath,
    schemaVersion: SCHEMA_VERSION,
    seededAt: seededAt(ctx.db),
    loggedIn: readSession(ctx.db) !== undefined,
    connections,
    counts,
    actions: { prebuilt, built },
  };
  const text = [
    `Database: ${ctx.dbPath} (schema ${SCHEMA_VERSION}, seeded ${info.seededAt})`,
    `Logged in: ${info.loggedIn ? 'yes' : 'no'}`,
    'Connections:',
    ...connections.map((c) => `  ${connectionLine(c)}`),
    `Records: ${pretty(counts)}`,
    `Actions: ${prebuilt} prebuilt, ${built} built`,
  ].join('\n');
  return output(info, text);
}

export async function sandboxDisconnect(ctx: CommandContext, args: ParsedArgs): Promise<CommandOutput> {
  const view = disconnect(engineOf(ctx), args.rest(2)[0]);
  return output(view, connectionLine(view));
}

export async function sandboxRateFill(ctx: CommandContext, args: ParsedArgs): Promise<CommandOutput> {
  const key = (args.string('connectorKey') ?? 'amocrm').toLowerCase();
  if (!findCatalogEntry({ key })) throw badRequest(`Connector '${key}' not found`, 'not_found');
  const requests = parseIntFlag(args.string('requests'), 'requests', 0, 10_000);
  if (requests !== undefined) {
    if (args.string('holdMs') !== undefined) throw new ArgvProblem('--requests and --holdMs cannot be combined');
    writeTx(ctx.db, () => refuseNextRequests(ctx.db, key, requests));
    return output(
      { connectorKey: key, requests },
      `The next ${requests} requests for ${key} meet the rate limit, whatever the clock (under MEMBRANE_SANDBOX_FAULT=rate-limit)`,
    );
  }
  // --holdMs keeps the window full that long (default: one window, starting now).
  const holdMs = parseIntFlag(args.string('holdMs'), 'holdMs', 0, 600_000) ?? RATE_LIMIT_WINDOW_MS;
  const nowMs = ctx.now();
  const atMs = nowMs + Math.max(0, holdMs - RATE_LIMIT_WINDOW_MS);
  const events = writeTx(ctx.db, () => fillRateWindow(ctx.db, key, atMs));
  const until = new Date(atMs + RATE_LIMIT_WINDOW_MS).toISOString();
  return output(
    { connectorKey: key, events, windowMs: RATE_LIMIT_WINDOW_MS, at: new Date(nowMs).toISOString(), until },
    `Recorded ${events} requests for ${key}: requests until ${until} meet the rate limit (under MEMBRANE_SANDBOX_FAULT=rate-limit)`,
  );
}
