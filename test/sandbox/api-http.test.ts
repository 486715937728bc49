// The wire rules of the sandbox's REST API that the SDK cannot express, over plain HTTP against
// startSandboxApi (the programmatic start tests and benches use): 401 bodies for every kind of bad
// token, the strict /act body, query booleans and bounds, long-poll timing, proxy header hygiene.
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxApi, type SandboxApi } from '../../src/sandbox/api/sandbox-api.js';
import { downstreamResponseHeaders } from '../../src/sandbox/api/api-wire.js';
import { tempDb, type Json } from '../helpers/sandbox.js';
import { epochSeconds, mintToken } from '../helpers/spawn-sandbox-api.js';

const db = tempDb('sbx-api-http-');
const requestLog = join(db.dir, 'requests.log');
let api: SandboxApi;
let hanging: SandboxApi;
let amoId = '';
let oneId = '';

/** A request with a token (the pat- one unless given): status, headers and the body parsed when it is JSON. */
async function call(path: string, init: RequestInit & { token?: string | null; on?: SandboxApi } = {}) {
  const { token, on, ...rest } = init;
  const target = on ?? api;
  const bearer = token === undefined ? target.credentials.accessToken : token;
  const res = await fetch(target.url + path, {
    ...rest,
    headers: { ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }), 'content-type': 'application/json', ...rest.headers },
  });
  const text = await res.text();
  let body: Json | string = text;
  try {
    body = JSON.parse(text) as Json;
  } catch {
    // kept as text
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** A GET whose path goes on the wire exactly as written (no URL normalisation). */
function rawPath(path: string): Promise<{ status: number; body: string }> {
  const url = new URL(api.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path, headers: { authorization: `Bearer ${api.credentials.accessToken}` } },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const post = (path: string, body: unknown, init: Parameters<typeof call>[1] = {}) =>
  call(path, { ...init, method: 'POST', body: JSON.stringify(body) });

beforeAll(async () => {
  [api, hanging] = await Promise.all([
    startSandboxApi({ db: db.path, buildMs: 400, requestLog }),
    startSandboxApi({ db: db.path, faults: 'build-hangs' }),
  ]);
  const items = (await call('/connections')).body as Json;
  amoId = (items.items as Json[]).find((c) => c.connectorKey === 'amocrm')!.id as string;
  oneId = (items.items as Json[]).find((c) => c.connectorKey === '1crm')!.id as string;
});

afterAll(async () => {
  await Promise.all([api?.close(), hanging?.close()]);
  db.cleanup();
});

describe('authentication', () => {
  it('accepts HS256 {id, iss}, HS512 {workspaceKey, tenantKey}, a manager token and the pat- token', async () => {
    const { workspaceKey, workspaceSecret, tenantKey } = api.credentials;
    const tokens = [
      mintToken({ id: tenantKey, iss: workspaceKey, exp: epochSeconds(60) }, workspaceSecret, 'HS256'),
      mintToken({ workspaceKey, tenantKey, exp: epochSeconds(60) }, workspaceSecret, 'HS512'),
      mintToken({ workspaceKey, tenantKey }, workspaceSecret, 'HS512'),
      mintToken({ workspaceKey, isAdmin: true, exp: epochSeconds(60) }, workspaceSecret, 'HS256'),
      api.credentials.accessToken,
    ];
    for (const token of tokens) expect((await call('/connections', { token })).status).toBe(200);
  });

  it('answers 401 with a not_authenticated ErrorData for every other token, and never repeats the token', async () => {
    const { workspaceKey, workspaceSecret, tenantKey } = api.credentials;
    const cases: [string, string | null, RegExp][] = [
      ['no header', null, /Authorization: Bearer/],
      ['not a JWT', 'garbage-token', /not a JWT/],
      ['wrong secret', mintToken({ workspaceKey, tenantKey, exp: epochSeconds(60) }, 'another-secret'), /signature/],
      ['expired', mintToken({ workspaceKey, tenantKey, exp: epochSeconds(-5) }, workspaceSecret), /expired/],
      ['another workspace', mintToken({ workspaceKey: 'other', tenantKey, exp: epochSeconds(60) }, workspaceSecret), /another workspace/],
      ['another tenant', mintToken({ workspaceKey, tenantKey: 'other', exp: epochSeconds(60) }, workspaceSecret), /tenant/],
      ['no tenant, no isAdmin', mintToken({ workspaceKey, exp: epochSeconds(60) }, workspaceSecret), /no tenant/],
      ['unknown pat-', 'pat-not-the-right-one', /Invalid access token/],
    ];
    const none = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const claims = Buffer.from(JSON.stringify({ workspaceKey, tenantKey })).toString('base64url');
    cases.push(['alg none', `${none}.${claims}.`, /algorithm 'none'/]);
    for (const [name, token, message] of cases) {
      const r = await call('/actions', { token });
      expect(r.status, name).toBe(401);
      expect(r.body, name).toEqual({ type: 'bad_request', key: 'not_authenticated', message: expect.stringMatching(message) });
      if (token) expect(r.text, name).not.toContain(token);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    }
  });
});

describe('routes and bodies', () => {
  it('unknown routes are 404 and wrong methods 405, both ErrorData; a body that is not JSON is 400', async () => {
    expect(await call('/nothing-here')).toMatchObject({ status: 404, body: { type: 'bad_request', key: 'not_found' } });
    const wrong = await call('/act');
    expect(wrong).toMatchObject({ status: 405, body: { type: 'bad_request', message: expect.stringContaining('POST') } });
    expect(wrong.headers.get('allow')).toBe('POST');
    expect(await call('/act', { method: 'POST', body: '{not json' })).toMatchObject({ status: 400, body: { type: 'bad_request' } });
  });

  it('/act is strict: an unknown key is 400 naming it; inline api/code runs are refused clearly', async () => {
    const bad = await post('/act', { key: 'list-leads', connectionId: amoId, inputs: {}, extra: 1 });
    expect(bad).toMatchObject({ status: 400, body: { type: 'bad_request', message: expect.stringContaining("'inputs', 'extra'") } });
    const inline = await post('/act', { api: { method: 'GET', path: '/api/v4/leads' }, connectionId: amoId });
    expect(inline).toMatchObject({ status: 400, body: { message: expect.stringContaining('not emulated') } });
    const fine = await post('/act', { key: 'list-leads', connectionId: amoId, input: { limit: 1 }, meta: { from: 'test' } });
    expect(fine).toMatchObject({ status: 200, body: { output: expect.any(Object), actionRunId: expect.any(String) } });
    expect(await post('/act', { connectionId: amoId })).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining("'id' or 'key'") },
    });
  });

  it('an unknown connection on /act or the proxy is 404 not_found naming it, as an unknown action is', async () => {
    expect(await post('/act', { key: 'list-leads', connectionId: 'nope' })).toMatchObject({
      status: 404,
      body: { type: 'bad_request', key: 'not_found', message: "Connection with id 'nope' not found" },
    });
    expect(await call('/connections/nope/proxy/api/v4/leads')).toMatchObject({
      status: 404,
      body: { type: 'bad_request', key: 'not_found' },
    });
    expect(await post('/act', { key: 'nope', connectionId: amoId })).toMatchObject({ status: 404, body: { key: 'not_found' } });
  });

  it('POST /actions answers 201 with the BUILDING action; intent and connectionId are required', async () => {
    const created = await post('/actions', { intent: 'close the ticket', connectionId: oneId });
    expect(created).toMatchObject({ status: 201, body: { state: 'BUILDING', connectionId: oneId } });
    expect(await post('/actions', { connectionId: oneId })).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('intent') },
    });
    expect(await post('/actions', { intent: 'close the ticket' })).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('connectionId') },
    });
    expect(await post('/actions', { intent: 'x', connectionId: 'nope' })).toMatchObject({ status: 404, body: { key: 'not_found' } });
  });
});

