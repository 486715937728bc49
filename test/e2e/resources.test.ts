// Resources end to end over stdio (and once over stateless HTTP), for a 2025 and a 2026 client, on both sandbox
// backends: each connector's action catalog and each action's full schemas (listed, templated, readable), through
// the same connection resolution, rules and output budget as the tools; a truncated tool result links to its
// stored rest (resource_link), which reads page by page.
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpServerHandle, startHttpServer } from '../helpers/http.js';
import { BACKENDS } from '../helpers/backends.js';
import { type Era, ok, serverPool } from '../helpers/mcp.js';

const pool = serverPool();
afterAll(() => pool.closeAll());

type Doc = Record<string, unknown>;

async function readJson(client: Client, uri: string): Promise<Doc> {
  const r = await client.readResource({ uri });
  expect(r.contents).toHaveLength(1);
  expect(r.contents[0]).toMatchObject({ uri, mimeType: 'application/json' });
  return JSON.parse((r.contents[0] as { text: string }).text) as Doc;
}

/** The JSON-RPC error of a read that must fail. */
async function readError(client: Client, uri: string): Promise<{ code: number; message: string; data?: Doc }> {
  try {
    await client.readResource({ uri });
  } catch (e) {
    return e as { code: number; message: string; data?: Doc };
  }
  throw new Error(`expected ${uri} to fail`);
}

