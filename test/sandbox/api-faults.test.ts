// MEMBRANE_SANDBOX_FAULT on `membrane-sandbox serve`, seen through the official SDK (and plain fetch
// where the status or a header matters): each fault is one Membrane-side failure the server's api
// backend must handle. One store for the file; one server per fault.
import { BadRequestError, ConnectionError, ErrorDataSchema, MembraneClient, isMembraneError, type MembraneError } from '@membranehq/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSandbox, seededConnectionIds, tempDb, type Json } from '../helpers/sandbox.js';
import { epochSeconds, isHttpClientError, mintToken, spawnSandboxApi, type SpawnedSandboxApi } from '../helpers/spawn-sandbox-api.js';

const db = tempDb('sbx-api-faults-');
let amoId = '';
let oneId = '';

beforeAll(async () => {
  ({ amocrm: amoId, onecrm: oneId } = await seededConnectionIds(db.path));
});
afterAll(() => db.cleanup());

/** Runs `fn` against a server started with these faults, and stops it (even when `fn` fails). */
async function withFault(
  fault: string,
  fn: (api: SpawnedSandboxApi, sdk: MembraneClient) => Promise<void>,
  env: Record<string, string> = {},
) {
  const api = await spawnSandboxApi({ db: db.path, env: { MEMBRANE_SANDBOX_FAULT: fault, ...env } });
  try {
    await fn(
      api,
      new MembraneClient({
        apiUri: api.apiUri,
        workspaceKey: api.workspaceKey,
        workspaceSecret: api.workspaceSecret,
        tenantKey: api.tenantKey,
      }),
    );
  } finally {
    const end = await api.stop();
    expect(end.exitCode).toBe(0);
  }
}

async function failure(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
}

async function membraneError(call: Promise<unknown>): Promise<MembraneError> {
  const err = await failure(call);
  if (!isMembraneError(err)) throw err;
  ErrorDataSchema.parse((err as MembraneError).data);
  return err as MembraneError;
}

/** A raw request with the pat- token: status, headers and parsed body. */
async function raw(api: SpawnedSandboxApi, path: string, init: RequestInit = {}) {
  const res = await fetch(api.apiUri + path, {
    ...init,
    headers: { authorization: `Bearer ${api.accessToken}`, 'content-type': 'application/json', ...init.headers },
  });
  const text = await res.text();
  let body: Json | string = text;
  try {
    body = JSON.parse(text) as Json;
  } catch {
    // not JSON: kept as text
  }
  return { status: res.status, headers: res.headers, body };
}

