// The sandbox's REST API checked by Membrane's own client: the official SDK (@membranehq/sdk, pinned)
// against the built `membrane-sandbox serve`, in its three ways in (workspace key + secret with the
// SDK minting HS256 tokens, an HS512 tenant JWT, the `pat-` token), making every call the server's
// api backend makes; responses parse with the SDK's own zod schemas wherever it exports one.
import {
  ActionApiResponse,
  ActionRunResponse,
  ActRequest,
  BadRequestError,
  ConnectionApiResponse,
  ConnectionError,
  CreateActionRequest,
  ErrorDataSchema,
  FindActionsQuery,
  FindConnectionsQuery,
  MembraneClient,
  isMembraneError,
  type MembraneError,
} from '@membranehq/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSandbox, tempDb, type Json } from '../helpers/sandbox.js';
import { epochSeconds, isHttpClientError, mintToken, spawnSandboxApi, type SpawnedSandboxApi } from '../helpers/spawn-sandbox-api.js';

const db = tempDb('sbx-api-sdk-');
let api: SpawnedSandboxApi;
const clients: { name: string; client: MembraneClient }[] = [];

beforeAll(async () => {
  api = await spawnSandboxApi({ db: db.path, env: { MEMBRANE_SANDBOX_BUILD_MS: '300' } });
  const { apiUri, workspaceKey, workspaceSecret, tenantKey, accessToken } = api;
  const jwt = mintToken({ workspaceKey, tenantKey, exp: epochSeconds(600) }, workspaceSecret, 'HS512');
  clients.push(
    { name: 'workspace key + secret (SDK-minted HS256)', client: new MembraneClient({ apiUri, workspaceKey, workspaceSecret, tenantKey }) },
    { name: 'HS512 token {workspaceKey, tenantKey}', client: new MembraneClient({ apiUri, token: jwt }) },
    { name: 'pat- token', client: new MembraneClient({ apiUri, token: accessToken }) },
  );
});

afterAll(async () => {
  await api?.stop();
  db.cleanup();
});

const sdk = () => clients[0].client;

/** The SDK's typed error for a call that must fail (the call's own error when it does not). */
async function membraneError(call: Promise<unknown>): Promise<MembraneError> {
  const err: unknown = await call.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
  if (!isMembraneError(err)) throw err;
  expect(ErrorDataSchema.parse((err as MembraneError).data)).toBeTruthy();
  return err as MembraneError;
}

/** The raw AxiosError of a call the SDK does not turn into a MembraneError (CRM errors through the proxy, HTML pages). */
async function axiosError(call: Promise<unknown>) {
  const err: unknown = await call.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
  if (!isHttpClientError(err) || isMembraneError(err)) throw err;
  return err;
}

async function connectionIds(client: MembraneClient): Promise<{ amocrm: string; onecrm: string }> {
  const { items } = await client.connections.find({});
  const idOf = (key: string) => items.find((c) => c.integration?.key === key)!.id;
  return { amocrm: idOf('amocrm'), onecrm: idOf('1crm') };
}

describe('the start-up line', () => {
  it('holds the API URI and the credentials, nothing else', () => {
    expect(Object.keys(JSON.parse(api.stdout().split('\n')[0]) as Json).sort()).toEqual([
      'accessToken',
      'apiUri',
      'tenantKey',
      'workspaceKey',
      'workspaceSecret',
    ]);
    expect(api.apiUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(api.accessToken).toMatch(/^pat-/);
    expect(api.workspaceSecret.length).toBeGreaterThanOrEqual(32);
  });
});

describe.each([0, 1, 2])('connections (client %i)', (i) => {
  it('connections.find pages with cursors to the same list as one unpaged call; items parse as ConnectionApiResponse', async () => {
    const { client } = clients[i];
    const whole = await client.connections.find({});
    expect(whole.items.length).toBeGreaterThanOrEqual(2);
    expect(whole.cursor).toBeUndefined();
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const query = { limit: 1, ...(cursor ? { cursor } : {}) };
      FindConnectionsQuery.parse(query);
      const page = await client.connections.find(query);
      expect(page.items).toHaveLength(1);
      paged.push(...page.items.map((c) => c.id));
      cursor = page.cursor;
    } while (cursor && paged.length < 50);
    expect(paged).toEqual(whole.items.map((c) => c.id));
    for (const c of whole.items) {
      const parsed = ConnectionApiResponse.parse(c);
      expect(parsed).toMatchObject({ id: c.id, name: c.name, userId: expect.any(String), state: expect.any(String) });
      expect(parsed.integration).toMatchObject({ key: expect.any(String), logoUri: expect.any(String) });
    }
    // findAll's first page: cursor '0'.
    const fromZero = await client.connections.find({ limit: 1000, cursor: '0' });
    expect(fromZero.items.map((c) => c.id)).toEqual(paged);
  });

  it('connection(id).get() and the wait=true long-poll answer the same READY connection', async () => {
    const { client } = clients[i];
    const { amocrm } = await connectionIds(client);
    const one = await client.connection(amocrm).get();
    expect(ConnectionApiResponse.parse(one)).toMatchObject({ id: amocrm, state: 'READY', connected: true, integration: { key: 'amocrm' } });
    const waited = await client.get<Json>(`/connections/${amocrm}`, { wait: true, timeout: 5 });
    expect(waited).toEqual(one);
  });
});

