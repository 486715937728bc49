// `request`: the proxied REST call to the emulated CRMs, against the built binary.
import { describe, expect, it } from 'vitest';
import { seededSandbox, type Json } from '../helpers/sandbox.js';

const { ids, run } = seededSandbox('sbx-request-');

describe('request: output shape and exit codes', () => {
  it('GET prints {status, headers, body} with the parsed JSON body; exit 0', async () => {
    const [amo, one] = await Promise.all([
      run(['request', ids.amocrm, '/api/v4/leads', '--query', 'limit=2', '--json']),
      run(['request', ids.onecrm, '/data/Account?limit=2', '--json']),
    ]);
    expect(amo.exitCode).toBe(0);
    expect(Object.keys(amo.json as Json).sort()).toEqual(['body', 'headers', 'status']);
    expect(amo.json).toMatchObject({ status: 200, headers: { 'content-type': expect.stringContaining('json') } });
    expect((amo.json as Json).body._embedded.leads).toHaveLength(2);
    expect(amo.stderr).toBe('');
    expect(one.json).toMatchObject({ status: 200, body: { records: expect.any(Array), total_results: expect.any(Number) } });
    expect((one.json as Json).body.records).toHaveLength(2);
  });

  it('204 (empty AmoCRM list) → body null, exit 0', async () => {
    const r = await run(['request', ids.amocrm, '/api/v4/leads', '--query=query=no-such-lead-zzzz', '--json']);
    expect(r.exitCode).toBe(0);
    expect(r.json).toEqual({ status: 204, headers: expect.any(Object), body: null });
    const human = await run(['request', ids.amocrm, '/api/v4/leads', '--query', 'query=no-such-lead-zzzz']);
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toBe('');
  });

  it('status ≥ 400 → exit 1, the same document on stdout, `HTTP <status>` on stderr', async () => {
    const [notFound, methodNotAllowed, invalid, human] = await Promise.all([
      run(['request', ids.amocrm, '/api/v4/leads/{id}', '--pathParam', 'id=999999999', '--json']),
      run(['request', ids.amocrm, '/api/v4/leads/1', '-X', 'DELETE', '--json']),
      run(['request', ids.amocrm, '/api/v4/leads', '-X', 'POST', '-d', '[{"price":"abc"}]', '--json']),
      run(['request', ids.onecrm, '/data/Account/no-such-id']),
    ]);
    expect(notFound.exitCode).toBe(1);
    expect(notFound.json).toMatchObject({ status: 404, headers: { 'content-type': 'application/problem+json' }, body: { status: 404 } });
    expect(notFound.stderr.trim()).toBe('HTTP 404');
    expect(methodNotAllowed.exitCode).toBe(1);
    expect((methodNotAllowed.json as Json).status).toBe(405);
    expect(invalid.exitCode).toBe(1);
    expect((invalid.json as Json).body['validation-errors']).toEqual(expect.any(Array));
    expect(human.exitCode).toBe(1);
    expect(JSON.parse(human.stdout)).toMatchObject({ message: expect.any(String) });
    expect(human.stderr.trim()).toBe('HTTP 404');
  });

  it('HEAD → body null', async () => {
    const r = await run(['request', ids.onecrm, '/data/Account', '-X', 'HEAD', '--json']);
    expect(r.exitCode).toBe(0);
    expect(r.json).toMatchObject({ status: 200, body: null });
  });
});

