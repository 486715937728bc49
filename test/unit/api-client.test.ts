// The api backend against a local HTTP double of Membrane's REST API (test/helpers/membrane-api-double.ts), through
// the real @membranehq/sdk and the shared call-safety decorator, as the server builds it: the wire format (auth and
// version headers, routes, queries, bodies), the /act fallback, the proxy envelope, every error mapping, the bounds
// (timeout, cancel, concurrency, size), and that no credential ever shows.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ToolError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { ApiMembraneClient, SDK_VERSION } from '../../src/membrane/api/api-client.js';
import { readApiCredentials, credentialVariables } from '../../src/membrane/api/api-credentials.js';
import { apiHints } from '../../src/membrane/api/api-hints.js';
import { sdkTransport } from '../../src/membrane/api/sdk-transport.js';
import { withCallSafety } from '../../src/membrane/call-safety.js';
import { MEMBRANE_ERROR_TYPES } from '../../src/membrane/membrane-errors.js';
import type { MembraneClient } from '../../src/membrane/membrane-client.js';
import { type ApiDouble, type DoubleOptions, startApiDouble } from '../helpers/membrane-api-double.js';

const TOKEN = 'pat-unit-test-token-7f3a9c';
const WORKSPACE = { key: 'ws-unit', secret: 'unit-secret-8d2b6e1f4a', tenant: 'tenant-unit' };

const doubles: ApiDouble[] = [];
afterEach(async () => {
  await Promise.all(doubles.splice(0).map((d) => d.close()));
});

async function double(opts: DoubleOptions = {}): Promise<ApiDouble> {
  const d = await startApiDouble({ token: TOKEN, workspace: WORKSPACE, ...opts });
  doubles.push(d);
  return d;
}

interface Setup {
  mode?: 'token' | 'workspace';
  timeoutMs?: number;
  maxConcurrency?: number;
  maxResponseBytes?: number;
}

/** The client as create-client.ts builds it, with credentials read from the environment the way the server reads them. */
function clientFor(d: ApiDouble, setup: Setup = {}): { client: MembraneClient; lines: string[] } {
  const env =
    setup.mode === 'workspace'
      ? { MEMBRANE_WORKSPACE_KEY: WORKSPACE.key, MEMBRANE_WORKSPACE_SECRET: WORKSPACE.secret, MEMBRANE_TENANT_KEY: WORKSPACE.tenant }
      : { MEMBRANE_ACCESS_TOKEN: TOKEN };
  const credentials = readApiCredentials(env)!;
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', write: (line) => lines.push(line) });
  const defaultTimeoutMs = setup.timeoutMs ?? 10_000;
  const inner = new ApiMembraneClient({
    transport: sdkTransport(credentials, d.url),
    backend: 'membrane-api',
    hints: apiHints(credentials, true),
    apiUri: d.url,
    customApiUri: true,
    credentialNames: credentialVariables(credentials),
    log,
    defaultTimeoutMs,
    maxConcurrency: setup.maxConcurrency ?? 4,
    maxResponseBytes: setup.maxResponseBytes ?? 1_000_000,
  });
  return { client: withCallSafety(inner, { log, defaultTimeoutMs, retry: { baseDelayMs: 10, random: () => 0.5 } }), lines };
}

const failureOf = async (p: Promise<unknown>): Promise<ToolError> => {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ToolError);
  return e as ToolError;
};

describe('the SDK this backend is built on', () => {
  it('is the pinned version, and its ErrorData types are the ones we tell Membrane errors by', async () => {
    const ours = JSON.parse(readFileSync('package.json', 'utf8')) as { devDependencies: Record<string, string> };
    const installed = JSON.parse(readFileSync('node_modules/@membranehq/sdk/package.json', 'utf8')) as { version: string };
    expect(ours.devDependencies['@membranehq/sdk']).toBe(SDK_VERSION);
    expect(installed.version).toBe(SDK_VERSION);
    const { ErrorType } = await import('@membranehq/sdk');
    expect(new Set(Object.values(ErrorType))).toEqual(MEMBRANE_ERROR_TYPES);
  });
});