describe('actions', () => {
  it('actions.find with an intent and a connection ranks that connector’s actions; items parse as ActionApiResponse', async () => {
    const { amocrm, onecrm } = await connectionIds(sdk());
    for (const { client } of clients) {
      const query = { connectionId: amocrm, intent: 'create a lead', limit: 3 };
      FindActionsQuery.parse(query);
      const found = await client.actions.find(query);
      expect(found.items).toHaveLength(3);
      expect(found.items[0]).toMatchObject({ key: 'create-lead', state: 'READY', connectionId: amocrm, type: 'create-data-record' });
      for (const a of found.items) expect(ActionApiResponse.parse(a)).toMatchObject({ id: a.id, inputSchema: expect.any(Object) });
    }
    const onOneCrm = await sdk().actions.find({ connectionId: onecrm, intent: 'list accounts', limit: 1 });
    expect(onOneCrm.items[0]).toMatchObject({ key: 'list-accounts', isReadOnly: true });
  });

  it('actions.find without an intent pages through every action of the connection', async () => {
    const { onecrm } = await connectionIds(sdk());
    const whole = await sdk().actions.find({ connectionId: onecrm });
    const keys: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await sdk().actions.find({ connectionId: onecrm, limit: 7, ...(cursor ? { cursor } : {}) });
      keys.push(...page.items.map((a) => a.key!));
      cursor = page.cursor;
    } while (cursor);
    expect(keys).toEqual(whole.items.map((a) => a.key));
    expect(keys.length).toBeGreaterThan(7);
  });

  it("every prebuilt action of both connectors parses as ActionApiResponse (schemas in the SDK's data-schema dialect)", async () => {
    const { amocrm, onecrm } = await connectionIds(sdk());
    for (const connectionId of [amocrm, onecrm]) {
      const all = await sdk().actions.find({ connectionId, limit: 1000 });
      expect(all.items.length).toBeGreaterThan(20);
      for (const a of all.items) expect(() => ActionApiResponse.parse(a), a.key).not.toThrow();
    }
  });

  it('actions.create answers BUILDING; get with wait/timeout holds until READY; the built action runs through /act', async () => {
    const { amocrm } = await connectionIds(sdk());
    for (const { client } of clients) {
      const request = { intent: 'create a deal with a budget', connectionId: amocrm, name: 'Budget deal' };
      CreateActionRequest.parse(request);
      const created = await client.actions.create(request);
      expect(ActionApiResponse.parse(created)).toMatchObject({ state: 'BUILDING', name: 'Budget deal', connectionId: amocrm });
      const started = Date.now();
      const ready = await client.get<Json>(`actions/${created.id}`, { wait: true, timeout: 30 }, { timeout: 45_000 });
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(ActionApiResponse.parse(ready)).toMatchObject({ id: created.id, state: 'READY', type: 'create-data-record' });
      const ran = await client.post<Json>('/act', { id: created.id, connectionId: amocrm, input: { name: 'Built deal', price: 5 } });
      expect(ActionRunResponse.parse(ran).output).toMatchObject({ record: { name: 'Built deal', price: 5 } });
    }
  });

  it('a build that cannot succeed ends in SETUP_FAILED with errors[] (ErrorData), and running it is action_instance_setup', async () => {
    const { amocrm } = await connectionIds(sdk());
    const created = await sdk().actions.create({ intent: 'delete a lead', connectionId: amocrm });
    const failed = ActionApiResponse.parse(await sdk().get(`actions/${created.id}`, { wait: true, timeout: 30 }));
    expect(failed.state).toBe('SETUP_FAILED');
    expect(failed.errors).toEqual([expect.objectContaining({ type: 'action_instance_setup', message: expect.any(String) })]);
    for (const e of failed.errors!) ErrorDataSchema.parse(e);
    const err = await membraneError(sdk().post('/act', { id: created.id, connectionId: amocrm }));
    expect(err.data).toMatchObject({ type: 'action_instance_setup', message: expect.stringContaining('SETUP_FAILED') });
  });
});

