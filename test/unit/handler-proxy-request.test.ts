// proxy_request: what reaches the backend (method, the path with {name} placeholders filled and encoded,
// query values as strings, headers, body), the checks that keep a request on the connector's own API (path,
// query, headers, no body on a read; each names its rule), the method rules (read-only, --deny-methods per
// connector), which methods go through the write gate, the shaped response (compact or raw body and headers,
// never a cookie), and backend failures. Confirmation, the repeat guard and paging have files of their own
// (write-gate, handler-paging). Handlers called directly (test/helpers/tool-harness.ts) over the shared
// FakeMembraneClient.
import { describe, expect, it } from 'vitest';
import { ToolError } from '../../src/errors.js';
import { FakeMembraneClient } from '../helpers/fake-membrane-client.js';
import { toolHarness } from '../helpers/tool-harness.js';

describe('proxy_request: what reaches the backend', () => {
  it('GET by default, the path filled from pathParams (encoded), query values as strings, repeated keys as arrays', async () => {
    const client = new FakeMembraneClient();
    const h = toolHarness({ client });
    const result = await h.call('proxy_request', {
      path: '/api/v4/leads/{id}/notes/{note}',
      pathParams: { id: 42, note: 'a b/c' },
      query: { limit: 5, with: 'contacts', 'filter[id][]': [1, 2], active: true },
      headers: { 'X-Request-Tag': 'agent' },
    });
    expect(result).toMatchObject({
      backend: 'sandbox-cli',
      connector: 'amocrm',
      connectionId: 'conn-amo',
      status: 200,
      body: { ok: true },
    });
    expect(client.callsOf('request').map((c) => c.q)).toEqual([
      {
        connectionId: 'conn-amo',
        method: 'GET',
        path: '/api/v4/leads/42/notes/a%20b%2Fc',
        query: { limit: '5', with: 'contacts', 'filter[id][]': ['1', '2'], active: 'true' },
        headers: { 'X-Request-Tag': 'agent' },
        body: undefined,
      },
    ]);
    // What it says it does (progress): the path as it goes out, quoted.
    expect(h.doing).toEqual(['GET "/api/v4/leads/42/notes/a%20b%2Fc" on AmoCRM']);
  });

  it('a body goes as is with a write (confirm never: no gate in the way)', async () => {
    const client = new FakeMembraneClient();
    const body = [{ name: 'Lead', price: 10 }];
    await toolHarness({ client, settings: { confirm: 'never' } }).call('proxy_request', { method: 'POST', path: '/api/v4/leads', body });
    expect(client.callsOf('request')[0].q).toMatchObject({ method: 'POST', body });
  });
});

describe('proxy_request: requests that stay on the connector’s API', () => {
  it.each([
    { name: 'an absolute URL', args: { path: 'https://evil.example/x' }, rule: 'no-scheme', field: 'path' },
    { name: 'a relative path without /', args: { path: 'api/v4/leads' }, rule: 'relative-path', field: 'path' },
    { name: 'a dot segment', args: { path: '/api/../admin' }, rule: 'no-dot-segments', field: 'path' },
    { name: 'an encoded dot segment', args: { path: '/api/%2e%2e/admin' }, rule: 'no-dot-segments', field: 'path' },
    { name: 'a double slash (another host)', args: { path: '//evil.example/x' }, rule: 'no-double-slash', field: 'path' },
    { name: 'a query in the path', args: { path: '/api/v4/leads?limit=5' }, rule: 'no-query-or-fragment', field: 'path' },
    {
      name: 'a pathParam that fills a dot segment',
      args: { path: '/api/{x}/admin', pathParams: { x: '..' } },
      rule: 'no-dot-segments',
      field: 'path',
    },
    { name: 'a placeholder without its pathParam', args: { path: '/api/v4/leads/{id}' }, rule: 'path-params', field: 'pathParams.id' },
    {
      name: 'a pathParam without its placeholder',
      args: { path: '/api/v4/leads', pathParams: { id: 1 } },
      rule: 'path-params',
      field: 'pathParams.id',
    },
    {
      name: 'an auth header',
      args: { path: '/x', headers: { Authorization: 'Bearer x' } },
      rule: 'forbidden-header',
      field: 'headers.Authorization',
    },
    {
      name: 'a method override header',
      args: { path: '/x', headers: { 'X-HTTP-Method-Override': 'DELETE' } },
      rule: 'forbidden-header',
      field: 'headers.X-HTTP-Method-Override',
    },
    { name: 'a query key with =', args: { path: '/x', query: { 'a=b': 1 } }, rule: 'query-key', field: 'query.a=b' },
    { name: 'a body on a GET', args: { path: '/x', body: { a: 1 } }, rule: 'no-body-on-read', field: 'body' },
    { name: 'a body on a HEAD', args: { method: 'HEAD', path: '/x', body: 'x' }, rule: 'no-body-on-read', field: 'body' },
  ])('refuses $name (rule $rule); nothing asked of the backend', async ({ args, rule, field }) => {
    const client = new FakeMembraneClient();
    const e = await toolHarness({ client }).error('proxy_request', args);
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.details?.fields).toEqual([expect.objectContaining({ field, rule })]);
    expect(client.calls).toEqual([]);
  });

  it.each([
    { name: 'no path', args: {}, field: 'path' },
    { name: 'an unknown method', args: { path: '/x', method: 'TRACE' }, field: 'method' },
    { name: 'a nested query value', args: { path: '/x', query: { a: { b: 1 } } }, field: 'query.a' },
    { name: 'a header value that is not a string', args: { path: '/x', headers: { 'X-A': 1 } }, field: 'headers.X-A' },
    { name: 'a pathParam that is an object', args: { path: '/x/{a}', pathParams: { a: {} } }, field: 'pathParams' },
  ])('$name: INVALID_INPUT on $field', async ({ args, field }) => {
    const h = toolHarness();
    expect(await h.invalidFields('proxy_request', args)).toContain(field);
    expect(h.client.calls).toEqual([]);
  });
});