describe('wire format', () => {
  it('sends Authorization: Bearer <token> and membrane-api-version on every request', async () => {
    const d = await double();
    const { client } = clientFor(d);
    await client.listConnections();
    expect(d.requests).toHaveLength(1);
    expect(d.requests[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(d.requests[0].headers['membrane-api-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('workspace credentials: the SDK mints an HS256 tenant token the API accepts, and reuses it', async () => {
    const d = await double();
    const { client } = clientFor(d, { mode: 'workspace' });
    expect((await client.listConnections()).map((c) => c.id)).toEqual(['conn-amo', 'conn-1crm']);
    await client.listConnections();
    const tokens = d.requests.map((r) => String(r.headers.authorization));
    expect(tokens[0]).toMatch(/^Bearer eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$/);
    expect(tokens[1]).toBe(tokens[0]);
  });

  it('lists connections page by page with the cursor, keeping connector keys', async () => {
    const many = Array.from({ length: 5 }, (_, i) => ({ id: `c${i}`, name: `C${i}`, state: 'READY', integration: { key: 'amocrm' } }));
    const d = await double({ connections: many, pageSize: 2 });
    const { client } = clientFor(d);
    const list = await client.listConnections();
    expect(list.map((c) => c.id)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    expect(list[0].connectorKey).toBe('amocrm');
    expect(d.requests.map((r) => r.query.get('cursor'))).toEqual([null, '2', '4']);
    expect(d.requests.every((r) => r.query.get('limit') === '100')).toBe(true);
  });

  it('stops after a bounded number of pages when the API keeps handing out cursors', async () => {
    let page = 0;
    const d = await double({
      override: (r) =>
        r.path === '/connections' ? { status: 200, body: { items: [{ id: `p${page}`, name: 'x' }], cursor: `next-${++page}` } } : undefined,
    });
    const { client } = clientFor(d);
    expect(await client.listConnections()).toHaveLength(20);
    expect(d.requests).toHaveLength(20);
  });

  it('searches actions by intent with the connection, cutting the intent to 200 characters', async () => {
    const d = await double();
    const { client } = clientFor(d);
    const actions = await client.listActions({ connectionId: 'conn-amo', intent: `create a lead ${'x'.repeat(300)}`, limit: 5 });
    expect(actions[0].key).toBe('create-lead');
    const q = d.requests[0].query;
    expect(d.requests[0].path).toBe('/actions');
    expect(q.get('connectionId')).toBe('conn-amo');
    expect(q.get('intent')).toHaveLength(200);
    expect(q.get('limit')).toBe('5');
  });

  it('creates an action and long-polls GET /actions/:id with wait and timeout until it is READY', async () => {
    const d = await double({ buildMs: 300 });
    const { client } = clientFor(d);
    const building = await client.createAction({ description: 'list the tasks of a lead', connectionId: 'conn-amo', name: 'Lead tasks' });
    expect(building.state).toBe('BUILDING');
    expect(d.requests[0]).toMatchObject({
      method: 'POST',
      path: '/actions',
      body: { intent: 'list the tasks of a lead', connectionId: 'conn-amo', name: 'Lead tasks' },
    });
    const ready = await client.getAction({ id: building.id, connectionId: 'conn-amo', wait: true, timeoutSeconds: 100 });
    expect(ready.state).toBe('READY');
    const poll = d.requests[1];
    expect(poll.path).toBe(`/actions/${building.id}`);
    expect(Object.fromEntries(poll.query)).toEqual({ connectionId: 'conn-amo', wait: 'true', timeout: '60' });
  });

  it('runs through POST /act with {id, connectionId, input}', async () => {
    const d = await double();
    const { client } = clientFor(d);
    const run = await client.runAction({ actionId: 'act-list-leads', connectionId: 'conn-amo', input: { limit: 2 } });
    expect(run).toEqual({ output: { echo: { limit: 2 } }, actionRunId: 'run-1' });
    expect(d.requests[0]).toMatchObject({
      method: 'POST',
      path: '/act',
      body: { id: 'act-list-leads', connectionId: 'conn-amo', input: { limit: 2 } },
    });
  });

  it('an API without /act (its router 404s): the deprecated POST /actions/:id/run, remembered for later runs', async () => {
    const d = await double({ act: false });
    const { client, lines } = clientFor(d);
    const first = await client.runAction({ actionId: 'act-list-leads', connectionId: 'conn-amo', input: { a: 1 } });
    expect(first.output).toEqual({ echo: { a: 1 }, legacy: true });
    await client.runAction({ actionId: 'act-list-leads', connectionId: 'conn-amo' });
    expect(d.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /act',
      'POST /actions/act-list-leads/run',
      'POST /actions/act-list-leads/run',
    ]);
    expect(d.requests[1].query.get('connectionId')).toBe('conn-amo');
    expect(d.requests[1].body).toEqual({ input: { a: 1 } });
    expect(lines.join('')).toMatch(/POST \/act is not on this API/);
  });

  it('a Membrane not_found from /act is an answer (the action is gone), not a reason to try the old route', async () => {
    const d = await double();
    const { client } = clientFor(d);
    const e = await failureOf(client.runAction({ actionId: 'gone-action', connectionId: 'conn-amo' }));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toMatch(/gone-action/);
    expect(d.requests).toHaveLength(1);
  });

  it("proxies to /connections/:id/proxy<path>, keeping the CRM's status, headers and body; query keys repeat", async () => {
    const d = await double();
    const { client } = clientFor(d);
    const res = await client.request({
      connectionId: 'conn-amo',
      method: 'POST',
      path: '/api/v4/leads',
      query: { 'filter[id][]': ['1', '2'], with: 'contacts' },
      headers: { 'X-Custom': 'yes' },
      body: [{ name: 'Deal' }],
    });
    expect(res.status).toBe(200);
    expect(res.headers['x-upstream']).toBe('crm');
    expect(res.body).toEqual({
      method: 'POST',
      path: '/api/v4/leads',
      query: [
        ['filter[id][]', '1'],
        ['filter[id][]', '2'],
        ['with', 'contacts'],
      ],
      body: [{ name: 'Deal' }],
    });
    expect(d.requests[0].path).toBe('/connections/conn-amo/proxy/api/v4/leads');
    expect(d.requests[0].headers['x-custom']).toBe('yes');
  });

  it('HEAD goes out as GET and comes back without a body', async () => {
    const d = await double();
    const { client } = clientFor(d);
    const res = await client.request({ connectionId: 'conn-amo', method: 'HEAD', path: '/api/v4/leads' });
    expect(d.requests[0].method).toBe('GET');
    expect(res).toMatchObject({ status: 200, body: undefined });
    expect(res.headers['x-page']).toBe('1');
  });

  it('validates ids before they reach a URL path: nothing is sent', async () => {
    const d = await double();
    const { client } = clientFor(d);
    for (const call of [
      client.getAction({ id: '../connections' }),
      client.runAction({ actionId: 'a/b', connectionId: 'conn-amo' }),
      client.request({ connectionId: 'conn-amo/../x', method: 'GET', path: '/x' }),
      client.listActions({ connectionId: '-rf', intent: 'x', limit: 1 }),
    ]) {
      expect((await failureOf(call)).code).toBe('INVALID_INPUT');
    }
    expect((await failureOf(client.request({ connectionId: 'conn-amo', method: 'GET', path: '//evil.example/x' }))).code).toBe(
      'INVALID_INPUT',
    );
    expect(d.requests).toHaveLength(0);
  });
});

describe('errors', () => {
  it('401 → LOGIN_REQUIRED naming the variable to fix', async () => {
    const d = await double({ token: 'pat-some-other-token' });
    const { client } = clientFor(d);
    const e = await failureOf(client.listConnections());
    expect(e.code).toBe('LOGIN_REQUIRED');
    expect(e.nextStep).toMatch(/MEMBRANE_ACCESS_TOKEN/);
    expect(e.nextStep).toMatch(/MEMBRANE_API_URI/);
    const ws = clientFor(await double({ workspace: { ...WORKSPACE, secret: 'another-secret-123456' } }), { mode: 'workspace' });
    expect((await failureOf(ws.client.listConnections())).nextStep).toMatch(
      /MEMBRANE_WORKSPACE_KEY, MEMBRANE_WORKSPACE_SECRET, MEMBRANE_TENANT_KEY/,
    );
  });

  it('403 on action creation → ACCESS_DENIED saying which permission is missing', async () => {
    const d = await double({
      override: (r) =>
        r.method === 'POST' && r.path === '/actions'
          ? { status: 403, body: { type: 'bad_request', key: 'access_denied', message: 'Forbidden' } }
          : undefined,
    });
    const { client } = clientFor(d);
    const e = await failureOf(client.createAction({ description: 'x y z', connectionId: 'conn-amo' }));
    expect(e.code).toBe('ACCESS_DENIED');
    expect(e.nextStep).toMatch(/allowed to create actions/);
    expect(e.nextStep).toMatch(/tenant token may not create actions/);
    expect(e.details).toMatchObject({ status: 403, operation: 'action create' });
  });

  it('a 403 without an ErrorData body is ACCESS_DENIED too', async () => {
    const d = await double({ override: () => ({ status: 403, body: 'Forbidden' }) });
    const e = await failureOf(clientFor(d).client.listConnections());
    expect(e.code).toBe('ACCESS_DENIED');
    expect(e.nextStep).toMatch(/belong to the workspace and tenant/);
  });

  it('connection_is_defunct → CONNECTION_NEEDS_USER_ACTION with the uiUrl to open', async () => {
    const d = await double();
    const { client } = clientFor(d);
    const e = await failureOf(client.request({ connectionId: 'conn-gone', method: 'GET', path: '/api/v4/leads' }));
    expect(e.code).toBe('CONNECTION_NEEDS_USER_ACTION');
    expect(e.uiUrl).toBe('https://ui.example/reconnect/conn-gone');
    expect(e.nextStep).toContain('https://ui.example/reconnect/conn-gone');
  });

  it("the CRM's own 4xx through the proxy is UPSTREAM_ERROR with its status and body", async () => {
    const d = await double();
    const e = await failureOf(clientFor(d).client.request({ connectionId: 'conn-amo', method: 'GET', path: '/status/422' }));
    expect(e).toMatchObject({ code: 'UPSTREAM_ERROR', retryable: false, details: { status: 422 } });
    expect(String(e.details?.body)).toContain('crm says no');
  });

  it('404 → NOT_FOUND naming what', async () => {
    const d = await double();
    const e = await failureOf(clientFor(d).client.getAction({ id: 'nope', connectionId: 'conn-amo' }));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toMatch(/nope/);
    const bare = await double({ override: () => ({ status: 404, body: 'Not Found' }) });
    const named = await failureOf(clientFor(bare).client.getAction({ id: 'a-1', connectionId: 'conn-amo' }));
    expect(named).toMatchObject({ code: 'NOT_FOUND', message: 'Membrane has no action "a-1" for connection "conn-amo" (HTTP 404)' });
  });

  it('429 with Retry-After → RATE_LIMITED keeping it; a read is retried after it', async () => {
    let n = 0;
    const d = await double({
      override: (r) =>
        r.path === '/connections' && n++ === 0
          ? {
              status: 429,
              headers: { 'retry-after': '1' },
              body: { type: 'bad_request', key: 'rate_limit_exceeded', message: 'Too many requests' },
            }
          : undefined,
    });
    const started = Date.now();
    expect(await clientFor(d).client.listConnections()).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(d.requests).toHaveLength(2);
  });

  it('429 on a write: RATE_LIMITED with retryAfterSeconds, not retried', async () => {
    const d = await double({
      override: (r) =>
        r.path === '/act'
          ? {
              status: 429,
              headers: { 'retry-after': '7' },
              body: { type: 'bad_request', key: 'rate_limit_exceeded', message: 'Slow down' },
            }
          : undefined,
    });
    const e = await failureOf(clientFor(d).client.runAction({ actionId: 'act-create-lead', connectionId: 'conn-amo' }));
    expect(e).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 7 });
    expect(d.requests).toHaveLength(1);
  });

  it('429 without Retry-After: RATE_LIMITED without retryAfterSeconds', async () => {
    const d = await double({
      override: () => ({ status: 429, body: { type: 'bad_request', key: 'rate_limit_exceeded', message: 'Too many' } }),
    });
    const e = await failureOf(clientFor(d).client.createAction({ description: 'a b c', connectionId: 'conn-amo' }));
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.retryAfterSeconds).toBeUndefined();
  });

  it('an HTML 502 is a retryable MEMBRANE_ERROR for reads (retried), and "may have been applied" for a write', async () => {
    const d = await double({
      override: () => ({ status: 502, headers: { 'content-type': 'text/html' }, body: '<html><body>Bad Gateway</body></html>' }),
    });
    const { client } = clientFor(d);
    const read = await failureOf(client.listConnections());
    expect(read).toMatchObject({ code: 'MEMBRANE_ERROR', retryable: true, details: { status: 502 } });
    expect(read.message).toContain('Bad Gateway');
    expect(d.requests).toHaveLength(3);
    const write = await failureOf(client.runAction({ actionId: 'act-create-lead', connectionId: 'conn-amo' }));
    expect(write).toMatchObject({ code: 'MEMBRANE_ERROR', retryable: false });
    expect(write.nextStep).toMatch(/may have been applied/);
    expect(d.requests).toHaveLength(4);
  });

  it('an API that cannot be reached: MEMBRANE_ERROR that never started, so even a write stays retryable', async () => {
    const d = await double();
    const { client } = clientFor(d);
    await d.close();
    const e = await failureOf(client.runAction({ actionId: 'act-create-lead', connectionId: 'conn-amo' }));
    expect(e).toMatchObject({ code: 'MEMBRANE_ERROR', retryable: true, details: { code: 'ECONNREFUSED', started: false } });
    expect(e.message).toContain(d.url.replace('http://', ''));
  });

  it('a hang: TIMEOUT for a read; for a write, TIMEOUT that may have been applied', async () => {
    const d = await double({ override: () => ({ status: 200, body: { items: [] }, delayMs: 3000 }) });
    const { client } = clientFor(d, { timeoutMs: 300 });
    const read = await failureOf(client.listConnections());
    expect(read.code).toBe('TIMEOUT');
    const write = await failureOf(client.runAction({ actionId: 'act-create-lead', connectionId: 'conn-amo' }));
    expect(write).toMatchObject({ code: 'TIMEOUT', retryable: false });
    expect(write.nextStep).toMatch(/may have been applied/);
  });

  it("the call's signal aborts the request: CANCELLED", async () => {
    const d = await double({ override: () => ({ status: 200, body: { items: [] }, delayMs: 3000 }) });
    const { client } = clientFor(d);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const e = await failureOf(client.listConnections({ signal: controller.signal }));
    expect(e.code).toBe('CANCELLED');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('close() aborts requests in flight and refuses new ones', async () => {
    const d = await double({ override: () => ({ status: 200, body: { items: [] }, delayMs: 3000 }) });
    const { client } = clientFor(d);
    const pending = failureOf(client.listConnections());
    await new Promise((r) => setTimeout(r, 100));
    await client.close();
    expect((await pending).code).toBe('CANCELLED');
    expect(await failureOf(client.listConnections())).toMatchObject({ code: 'CANCELLED', details: { started: false } });
  });

  it('a response over the size cap is OUTPUT_TOO_LARGE', async () => {
    const d = await double({ override: () => ({ status: 200, body: { items: [{ id: 'c', name: 'x'.repeat(50_000) }] } }) });
    const e = await failureOf(clientFor(d, { maxResponseBytes: 10_000 }).client.listConnections());
    expect(e.code).toBe('OUTPUT_TOO_LARGE');
  });

  it('at most maxConcurrency requests are in flight at once; the rest wait their turn', async () => {
    const d = await double({
      override: (r) => (r.path === '/connections' ? { status: 200, body: { items: [] }, delayMs: 150 } : undefined),
    });
    const { client } = clientFor(d, { maxConcurrency: 2 });
    await Promise.all(Array.from({ length: 6 }, () => client.listConnections()));
    expect(d.inFlight.max).toBe(2);
    expect(d.requests).toHaveLength(6);
  });
});

describe('describe and checkAccess (the doctor)', () => {
  it('describe names the SDK, the API and the credential variables, never their values', async () => {
    const d = await double();
    const info = await clientFor(d, { mode: 'workspace' }).client.describe();
    expect(info.version).toBe(`@membranehq/sdk ${SDK_VERSION}`);
    expect(info.details.join('\n')).toContain(d.url);
    expect(info.details.join('\n')).toContain('MEMBRANE_WORKSPACE_SECRET');
    expect(JSON.stringify(info)).not.toContain(WORKSPACE.secret);
  });

  it('checkAccess: accepted credentials in one request; refused ones are loggedIn false', async () => {
    const good = await double();
    const ok = await clientFor(good).client.checkAccess();
    expect(ok).toMatchObject({ loggedIn: true });
    expect(ok.durationMs).toBeGreaterThanOrEqual(0);
    expect(good.requests).toHaveLength(1);
    expect(good.requests[0].query.get('limit')).toBe('1');
    const bad = await double({ token: 'pat-not-this-one' });
    expect(await clientFor(bad).client.checkAccess()).toMatchObject({ loggedIn: false });
  });
});

describe('no credential ever shows', () => {
  it('neither the workspace secret, the minted token nor an access token appears in logs, results or errors', async () => {
    const echoAuth = (r: { path: string; headers: Record<string, unknown> }) =>
      r.path.endsWith('/echo-auth')
        ? {
            status: 500,
            body: {
              type: 'internal',
              message: `failed for ${String(r.headers.authorization)}`,
              data: { token: String(r.headers.authorization).slice(7) },
            },
          }
        : undefined;
    const d = await double({ override: (r) => echoAuth(r) });
    const seen: string[] = [];
    for (const mode of ['workspace', 'token'] as const) {
      const { client, lines } = clientFor(d, { mode });
      const outcomes = await Promise.allSettled([
        client.listConnections(),
        client.request({ connectionId: 'conn-amo', method: 'GET', path: '/echo-auth' }),
        client.request({ connectionId: 'conn-amo', method: 'GET', path: '/api/v4/leads' }),
        client.runAction({ actionId: 'missing', connectionId: 'conn-amo' }),
        client.describe(),
        client.checkAccess(),
      ]);
      for (const o of outcomes) {
        seen.push(
          o.status === 'fulfilled'
            ? JSON.stringify(o.value)
            : o.reason instanceof ToolError
              ? `${o.reason.toText()} ${JSON.stringify(o.reason.toJSON())}`
              : String(o.reason),
        );
      }
      seen.push(...lines);
    }
    const minted = String(d.requests.find((r) => String(r.headers.authorization).startsWith('Bearer eyJ'))?.headers.authorization).slice(7);
    expect(minted.length).toBeGreaterThan(20);
    const text = seen.join('\n');
    expect(text).toContain('[REDACTED]');
    for (const secret of [WORKSPACE.secret, TOKEN, minted]) expect(text).not.toContain(secret);
  });
});
