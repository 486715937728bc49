// `sandbox disconnect | rate-fill | info` and the test recipes the docs give (disconnected, two, or no connections).
import { describe, expect, it } from 'vitest';
import { seededSandbox, type Json } from '../helpers/sandbox.js';

const { ids, run } = seededSandbox('sbx-maint-');

describe('sandbox maintenance commands', () => {
  it('disconnect marks a connection disconnected until `connect --connectionId` brings it back', async () => {
    const r = await run(['sandbox', 'disconnect', ids.amocrm, '--json']);
    expect(r.exitCode).toBe(0);
    expect(r.json).toMatchObject({
      id: ids.amocrm,
      state: 'CLIENT_ACTION_REQUIRED',
      connected: false,
      disconnected: true,
      clientAction: { type: 'connect', uiUrl: `https://sandbox.membrane.local/connections/${ids.amocrm}/reconnect` },
    });
    const [get, request] = await Promise.all([
      run(['connection', 'get', ids.amocrm, '--json']),
      run(['request', ids.amocrm, '/api/v4/leads', '--json']),
    ]);
    expect(get.json).toMatchObject({ disconnected: true });
    expect(request.exitCode).toBe(1);
    expect(request.json).toMatchObject({ type: 'connection', key: 'connection_is_defunct' });

    const back = await run(['connect', '--connectorKey', 'amocrm', '--json']);
    expect(back.json).toMatchObject({ id: ids.amocrm, state: 'READY', disconnected: false });
  });

  it('rate-fill records a full window; info and human output', async () => {
    const [fill, human, info] = await Promise.all([
      run(['sandbox', 'rate-fill', '--json']),
      run(['sandbox', 'rate-fill', '--connectorKey', '1crm']),
      run(['sandbox', 'info', '--json']),
    ]);
    expect(fill.json).toMatchObject({
      connectorKey: 'amocrm',
      events: 7,
      windowMs: 1000,
      at: expect.any(String),
      until: expect.any(String),
    });
    expect(Date.parse((fill.json as Json).until) - Date.parse((fill.json as Json).at)).toBe(1000);
    expect(human.stdout).toContain('1crm');
    const i = info.json as Json;
    expect(i.counts.amocrm.leads).toBeGreaterThanOrEqual(40);
    expect(i.counts['1crm'].Account).toBeGreaterThanOrEqual(20);
    expect(i.actions.prebuilt).toBeGreaterThan(80);
  });

  it('errors: unknown connection (1), unknown subcommand and missing id (2), unknown connector (1)', async () => {
    const [unknown, sub, missing, connector] = await Promise.all([
      run(['sandbox', 'disconnect', 'nope', '--json']),
      run(['sandbox', 'explode', '--json']),
      run(['sandbox', 'disconnect', '--json']),
      run(['sandbox', 'rate-fill', '--connectorKey=nope', '--json']),
    ]);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.json).toMatchObject({ key: 'not_found' });
    expect(sub.exitCode).toBe(2);
    expect(sub.stderr).toContain('Usage: membrane-sandbox sandbox <reset|seed|info|disconnect|rate-fill>');
    expect(missing.exitCode).toBe(2);
    expect(connector.exitCode).toBe(1);
  });

  it('recipes: a second connection, and no connection at all (for "not connected" tests)', async () => {
    const second = await run(['connect', '--connectorKey=1crm', '--allowMultipleConnections', '--json']);
    const list = await run(['connection', 'list', '--integrationKey=1crm', '--json']);
    expect(((list.json as Json).items as Json[]).map((c) => c.id)).toContain((second.json as Json).id);
    expect((list.json as Json).items).toHaveLength(2);
    // "No connection" for a connector: connection list filtered by a connector that has none.
    const none = await run(['connection', 'list', '--integrationKey=pipedrive', '--json']);
    expect(none.json).toEqual({ items: [] });
  });

  it('human forms of seed, disconnect and reset; reset brings the seed back', async () => {
    const seed = await run(['sandbox', 'seed']);
    expect(seed.exitCode).toBe(0);
    expect(seed.stdout).toMatch(/^Sandbox already seeded/);
    const disconnect = await run(['sandbox', 'disconnect', ids.amocrm]);
    expect(disconnect.stdout).toMatch(new RegExp(`^${ids.amocrm}\\s+CLIENT_ACTION_REQUIRED`));
    const reset = await run(['sandbox', 'reset']);
    expect(reset.exitCode).toBe(0);
    expect(reset.stdout).toMatch(/^Sandbox reset/);
    const list = await run(['connection', 'list', '--json']);
    expect(((list.json as Json).items as Json[]).map((c) => [c.connectorKey, c.state])).toEqual([
      ['amocrm', 'READY'],
      ['1crm', 'READY'],
    ]);
  });
});