describe('query strings', () => {
  it('booleans arrive as strings ("true"/"false"/"1"/"0"); unknown keys and includeSecrets are ignored', async () => {
    const all = ((await call('/connections')).body as Json).items as Json[];
    const connected = ((await call('/connections?connected=true&includeSecrets=false&whatever=1')).body as Json).items as Json[];
    const notConnected = ((await call('/connections?connected=0')).body as Json).items as Json[];
    expect(connected.length + notConnected.length).toBe(all.length);
    expect(connected.every((c) => c.connected === true)).toBe(true);
    expect(((await call('/connections?connected=1')).body as Json).items).toEqual(connected);
    expect(((await call('/connections?disconnected=false')).body as Json).items).toEqual(connected);
    expect(await call(`/connections/${amoId}?includeSecrets=false`)).toMatchObject({ status: 200, body: { id: amoId } });
  });

  it('limit is 1–1000, cursor=0 is the first page, a bad cursor is 400; intent is at most 200 characters', async () => {
    for (const limit of ['0', '1001', 'abc', '1.5']) expect((await call(`/actions?limit=${limit}`)).status, limit).toBe(400);
    const first = (await call(`/actions?connectionId=${amoId}&limit=2`)).body as Json;
    expect((await call(`/actions?connectionId=${amoId}&limit=2&cursor=0`)).body).toEqual(first);
    const second = (await call(`/actions?connectionId=${amoId}&limit=2&cursor=${String(first.cursor)}`)).body as Json;
    expect(second.items).toHaveLength(2);
    expect(second.items[0].id).not.toBe(first.items[0].id);
    expect((await call('/actions?cursor=not-a-cursor')).status).toBe(400);
    const ok = await call(`/actions?connectionId=${amoId}&intent=${'a'.repeat(200)}`);
    expect(ok.status).toBe(200);
    const long = await call(`/actions?connectionId=${amoId}&intent=${'a'.repeat(201)}`);
    expect(long).toMatchObject({ status: 400, body: { message: expect.stringContaining('200') } });
  });

  it('wait and timeout are checked: timeout from 1 to 60 seconds', async () => {
    for (const t of ['0', '61', 'soon']) expect((await call(`/connections/${amoId}?wait=true&timeout=${t}`)).status, t).toBe(400);
    expect((await call(`/connections/${amoId}?wait=true&timeout=60`)).status).toBe(200);
  });
});