describe('request: building the HTTP request', () => {
  it('-d JSON body with -H headers (short and long spellings), -X POST; the write is visible', async () => {
    const created = await run([
      'request',
      ids.onecrm,
      '/data/Contact',
      '-X',
      'POST',
      '-H',
      'Accept: application/json',
      '--header=X-Trace: 1',
      '-d',
      '{"data":{"first_name":"Ada","last_name":"Request"}}',
      '--json',
    ]);
    expect(created.exitCode).toBe(0);
    const id = (created.json as Json).body.id as string;
    expect(id).toEqual(expect.any(String));
    const got = await run(['request', ids.onecrm, '/data/Contact/{id}', '--pathParam=id=' + id, '--json']);
    expect((got.json as Json).body.record).toMatchObject({ id, last_name: 'Request' });
  });

  it('--json <{…}> is a JSON body; a bare --json is the output flag; the method stays GET unless -X says otherwise', async () => {
    const r = await run(['request', ids.onecrm, '/data/Contact', '-X', 'POST', '--json', '{"data":{"last_name":"Shorthand"}}', '--json']);
    expect(r.exitCode).toBe(0);
    expect(r.json).toMatchObject({ status: 200, body: { id: expect.any(String) } });
    const amo = await run(['request', ids.amocrm, '/api/v4/leads', '-X', 'POST', '--json', '[{"name":"Via --json","price":10}]']);
    expect(amo.exitCode).toBe(0);
    expect(JSON.parse(amo.stdout)._embedded.leads[0].id).toEqual(expect.any(Number));
    // Contract: "Default GET" [SEEN S1], body or not (curl would POST).
    const get = await run([
      'request',
      ids.onecrm,
      '/data/Contact',
      '--query',
      'limit=1',
      '--json',
      '{"data":{"last_name":"Ignored"}}',
      '--json',
    ]);
    expect(get.exitCode).toBe(0);
    expect((get.json as Json).body).toHaveProperty('records');
    expect(get.stderr).toMatch(/a body was given with GET/);
    const slash = await run(['request', ids.amocrm, '/api/v4/leads%2F..%2Fusers', '--json']);
    expect(slash.exitCode).toBe(1);
    expect(slash.json).toMatchObject({ type: 'bad_request' });
    const bad = await run(['request', ids.onecrm, '/data/Contact', '-X', 'POST', '--json', '{nope', '--json']);
    expect(bad.exitCode).toBe(1);
    expect(bad.json).toMatchObject({ type: 'bad_request', key: 'invalid_input' });
  });

  it('-X PATCH with --pathParam (percent-encoded), repeated --query, the base URL as a prefix', async () => {
    const list = await run([
      'request',
      ids.amocrm,
      'https://sandbox.amocrm.ru/api/v4/leads',
      '--query',
      'limit=1',
      '--query',
      'page=2',
      '--json',
    ]);
    expect(list.exitCode).toBe(0);
    const lead = (list.json as Json).body._embedded.leads[0];
    expect((list.json as Json).body._page).toBe(2);
    const patched = await run([
      'request',
      ids.amocrm,
      '/api/v4/leads/{id}',
      '-X',
      'PATCH',
      '--pathParam',
      `id=${lead.id}`,
      '-d',
      '{"name":"Renamed by request"}',
      '--json',
    ]);
    expect(patched.exitCode).toBe(0);
    const got = await run(['request', ids.amocrm, `/api/v4/leads/${lead.id}`, '--json']);
    expect((got.json as Json).body.name).toBe('Renamed by request');
    // A path parameter is percent-encoded into its segment: the CRM sees the id "a b" and answers 404.
    const encoded = await run(['request', ids.onecrm, '/data/Account/{id}', '--pathParam', 'id=a b', '--json']);
    expect(encoded.exitCode).toBe(1);
    expect((encoded.json as Json).status).toBe(404);
  });

  it('-d text that is not JSON reaches the CRM as text; --rawData JSON text is still JSON on the wire', async () => {
    const [text, raw] = await Promise.all([
      run(['request', ids.onecrm, '/data/Contact', '-X', 'POST', '-d', 'not json', '--json']),
      run(['request', ids.onecrm, '/data/Contact', '-X', 'POST', '--rawData', '-d', '{"data":{"last_name":"Raw"}}', '--json']),
    ]);
    expect(text.exitCode).toBe(1);
    expect(text.json).toMatchObject({ status: 400 });
    expect(raw.exitCode).toBe(0);
    expect(raw.json).toMatchObject({ status: 200, body: { id: expect.any(String) } });
  });

  it('argument errors: bad method/header/pathParam → usage (2); a URL elsewhere or `..` → bad_request (1)', async () => {
    const results = await Promise.all([
      run(['request', ids.onecrm, '/data/Account', '-X', 'FETCH', '--json']),
      run(['request', ids.onecrm, '/data/Account', '-H', 'no colon here', '--json']),
      run(['request', ids.onecrm, '/data/Account', '--pathParam', 'id=1', '--json']),
      run(['request', ids.onecrm, '--json']),
      run(['request', ids.onecrm, '/data/Account', '-d', '{}', '--json', '{}', '--json']),
      run(['request', ids.onecrm, 'https://evil.example/steal', '--json']),
      run(['request', ids.onecrm, '/data/{x}/Account', '--pathParam', 'x=..', '--json']),
      run(['request', 'ffffffffffffffffffffffff', '/data/Account', '--json']),
    ]);
    const [method, header, pathParam, missing, twoBodies, elsewhere, dotdot, unknown] = results;
    for (const r of [method, header, pathParam, missing, twoBodies]) {
      expect(r.exitCode).toBe(2);
      expect(r.json).toMatchObject({ key: 'usage' });
      expect(r.stderr).toContain('Usage: membrane-sandbox request <connectionId> <path>');
    }
    expect(elsewhere.exitCode).toBe(1);
    expect(elsewhere.json).toMatchObject({ type: 'bad_request' });
    expect(dotdot.exitCode).toBe(1);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.json).toEqual({
      type: 'bad_request',
      key: 'not_found',
      message: "Connection with id 'ffffffffffffffffffffffff' not found",
    });
  });

  it('a connection that is not READY → connection_is_defunct', async () => {
    const hub = (await run(['connect', '--connectorKey=hubspot', '--json'])).json as Json;
    const r = await run(['request', hub.id, '/crm/v3/objects/contacts', '--json']);
    expect(r.exitCode).toBe(1);
    expect(r.json).toMatchObject({ type: 'connection', key: 'connection_is_defunct', data: { connectionId: hub.id } });
  });
});