describe('Membrane-side refusals', () => {
  it('expired-token: every call is 401 not_authenticated (the SDK throws BadRequestError), reads and writes alike', async () => {
    await withFault('expired-token', async (api, sdk) => {
      for (const call of [
        () => sdk.connections.find({}),
        () => sdk.actions.find({ connectionId: amoId, intent: 'create a lead' }),
        () => sdk.post('/act', { key: 'list-leads', connectionId: amoId }),
        () => sdk.connection(amoId).proxy.get('/api/v4/leads'),
      ]) {
        const err = await membraneError(call());
        expect(err).toBeInstanceOf(BadRequestError);
        expect(err.data).toMatchObject({ type: 'bad_request', key: 'not_authenticated', message: expect.stringMatching(/expired/i) });
      }
      expect((await raw(api, '/connections')).status).toBe(401);
    });
  });

  it('not-logged-in: 401 not_authenticated', async () => {
    await withFault('not-logged-in', async (api, sdk) => {
      expect((await membraneError(sdk.connections.find({}))).data).toMatchObject({ key: 'not_authenticated' });
      expect((await raw(api, '/actions')).status).toBe(401);
    });
  });

  it('api-rate-limit: 429 rate_limit_exceeded with Retry-After; api-rate-limit-no-retry-after: the same without the header', async () => {
    await withFault('api-rate-limit', async (api, sdk) => {
      const err = await membraneError(sdk.connections.find({}));
      expect(err).toBeInstanceOf(BadRequestError);
      expect(err.data).toMatchObject({ type: 'bad_request', key: 'rate_limit_exceeded' });
      const r = await raw(api, '/connections');
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('1');
    });
    await withFault('api-rate-limit-no-retry-after', async (api, sdk) => {
      expect((await membraneError(sdk.post('/act', { key: 'list-leads', connectionId: amoId }))).data).toMatchObject({
        key: 'rate_limit_exceeded',
      });
      const r = await raw(api, '/connections');
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBeNull();
    });
  });

  it('not-found: calls that name a connection or an action are 404 not_found; lists still answer', async () => {
    await withFault('not-found', async (api, sdk) => {
      expect((await sdk.connections.find({})).items.length).toBeGreaterThanOrEqual(2);
      for (const call of [
        () => sdk.connection(amoId).get(),
        () => sdk.get(`actions/${'0'.repeat(24)}`),
        () => sdk.post('/act', { key: 'list-leads', connectionId: amoId }),
        () => sdk.connection(amoId).proxy.get('/api/v4/leads'),
      ]) {
        expect((await membraneError(call())).data).toMatchObject({ type: 'bad_request', key: 'not_found' });
      }
      expect((await raw(api, `/connections/${amoId}`)).status).toBe(404);
    });
  });

  it('action-create-forbidden: tenant tokens get 403 access_denied on POST /actions with what to do; a manager token creates', async () => {
    await withFault('action-create-forbidden', async (api, sdk) => {
      const tenantClients = [
        sdk,
        new MembraneClient({ apiUri: api.apiUri, token: api.accessToken }),
        new MembraneClient({
          apiUri: api.apiUri,
          token: mintToken({ workspaceKey: api.workspaceKey, tenantKey: api.tenantKey, exp: epochSeconds(600) }, api.workspaceSecret),
        }),
      ];
      for (const client of tenantClients) {
        const err = await membraneError(client.actions.create({ intent: 'create a deal', connectionId: amoId }));
        expect(err).toBeInstanceOf(BadRequestError);
        expect(err.data).toMatchObject({ type: 'bad_request', key: 'access_denied', message: expect.stringContaining('isAdmin') });
        // Searching and running stay allowed.
        expect((await client.actions.find({ connectionId: amoId, intent: 'list leads', limit: 1 })).items).toHaveLength(1);
      }
      const forbidden = await raw(api, '/actions', {
        method: 'POST',
        body: JSON.stringify({ intent: 'create a deal', connectionId: amoId }),
      });
      expect(forbidden.status).toBe(403);
      const manager = new MembraneClient({
        apiUri: api.apiUri,
        token: mintToken({ workspaceKey: api.workspaceKey, isAdmin: true, exp: epochSeconds(300) }, api.workspaceSecret, 'HS256'),
      });
      expect(await manager.actions.create({ intent: 'create a deal', connectionId: amoId })).toMatchObject({ state: 'BUILDING' });
    });
  });
});