describe('proxy_request: method rules', () => {
  it.each([
    { name: 'read-only: GET runs', settings: { readOnly: true }, method: 'GET', denied: undefined },
    { name: 'read-only: HEAD runs', settings: { readOnly: true }, method: 'HEAD', denied: undefined },
    { name: 'read-only: POST is refused', settings: { readOnly: true }, method: 'POST', denied: 'readOnly' },
    { name: 'read-only: DELETE is refused', settings: { readOnly: true }, method: 'DELETE', denied: 'readOnly' },
    { name: '--deny-methods DELETE', settings: { denyMethods: ['DELETE'] }, method: 'DELETE', denied: 'denyMethods' },
    { name: '--deny-methods amocrm:PATCH on amocrm', settings: { denyMethods: ['amocrm:PATCH'] }, method: 'PATCH', denied: 'denyMethods' },
    { name: '--deny-methods 1crm:PATCH on amocrm', settings: { denyMethods: ['1crm:PATCH'] }, method: 'PATCH', denied: undefined },
  ])('$name', async ({ settings, method, denied }) => {
    const client = new FakeMembraneClient();
    const h = toolHarness({ client, settings: { confirm: 'never', ...settings } });
    const args = { method, path: '/api/v4/leads/1' };
    if (!denied) {
      expect((await h.call('proxy_request', args)).status).toBe(200);
      return;
    }
    const e = await h.error('proxy_request', args);
    expect(e).toMatchObject({ code: 'POLICY_DENIED', details: { setting: denied } });
    // Refused before the connection is looked up: nothing reached the backend.
    expect(client.calls).toEqual([]);
  });

  it.each([
    { method: 'GET', gated: false },
    { method: 'HEAD', gated: false },
    { method: 'POST', gated: true },
    { method: 'PUT', gated: true },
    { method: 'PATCH', gated: true },
    { method: 'DELETE', gated: true },
  ])('$method goes through the write gate: $gated', async ({ method, gated }) => {
    const client = new FakeMembraneClient();
    const h = toolHarness({ client, settings: { confirm: 'writes' } });
    const args = { method, path: '/api/v4/leads/1' };
    if (gated) expect((await h.error('proxy_request', args)).code).toBe('CONFIRMATION_REQUIRED');
    else expect((await h.call('proxy_request', args)).status).toBe(200);
  });
});

describe('proxy_request: the response', () => {
  const RESPONSE = {
    status: 200,
    headers: { 'content-type': 'application/hal+json', 'set-cookie': 'session=secret', 'x-request-id': 'r1', date: 'today' },
    body: { _page: 1, _links: { self: { href: '/x' } }, _embedded: { leads: [{ id: 1, _links: {} }] } },
  };

  it.each([
    {
      shape: 'compact',
      headers: { 'content-type': 'application/hal+json' },
      body: { items: [{ id: 1 }], entity: 'leads', page: 1 },
    },
    {
      shape: 'raw',
      headers: { 'content-type': 'application/hal+json', 'x-request-id': 'r1', date: 'today' },
      body: RESPONSE.body,
    },
  ])('shape $shape: the body and the headers (never a cookie)', async ({ shape, headers, body }) => {
    const client = new FakeMembraneClient({ answer: { request: () => RESPONSE } });
    const result = await toolHarness({ client }).call('proxy_request', { path: '/api/v4/leads', shape });
    expect(result.headers).toEqual(headers);
    expect(result.body).toEqual(body);
  });

  it('an empty answer (204) is status and a null body', async () => {
    const client = new FakeMembraneClient({ answer: { request: () => ({ status: 204, headers: {}, body: undefined }) } });
    const result = await toolHarness({ client }).call('proxy_request', { path: '/api/v4/leads' });
    expect(result).toMatchObject({ status: 204, headers: {}, body: null });
  });

  it.each([
    new ToolError('UPSTREAM_ERROR', 'HTTP 404', { details: { status: 404 } }),
    new ToolError('CONNECTION_NEEDS_USER_ACTION', 'expired', { uiUrl: 'https://console.example/r' }),
    new ToolError('TIMEOUT', 'too slow'),
  ])('a backend failure ($code) is the call’s error', async (failure) => {
    const client = new FakeMembraneClient().failNext('request', failure);
    const e = await toolHarness({ client }).error('proxy_request', { path: '/api/v4/leads/1' });
    expect(e).toBe(failure);
  });

  it('serves the other connector’s tool with its own connection', async () => {
    const client = new FakeMembraneClient();
    const result = await toolHarness({ client }).call('proxy_request', { path: '/data/Account' }, { connector: '1crm' });
    expect(result).toMatchObject({ connector: '1crm', connectionId: 'conn-1crm' });
  });
});
