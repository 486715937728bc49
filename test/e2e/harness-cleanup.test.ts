// The e2e harness itself: each server owns the temp database it made, so closing one pool (or one server)
// never removes the store of a server another pool is still using — that once surfaced as NOT_FOUND on the
// next call of an unrelated suite.
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ok, serverPool, startServer } from '../helpers/mcp.js';

describe('e2e harness cleanup', () => {
  const a = serverPool();
  const b = serverPool();
  afterAll(async () => {
    await Promise.all([a.closeAll(), b.closeAll()]);
  });

  it("closing one pool leaves another pool's servers and stores alone; each server removes its own store on close", async () => {
    const [sa, sb] = await Promise.all([a.start(), b.start()]);
    expect(sa.db).not.toBe(sb.db);
    expect(ok(await sb.call('onecrm_list_connections', {})).connections).toHaveLength(1);
    await a.closeAll();
    expect(existsSync(sa.db)).toBe(false);
    expect(existsSync(sb.db)).toBe(true);
    // The other server still reads and writes its own store.
    expect(ok(await sb.call('onecrm_list_connections', { refresh: true })).connections).toHaveLength(1);
    await b.closeAll();
    expect(existsSync(sb.db)).toBe(false);
  });

  it('a database given to startServer belongs to the caller and survives the close', async () => {
    const d = a.dir('harness-given-');
    const s = await startServer({ db: d.path });
    ok(await s.call('amocrm_list_connections', {}));
    await s.close();
    expect(existsSync(d.path)).toBe(true);
  });
});