describe('runs', () => {
  it("post('/act') runs by id or by key; the body passes the SDK's strict ActRequest, the answer ActionRunResponse", async () => {
    const { amocrm, onecrm } = await connectionIds(sdk());
    const [createLead] = (await sdk().actions.find({ connectionId: amocrm, intent: 'create a lead', limit: 1 })).items;
    for (const { client } of clients) {
      const body = { id: createLead.id, connectionId: amocrm, input: { name: 'Lead from the SDK' } };
      ActRequest.parse(body);
      const ran = ActionRunResponse.parse(await client.post('/act', body));
      expect(ran.actionRunId).toMatch(/^[0-9a-f]{24}$/);
      const leadId = (ran.output as Json).id as number;
      const byKey = { key: 'get-lead', connectionId: amocrm, input: { id: leadId } };
      ActRequest.parse(byKey);
      expect(ActionRunResponse.parse(await client.post('/act', byKey)).output).toMatchObject({ id: leadId, name: 'Lead from the SDK' });
    }
    const accounts = ActionRunResponse.parse(await sdk().post('/act', { key: 'list-accounts', connectionId: onecrm, input: { limit: 2 } }));
    expect((accounts.output as Json).records).toHaveLength(2);
  });

  it('the deprecated action(id).run(input, {connectionId}) runs the same action', async () => {
    const { onecrm } = await connectionIds(sdk());
    const [listAccounts] = (await sdk().actions.find({ connectionId: onecrm, intent: 'list accounts', limit: 1 })).items;
    for (const { client } of clients) {
      const ran = ActionRunResponse.parse(await client.action(listAccounts.id).run({ limit: 3 }, { connectionId: onecrm }));
      expect((ran.output as Json).records).toHaveLength(3);
      expect(ran.actionRunId).toMatch(/^[0-9a-f]{24}$/);
    }
  });

  it('run errors are typed: bad input, a CRM error (action_run with the run id and the CRM response), an unknown action', async () => {
    const { amocrm } = await connectionIds(sdk());
    const invalid = await membraneError(sdk().post('/act', { key: 'create-lead', connectionId: amocrm, input: { price: 'abc' } }));
    expect(invalid).toBeInstanceOf(BadRequestError);
    expect(invalid.data).toMatchObject({ key: 'invalid_input', data: { errors: expect.any(Array) } });
    const crm = await membraneError(sdk().post('/act', { key: 'get-lead', connectionId: amocrm, input: { id: 999999999 } }));
    expect(crm.data).toMatchObject({ type: 'action_run', data: { actionRunId: expect.any(String), response: { status: 404 } } });
    const unknown = await membraneError(sdk().post('/act', { key: 'no-such-action', connectionId: amocrm }));
    expect(unknown).toBeInstanceOf(BadRequestError);
    expect(unknown.data).toMatchObject({ type: 'bad_request', key: 'not_found' });
  });

  it("an unknown connection is not_found (Membrane's documented body); a disconnected one is connection_is_defunct, on /act and the proxy", async () => {
    const { onecrm } = await connectionIds(sdk());
    for (const call of [
      () => sdk().post('/act', { key: 'list-accounts', connectionId: 'no-such-connection' }),
      () => sdk().connection('no-such-connection').proxy.get('/data/Account'),
    ]) {
      const err = await membraneError(call());
      expect(err).toBeInstanceOf(BadRequestError);
      expect(err.data).toMatchObject({ type: 'bad_request', key: 'not_found', message: expect.stringContaining("'no-such-connection'") });
    }
    await runSandbox(['sandbox', 'disconnect', onecrm, '--json'], { db: db.path });
    try {
      expect(await sdk().connection(onecrm).get()).toMatchObject({ state: 'CLIENT_ACTION_REQUIRED', disconnected: true });
      for (const call of [
        () => sdk().post('/act', { key: 'list-accounts', connectionId: onecrm }),
        () => sdk().connection(onecrm).proxy.get('/data/Account'),
      ]) {
        const err = await membraneError(call());
        expect(err).toBeInstanceOf(ConnectionError);
        expect(err.data).toMatchObject({
          key: 'connection_is_defunct',
          data: { connectionId: onecrm, uiUrl: expect.stringContaining(onecrm) },
        });
      }
    } finally {
      await runSandbox(['connect', `--connectionId=${onecrm}`, '--json'], { db: db.path });
    }
    expect(await sdk().connection(onecrm).get()).toMatchObject({ state: 'READY' });
  });
});

