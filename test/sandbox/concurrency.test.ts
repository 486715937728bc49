// Many processes at once: first use seeds exactly once, and concurrent writes are never lost.
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { dumpDb as dump, runSandbox, tempDb, type SandboxRun, seededConnectionIds, type Json } from '../helpers/sandbox.js';

const fresh = tempDb('sbx-conc-');
const reference = tempDb('sbx-conc-ref-');
afterAll(() => {
  fresh.cleanup();
  reference.cleanup();
});

function expectAllOk(results: SandboxRun[]): void {
  for (const r of results) {
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.json).toBeDefined();
  }
}

describe('concurrency', () => {
  it('18 processes on a fresh file: every one succeeds and the store is seeded exactly once', async () => {
    const commands = [
      ['status', '--json'],
      ['connection', 'list', '--json'],
      ['sandbox', 'info', '--json'],
      ['search', 'crm', '--json'],
      ['action', 'list', '--connectionKey=amocrm', '--intent=create a deal', '--json'],
      ['sandbox', 'seed', '--json'],
    ];
    const results = await Promise.all(Array.from({ length: 18 }, (_, i) => runSandbox(commands[i % commands.length], { db: fresh.path })));
    expectAllOk(results);
    const seeds = results.filter((r) => (r.json as Json).status === 'seeded' || (r.json as Json).status === 'already-seeded');
    expect(seeds).toHaveLength(3);
    for (const r of results.filter((_, i) => i % commands.length === 1)) expect((r.json as Json).items).toHaveLength(2);

    // None of these commands writes, so the store must hold exactly one seed: the same rows as a
    // store seeded by a single process.
    await runSandbox(['sandbox', 'seed'], { db: reference.path });
    expect(dump(fresh.path)).toEqual(dump(reference.path));
  });

  it('40 concurrent creates through action run and request: counts grow by exactly that many', async () => {
    const { amocrm: amo, onecrm: one } = await seededConnectionIds(fresh.path);
    const info = async () => ((await runSandbox(['sandbox', 'info', '--json'], { db: fresh.path })).json as Json).counts;
    const before = await info();

    const N = 10;
    const jobs: Promise<SandboxRun>[] = [];
    for (let i = 0; i < N; i++) {
      jobs.push(
        runSandbox(['action', 'run', 'create-lead', `--connectionId=${amo}`, `--input={"name":"Parallel lead ${i}"}`, '--json'], {
          db: fresh.path,
        }),
        runSandbox(['request', amo, '/api/v4/contacts', '-X', 'POST', '-d', `[{"name":"Parallel contact ${i}"}]`, '--json'], {
          db: fresh.path,
        }),
        runSandbox(['action', 'run', 'create-account', `--connectionId=${one}`, `--input={"name":"Parallel account ${i}"}`, '--json'], {
          db: fresh.path,
        }),
        runSandbox(['request', one, '/data/Contact', '-X', 'POST', '-d', `{"data":{"last_name":"Parallel ${i}"}}`, '--json'], {
          db: fresh.path,
        }),
      );
    }
    const results = await Promise.all(jobs);
    expectAllOk(results);
    for (const r of results) if ('status' in (r.json as Json)) expect((r.json as Json).status).toBeLessThan(300);

    // Every create got its own id.
    const leadIds = results.filter((_, i) => i % 4 === 0).map((r) => (r.json as Json).output.id);
    expect(new Set(leadIds).size).toBe(N);

    const after = await info();
    expect(after.amocrm.leads - before.amocrm.leads).toBe(N);
    expect(after.amocrm.contacts - before.amocrm.contacts).toBe(N);
    expect(after['1crm'].Account - before['1crm'].Account).toBe(N);
    expect(after['1crm'].Contact - before['1crm'].Contact).toBe(N);
  });

  it('rate limit across processes: 12 parallel AmoCRM requests never get more than 7 accepted in any second', async () => {
    const db = tempDb('sbx-conc-rate-');
    try {
      const amo = (await seededConnectionIds(db.path)).amocrm;
      const runs = await Promise.all(
        Array.from({ length: 12 }, () =>
          runSandbox(['request', amo, '/api/v4/account', '--json'], { db: db.path, env: { MEMBRANE_SANDBOX_FAULT: 'rate-limit' } }),
        ),
      );
      const statuses = runs.map((r) => (r.json as Json).status as number);
      expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
      const accepted = statuses.filter((s) => s === 200).length;
      expect(accepted).toBeGreaterThanOrEqual(7);
      // The invariant, whatever the machine's speed: no 8 accepted requests inside one second.
      const conn = new Database(db.path, { readonly: true });
      const at = (
        conn.prepare("SELECT at_ms FROM rate_events WHERE connector_key = 'amocrm' ORDER BY at_ms").all() as { at_ms: number }[]
      ).map((r) => r.at_ms);
      conn.close();
      expect(at).toHaveLength(accepted);
      for (let i = 0; i + 7 < at.length; i++) expect(at[i + 7] - at[i]).toBeGreaterThanOrEqual(1000);
    } finally {
      db.cleanup();
    }
  });

  it('concurrent PATCHes of one record: every one succeeds and the record ends as one of them, intact', async () => {
    const db = tempDb('sbx-conc-patch-');
    try {
      const one = (await seededConnectionIds(db.path)).onecrm;
      const created = await runSandbox(
        ['action', 'run', 'create-account', `--connectionId=${one}`, '--input={"name":"Patch target"}', '--json'],
        { db: db.path },
      );
      const id = ((created.json as Json).output as Json).id as string;
      const names = Array.from({ length: 16 }, (_, i) => `Renamed ${i}`);
      const runs = await Promise.all(
        names.map((name) =>
          runSandbox(['request', one, `/data/Account/${id}`, '-X', 'PATCH', '-d', JSON.stringify({ data: { name } }), '--json'], {
            db: db.path,
          }),
        ),
      );
      expectAllOk(runs);
      const got = await runSandbox(['request', one, `/data/Account/${id}`, '--json'], { db: db.path });
      const record = ((got.json as Json).body as Json).record as Json;
      expect(names).toContain(record.name);
      expect(record.id).toBe(id);
    } finally {
      db.cleanup();
    }
  });
});
