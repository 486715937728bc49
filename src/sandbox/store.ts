// The sandbox's SQLite store. One file, WAL, busy timeout, immediate transactions for every write,
// so many concurrent `membrane-sandbox` processes never lose or corrupt a write.
import type DatabaseModule from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

// better-sqlite3 is CommonJS. `require` loads it directly; an ESM `import` would first run Node's
// CJS export lexer over it, a few milliseconds on every sandbox invocation.
const Database = createRequire(import.meta.url)('better-sqlite3') as typeof DatabaseModule;

export type Db = DatabaseModule.Database;

/** Bump when the schema or the seed changes shape; an older file is reset on first use. */
export const SCHEMA_VERSION = 1;

/** `MEMBRANE_SANDBOX_DB`, else the user's data directory (XDG on Linux, Application Support on macOS, LOCALAPPDATA on Windows). */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MEMBRANE_SANDBOX_DB) return env.MEMBRANE_SANDBOX_DB;
  const home = homedir();
  let base: string;
  if (process.platform === 'win32') base = env.LOCALAPPDATA ?? join(home, 'AppData', 'Local');
  else if (process.platform === 'darwin') base = join(home, 'Library', 'Application Support');
  else base = env.XDG_DATA_HOME ?? join(home, '.local', 'share');
  return join(base, 'membrane-sandbox', 'sandbox.db');
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS connections (
  id            TEXT PRIMARY KEY,
  connector_key TEXT NOT NULL,
  name          TEXT NOT NULL,
  state         TEXT NOT NULL,
  disconnected  INTEGER NOT NULL DEFAULT 0,
  client_action TEXT,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS actions (
  id            TEXT PRIMARY KEY,
  connector_key TEXT NOT NULL,
  connection_id TEXT,
  key           TEXT NOT NULL,
  name          TEXT NOT NULL,
  description   TEXT NOT NULL,
  operation     TEXT,
  entity        TEXT,
  state         TEXT NOT NULL,
  error         TEXT,
  ready_at      INTEGER NOT NULL,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS action_runs (
  id            TEXT PRIMARY KEY,
  action_id     TEXT NOT NULL,
  connection_id TEXT NOT NULL,
  status        TEXT NOT NULL,
  created_at    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rate_events (
  connector_key TEXT NOT NULL,
  at_ms         INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS rate_events_at ON rate_events (connector_key, at_ms);
CREATE TABLE IF NOT EXISTS counters (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
  connector_key TEXT NOT NULL,
  model         TEXT NOT NULL,
  id            TEXT NOT NULL,
  seq           INTEGER NOT NULL,
  data          TEXT NOT NULL,
  PRIMARY KEY (connector_key, model, id)
);
CREATE INDEX IF NOT EXISTS records_seq ON records (connector_key, model, seq);
`;

/** Every table the schema creates. */
export const TABLES = ['meta', 'connections', 'actions', 'action_runs', 'rate_events', 'counters', 'records'] as const;

/** Drops every table and creates the current schema again. Call inside a write transaction (DDL is transactional). */
export function recreateSchema(db: Db): void {
  for (const table of TABLES) db.exec(`DROP TABLE IF EXISTS ${table}`);
  db.exec(SCHEMA);
}

const META_SCHEMA = 'CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);';

/**
 * Opens (creating if needed) the store with the pragmas every process must share. The full schema is
 * created only on a new file or one of this SCHEMA_VERSION: an older file keeps its tables until
 * ensureSeeded drops and recreates them (creating today's indexes on yesterday's tables could fail).
 */
export function openDb(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  // busy_timeout first: switching to WAL itself can meet a concurrent writer.
  db.pragma('busy_timeout = 10000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(META_SCHEMA);
  const version = (db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined)?.value;
  if (version === undefined || version === String(SCHEMA_VERSION)) db.exec(SCHEMA);
  return db;
}

const STATEMENTS = new WeakMap<Db, Map<string, DatabaseModule.Statement>>();

/**
 * The prepared statement for `sql` on this connection, prepared once. A CLI process runs a handful
 * of statements once each, but `membrane-sandbox serve` runs the same ones on every request.
 */
export function prepared(db: Db, sql: string): DatabaseModule.Statement {
  let cache = STATEMENTS.get(db);
  if (!cache) {
    cache = new Map();
    STATEMENTS.set(db, cache);
  }
  let stmt = cache.get(sql);
  if (!stmt) {
    stmt = db.prepare(sql);
    cache.set(sql, stmt);
  }
  return stmt;
}

/** Runs `fn` in a deferred transaction: a consistent snapshot for reads, without the write lock. */
export function readTx<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).deferred();
}

/** Runs `fn` in a BEGIN IMMEDIATE transaction: the write lock is taken up front, so read-then-write never races. */
export function writeTx<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}

export interface StoredRecord<T = Record<string, unknown>> {
  id: string;
  data: T;
}

/**
 * Generic JSON-document storage for emulated CRM records, keyed by (connector, model, id).
 * Emulations keep their own field shapes; `seq` keeps insertion order for stable listing.
 */
export class RecordStore {
  private readonly stmts;

  constructor(readonly db: Db) {
    this.stmts = {
      list: db.prepare('SELECT id, data FROM records WHERE connector_key = ? AND model = ? ORDER BY seq'),
      get: db.prepare('SELECT id, data FROM records WHERE connector_key = ? AND model = ? AND id = ?'),
      count: db.prepare('SELECT COUNT(*) AS n FROM records WHERE connector_key = ? AND model = ?'),
      insert: db.prepare(
        `INSERT INTO records (connector_key, model, id, seq, data)
         VALUES (?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM records WHERE connector_key = ? AND model = ?), ?)`,
      ),
      update: db.prepare('UPDATE records SET data = ? WHERE connector_key = ? AND model = ? AND id = ?'),
      remove: db.prepare('DELETE FROM records WHERE connector_key = ? AND model = ? AND id = ?'),
      counterGet: db.prepare('SELECT value FROM counters WHERE name = ?'),
      counterSet: db.prepare('INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value'),
    };
  }

  list<T = Record<string, unknown>>(connector: string, model: string): StoredRecord<T>[] {
    const rows = this.stmts.list.all(connector, model) as { id: string; data: string }[];
    return rows.map((r) => ({ id: r.id, data: JSON.parse(r.data) as T }));
  }

  get<T = Record<string, unknown>>(connector: string, model: string, id: string): StoredRecord<T> | undefined {
    const row = this.stmts.get.get(connector, model, id) as { id: string; data: string } | undefined;
    return row ? { id: row.id, data: JSON.parse(row.data) as T } : undefined;
  }

  count(connector: string, model: string): number {
    return (this.stmts.count.get(connector, model) as { n: number }).n;
  }

  /** Call inside `transaction` when several writes must land together. */
  insert(connector: string, model: string, id: string, data: unknown): void {
    this.stmts.insert.run(connector, model, id, connector, model, JSON.stringify(data));
  }

  update(connector: string, model: string, id: string, data: unknown): boolean {
    return this.stmts.update.run(JSON.stringify(data), connector, model, id).changes > 0;
  }

  delete(connector: string, model: string, id: string): boolean {
    return this.stmts.remove.run(connector, model, id).changes > 0;
  }

  /**
   * Next value of a named integer sequence (AmoCRM-style numeric ids). Starts at `start` on first use.
   * Must run inside a write transaction so two processes never get the same value.
   */
  nextInt(name: string, start = 1): number {
    const row = this.stmts.counterGet.get(name) as { value: number } | undefined;
    const value = row ? row.value + 1 : start;
    this.stmts.counterSet.run(name, value);
    return value;
  }

  /** BEGIN IMMEDIATE transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T {
    return writeTx(this.db, fn);
  }
}
