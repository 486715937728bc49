// Proxy hardening: the path stays a relative API path of the connector, headers cannot carry
// credentials or reroute the request, pathParams are percent-encoded. Each refusal is INVALID_INPUT naming its rule.
import { describe, expect, it } from 'vitest';
import type { ToolError } from '../../src/errors.js';
import { caught } from '../helpers/errors.js';
import { applyPathParams, checkBody, checkHeaders, checkPath, checkQuery, MAX_QUERY_CHARS } from '../../src/policy/proxy-rules.js';

function expectRule(fn: () => unknown, rule: string, field?: string): ToolError {
  const e = caught(fn);
  expect(e.code).toBe('INVALID_INPUT');
  expect(e.retryable).toBe(false);
  const fields = e.details?.fields as { field: string; problem: string; rule: string }[];
  expect(fields).toHaveLength(1);
  expect(fields[0].rule).toBe(rule);
  expect(e.message).toContain(`(rule: ${rule})`);
  if (field) expect(fields[0].field).toBe(field);
  return e;
}

// [description, path, rule]
const HOSTILE_PATHS: [string, string, string][] = [
  // schemes and hosts
  ['absolute https URL', 'https://evil.com/x', 'no-scheme'],
  ['upper-case scheme', 'HTTP://x', 'no-scheme'],
  ['javascript: URL', 'javascript:alert(1)', 'no-scheme'],
  ['file: URL', 'file:///etc/passwd', 'no-scheme'],
  ['scheme-relative //host', '//evil.com/x', 'no-double-slash'],
  ['backslash host', '/\\evil.com', 'no-backslash'],
  ['double slash inside', '/api//x', 'no-double-slash'],
  ['first segment decodes to a scheme', '/https:evil.com', 'no-scheme'],
  ['encoded // after a scheme-like segment', '/http:%2f%2fevil.com', 'no-double-slash'],
  // dot segments, raw and encoded
  ['raw ..', '/api/../x', 'no-dot-segments'],
  ['trailing ..', '/api/..', 'no-dot-segments'],
  ['raw .', '/./x', 'no-dot-segments'],
  ['encoded ..', '/api/%2e%2e/x', 'no-dot-segments'],
  ['encoded .. upper case', '/api/%2E%2E', 'no-dot-segments'],
  ['encoded .', '/api/%2e/x', 'no-dot-segments'],
  ['double-encoded ..', '/api/%252e%252e/x', 'no-dot-segments'],
  ['mixed .%2e', '/api/.%2e/admin', 'no-dot-segments'],
  ['encoded more than 4 times over', '/%25252525252e%25252525252e/x', 'valid-percent-encoding'],
  // encoded slashes and backslashes
  ['encoded //', '/%2f%2fevil.com', 'no-double-slash'],
  ['encoded // upper case', '/%2F%2Fevil.com', 'no-double-slash'],
  ['double-encoded //', '/%252f%252fevil.com', 'no-double-slash'],
  ['encoded slash making // with a raw one', '/api/%2f/x', 'no-double-slash'],
  ['encoded backslash', '/%5cevil.com', 'no-backslash'],
  ['encoded backslash around ..', '/api/x%5c..%5cy', 'no-backslash'],
  // control characters
  ['raw LF', '/api\n/x', 'no-control-characters'],
  ['raw CR', '/api\r/x', 'no-control-characters'],
  ['raw tab', '/api/\tx', 'no-control-characters'],
  ['encoded LF', '/api%0a/x', 'no-control-characters'],
  ['encoded CRLF header injection', '/api/x%0d%0aHost:%20evil.com', 'no-control-characters'],
  ['encoded NUL', '/api%00', 'no-control-characters'],
  ['raw NUL', '/api\u0000', 'no-control-characters'],
  ['line separator U+2028', '/api\u2028x', 'no-control-characters'],
  ['encoded U+2028', '/api/%e2%80%a8', 'no-control-characters'],
  ['DEL', '/api\u007f', 'no-control-characters'],
  ['C1 control NEL', '/api/x\u0085', 'no-control-characters'],
  // query and fragment
  ['raw ?', '/api/leads?x=1', 'no-query-or-fragment'],
  ['raw #', '/api/leads#frag', 'no-query-or-fragment'],
  ['encoded ?', '/api/leads%3fx=1', 'no-query-or-fragment'],
  ['encoded #', '/api/leads%23frag', 'no-query-or-fragment'],
  // malformed percent-encoding
  ['bad hex', '/%zz', 'valid-percent-encoding'],
  ['lone %', '/%', 'valid-percent-encoding'],
  ['truncated escape', '/api/%2', 'valid-percent-encoding'],
  ['%u escape', '/api/%u002e', 'valid-percent-encoding'],
  ['overlong UTF-8 dot', '/api/%c0%ae%c0%ae/x', 'valid-percent-encoding'],
  // not a relative API path
  ['no leading slash', 'api/v4/leads', 'relative-path'],
  ['empty', '', 'relative-path'],
  ['leading space', ' /api', 'relative-path'],
  ['UNC path', '\\\\evil.com\\x', 'relative-path'],
];

