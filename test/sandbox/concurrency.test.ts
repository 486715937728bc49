// Many processes at once: first use seeds exactly once, and concurrent writes are never lost.
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { runSandbox, tempDb, type SandboxRun } from '../helpers/sandbox.js';

type Json = Record<string, any>;

const fresh = tempDb('sbx-conc-');
const reference = tempDb('sbx-conc-ref-');
afterAll(() => {
  fresh.cleanup();
  reference.cleanup();
});

const TABLES = ['meta', 'connections', 'actions', 'action_runs', 'rate_events', 'counters', 'records'];

/** Every row of every table, in a stable order. */
function dump(path: string): Record<string, unknown[]> {
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
    const results = await Promise.all(
      Array.from({ length: 18 }, (_, i) => runSandbox(commands[i % commands.length], { db: fresh.path })),
    );
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
    const conns = ((await runSandbox(['connection', 'list', '--json'], { db: fresh.path })).json as Json).items as Json[];
    const amo = conns.find((c) => c.connectorKey === 'amocrm')!.id;
    const one = conns.find((c) => c.connectorKey === '1crm')!.id;
    const info = async () => ((await runSandbox(['sandbox', 'info', '--json'], { db: fresh.path })).json as Json).counts;
    const before = await info();

    const N = 10;
    const jobs: Promise<SandboxRun>[] = [];
    for (let i = 0; i < N; i++) {
      jobs.push(
        runSandbox(['action', 'run', 'create-lead', `--connectionId=${amo}`, `--input={"name":"Parallel lead ${i}"}`, '--json'], { db: fresh.path }),
        runSandbox(['request', amo, '/api/v4/contacts', '-X', 'POST', '-d', `[{"name":"Parallel contact ${i}"}]`, '--json'], { db: fresh.path }),
        runSandbox(['action', 'run', 'create-account', `--connectionId=${one}`, `--input={"name":"Parallel account ${i}"}`, '--json'], { db: fresh.path }),
        runSandbox(['request', one, '/data/Contact', '-X', 'POST', '-d', `{"data":{"last_name":"Parallel ${i}"}}`, '--json'], { db: fresh.path }),
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
});