describe('long-poll', () => {
  it('wait=true holds GET /actions/:id until the build ends (400 ms here), not until the timeout', async () => {
    const started = Date.now();
    const created = (await post('/actions', { intent: 'close the ticket', connectionId: oneId })).body as Json;
    expect(created.state).toBe('BUILDING');
    const done = await call(`/actions/${String(created.id)}?wait=true&timeout=20`);
    const elapsed = Date.now() - started;
    expect(done.body).toMatchObject({ id: created.id, state: 'READY' });
    expect(elapsed).toBeGreaterThanOrEqual(395);
    expect(elapsed).toBeLessThan(15_000);
  });

  it('without wait (or wait=false) the action is answered as it is, BUILDING', async () => {
    const created = (await post('/actions', { intent: 'create a deal', connectionId: amoId }, { on: hanging })).body as Json;
    for (const q of ['', '?wait=false', '?wait=0']) {
      expect((await call(`/actions/${String(created.id)}${q}`, { on: hanging })).body, q).toMatchObject({ state: 'BUILDING' });
    }
  });

  it('a build that never ends is answered BUILDING when the timeout passes; meanwhile other requests are served', async () => {
    const created = (await post('/actions', { intent: 'create a deal', connectionId: amoId }, { on: hanging })).body as Json;
    const started = Date.now();
    let waitedFor = -1;
    const waiting = call(`/actions/${String(created.id)}?wait=true&timeout=3`, { on: hanging }).then((r) => {
      waitedFor = Date.now() - started;
      return r;
    });
    // The event loop is free while the long-poll waits: these finish before it does.
    for (let i = 0; i < 5; i++) expect((await call('/connections', { on: hanging })).status).toBe(200);
    expect(waitedFor).toBe(-1);
    const done = await waiting;
    expect(done.body).toMatchObject({ id: created.id, state: 'BUILDING' });
    expect(waitedFor).toBeGreaterThanOrEqual(2990);
    expect(waitedFor).toBeLessThan(15_000);
  });

  it('a client that gives up on a long-poll leaves the server serving', async () => {
    const created = (await post('/actions', { intent: 'create a deal', connectionId: amoId }, { on: hanging })).body as Json;
    const gone = await call(`/actions/${String(created.id)}?wait=true&timeout=30`, { on: hanging, signal: AbortSignal.timeout(100) }).then(
      () => 'answered',
      (e: unknown) => (e as Error).name,
    );
    expect(gone).toBe('TimeoutError');
    expect((await call('/connections', { on: hanging })).status).toBe(200);
  });
});

