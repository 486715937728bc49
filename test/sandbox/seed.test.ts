// Seed determinism: two fresh databases hold the same content, row for row; reseeding is exact.
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { dumpDb as dump, runSandbox, tempDb, seededConnectionIds, type Json } from '../helpers/sandbox.js';

const a = tempDb('sbx-seed-a-');
const b = tempDb('sbx-seed-b-');
afterAll(() => {
  a.cleanup();
  b.cleanup();
});

describe('seed', () => {
  it('two fresh databases have identical content', async () => {
    const [ra, rb] = await Promise.all([
      runSandbox(['sandbox', 'seed', '--json'], { db: a.path }),
      runSandbox(['sandbox', 'seed', '--json'], { db: b.path }),
    ]);
    expect(ra.json).toMatchObject({ status: 'seeded', seededAt: '2026-01-05T09:00:00.000Z' });
    expect(rb.json).toMatchObject({ status: 'seeded' });
    const da = dump(a.path);
    expect(da).toEqual(dump(b.path));
    expect(da.connections).toHaveLength(2);
    expect(da.records.length).toBeGreaterThan(100);
    // Both CRMs seeded records, with the seed clock in the connection rows.
    const connectors = new Set((da.records as Json[]).map((r) => r.connector_key));
    expect(connectors).toEqual(new Set(['amocrm', '1crm']));
    expect((da.connections as Json[]).every((c) => c.created_at === '2026-01-05T09:00:00.000Z')).toBe(true);
  });

  it('seed is a no-op on a seeded store; info reports it', async () => {
    const before = dump(a.path);
    const [again, info] = await Promise.all([
      runSandbox(['sandbox', 'seed', '--json'], { db: a.path }),
      runSandbox(['sandbox', 'info', '--json'], { db: a.path }),
    ]);
    expect(again.json).toMatchObject({ status: 'already-seeded' });
    expect(dump(a.path)).toEqual(before);
    const i = info.json as Json;
    expect(i).toMatchObject({ db: a.path, schemaVersion: expect.any(Number), seededAt: '2026-01-05T09:00:00.000Z', loggedIn: true });
    expect(i.connections).toHaveLength(2);
    expect(Object.keys(i.counts).sort()).toEqual(['1crm', 'amocrm']);
    expect(i.actions).toEqual({ prebuilt: expect.any(Number), built: 0 });
    const human = await runSandbox(['sandbox', 'info'], { db: a.path });
    expect(human.stdout).toContain('Connections:');
  });

  it('reset drops runtime changes and restores the exact seed', async () => {
    const fresh = dump(b.path);
    const one = (await seededConnectionIds(b.path)).onecrm;
    await runSandbox(['connect', '--connectorKey=hubspot'], { db: b.path });
    await runSandbox(['action', 'run', 'create-account', `--connectionId=${one}`, '--input={"name":"Temp"}'], { db: b.path });
    await runSandbox(['logout'], { db: b.path });
    expect(dump(b.path)).not.toEqual(fresh);
    const reset = await runSandbox(['sandbox', 'reset', '--json'], { db: b.path });
    expect(reset.json).toMatchObject({ status: 'reset', db: b.path });
    expect(dump(b.path)).toEqual(fresh);
  });

  it('a store written by another schema version is reset on first use', async () => {
    const db = new Database(b.path);
    db.prepare("UPDATE meta SET value = '-1' WHERE key = 'schema_version'").run();
    db.prepare(
      "INSERT INTO connections (id, connector_key, name, state, created_at, updated_at) VALUES ('old', 'amocrm', 'Old', 'READY', 'x', 'x')",
    ).run();
    db.close();
    const r = await runSandbox(['connection', 'list', '--json'], { db: b.path });
    expect(r.exitCode).toBe(0);
    expect(((r.json as Json).items as Json[]).map((c) => c.id)).not.toContain('old');
    expect(dump(b.path)).toEqual(dump(a.path));
  });

  it("a store whose tables have an older shape (a column today's indexes need is missing) is reset too", async () => {
    const c = tempDb('seed-old-shape-');
    try {
      const db = new Database(c.path);
      db.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta VALUES ('schema_version', '0'), ('seeded_at', 'long ago');
        CREATE TABLE records (connector_key TEXT, model TEXT, id TEXT, data TEXT);`);
      db.close();
      for (const args of [
        ['status', '--json'],
        ['sandbox', 'reset', '--json'],
        ['connection', 'list', '--json'],
      ]) {
        const r = await runSandbox(args, { db: c.path });
        expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      }
      expect(dump(c.path)).toEqual(dump(a.path));
    } finally {
      c.cleanup();
    }
  });
});
