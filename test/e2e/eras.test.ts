// One server for both protocol eras: a 2025-era client (initialize, protocol 2025-11-25) and a 2026-era
// client (protocol 2026-07-28: no initialize, per-request envelope, input_required rounds) each run the
// whole tool flow — list connections, search, run, proxy, build an action, and a destructive call the
// user confirms — over stdio (one server process per client, as hosts run them) and over HTTP (the same
// running server for both). The SDK client of 2.4 speaks 2025 by default; pinning 2026-07-28 makes it
// speak the new revision only (see helpers/mcp.ts eraOptions).
//
// The confirmation: a client that can show a form answers a dialog (2026: an input_required round trip
// the client completes and the server checks against the exact call; 2025 over stdio: the SDK's legacy
// shim sends elicitation/create on the connection). A 2025 client over stateless HTTP has no way back
// for a server→client request, so it gets the confirm-token flow instead, as any client without forms.
//
// Both sandbox backends run all of it: the era is the client's business, the backend the server's.
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, type TestBackend } from '../helpers/backends.js';
import { type HttpServerHandle, startHttpServer } from '../helpers/http.js';
import { type Era, type ToolResult, err, logLevelMeta, ok, serverPool } from '../helpers/mcp.js';
import { answerDialogs } from '../helpers/dialogs.js';

type Call = (name: string, args?: Record<string, unknown>) => Promise<ToolResult>;

/**
 * The whole flow; `confirmBy` says how the destructive step is confirmed. Names carry `label`, so two
 * clients running the flow against one store do not meet each other's records or repeat-guard entries.
 */
async function wholeFlow(backend: TestBackend, call: Call, label: string, confirmBy: 'dialog' | 'token', asked: string[]): Promise<void> {
  const listed = ok(await call('amocrm_list_connections'));
  expect(listed.backend).toBe(backend.name);
  const connectionId = (listed.connections as { id: string; state: string }[])[0].id;

  const found = ok(await call('amocrm_search_actions', { intent: 'create a lead', limit: 3 }));
  expect(found.connectionId).toBe(connectionId);
  expect((found.actions as { key: string }[])[0].key).toBe('create-lead');

  const ran = ok(await call('amocrm_run_action', { actionId: 'create-lead', input: { name: `Lead of the ${label} client` } }));
  const leadId = (ran.output as { id: number }).id;
  expect(leadId).toEqual(expect.any(Number));

  const read = ok(await call('amocrm_proxy_request', { path: `/api/v4/leads/${leadId}` }));
  expect(read.status).toBe(200);
  expect((read.body as { name: string }).name).toBe(`Lead of the ${label} client`);

  const built = ok(await call('amocrm_create_action', { description: 'list the tasks of a lead', waitSeconds: 20 }));
  expect(built.done).toBe(true);
  expect((built.action as { state: string }).state).toBe('READY');

  const product = ok(await call('onecrm_run_action', { actionId: 'create-product', input: { name: `Product of the ${label} client` } }));
  const productId = (product.output as { id: string }).id;
  const remove = { actionId: 'delete-product', input: { id: productId } };
  const before = asked.length;
  if (confirmBy === 'dialog') {
    expect(ok(await call('onecrm_run_action', remove)).output).toEqual({ id: productId, deleted: true });
    expect(asked.length - before).toBe(1);
    expect(asked[asked.length - 1]).toMatch(/^Allow this destructive call\?/);
    expect(asked[asked.length - 1]).toContain(productId);
  } else {
    const first = err(await call('onecrm_run_action', remove));
    expect(first.code).toBe('CONFIRMATION_REQUIRED');
    const token = first.details?.confirm as string;
    expect(ok(await call('onecrm_run_action', { ...remove, confirm: token })).output).toEqual({ id: productId, deleted: true });
    expect(asked.length).toBe(before);
  }
  const gone = await call('onecrm_proxy_request', { path: `/data/Product/${productId}` });
  expect(gone.isError).toBe(true);
}