describe('builds', () => {
  it('build-hangs: a new action stays BUILDING; wait=true answers BUILDING once its timeout passes; running it is action_instance_setup', async () => {
    await withFault('build-hangs', async (_api, sdk) => {
      const created = await sdk.actions.create({ intent: 'create a deal', connectionId: amoId });
      const started = Date.now();
      const waited = await sdk.get<Json>(`actions/${created.id}`, { wait: true, timeout: 1 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(990);
      expect(waited).toMatchObject({ id: created.id, state: 'BUILDING' });
      const err = await membraneError(sdk.post('/act', { id: created.id, connectionId: amoId, input: { name: 'x' } }));
      expect(err.data).toEqual({ type: 'action_instance_setup', message: 'Action is not ready (state BUILDING)' });
    });
  });

  it('build-fails: a buildable intent still ends in SETUP_FAILED with errors[]', async () => {
    await withFault('build-fails', async (_api, sdk) => {
      const created = await sdk.actions.create({ intent: 'create a deal', connectionId: amoId });
      const done = await sdk.get<Json>(`actions/${created.id}`, { wait: true, timeout: 10 });
      expect(done).toMatchObject({
        state: 'SETUP_FAILED',
        errors: [{ type: 'action_instance_setup', message: expect.stringContaining('build-fails') }],
      });
    });
  });
});

describe('transport', () => {
  it('garbage: an HTML 502 page (not ErrorData), which the SDK leaves a raw AxiosError', async () => {
    await withFault('garbage', async (api, sdk) => {
      const err = await failure(sdk.connections.find({}));
      if (!isHttpClientError(err)) throw err;
      expect(err.response?.status).toBe(502);
      expect(String(err.response?.headers['content-type'])).toMatch(/^text\/html/);
      expect(String(err.response?.data)).toMatch(/^<html>/);
      expect((await raw(api, '/act', { method: 'POST', body: '{}' })).status).toBe(502);
    });
  });

  it('hang: a request is never answered (the client times out); the server still stops at once on SIGTERM', async () => {
    await withFault('hang', async (_api, sdk) => {
      const err = await failure(sdk.get('/connections', undefined, { timeout: 300 }));
      expect(isHttpClientError(err) && err.code).toBe('ECONNABORTED');
    });
  });

  it('crash: the answer breaks off halfway after the work was done (a write may have been applied)', async () => {
    const name = `Lead written before the crash ${Date.now()}`;
    await withFault('crash', async (_api, sdk) => {
      const err = await failure(sdk.post('/act', { key: 'create-lead', connectionId: amoId, input: { name } }));
      expect(isMembraneError(err)).toBeFalsy();
      expect(isHttpClientError(err)).toBe(true);
    });
    const found = await runSandbox(['request', amoId, '/api/v4/leads', '--query', `query=${name}`, '--json'], { db: db.path });
    expect((found.json as Json).body._embedded.leads).toEqual([expect.objectContaining({ name })]);
  });

  it('latency=<ms>: every answer comes that much later, unchanged', async () => {
    await withFault('latency=300', async (_api, sdk) => {
      const started = Date.now();
      const list = await sdk.connections.find({});
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      expect(list.items.length).toBeGreaterThanOrEqual(2);
    });
  });

  it('stderr-noise: token-like lines on the server’s stderr, answers unchanged', async () => {
    await withFault('stderr-noise', async (api, sdk) => {
      expect((await sdk.connections.find({})).items.length).toBeGreaterThanOrEqual(2);
      expect(api.stderr()).toMatch(/Authorization: Bearer sbx_secret_[0-9a-f]+/);
    });
  });
});

describe('connections and the CRMs', () => {
  it('expired-connection: connections report disconnected; /act and the proxy are connection_is_defunct', async () => {
    await withFault('expired-connection', async (_api, sdk) => {
      for (const c of (await sdk.connections.find({})).items)
        expect(c).toMatchObject({ state: 'CLIENT_ACTION_REQUIRED', disconnected: true });
      for (const call of [
        () => sdk.post('/act', { key: 'list-leads', connectionId: amoId }),
        () => sdk.connection(oneId).proxy.get('/data/Account'),
      ]) {
        const err = await membraneError(call());
        expect(err).toBeInstanceOf(ConnectionError);
        expect(err.data).toMatchObject({ key: 'connection_is_defunct', message: expect.stringContaining('expired') });
      }
    });
  });

  it('rate-limit: a full AmoCRM window (filled by the CLI) is connection/rate_limit_exceeded (429, Retry-After) on /act and the CRM’s 429 on the proxy; 1CRM is not limited', async () => {
    const fill = await runSandbox(['sandbox', 'rate-fill', '--holdMs=20000', '--json'], { db: db.path });
    expect(fill.exitCode).toBe(0);
    await withFault('rate-limit', async (api, sdk) => {
      const err = await membraneError(sdk.post('/act', { key: 'list-leads', connectionId: amoId }));
      expect(err).toBeInstanceOf(ConnectionError);
      expect(err.data).toMatchObject({ type: 'connection', key: 'rate_limit_exceeded' });
      const act = await raw(api, '/act', { method: 'POST', body: JSON.stringify({ key: 'list-leads', connectionId: amoId }) });
      expect(act.status).toBe(429);
      expect(act.headers.get('retry-after')).toBe('1');
      const proxied = await raw(api, `/connections/${amoId}/proxy/api/v4/leads`);
      expect(proxied).toMatchObject({ status: 429, body: { status: 429, title: 'Too Many Requests' } });
      expect(proxied.headers.get('retry-after')).toBe('1');
      expect(proxied.headers.get('content-type')).toBe('application/problem+json');
      expect((await raw(api, `/connections/${oneId}/proxy/data/Account?limit=1`)).status).toBe(200);
    });
  });
});