// [description, headers, rule]
const HOSTILE_HEADERS: [string, Record<string, string>, string][] = [
  ['Authorization', { Authorization: 'Bearer stolen' }, 'forbidden-header'],
  ['authorization lower case', { authorization: 'Bearer x' }, 'forbidden-header'],
  ['AUTHORIZATION upper case', { AUTHORIZATION: 'Basic x' }, 'forbidden-header'],
  ['Cookie', { Cookie: 'session=x' }, 'forbidden-header'],
  ['Host', { Host: 'evil.com' }, 'forbidden-header'],
  ['Proxy-Authorization', { 'Proxy-Authorization': 'Basic x' }, 'forbidden-header'],
  ['Proxy-Anything', { 'Proxy-Anything': 'x' }, 'forbidden-header'],
  ['X-Forwarded-For', { 'X-Forwarded-For': '127.0.0.1' }, 'forbidden-header'],
  ['X-Forwarded-Host', { 'X-Forwarded-Host': 'evil.com' }, 'forbidden-header'],
  ['Forwarded', { Forwarded: 'for=1.2.3.4;host=evil.com' }, 'forbidden-header'],
  ['Content-Length', { 'Content-Length': '0' }, 'forbidden-header'],
  ['Transfer-Encoding', { 'Transfer-Encoding': 'chunked' }, 'forbidden-header'],
  ['Connection', { Connection: 'close' }, 'forbidden-header'],
  ['X-HTTP-Method-Override', { 'X-HTTP-Method-Override': 'DELETE' }, 'forbidden-header'],
  ['X-HTTP-Method', { 'x-http-method': 'PATCH' }, 'forbidden-header'],
  ['X-Method-Override', { 'X-Method-Override': 'DELETE' }, 'forbidden-header'],
  ['allowed first, forbidden second', { Accept: 'application/json', Cookie: 'a=b' }, 'forbidden-header'],
  ['name with a space', { 'X Custom': 'v' }, 'header-name'],
  ['name with a trailing space', { 'Authorization ': 'Bearer x' }, 'header-name'],
  ['name with a colon', { 'X-Custom:': 'v' }, 'header-name'],
  ['name with an inner colon', { 'Host:evil.com': 'v' }, 'header-name'],
  ['empty name', { '': 'v' }, 'header-name'],
  ['non-ASCII name', { 'X-Ünicode': 'v' }, 'header-name'],
  ['CRLF in name', { 'X-Custom\r\nHost': 'evil.com' }, 'no-crlf'],
  ['LF in name', { 'X-A\nB': 'v' }, 'no-crlf'],
  ['CRLF in value', { 'X-Custom': 'a\r\nHost: evil.com' }, 'no-crlf'],
  ['LF in value', { 'X-Custom': 'a\nb' }, 'no-crlf'],
  ['CR in value', { 'X-Custom': 'a\rb' }, 'no-crlf'],
  ['NUL in value', { 'X-Custom': 'a\u0000b' }, 'no-control-characters'],
  ['DEL in value', { 'X-Custom': 'a\u007f' }, 'no-control-characters'],
  ['other C0 control in value', { 'X-Custom': 'a\u0001b' }, 'no-control-characters'],
];