/** `{status, headers, body}` of a proxied call, 2xx and 4xx alike (how an adapter keeps the CRM's status and headers). */
async function envelope(client: MembraneClient, method: 'get' | 'post' | 'patch', path: string, data?: unknown) {
  type Config = NonNullable<Parameters<MembraneClient['get']>[2]>;
  const config: Config = {
    validateStatus: () => true,
    transformResponse: [
      (raw: string, headers, status) => ({
        status,
        headers: headers.toJSON(true),
        body: raw ? (JSON.parse(raw) as Json) : null,
      }),
    ],
  };
  const call = method === 'get' ? client.get(path, undefined, config) : client[method](path, data, config);
  return (await call) as { status: number; headers: Record<string, string>; body: Json | null };
}

describe('proxy', () => {
  it('AmoCRM: GET list, POST create, PATCH, a 404 and a validation error come back with the CRM’s own status, headers and body', async () => {
    const { amocrm } = await connectionIds(sdk());
    for (const { client } of clients) {
      const proxy = client.connection(amocrm).proxy;
      const list = (await proxy.get('/api/v4/leads?limit=2')) as Json;
      expect(list._embedded.leads).toHaveLength(2);
      const created = (await proxy.post('/api/v4/leads', [{ name: 'Proxied lead', price: 10 }])) as Json;
      const id = created._embedded.leads[0].id as number;
      const patched = (await proxy.patch(`/api/v4/leads/${id}`, { name: 'Proxied lead, renamed' })) as Json;
      expect(patched).toMatchObject({ id });
      expect(await proxy.get(`/api/v4/leads/${id}`)).toMatchObject({ id, name: 'Proxied lead, renamed', price: 10 });

      const missing = await axiosError(proxy.get('/api/v4/leads/999999999'));
      expect(missing.response?.status).toBe(404);
      expect(missing.response?.headers['content-type']).toBe('application/problem+json');
      expect(missing.response?.data).toMatchObject({ status: 404 });
      const invalid = await axiosError(proxy.post('/api/v4/leads', [{ price: 'abc' }]));
      expect(invalid.response?.status).toBe(400);
      expect((invalid.response?.data as Json)['validation-errors']).toEqual(expect.any(Array));
    }
    const env = await envelope(sdk(), 'get', `/connections/${amocrm}/proxy/api/v4/leads?limit=1`);
    expect(env).toMatchObject({
      status: 200,
      headers: { 'content-type': 'application/hal+json' },
      body: { _embedded: { leads: [expect.any(Object)] } },
    });
    const missing = await envelope(sdk(), 'get', `/connections/${amocrm}/proxy/api/v4/leads/999999999`);
    expect(missing).toMatchObject({ status: 404, headers: { 'content-type': 'application/problem+json' }, body: { status: 404 } });
  });

  it('1CRM: GET list, POST create, PATCH, a 404 and the CRM’s own error body', async () => {
    const { onecrm } = await connectionIds(sdk());
    for (const { client } of clients) {
      const proxy = client.connection(onecrm).proxy;
      const list = (await proxy.get('/data/Account?limit=2')) as Json;
      expect(list).toMatchObject({ records: [expect.any(Object), expect.any(Object)], total_results: expect.any(Number) });
      const created = (await proxy.post('/data/Account', { data: { name: 'Proxied account' } })) as Json;
      const id = created.id as string;
      expect(id).toEqual(expect.any(String));
      await proxy.patch(`/data/Account/${id}`, { data: { name: 'Proxied account, renamed' } });
      expect(await proxy.get(`/data/Account/${id}`)).toMatchObject({ record: { name: 'Proxied account, renamed' } });

      const invalid = await axiosError(proxy.post('/data/Account', { name: 'No envelope' }));
      expect(invalid.response?.status).toBe(400);
      expect(invalid.response?.data).toMatchObject({ error: 'invalid_request', message: expect.any(String) });
      const missing = await axiosError(proxy.get('/data/Account/no-such-id'));
      expect(missing.response?.status).toBe(404);
      expect(missing.response?.data).toMatchObject({ message: expect.any(String) });
      // The CRM's error body is not ErrorData: the SDK leaves it to the caller.
      expect(isMembraneError(missing)).toBeFalsy();
    }
  });
});