describe('proxy headers', () => {
  it('hop-by-hop, credential and forwarding headers never reach the CRM; the others do', async () => {
    const r = await call(`/connections/${amoId}/proxy/api/v4/leads?limit=1`, {
      headers: {
        'x-forwarded-for': '10.0.0.1',
        'cf-connecting-ip': '10.0.0.2',
        cookie: 'session=1',
        'proxy-authorization': 'Basic abc',
        'x-request-label': 'kept',
        accept: 'application/hal+json',
        'membrane-api-version': '2025-10-21',
      },
    });
    expect(r.status).toBe(200);
    const entries = readFileSync(requestLog, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Json);
    const logged = entries.filter((e) => e.upstream && e.path === `/connections/${amoId}/proxy/api/v4/leads`).at(-1)!;
    expect(logged).toMatchObject({ method: 'GET', status: 200, auth: 'pat', caller: 'tenant', apiVersion: '2025-10-21' });
    expect(logged.upstream).toMatchObject({ method: 'GET', path: '/api/v4/leads?limit=1' });
    expect(logged.upstream.headers).toEqual(expect.arrayContaining(['accept', 'x-request-label', 'content-type']));
    for (const h of [
      'authorization',
      'cookie',
      'proxy-authorization',
      'x-forwarded-for',
      'cf-connecting-ip',
      'host',
      'connection',
      'membrane-api-version',
    ]) {
      expect(logged.upstream.headers).not.toContain(h);
    }
    // The log holds no token.
    expect(readFileSync(requestLog, 'utf8')).not.toContain(api.credentials.accessToken);
  });

  it('the CRM’s hop-by-hop and credential response headers are not passed back; the rest are, verbatim', () => {
    expect(
      downstreamResponseHeaders({
        'content-type': 'application/hal+json',
        'retry-after': '1',
        'X-Custom': 'v',
        connection: 'close',
        'transfer-encoding': 'chunked',
        'keep-alive': 'timeout=5',
        'set-cookie': 'a=b',
        'www-authenticate': 'Bearer',
        'content-length': '12',
      }),
    ).toEqual({ 'content-type': 'application/hal+json', 'retry-after': '1', 'X-Custom': 'v' });
  });

  it('HEAD through the proxy has the CRM’s status and headers and no body; a path leaving the base URL is refused', async () => {
    const head = await call(`/connections/${oneId}/proxy/data/Account`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.headers.get('content-type')).toBe('application/json');
    // fetch would resolve the dots before sending: node:http sends the path as written.
    for (const path of [`/connections/${oneId}/proxy/data/%2E%2E/secret`, `/connections/${oneId}/proxy/data/../../../act`]) {
      const escape = await rawPath(path);
      expect(escape.status, path).toBe(400);
      expect(JSON.parse(escape.body), path).toMatchObject({ type: 'bad_request', message: expect.stringContaining("'..'") });
    }
  });
});

describe('programmatic start', () => {
  it('given credentials are used as given, the rest is random per start; close() is idempotent', async () => {
    const started = await startSandboxApi({ db: db.path, credentials: { workspaceKey: 'ws-given', tenantKey: 'tenant-given' } });
    const other = await startSandboxApi({ db: db.path });
    try {
      expect(started.credentials).toMatchObject({ workspaceKey: 'ws-given', tenantKey: 'tenant-given' });
      expect(started.credentials.workspaceSecret).not.toBe(other.credentials.workspaceSecret);
      expect(started.credentials.accessToken).not.toBe(other.credentials.accessToken);
      const token = mintToken({ workspaceKey: 'ws-given', tenantKey: 'tenant-given' }, started.credentials.workspaceSecret);
      expect((await call('/connections', { token, on: started })).status).toBe(200);
      expect((await call('/connections', { token, on: other })).status).toBe(401);
    } finally {
      await Promise.all([started.close(), started.close(), other.close()]);
    }
    await expect(fetch(`${started.url}/connections`)).rejects.toThrow();
  });
});