describe('checkPath: hostile paths', () => {
  it('the table has at least 40 paths and 40 cases with the headers', () => {
    expect(HOSTILE_PATHS.length).toBeGreaterThanOrEqual(40);
    expect(HOSTILE_PATHS.length + HOSTILE_HEADERS.length).toBeGreaterThanOrEqual(70);
  });

  it.each(HOSTILE_PATHS)('%s: %j → %s', (_name, path, rule) => {
    expectRule(() => checkPath(path), rule, 'path');
  });

  it('tells the agent what to do instead', () => {
    const e = caught(() => checkPath('https://evil.com/x'));
    expect(e.nextStep).toContain('relative API path');
    expect(e.nextStep).toContain('query');
  });
});

describe('checkHeaders: hostile headers', () => {
  it.each(HOSTILE_HEADERS)('%s → %s', (_name, headers, rule) => {
    const e = expectRule(() => checkHeaders(headers), rule);
    const field = (e.details?.fields as { field: string }[])[0].field;
    expect(field.startsWith('headers.')).toBe(true);
  });

  it('names the offending header in the field', () => {
    expectRule(() => checkHeaders({ Accept: 'x', 'Proxy-Foo': 'y' }), 'forbidden-header', 'headers.Proxy-Foo');
  });
});

describe('legal paths and headers pass', () => {
  it.each([
    '/api/v4/leads',
    '/api/v4/leads/1/notes',
    '/api/v4/leads/pipelines/3177727/statuses',
    '/data/Account/abc-123',
    '/data/Account/Пётр',
    '/data/Account/%D0%9F%D1%91%D1%82%D1%80',
    '/api/v4/leads/a%20b',
    '/api/v4/contacts/{id}',
    '/x.y/z..w/.hidden/..dots../1.5',
    '/api/v4/leads/1:2',
    '/api/v4/商品/😀',
    '/',
  ])('%j', (path) => {
    expect(() => checkPath(path)).not.toThrow();
  });

  it('ordinary headers, a tab in a value and no headers at all', () => {
    expect(() =>
      checkHeaders({
        Accept: 'application/json',
        'Content-Type': 'application/json',
        'If-Modified-Since': 'Mon, 01 Jan 2024 00:00:00 GMT',
        'X-Request-Id': 'abc\tdef',
        'Accept-Language': 'ru-RU,ru;q=0.9',
        "X-Weird_Token!#$%&'*+.^`|~": 'ok',
      }),
    ).not.toThrow();
    expect(() => checkHeaders(undefined)).not.toThrow();
    expect(() => checkHeaders({})).not.toThrow();
  });
});