describe.each(BACKENDS)('on $name', (backend) => {
  describe('over stdio: each era runs the whole flow, confirming in a dialog', () => {
    const pool = serverPool();
    afterAll(() => pool.closeAll());

    it.each<Era>(['legacy', 'modern'])('a %s client', async (era) => {
      const asked: string[] = [];
      const s = await pool.start({ backend, era, capabilities: { elicitation: { form: {} } }, setup: answerDialogs(asked) });
      expect(s.client.getProtocolEra()).toBe(era);
      await wholeFlow(backend, (name, args) => s.call(name, args), era, 'dialog', asked);
    });
  });

  describe('logging where the era has it', () => {
    const pool = serverPool();
    afterAll(() => pool.closeAll());

    it('a 2025 client sets its level with logging/setLevel; a 2026 client asks per request (none unless it asks)', async () => {
      const lines: Record<Era, string[]> = { legacy: [], modern: [] };
      const start = (era: Era) =>
        pool.start({
          backend,
          era,
          args: ['--log-level=debug'],
          setup: (c) => c.setNotificationHandler('notifications/message', (n) => void lines[era].push(JSON.stringify(n.params))),
        });
      const legacy = await start('legacy');
      await legacy.client.setLoggingLevel('error');
      await legacy.call('amocrm_list_connections', { refresh: true });
      await legacy.client.setLoggingLevel('debug');
      await legacy.call('onecrm_list_connections', { refresh: true });
      // Waited for, not slept on: the later call's line has arrived, so the earlier call's would have too (one ordered pipe).
      await expect
        .poll(() => lines.legacy.some((l) => l.includes('onecrm_list_connections ok') && l.includes('"level":"debug"')))
        .toBe(true);
      expect(lines.legacy.join('\n')).not.toMatch(/amocrm_list_connections/);

      const modern = await start('modern');
      await modern.call('amocrm_list_connections', { refresh: true });
      await modern.client.callTool({ name: 'onecrm_list_connections', arguments: { refresh: true }, _meta: logLevelMeta('debug') });
      await expect.poll(() => lines.modern.some((l) => l.includes('onecrm_list_connections ok'))).toBe(true);
      expect(lines.modern.join('\n')).not.toMatch(/amocrm_list_connections/);
    });
  });

  describe('over HTTP: one running server, both eras', () => {
    let srv: HttpServerHandle;
    beforeAll(async () => {
      srv = await startHttpServer({ backend });
    });
    afterAll(async () => {
      await srv?.stop();
    });

    const callOf =
      (client: Client): Call =>
      async (name, args = {}) =>
        (await client.callTool({ name, arguments: args }, { timeout: 60_000 })) as ToolResult;

    it('a 2026 client confirms in a dialog (input_required round trip); a 2025 client, stateless, with the token', async () => {
      const askedModern: string[] = [];
      const askedLegacy: string[] = [];
      const modern = await srv.connect({ era: 'modern', capabilities: { elicitation: { form: {} } }, setup: answerDialogs(askedModern) });
      const legacy = await srv.connect({ era: 'legacy', capabilities: { elicitation: { form: {} } }, setup: answerDialogs(askedLegacy) });
      expect(modern.getProtocolEra()).toBe('modern');
      expect(legacy.getProtocolEra()).toBe('legacy');
      await Promise.all([
        wholeFlow(backend, callOf(modern), 'modern', 'dialog', askedModern),
        wholeFlow(backend, callOf(legacy), 'legacy', 'token', askedLegacy),
      ]);
    });

    it('a 2026 client that cannot show forms gets the token, like any client without elicitation', async () => {
      const modern = await srv.connect({ era: 'modern' });
      const call = callOf(modern);
      const product = ok(await call('onecrm_run_action', { actionId: 'create-product', input: { name: 'No forms here' } }));
      const first = err(
        await call('onecrm_run_action', { actionId: 'delete-product', input: { id: (product.output as { id: string }).id } }),
      );
      expect(first.code).toBe('CONFIRMATION_REQUIRED');
      expect(first.details?.confirm).toEqual(expect.any(String));
    });
  });
});
