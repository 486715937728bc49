// Results an agent can afford, end to end on both sandbox backends: budgeted output paged by resultId without calling
// Membrane again, compact vs raw API shapes, the connection cache, default connections, and create_action progress.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS, callLogEnv, countCalls } from '../helpers/backends.js';
import { type Era, serverPool, err, ok, text, type StartOptions } from '../helpers/mcp.js';
import { runSandbox } from '../helpers/sandbox.js';

const pool = serverPool();
afterAll(() => pool.closeAll());

// Each test starts its own server: they run side by side (most of the time is waiting for builds).
describe.concurrent.each(BACKENDS)('results on $name', (backend) => {
  const server = (opts: StartOptions = {}) => pool.start({ backend, ...opts });

  describe('output budget and paging', () => {
    it('cuts a large output at item boundaries and pages the rest from memory, without another Membrane call', async () => {
      const dir = pool.dir('paging-');
      const log = join(dir.dir, 'calls.jsonl');
      const s = await server({ db: dir.path, args: ['--max-result-chars', '6000'], env: callLogEnv(backend, log) });

      const first = ok(await s.call('onecrm_run_action', { actionId: 'list-contacts', input: { limit: 40 } }));
      expect(text(await s.call('onecrm_run_action', { actionId: 'list-contacts', input: { limit: 1 } })).length).toBeLessThan(6000);
      const firstText = JSON.stringify(first);
      expect(firstText.length).toBeLessThanOrEqual(6000);
      const truncated = first.truncated as {
        returned: number;
        total: number;
        omitted: number;
        nextOffset: number;
        resultId: string;
        nextStep: string;
        path: string;
      };
      expect(truncated).toMatchObject({ total: 40, path: 'output.records' });
      expect(truncated.returned).toBeGreaterThan(0);
      expect(truncated.omitted).toBe(40 - truncated.returned);
      expect(truncated.nextStep).toContain(`"resultId":"${truncated.resultId}"`);

      const runsBefore = countCalls(backend, log, 'action run');
      const records = [...(first.output as { records: { id: string }[] }).records];
      let page = truncated;
      while (page.omitted > 0) {
        const next = ok(await s.call('onecrm_run_action', { resultId: page.resultId, offset: page.nextOffset }));
        expect(JSON.stringify(next).length).toBeLessThanOrEqual(6000);
        records.push(...(next.output as { records: { id: string }[] }).records);
        page = next.truncated as typeof truncated;
      }
      expect(page.nextStep).toMatch(/last part/);
      expect(new Set(records.map((r) => r.id)).size).toBe(40);
      expect(countCalls(backend, log, 'action run')).toBe(runsBefore);

      const wrongTool = err(await s.call('onecrm_proxy_request', { resultId: truncated.resultId }));
      expect(wrongTool.code).toBe('INVALID_INPUT');
      expect(err(await s.call('onecrm_run_action', { resultId: 'r_doesnotexist' })).code).toBe('NOT_FOUND');
    });
  });

  describe('error results within the budget', () => {
    it('an INVALID_INPUT with a large schema stays under --max-result-chars, keeping the fields and the summary', async () => {
      const s = await server({ args: ['--max-result-chars', '2000'] });
      const r = await s.call('onecrm_run_action', { actionId: 'create-account', input: { employees: 'many' } });
      const e = err(r);
      expect(e.code).toBe('INVALID_INPUT');
      expect(JSON.stringify(r.structuredContent).length).toBeLessThanOrEqual(2000);
      expect(text(r).length).toBeLessThanOrEqual(2000);
      expect(JSON.stringify(e.details)).toMatch(/employees/);
      expect(e.details).not.toHaveProperty('inputSchema');
    });
  });

  describe('proxy response shapes', () => {
    it('compact drops HAL links and lifts items (AmoCRM) and renames records/total_results (1CRM); raw is untouched', async () => {
      const s = await server();
      const compact = ok(await s.call('amocrm_proxy_request', { path: '/api/v4/leads', query: { limit: 2, page: 1 } }));
      const body = compact.body as { items: unknown[]; entity: string; nextPage: { path: string; query: Record<string, string> } };
      expect(body.items).toHaveLength(2);
      expect(body.entity).toBe('leads');
      expect(body.nextPage).toEqual({ path: '/api/v4/leads', query: expect.objectContaining({ page: '2', limit: '2' }) });
      expect(JSON.stringify(body)).not.toContain('_links');

      const raw = ok(await s.call('amocrm_proxy_request', { path: '/api/v4/leads', query: { limit: 2 }, shape: 'raw' }));
      expect(raw.body).toHaveProperty('_embedded.leads');
      expect(JSON.stringify(raw.body)).toContain('_links');
      expect(JSON.stringify(compact).length).toBeLessThan(JSON.stringify(raw).length);

      const one = ok(await s.call('onecrm_proxy_request', { path: '/data/Contact', query: { limit: 3 } }));
      expect(one.body).toMatchObject({ items: expect.any(Array), total: expect.any(Number) });
      expect(one.body).not.toHaveProperty('records');

      const empty = ok(await s.call('amocrm_proxy_request', { path: '/api/v4/leads', query: { query: 'no lead is called this zzzz' } }));
      expect(empty.status).toBe(204);
      expect(empty.body).toBeNull();
    });
  });

  describe('connections', () => {
    // The test's own expect: in a concurrent suite the global expect.poll has no current test once another test ended.
    it('caches the connection list for 30 s, refresh bypasses it, and a connection error drops it', async ({ expect }) => {
      const dir = pool.dir('cache-');
      const log = join(dir.dir, 'calls.jsonl');
      const s = await server({ db: dir.path, env: { ...callLogEnv(backend, log), MEMBRANE_CRM_LOG_LEVEL: 'debug' } });
      const lists = () => countCalls(backend, log, 'connection list');
      const id = (ok(await s.call('onecrm_list_connections')).connections as { id: string }[])[0].id;
      ok(await s.call('amocrm_list_connections'));
      ok(await s.call('onecrm_search_actions', { intent: 'list accounts' }));
      expect(lists()).toBe(1);
      // stderr is another pipe than the answers: the line may come in a moment after them.
      await expect.poll(() => s.stderr()).toMatch(/cache hit: connection list/);
      ok(await s.call('onecrm_list_connections', { refresh: true }));
      expect(lists()).toBe(2);

      await runSandbox(['sandbox', 'disconnect', id, '--json'], { db: dir.path });
      // The cached list still says READY, so the call goes to Membrane and fails: that drops the cache.
      expect(err(await s.call('onecrm_run_action', { actionId: 'list-accounts' })).code).toBe('CONNECTION_NEEDS_USER_ACTION');
      const after = ok(await s.call('onecrm_list_connections'));
      expect((after.connections as { state: string }[])[0].state).toBe('CLIENT_ACTION_REQUIRED');
    });

    it('uses --default-connection when several connections are READY', async () => {
      const dir = pool.dir('default-');
      const second = await runSandbox(
        ['connect', '--connectorKey=amocrm', '--allowMultipleConnections', '--name=AmoCRM second', '--json'],
        {
          db: dir.path,
        },
      );
      const secondId = (second.json as { id: string }).id;
      const s = await server({ db: dir.path, args: ['--default-connection', `amocrm=${secondId}`] });
      const listed = ok(await s.call('amocrm_list_connections'));
      const connections = listed.connections as { id: string; isDefault: boolean }[];
      expect(connections).toHaveLength(2);
      expect(connections.find((c) => c.isDefault)?.id).toBe(secondId);
      expect(ok(await s.call('amocrm_search_actions', { intent: 'list leads' })).connectionId).toBe(secondId);
    });
  });

  describe('create_action', () => {
    it.each<Era>(['legacy', 'modern'])(
      'sends progress notifications while it waits (every 3 s) to a %s client that asked for them',
      async (era) => {
        const s = await server({ era, env: { MEMBRANE_SANDBOX_BUILD_MS: '4500' } });
        const progress: { progress: number; message?: string }[] = [];
        const r = await s.call(
          'amocrm_create_action',
          { description: 'list the notes of a company', waitSeconds: 30 },
          { onprogress: (p) => progress.push(p), timeout: 60_000 },
        );
        expect(ok(r).done).toBe(true);
        expect(progress.length).toBeGreaterThanOrEqual(2);
        // Under load the first heartbeat can still be on the way in (waiting for Membrane); the build is reported later.
        expect(progress.map((p) => p.message)).toContainEqual(expect.stringMatching(/building/));
        for (let i = 1; i < progress.length; i++) expect(progress[i].progress).toBeGreaterThanOrEqual(progress[i - 1].progress);
      },
    );

    it('returns done: false with the action id when the build outlasts waitSeconds, and resumes with actionId', async () => {
      // The build outlasts the 1 s wait by far: the wait's own long-poll (a CLI process on sandbox-cli) may start late.
      const s = await server({ env: { MEMBRANE_SANDBOX_BUILD_MS: '8000' } });
      const first = ok(await s.call('onecrm_create_action', { description: 'list all documents', waitSeconds: 1 }));
      expect(first.done).toBe(false);
      const id = (first.action as { id: string }).id;
      expect(first.nextStep).toContain(`{"actionId":"${id}"}`);
      const resumed = ok(await s.call('onecrm_create_action', { actionId: id, waitSeconds: 20 }));
      expect(resumed.done).toBe(true);
      expect(resumed.action).toMatchObject({ id, state: 'READY', kind: 'read' });
    });
  });

  describe('what the agent reads', () => {
    it('cards fit: five 1CRM cards for "create an account" within 2,500 characters, each about 500, lists never cut silently', async () => {
      const s = await server();
      const found = ok(await s.call('onecrm_search_actions', { intent: 'create an account', limit: 5 }));
      const cards = found.actions as { key: string; inputs: Record<string, string>; inputSchema?: unknown }[];
      expect(cards).toHaveLength(5);
      expect(JSON.stringify(cards).length).toBeLessThanOrEqual(2500);
      for (const card of cards) {
        expect(JSON.stringify(card).length, card.key).toBeLessThanOrEqual(500);
        expect(card).not.toHaveProperty('inputSchema');
      }
      const create = cards.find((c) => c.key === 'create-account')!;
      expect(Object.keys(create.inputs)[0]).toBe('name');
      expect(Object.keys(create.inputs).at(-1)).toMatch(/^\+\d+ more$/);
      // includeSchemas still gives everything.
      const full = ok(await s.call('onecrm_search_actions', { intent: 'create an account', limit: 1, includeSchemas: true }));
      expect((full.actions as { inputSchema: { properties: object } }[])[0].inputSchema.properties).toHaveProperty('website');
    });

    it('writes return what matters: no null or empty fields in the compact shape, the CRM output as given with shape raw', async () => {
      const s = await server();
      const compact = ok(await s.call('onecrm_run_action', { actionId: 'create-account', input: { name: 'Compact Co' } }));
      const record = (compact.output as { id: string; record: Record<string, unknown> }).record;
      expect(record).toMatchObject({ id: expect.any(String), name: 'Compact Co' });
      expect(Object.values(record).some((v) => v === null || v === '')).toBe(false);
      expect(JSON.stringify(compact).length).toBeLessThan(1000);

      const raw = ok(await s.call('onecrm_run_action', { actionId: 'create-account', input: { name: 'Raw Co' }, shape: 'raw' }));
      const rawRecord = (raw.output as { record: Record<string, unknown> }).record;
      expect(rawRecord.website).toBeNull();

      // A field the call cleared stays in the compact answer: it is what the call changed.
      const id = (compact.output as { id: string }).id;
      const cleared = ok(await s.call('onecrm_run_action', { actionId: 'update-account', input: { id, temperature: null } }));
      expect((cleared.output as { record: Record<string, unknown> }).record).toHaveProperty('temperature', null);
    });

    it('errors name what is missing: a record inside an action and a connection are NOT_FOUND with the id and the next step', async () => {
      const s = await server();
      const task = err(await s.call('amocrm_run_action', { actionId: 'get-task', input: { id: 999 } }));
      expect(task.code).toBe('NOT_FOUND');
      expect(task.message).toMatch(/get-task found no record for id 999/);
      expect(task.nextStep).toMatch(/amocrm_search_actions/);
      expect(task.details).toMatchObject({ status: 404, ids: { id: 999 } });
      const account = err(await s.call('onecrm_run_action', { actionId: 'update-account', input: { id: 'no-such-account', name: 'x' } }));
      expect(account.code).toBe('NOT_FOUND');
      expect(account.message).toMatch(/"no-such-account"/);
      const connection = err(await s.call('amocrm_run_action', { actionId: 'list-leads', connectionId: 'ffffffffffffffffffffffff' }));
      expect(connection.code).toBe('NOT_FOUND');
      expect(connection.message).toMatch(/ffffffffffffffffffffffff/);
      expect(connection.nextStep).toMatch(/amocrm_list_connections/);
    });

    it('create_action hands over its inputs: the card, and a next step that carries the conditions instead of an empty input', async () => {
      const s = await server();
      const built = ok(await s.call('amocrm_create_action', { description: 'list the tasks due this week', waitSeconds: 20 }));
      const action = built.action as { id: string; inputs: Record<string, string>; kind: string; description: string };
      expect(action.kind).toBe('read');
      expect(Object.keys(action.inputs).length).toBeGreaterThan(0);
      expect(built.nextStep).toMatch(/condition/);
      expect(built.nextStep).toMatch(/dates/);
      expect(built.nextStep).not.toMatch(/"input":\{\}/);
      expect(built.nextStep).toContain(action.id);
    });
  });
});