describe('applyPathParams', () => {
  it('percent-encodes values into the placeholders', () => {
    expect(applyPathParams('/api/v4/leads/{id}', { id: 123 })).toBe('/api/v4/leads/123');
    expect(applyPathParams('/data/{model}/{id}', { model: 'Account', id: 'a b' })).toBe('/data/Account/a%20b');
    expect(applyPathParams('/data/Account/{id}', { id: 'Пётр' })).toBe('/data/Account/%D0%9F%D1%91%D1%82%D1%80');
    expect(applyPathParams('/x/{v}', { v: '?#&=%' })).toBe('/x/%3F%23%26%3D%25');
  });

  it('encodes slashes so a value cannot add segments; the result is still checked', () => {
    const path = applyPathParams('/api/v4/leads/{id}', { id: '../x' });
    expect(path).toBe('/api/v4/leads/..%2Fx');
    // proxy_request checks the filled path too: the encoded traversal is still refused.
    expectRule(() => checkPath(path), 'no-dot-segments');
    expectRule(() => checkPath(applyPathParams('/a/{id}', { id: '..' })), 'no-dot-segments');
    expectRule(() => checkPath(applyPathParams('/a/{id}', { id: '/evil.com' })), 'no-double-slash');
  });

  it('leaves a path without placeholders alone', () => {
    expect(applyPathParams('/api/v4/leads', undefined)).toBe('/api/v4/leads');
    expect(applyPathParams('/api/v4/leads', {})).toBe('/api/v4/leads');
  });

  it('refuses a placeholder without a value', () => {
    expectRule(() => applyPathParams('/api/v4/leads/{id}', undefined), 'path-params', 'pathParams.id');
    expectRule(() => applyPathParams('/api/v4/{entity}/{id}', { entity: 'leads' }), 'path-params', 'pathParams.id');
  });

  it('refuses a value without a placeholder', () => {
    expectRule(() => applyPathParams('/api/v4/leads', { id: 1 }), 'path-params', 'pathParams.id');
    expectRule(() => applyPathParams('/api/v4/leads/{id}', { id: 1, extra: 'x' }), 'path-params', 'pathParams.extra');
  });

  it('N7: looks up own properties only, so {__proto__} never finds Object.prototype', () => {
    expectRule(() => applyPathParams('/api/v4/leads/{__proto__}', {}), 'path-params', 'pathParams.__proto__');
    expectRule(() => applyPathParams('/api/v4/leads/{constructor}', { id: 1 }), 'path-params', 'pathParams.constructor');
    // A JSON-parsed "__proto__" key is an own property: it is a value like any other.
    const parsed = JSON.parse('{"__proto__":"x"}') as Record<string, string>;
    expect(applyPathParams('/api/v4/leads/{__proto__}', parsed)).toBe('/api/v4/leads/x');
  });
});

describe('checkQuery (N6)', () => {
  it.each([
    ['a=b&Host=evil', 'query-key'],
    ['a=b', 'query-key'],
    ['a&b', 'query-key'],
    ['a\nb', 'no-control-characters'],
    ['a\u0000', 'no-control-characters'],
    ['a\u2028b', 'no-control-characters'],
  ])('refuses the key %j (%s)', (key, rule) => {
    expectRule(() => checkQuery({ [key]: '1' }), rule, `query.${key}`);
  });

  it('passes ordinary keys, brackets and values with any characters', () => {
    expect(() => checkQuery({ 'filter[id][]': ['1', '2'], limit: 5, q: 'a=b&c\nd' })).not.toThrow();
    expect(() => checkQuery(undefined)).not.toThrow();
  });

  it('refuses a NUL in a value, and a query longer than a URL may be once encoded (arrays counted whole)', () => {
    expectRule(() => checkQuery({ q: 'a\u0000b' }), 'no-control-characters', 'query.q');
    expect(() => checkQuery({ q: 'a'.repeat(MAX_QUERY_CHARS - 10) })).not.toThrow();
    expectRule(() => checkQuery({ q: 'a'.repeat(MAX_QUERY_CHARS) }), 'query-length', 'query');
    // Each space is three characters once encoded.
    expectRule(() => checkQuery({ q: ' '.repeat(Math.ceil(MAX_QUERY_CHARS / 3)) }), 'query-length', 'query');
    expectRule(() => checkQuery({ 'filter[id][]': Array.from({ length: 100 }, () => 'x'.repeat(70)) }), 'query-length', 'query');
  });
});

describe('checkBody (N5)', () => {
  it('refuses a body on GET and HEAD, passes one on writes and no body on reads', () => {
    expectRule(() => checkBody('GET', { a: 1 }), 'no-body-on-read', 'body');
    expectRule(() => checkBody('HEAD', ''), 'no-body-on-read', 'body');
    expectRule(() => checkBody('GET', null), 'no-body-on-read', 'body');
    expect(() => checkBody('GET', undefined)).not.toThrow();
    expect(() => checkBody('POST', { a: 1 })).not.toThrow();
    expect(() => checkBody('DELETE', undefined)).not.toThrow();
  });
});
