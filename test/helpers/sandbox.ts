// Runs the built `membrane-sandbox` binary as a real process, the way the server and users do.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { TABLES } from '../../src/sandbox/store.js';

/**
 * A parsed JSON document from a CLI or API answer. Tests index into it freely: a wrong path fails the
 * assertion that reads it, which is the check that matters here.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: JSON read by assertions
export type Json = Record<string, any>;

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const SANDBOX_CLI = join(ROOT, 'dist', 'sandbox', 'cli.js');
export const SERVER_CLI = join(ROOT, 'dist', 'index.js');

export interface SandboxRun {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON, or undefined when it does not parse. */
  json: unknown;
}

/** A fresh, empty sandbox database path in its own temp directory; `cleanup` removes it. */
export function tempDb(prefix = 'sbx-'): { path: string; dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { path: join(dir, 'sandbox.db'), dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function runSandbox(
  args: string[],
  opts: { db: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<SandboxRun> {
  const r = await execa(process.execPath, [SANDBOX_CLI, ...args], {
    reject: false,
    stdin: 'ignore',
    timeout: opts.timeoutMs ?? 20_000,
    // A developer's shell may carry fault or log settings; tests set their own, explicitly.
    env: {
      MEMBRANE_SANDBOX_FAULT: undefined,
      MEMBRANE_SANDBOX_ARGV_LOG: undefined,
      MEMBRANE_SANDBOX_DB: opts.db,
      MEMBRANE_SANDBOX_BUILD_MS: '200',
      ...opts.env,
    },
  });
  let json: unknown;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    json = undefined;
  }
  return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, json };
}

/** Every row of every sandbox table (TABLES from the store), in a stable order: for determinism checks. */
export function dumpDb(path: string): Record<string, unknown[]> {
  const db = new Database(path, { readonly: true });
  try {
    return Object.fromEntries(
      TABLES.map((t) => {
        const cols = (db.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[]).map((c) => c.name);
        return [t, db.prepare(`SELECT * FROM ${t} ORDER BY ${cols.join(', ')}`).all()];
      }),
    );
  } finally {
    db.close();
  }
}

/**
 * A SHA-256 of every row of each table of a sandbox store, per table: equal hashes before and after a call
 * mean the call changed nothing in that table.
 */
export function storeHashes(path: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(dumpDb(path)).map(([table, rows]) => [table, createHash('sha256').update(JSON.stringify(rows)).digest('hex')]),
  );
}

/** The ids of the seeded READY connections (seeding the database on first use). */
export async function seededConnectionIds(db: string): Promise<{ amocrm: string; onecrm: string }> {
  const items = ((await runSandbox(['connection', 'list', '--json'], { db })).json as { items: { id: string; connectorKey: string }[] })
    .items;
  const idOf = (key: string) => items.find((c) => c.connectorKey === key)!.id;
  return { amocrm: idOf('amocrm'), onecrm: idOf('1crm') };
}

/**
 * A seeded database for the tests of one file: `run` runs the built CLI on it, `ids` holds its two connections
 * once the file's tests start. Registers its own beforeAll (seed) and afterAll (delete).
 */
export function seededSandbox(prefix: string): {
  db: ReturnType<typeof tempDb>;
  ids: { amocrm: string; onecrm: string };
  run: (args: string[], env?: Record<string, string>) => ReturnType<typeof runSandbox>;
} {
  const db = tempDb(prefix);
  const ids = { amocrm: '', onecrm: '' };
  beforeAll(async () => {
    Object.assign(ids, await seededConnectionIds(db.path));
  });
  afterAll(() => db.cleanup());
  return { db, ids, run: (args, env) => runSandbox(args, { db: db.path, env }) };
}
