// The one redaction helper: every credential shape is replaced by [REDACTED]; ordinary text is untouched.
import { describe, expect, it } from 'vitest';
import { redact, redactDeep } from '../../src/redact.js';

const M = '[REDACTED]';

describe('Authorization headers, any scheme', () => {
  it.each([
    ['Authorization: Bearer abc.def.ghi-123456', 'abc.def.ghi-123456'],
    ['authorization: Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA=='],
    ['Authorization: Token 0123456789abcdef', '0123456789abcdef'],
    ['Authorization: Digest username="bob", response="6629fae49393a05397450978507c4ef1"', '6629fae49393a05397450978507c4ef1'],
    ['Authorization=MAC id="h480djs93hd8"', 'h480djs93hd8'],
    ['Proxy-Authorization: Basic c2VjcmV0OnNlY3JldA==', 'c2VjcmV0OnNlY3JldA=='],
    ['AUTHORIZATION:rawsecretvalue', 'rawsecretvalue'],
  ])('%s', (text, secret) => {
    const out = redact(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(M);
    expect(out.toLowerCase()).toContain('authorization');
  });

  it('redacts to the end of the line only', () => {
    expect(redact('Authorization: Bearer secret-value-1234\nnext line stays')).toBe(`Authorization: ${M}\nnext line stays`);
  });

  it('redacts an Authorization header inside JSON', () => {
    const out = redact(JSON.stringify({ headers: { Authorization: 'Bearer sk_live_abcdefghij' } }));
    expect(out).not.toContain('sk_live_abcdefghij');
  });

  it('a header line inside a JSON string is redacted and the text stays valid JSON', () => {
    for (const header of [
      'Authorization: Digest username="bob", response="6629fae4"',
      'Authorization: Bearer tok\\en12345"x',
      'x\nAuthorization: Basic dXNlcjpwYXNz\nnext',
    ]) {
      const text = JSON.stringify({ stderr: header, other: 'kept' });
      const out = redact(text);
      expect(() => JSON.parse(out)).not.toThrow();
      expect(JSON.parse(out).other).toBe('kept');
      expect(out).not.toMatch(/6629fae4|tok\\\\en12345|dXNlcjpwYXNz/);
    }
  });

  it('redacts an Authorization header with a custom scheme inside JSON', () => {
    const out = redact(JSON.stringify({ headers: { authorization: 'Token opaque12345' } }));
    expect(out).not.toContain('opaque12345');
    expect(() => JSON.parse(out)).not.toThrow();
  });
});

describe('Bearer / Basic tokens anywhere', () => {
  it('redacts the token but keeps the scheme word', () => {
    expect(redact('sent bearer abcdefgh12345 to the API')).toBe(`sent bearer ${M} to the API`);
    expect(redact('header was Basic dXNlcjpwYXNz')).toBe(`header was Basic ${M}`);
  });

  it('leaves short words after "bearer"/"basic" alone', () => {
    expect(redact('the bearer of bad news')).toBe('the bearer of bad news');
    expect(redact('a basic plan')).toBe('a basic plan');
  });

  it('leaves ordinary English after "basic" alone', () => {
    expect(redact('Lead requires basic information about the company')).toBe('Lead requires basic information about the company');
    expect(redact('Use basic authentication')).toBe('Use basic authentication');
  });
});

describe('credential fields in JSON and key=value form', () => {
  it.each([
    ['{"accessToken":"abc123xyz"}', 'abc123xyz'],
    ['{"access_token": "abc123xyz", "ok": 1}', 'abc123xyz'],
    ['{"refresh_token":"r-e-f-r-e-s-h"}', 'r-e-f-r-e-s-h'],
    ['{"id_token":"idtok999"}', 'idtok999'],
    ['{"token":"t0k3n"}', 't0k3n'],
    ['{"apiKey":"key-123"}', 'key-123'],
    ['{"x-api-key":"key-456"}', 'key-456'],
    ['{"client_secret":"cs-789"}', 'cs-789'],
    ['{"workspaceSecret":"ws-000"}', 'ws-000'],
    ['{"password":"hunter2"}', 'hunter2'],
    ["{'secret': 'single-quoted'}", 'single-quoted'],
    ['https://api.example.com/cb?code=1&access_token=qwerty12345&state=x', 'qwerty12345'],
    ['refresh_token=abc; path=/', 'abc'],
    ['apikey: k3y', 'k3y'],
    ['Cookie: sid=abc123', 'sid=abc123'],
    ['set-cookie: PHPSESSID=zzz999', 'zzz999'],
    ['session_id=s3ss10n', 's3ss10n'],
  ])('%s', (text, secret) => {
    const out = redact(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(M);
  });

  it('keeps the field name and the rest of the document', () => {
    expect(redact('{"access_token":"abc","expires_in":3600}')).toBe(`{"access_token":"${M}","expires_in":3600}`);
    expect(redact('?access_token=abc&state=x')).toBe(`?access_token=${M}&state=x`);
  });

  it('redacts a quoted value with spaces entirely', () => {
    const out = redact('{"password": "correct horse battery staple"}');
    expect(out).not.toMatch(/horse|battery|staple/);
    expect(JSON.parse(out)).toEqual({ password: M });
  });

  it('keeps JSON valid for credential fields holding numbers, booleans, null, objects and arrays', () => {
    const value = {
      token: 123456,
      password: null,
      secret: true,
      apiKey: { nested: 'sbx_secret_abcdefgh' },
      list: [{ access_token: 5 }],
      name: 'ACME',
    };
    const out = redact(JSON.stringify(value));
    const parsed = JSON.parse(out);
    expect(parsed).toMatchObject({ token: M, password: M, secret: M, list: [{ access_token: M }], name: 'ACME' });
    expect(out).not.toContain('123456');
    expect(out).not.toContain('sbx_secret_abcdefgh');
  });

  it('redacts credential fields of JSON nested in a JSON string (a log line carrying CLI output)', () => {
    const text = JSON.stringify({ stderr: JSON.stringify({ access_token: 'nested-secret-1', expires_in: 3600, token: 42 }) });
    const out = redact(text);
    expect(out).not.toContain('nested-secret-1');
    expect(JSON.parse(JSON.parse(out).stderr)).toEqual({ access_token: M, expires_in: 3600, token: M });
  });

  it('redacts a credential in JSON cut short (a crashed CLI prints half a document)', () => {
    for (const text of ['{"items":[{"access_token":"abc123secret', '{"token": "abc123secret and more', "{'secret': 'abc123secret"]) {
      expect(redact(text)).not.toContain('abc123secret');
    }
  });

  it('keeps JSON valid when a secret value contains an escaped quote', () => {
    const text = JSON.stringify({ password: 'a"b c', user: 'bob' });
    const out = redact(text);
    expect(out).not.toContain('b c');
    expect(JSON.parse(out)).toEqual({ password: M, user: 'bob' });
  });
});

describe('JWTs and well-known token prefixes', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpZCI6InRlbmFudC0xIiwiaXNzIjoid3MtMSJ9.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

  it('redacts a JWT anywhere', () => {
    expect(redact(`token is ${jwt} ok`)).toBe(`token is ${M} ok`);
    expect(redact(`jwt=${jwt}`)).not.toContain('eyJ');
  });

  it.each([
    ['pat-', 'pat-0123456789abcdef'],
    ['sbx_secret_', 'sbx_secret_abc123456'],
    ['sk-', 'sk-proj-AbCdEf123456'],
    ['sk_live_', 'sk_live_51Habcdef'],
    ['ghp_', 'ghp_16C7e42F292c6912E7710c838347Ae178B4a'],
    ['xoxb-', 'xoxb-123456-abcdef'],
  ])('redacts a %s token', (_, token) => {
    const out = redact(`failed with ${token} in the log`);
    expect(out).toBe(`failed with ${M} in the log`);
  });
});

describe('ordinary text is unchanged', () => {
  it.each([
    'Lead 12345 created in pipeline 678',
    'Contact john.doe@example.com was updated',
    "Connection with id 'con_abc123' not found",
    'GET https://example.amocrm.ru/api/v4/leads?limit=50&page=2 returned 200',
    'https://crm.example.com/data/Account?filters[name]=ACME&order=name',
    'task-manager, risk-assessment and desk-123456 are fine',
    'The token expired at 12:00',
    'Action create-lead is READY',
    '{"id":"123","name":"ACME","tokenType":"bearer","secretary":"Jane"}',
    'Привет, мир 🚀',
    '',
  ])('%j', (text) => {
    expect(redact(text)).toBe(text);
  });
});

describe('redactDeep', () => {
  it('redacts every string in nested objects and arrays, leaving other values alone', () => {
    const input = {
      status: 401,
      ok: false,
      missing: null,
      list: ['Authorization: Bearer abcdefgh12345', 'plain', 7],
      nested: { deeper: { note: 'refresh_token=zzz', id: 'con_1' } },
    };
    const out = redactDeep(input);
    expect(out).toEqual({
      status: 401,
      ok: false,
      missing: null,
      list: [`Authorization: ${M}`, 'plain', 7],
      nested: { deeper: { note: `refresh_token=${M}`, id: 'con_1' } },
    });
    expect(input.list[0]).toBe('Authorization: Bearer abcdefgh12345');
  });

  it('redacts values of credential-named keys, as redact() does for the same JSON text', () => {
    const value = {
      authorization: 'opaque-value',
      'Set-Cookie': 'PHPSESSID=abc',
      accessToken: 'xyz',
      headers: { 'X-Api-Key': 'k' },
      name: 'ACME',
    };
    const out = redactDeep(value) as Record<string, unknown>;
    const text = JSON.stringify(out);
    for (const secret of ['opaque-value', 'PHPSESSID=abc', '"xyz"', '"k"']) expect(text).not.toContain(secret);
    expect(out.name).toBe('ACME');
  });

  it('returns primitives as they are', () => {
    expect(redactDeep(5)).toBe(5);
    expect(redactDeep(null)).toBe(null);
    expect(redactDeep('Bearer abcdefgh1234')).toBe(`Bearer ${M}`);
  });
});

describe('cost', () => {
  it('stays linear on long adversarial lines (a CRM body can be megabytes)', () => {
    const inputs = [
      `"${'authorization '.repeat(70_000)}`,
      'x'.repeat(1_000_000),
      `"token": "${'a'.repeat(1_000_000)}`,
      JSON.stringify({ h: `authorization: ${'\\"x'.repeat(100_000)}` }),
      ' basic dXNlcjpwYXNz'.repeat(50_000),
    ];
    const started = Date.now();
    for (const text of inputs) redact(text);
    // Linear: well under a second even on a busy machine; a quadratic pattern takes minutes here.
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('JSON text stays JSON (log lines are redacted as JSON text and parsed back)', () => {
  // A seeded generator of JSON values with credential keys and awkward strings.
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const KEYS = [
    'token',
    'access_token',
    'Authorization',
    'password',
    'secret',
    'apiKey',
    'cookie',
    'set-cookie',
    'name',
    'stderr',
    'note',
    'id',
  ];
  const PIECES = [
    'Bearer abcdefgh123',
    'Basic dXNlcjpwYXNz',
    'Authorization: Digest a="b"',
    '"',
    '\\',
    '\n',
    ' ',
    'token=',
    'x',
    'Привет',
    '🚀',
    '{',
    '}',
    ':',
    ',',
    ' eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig',
    ' sbx_secret_abcdefgh',
    '\nsbx_secret_abcdefgh',
    '\tBearer abcdefgh123',
    "'",
    '=',
    '&',
  ];
  const str = () => Array.from({ length: Math.floor(rnd() * 8) }, () => pick(PIECES)).join('');
  const value = (depth: number): unknown => {
    const r = rnd();
    if (depth > 2 || r < 0.4)
      return pick([
        () => str(),
        () => Math.floor(rnd() * 1e6),
        () => null,
        () => rnd() < 0.5,
        () => JSON.stringify({ [pick(KEYS)]: str() }),
      ])();
    if (r < 0.7) return Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 5) }, () => [pick(KEYS), value(depth + 1)]));
  };

  it('for 3,000 generated documents', () => {
    for (let i = 0; i < 3000; i++) {
      const text = JSON.stringify({ [pick(KEYS)]: value(0), data: value(0) });
      const out = redact(text);
      expect(() => JSON.parse(out), out).not.toThrow();
      expect(out).not.toContain('sbx_secret_abcdefgh');
      expect(out).not.toContain('eyJzdWIiOiIxIn0');
    }
  });
});