async function listAll(client: Client) {
  const all = [];
  let cursor: string | undefined;
  do {
    const page = await client.listResources(cursor ? { cursor } : {});
    all.push(...page.resources);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

describe.each(BACKENDS)('resources on $name', (backend) => {
  describe.each<Era>(['legacy', 'modern'])('resources, %s client', (era) => {
    it('lists the templates, the catalogs and every action; reads a catalog and an action with its full schemas', async () => {
      const s = await pool.start({ backend, era });
      const { resourceTemplates } = await s.client.listResourceTemplates();
      expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual([
        'membrane://{connector}/actions',
        'membrane://{connector}/actions/{actionId}',
        'membrane://results/{resultId}{?offset}',
      ]);

      const listed = await listAll(s.client);
      const uris = listed.map((r) => r.uri);
      expect(uris).toContain('membrane://amocrm/actions');
      expect(uris).toContain('membrane://1crm/actions');
      const createLead = listed.find((r) => r.name === 'create-lead' && r.uri.startsWith('membrane://amocrm/'))!;
      expect(createLead).toMatchObject({ title: 'AmoCRM: Create lead', mimeType: 'application/json' });

      const catalog = await readJson(s.client, 'membrane://amocrm/actions');
      expect(catalog).toMatchObject({ backend: backend.name, connector: 'amocrm', actionUri: 'membrane://amocrm/actions/{actionId}' });
      const entries = catalog.actions as { id: string; key: string; kind: string }[];
      expect(entries.map((a) => a.key)).toEqual(expect.arrayContaining(['create-lead', 'list-leads', 'add-note', 'complete-task']));
      expect(entries.find((a) => a.key === 'list-leads')?.kind).toBe('read');
      // Every listed action resource is in its catalog, under its id.
      expect(createLead.uri).toBe(`membrane://amocrm/actions/${entries.find((a) => a.key === 'create-lead')!.id}`);

      const byId = await readJson(s.client, createLead.uri);
      const byKey = await readJson(s.client, 'membrane://amocrm/actions/create-lead');
      expect(byKey).toEqual(byId);
      const action = byId.action as Doc;
      expect(action).toMatchObject({ key: 'create-lead', type: 'create-data-record', kind: 'write' });
      expect((action.inputSchema as { required: string[] }).required).toContain('name');
      expect(action.outputSchema).toBeDefined();
      expect(byId.nextStep).toContain('amocrm_run_action');
    });

    it('refuses what is not there: an unknown connector, action or URI is "resource not found" with the coded text', async () => {
      const s = await pool.start({ backend, era });
      const connector = await readError(s.client, 'membrane://hubspot/actions');
      expect(connector.code).toBe(-32602);
      expect(connector.message).toMatch(
        /^NOT_FOUND: .*hubspot.* Next: Use one of: membrane:\/\/amocrm\/actions, membrane:\/\/1crm\/actions/,
      );
      expect(connector.data).toEqual({ uri: 'membrane://hubspot/actions' });
      const action = await readError(s.client, 'membrane://1crm/actions/no-such-action');
      expect(action.code).toBe(-32602);
      expect(action.message).toMatch(/^NOT_FOUND: /);
      const other = await readError(s.client, 'file:///etc/passwd');
      expect(other.message).toMatch(/^NOT_FOUND: No resource/);
    });
  });

  describe('resources/list pages by the result budget', () => {
    it('with --max-result-chars=2000 every page fits it, and the pages together list what one budget-free listing does', async () => {
      const [small, large] = await Promise.all([pool.start({ backend, args: ['--max-result-chars=2000'] }), pool.start({ backend })]);
      const pages: number[] = [];
      const all = [];
      let cursor: string | undefined;
      do {
        // One page per request: listResources() without a cursor would walk and join every page itself.
        const page = await small.client.request({ method: 'resources/list', params: cursor ? { cursor } : {} });
        pages.push(JSON.stringify({ resources: page.resources, nextCursor: page.nextCursor }).length);
        all.push(...page.resources);
        cursor = page.nextCursor;
      } while (cursor);
      expect(pages.length).toBeGreaterThan(1);
      for (const chars of pages) expect(chars).toBeLessThanOrEqual(2000);
      expect(all.map((r) => r.uri)).toEqual((await listAll(large.client)).map((r) => r.uri));
    });
  });

  describe('resources follow the server rules and the connection state', () => {
    it('read-only lists and shows reads only; a write action reads as POLICY_DENIED', async () => {
      const s = await pool.start({ backend, args: ['--read-only'] });
      const catalog = await readJson(s.client, 'membrane://1crm/actions');
      const kinds = new Set((catalog.actions as { kind: string }[]).map((a) => a.kind));
      expect([...kinds]).toEqual(['read']);
      expect(catalog.hidden).toBeGreaterThan(0);
      const listed = await listAll(s.client);
      expect(listed.some((r) => r.name === 'delete-account')).toBe(false);
      expect(listed.some((r) => r.name === 'list-accounts')).toBe(true);
      const denied = await readError(s.client, 'membrane://1crm/actions/delete-account');
      expect(denied.code).toBe(-32602);
      expect(denied.message).toMatch(/^POLICY_DENIED: .*read-only/);
      expect((denied.data?.error as Doc).code).toBe('POLICY_DENIED');
    });

    it('--deny-actions hides the denied actions from the catalog and the listing', async () => {
      const s = await pool.start({ backend, args: ['--deny-actions', 'amocrm:create-*'] });
      const keys = ((await readJson(s.client, 'membrane://amocrm/actions')).actions as { key: string }[]).map((a) => a.key);
      expect(keys).toContain('update-lead');
      expect(keys.filter((k) => k.startsWith('create-'))).toEqual([]);
      expect((await readError(s.client, 'membrane://amocrm/actions/create-lead')).message).toMatch(/^POLICY_DENIED: .*--deny-actions/);
    });

    it('a connection that needs the user: listing keeps the catalogs; reading says what to do, with the uiUrl', async () => {
      const s = await pool.start({ backend, env: { MEMBRANE_SANDBOX_FAULT: 'expired-connection' } });
      const listed = await listAll(s.client);
      expect(listed.map((r) => r.uri)).toEqual(['membrane://amocrm/actions', 'membrane://1crm/actions']);
      const e = await readError(s.client, 'membrane://amocrm/actions');
      expect(e.message).toMatch(/^CONNECTION_NEEDS_USER_ACTION: /);
      expect((e.data?.error as Doc).uiUrl).toMatch(/^https:\/\/.+\/reconnect$/);
    });
  });

  describe.each<Era>(['legacy', 'modern'])('truncated results link to their rest, %s client', (era) => {
    it('a cut tool result carries a resource_link; the rest reads page by page; the structured result is unchanged', async () => {
      const s = await pool.start({ backend, era, args: ['--max-result-chars', '4000'] });
      const r = await s.call('onecrm_run_action', { actionId: 'list-accounts', input: { limit: 50 } });
      const structured = ok(r);
      const truncated = structured.truncated as { resultId: string; nextOffset: number; total: number };
      expect(truncated.resultId).toMatch(/^r_/);
      expect(r.content).toHaveLength(2);
      expect(JSON.parse((r.content[0] as { text: string }).text)).toEqual(structured);
      const link = r.content[1] as { type: string; uri: string; mimeType: string };
      expect(link).toMatchObject({ type: 'resource_link', mimeType: 'application/json' });
      expect(link.uri).toBe(`membrane://results/${truncated.resultId}?offset=${truncated.nextOffset}`);

      // Reading the links one after another returns every record once, in order.
      const firstPage = (structured.output as { records: { id: string }[] }).records;
      const seen = firstPage.map((x) => x.id);
      let next: string | undefined = link.uri;
      while (next) {
        const page = await readJson(s.client, next);
        expect(JSON.stringify(page).length).toBeLessThanOrEqual(4000);
        seen.push(...(page.output as { records: { id: string }[] }).records.map((x) => x.id));
        next = page.next as string | undefined;
      }
      expect(seen).toHaveLength(truncated.total);
      expect(new Set(seen).size).toBe(truncated.total);

      const gone = await readError(s.client, 'membrane://results/r_doesnotexist00');
      expect(gone.message).toMatch(/^NOT_FOUND: No stored result/);
    });

    it('a catalog larger than the budget is cut too, and its rest is a stored result', async () => {
      const s = await pool.start({ backend, era, args: ['--max-result-chars', '3000'] });
      const catalog = await readJson(s.client, 'membrane://1crm/actions');
      const truncated = catalog.truncated as { resultId: string; nextOffset: number; total: number; nextStep: string };
      expect(JSON.stringify(catalog).length).toBeLessThanOrEqual(3000);
      expect(truncated.nextStep).toContain(`membrane://results/${truncated.resultId}?offset=${truncated.nextOffset}`);
      const rest = await readJson(s.client, `membrane://results/${truncated.resultId}?offset=${truncated.nextOffset}`);
      expect((rest.actions as unknown[]).length).toBeGreaterThan(0);
    });
  });

  describe('over stateless HTTP (--http), both eras against one server', () => {
    let srv: HttpServerHandle;
    beforeAll(async () => {
      srv = await startHttpServer({ backend, args: ['--max-result-chars', '4000'] });
    });
    afterAll(() => srv.stop());

    it.each<Era>(['legacy', 'modern'])('a %s client reads a catalog, an action, a stored rest, a prompt and a completion', async (era) => {
      const client = await srv.connect({ era });
      const catalog = await readJson(client, 'membrane://amocrm/actions');
      expect((catalog.actions as { key: string }[]).some((a) => a.key === 'add-note')).toBe(true);
      expect(((await readJson(client, 'membrane://amocrm/actions/add-note')).action as Doc).key).toBe('add-note');

      // The stored rest of a result cut by one request is read by another request (the state store, not the instance).
      const r = await client.callTool({ name: 'onecrm_run_action', arguments: { actionId: 'list-accounts', input: { limit: 50 } } });
      const link = (r.content as { type: string; uri?: string }[]).find((b) => b.type === 'resource_link');
      expect(link?.uri).toMatch(/^membrane:\/\/results\/r_/);
      expect((await readJson(client, link!.uri!)).output).toBeDefined();

      const prompt = await client.getPrompt({
        name: 'update_contact',
        arguments: { connector: '1crm', contact: 'Hannah', changes: 'title CFO' },
      });
      expect((prompt.messages[0].content as { text: string }).text).toContain('onecrm_search_actions');
      const names = await client.complete({
        ref: { type: 'ref/prompt', name: 'update_contact' },
        argument: { name: 'contact', value: 'hannah' },
        context: { arguments: { connector: '1crm' } },
      });
      expect(names.completion.values).toContain('Hannah Weber');
    });
  });
});
