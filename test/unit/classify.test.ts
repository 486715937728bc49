// Classification of finished CLI processes into the error codes of errors.ts, from every place the
// CLI may print an error (stdout or stderr, JSON or text), and the secrets that must never leak from it.
// (What an ErrorData means on every backend: membrane-errors.test.ts.)
import { describe, expect, it } from 'vitest';
import { ToolError } from '../../src/errors.js';
import {
  type FailureContext,
  classifyFailure,
  parseSuccess,
  proxyFromSuccess,
  cliUpstreamError as upstreamError,
} from '../../src/membrane/cli/cli-failures.js';
import { cliHints } from '../../src/membrane/cli/cli-hints.js';
import type { ProcessResult } from '../../src/membrane/cli/cli-runner.js';

const proc = (p: Partial<ProcessResult>): ProcessResult => ({ exitCode: 1, stdout: '', stderr: '', durationMs: 5, ...p });
const json = (v: unknown) => `${JSON.stringify(v)}\n`;
const ctx = (command: FailureContext['command'] = 'connection list', extra: Partial<FailureContext> = {}): FailureContext => ({
  command,
  cli: 'membrane',
  hints: cliHints('membrane', 'membrane-cli'),
  ...extra,
});

/** Everything the agent would see of an error. */
const visible = (e: ToolError) => `${e.toText()}\n${JSON.stringify(e.toJSON())}`;

describe('LOGIN_REQUIRED', () => {
  it('from ErrorData key not_authenticated on stdout', () => {
    const e = classifyFailure(
      proc({ stdout: json({ type: 'bad_request', key: 'not_authenticated', message: 'Token is invalid' }) }),
      ctx(),
    );
    expect(e.code).toBe('LOGIN_REQUIRED');
    expect(e.retryable).toBe(false);
    expect(e.nextStep).toContain('membrane login --tenant');
  });

  it('from plain stderr "Not logged in"', () => {
    const e = classifyFailure(proc({ stderr: 'Not logged in. Run `membrane login --tenant`\n' }), ctx('action list'));
    expect(e.code).toBe('LOGIN_REQUIRED');
    expect(e.nextStep).toContain('membrane login --tenant');
    expect(e.nextStep).toContain('login complete');
  });

  it('from {error: ErrorData} on stderr, naming the sandbox command when that is the CLI', () => {
    const e = classifyFailure(
      proc({
        stderr: `warning: something\n${json({ error: { type: 'bad_request', key: 'not_authenticated', message: 'Session expired' } })}`,
      }),
      { command: 'action run', cli: 'membrane-sandbox', hints: cliHints('membrane-sandbox', 'sandbox-cli') },
    );
    expect(e.code).toBe('LOGIN_REQUIRED');
    expect(e.nextStep).toContain('membrane-sandbox login --tenant');
  });

  it('from {error: "not_authenticated", message}', () => {
    expect(classifyFailure(proc({ stdout: json({ error: 'not_authenticated', message: 'Please log in' }) }), ctx()).code).toBe(
      'LOGIN_REQUIRED',
    );
  });

  it('from plain "401 Unauthorized" text', () => {
    expect(classifyFailure(proc({ stderr: 'Request failed with status 401 Unauthorized' }), ctx()).code).toBe('LOGIN_REQUIRED');
  });

  it('toText reads CODE: message. Next: step', () => {
    const e = classifyFailure(
      proc({ stdout: json({ type: 'bad_request', key: 'not_authenticated', message: 'Token is invalid' }) }),
      ctx(),
    );
    expect(e.toText()).toMatch(/^LOGIN_REQUIRED: Not logged in to Membrane[^]*\. Next: Ask the user to run `membrane login --tenant/);
  });
});

describe('RATE_LIMITED', () => {
  it('from key rate_limit_exceeded, retryable; no Retry-After means exponential backoff, not a fixed wait', () => {
    const e = classifyFailure(
      proc({ stdout: json({ type: 'connection', key: 'rate_limit_exceeded', message: 'Too many requests' }) }),
      ctx('action run'),
    );
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.retryable).toBe(true);
    expect(e.retryAfterSeconds).toBeUndefined();
  });

  it('from data.response.status 429 with Retry-After (any case)', () => {
    const e = classifyFailure(
      proc({
        stdout: json({
          type: 'action_run',
          message: 'Request failed',
          data: { response: { status: 429, headers: { 'Retry-After': '7' } } },
        }),
      }),
      ctx('action run'),
    );
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.retryAfterSeconds).toBe(7);
    expect(e.nextStep).toContain('7 s');
  });

  it('from a proxied 429 envelope on stdout, honouring retry-after', () => {
    const e = classifyFailure(
      proc({ stdout: json({ status: 429, headers: { 'retry-after': '3' }, body: { title: 'Too Many Requests' } }), stderr: 'HTTP 429\n' }),
      ctx('request'),
    );
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.retryAfterSeconds).toBe(3);
  });

  it('caps an absurd Retry-After, reads an HTTP date, and ignores nonsense', () => {
    expect(upstreamError(429, null, { 'retry-after': '86400' }, ctx('request')).retryAfterSeconds).toBe(120);
    expect(upstreamError(429, null, { 'retry-after': 'soon' }, ctx('request')).retryAfterSeconds).toBeUndefined();
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    const fromDate = upstreamError(429, null, { 'Retry-After': inTenSeconds }, ctx('request')).retryAfterSeconds!;
    expect(fromDate).toBeGreaterThanOrEqual(8);
    expect(fromDate).toBeLessThanOrEqual(11);
  });
});

describe('CONNECTION_NEEDS_USER_ACTION', () => {
  it('carries the uiUrl from data.uiUrl', () => {
    const uiUrl = 'https://ui.getmembrane.com/connections/con_1/reconnect';
    const e = classifyFailure(
      proc({
        stdout: json({
          type: 'connection',
          key: 'connection_is_defunct',
          message: 'Connection is defunct',
          data: { connectionId: 'con_1', uiUrl },
        }),
      }),
      ctx('action run', { connectionId: 'con_1' }),
    );
    expect(e.code).toBe('CONNECTION_NEEDS_USER_ACTION');
    expect(e.uiUrl).toBe(uiUrl);
    expect(e.nextStep).toContain(uiUrl);
    expect(e.retryable).toBe(false);
    expect(e.toJSON()).toMatchObject({ code: 'CONNECTION_NEEDS_USER_ACTION', uiUrl });
  });

  it('carries the uiUrl from data.clientAction.uiUrl', () => {
    const e = classifyFailure(
      proc({
        stdout: json({
          type: 'connection',
          key: 'access_token_expired',
          message: 'Expired',
          data: { clientAction: { uiUrl: 'https://ui.example/x' } },
        }),
      }),
      ctx('request'),
    );
    expect(e.code).toBe('CONNECTION_NEEDS_USER_ACTION');
    expect(e.uiUrl).toBe('https://ui.example/x');
  });

  it('without a uiUrl says how to reconnect with the CLI', () => {
    const e = classifyFailure(
      proc({ stdout: json({ type: 'connection', message: 'Connection is broken' }) }),
      ctx('action run', { connectionId: 'con_9' }),
    );
    expect(e.code).toBe('CONNECTION_NEEDS_USER_ACTION');
    expect(e.uiUrl).toBeUndefined();
    expect(e.nextStep).toContain('membrane connect --connectionId=con_9');
  });
});

describe('NOT_FOUND', () => {
  it('from key not_found, keeping the message', () => {
    const e = classifyFailure(
      proc({
        stdout: json({ type: 'bad_request', key: 'not_found', message: "Connection with id 'conn_123' not found" }),
        stderr: 'Error: not found',
      }),
      ctx('action get'),
    );
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toBe("Connection with id 'conn_123' not found");
    expect(e.retryable).toBe(false);
  });
});

describe('INVALID_INPUT', () => {
  it('lists the offending fields from data.errors', () => {
    const e = classifyFailure(
      proc({
        stdout: json({
          type: 'bad_request',
          key: 'invalid_input',
          message: 'Input does not match the schema',
          data: {
            errors: [
              { path: '/name', message: 'is required' },
              { instancePath: '/custom/price', message: 'must be number' },
              { field: 'email' },
            ],
          },
        }),
      }),
      ctx('action run'),
    );
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.details?.fields).toEqual([
      { field: 'name', problem: 'is required' },
      { field: 'custom.price', problem: 'must be number' },
      { field: 'email', problem: 'invalid' },
    ]);
  });

  it('from "Invalid JSON in --input" without fields', () => {
    const e = classifyFailure(proc({ stdout: json({ type: 'bad_request', message: 'Invalid JSON in --input' }) }), ctx('action run'));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.details).toBeUndefined();
  });
});

describe('ACTION_NOT_READY', () => {
  it('from action_instance_setup "not ready"', () => {
    const e = classifyFailure(
      proc({ stdout: json({ type: 'action_instance_setup', message: 'Action is not ready (state BUILDING)' }) }),
      ctx('action run'),
    );
    expect(e.code).toBe('ACTION_NOT_READY');
    expect(e.retryable).toBe(true);
  });
});

describe('UPSTREAM_ERROR', () => {
  it('action_run with data.response.status 400: status and a body excerpt, not retryable', () => {
    const e = classifyFailure(
      proc({
        stdout: json({
          type: 'action_run',
          message: 'Request failed with status code 400',
          data: { actionRunId: 'run_1', response: { status: 400, data: { title: 'Bad Request', detail: 'name is required' } } },
        }),
      }),
      ctx('action run'),
    );
    expect(e.code).toBe('UPSTREAM_ERROR');
    expect(e.details?.status).toBe(400);
    expect(e.details?.body).toContain('name is required');
    expect(e.retryable).toBe(false);
  });

  it('request exit 1 with {status: 404, …} on stdout', () => {
    const e = classifyFailure(
      proc({
        stdout: json({ status: 404, headers: { 'content-type': 'application/json' }, body: { message: 'Lead 99 not found' } }),
        stderr: 'HTTP 404\n',
      }),
      ctx('request'),
    );
    expect(e.code).toBe('UPSTREAM_ERROR');
    expect(e.details).toMatchObject({ status: 404 });
    expect(e.details?.body).toContain('Lead 99 not found');
    expect(e.retryable).toBe(false);
    expect(e.nextStep).toMatch(/id or path/);
  });

  it('request: plain "HTTP 500" on stderr with a text body, retryable', () => {
    const e = classifyFailure(proc({ stdout: 'Internal Server Error', stderr: 'HTTP 500\n' }), ctx('request'));
    expect(e.code).toBe('UPSTREAM_ERROR');
    expect(e.details).toMatchObject({ status: 500, body: 'Internal Server Error' });
    expect(e.retryable).toBe(true);
  });

  it('request: a bare JSON error body of the CRM on stdout and "HTTP 502" on stderr', () => {
    const e = classifyFailure(
      proc({ stdout: json({ error: 'bad_gateway', message: 'Upstream down' }), stderr: 'HTTP 502\n' }),
      ctx('request'),
    );
    expect(e.code).toBe('UPSTREAM_ERROR');
    expect(e.details?.status).toBe(502);
    expect(e.details?.body).toContain('Upstream down');
    expect(e.retryable).toBe(true);
  });

  it('request: a 1CRM {message, error, hint} 422 body keeps its status', () => {
    const e = classifyFailure(
      proc({ stdout: json({ message: 'Invalid field', error: 'invalid_input', hint: 'name' }), stderr: 'HTTP 422\n' }),
      ctx('request'),
    );
    expect(e.code).toBe('UPSTREAM_ERROR');
    expect(e.details?.status).toBe(422);
  });

  it('request: a Membrane ErrorData still wins over an HTTP line (not logged in)', () => {
    const e = classifyFailure(
      proc({ stdout: json({ type: 'bad_request', key: 'not_authenticated', message: 'Not logged in' }), stderr: 'HTTP 401\n' }),
      ctx('request'),
    );
    expect(e.code).toBe('LOGIN_REQUIRED');
  });

  it('5xx is retryable, 4xx is not; 401/403 say to reconnect', () => {
    for (const status of [500, 502, 503, 504]) expect(upstreamError(status, 'x', undefined, ctx('request')).retryable).toBe(true);
    for (const status of [400, 401, 403, 404, 409, 422])
      expect(upstreamError(status, 'x', undefined, ctx('request')).retryable).toBe(false);
    expect(upstreamError(401, 'x', undefined, ctx('request', { connectionId: 'con_1' })).nextStep).toContain(
      'connect --connectionId=con_1',
    );
  });

  it('caps a huge body excerpt', () => {
    const e = upstreamError(500, { html: 'x'.repeat(100_000) }, undefined, ctx('request'));
    expect(String(e.details?.body).length).toBeLessThan(2100);
  });

  it('access_denied from Membrane is ACCESS_DENIED pointing at status', () => {
    const e = classifyFailure(proc({ stdout: json({ type: 'bad_request', key: 'access_denied', message: 'Forbidden' }) }), ctx());
    expect(e.code).toBe('ACCESS_DENIED');
    expect(e.details).toEqual({ status: 403, operation: 'connection list' });
    expect(e.nextStep).toContain('membrane status');
  });
});

describe('CLI_ERROR', () => {
  it('exit 137 is a retryable crash', () => {
    const e = classifyFailure(proc({ exitCode: 137, stderr: 'Killed' }), ctx());
    expect(e.code).toBe('CLI_ERROR');
    expect(e.retryable).toBe(true);
    expect(e.message).toContain('crashed');
    expect(e.details?.excerpt).toContain('Killed');
  });

  it('a SIGKILL is a retryable crash, even with JSON on stdout', () => {
    const e = classifyFailure(proc({ exitCode: undefined, signal: 'SIGKILL', stdout: '{"items":[' }), ctx());
    expect(e.code).toBe('CLI_ERROR');
    expect(e.retryable).toBe(true);
    expect(e.message).toContain('SIGKILL');
  });

  it('exit 2 is a usage error, not retryable, pointing at the CLI version', () => {
    const e = classifyFailure(
      proc({ exitCode: 2, stderr: 'Error: unknown option --frobnicate\nUsage: membrane action list [options]' }),
      ctx('action list'),
    );
    expect(e.code).toBe('CLI_ERROR');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('usage error');
    expect(e.nextStep).toContain('membrane --version');
  });

  it('ErrorData key "usage" is a usage error', () => {
    const e = classifyFailure(
      proc({ exitCode: 2, stdout: json({ type: 'bad_request', key: 'usage', message: 'Missing <id>' }) }),
      ctx('action get'),
    );
    expect(e.code).toBe('CLI_ERROR');
    expect(e.message).toContain('usage error');
  });

  it("Membrane's own errors printed by the CLI are MEMBRANE_ERROR: internal ones retryable, others not", () => {
    const internal = classifyFailure(proc({ stdout: json({ type: 'internal', message: 'Oops' }) }), ctx());
    expect(internal).toMatchObject({ code: 'MEMBRANE_ERROR', retryable: true });
    expect(classifyFailure(proc({ stdout: json({ type: 'configuration', message: 'Misconfigured' }) }), ctx())).toMatchObject({
      code: 'MEMBRANE_ERROR',
      retryable: false,
    });
  });

  it('a JSON document with only a message becomes a CLI_ERROR with that message', () => {
    const e = classifyFailure(proc({ stdout: json({ message: 'Something odd' }) }), ctx('action get'));
    expect(e.code).toBe('CLI_ERROR');
    expect(e.message).toContain('Something odd');
  });

  it('no output at all: CLI_ERROR naming the exit code', () => {
    const e = classifyFailure(proc({ exitCode: 3 }), ctx('action list'));
    expect(e.code).toBe('CLI_ERROR');
    expect(e.message).toContain('exit 3');
    expect(e.details).toEqual({ excerpt: '(no output)' });
  });

  it('parseSuccess: non-JSON stdout on exit 0 is a CLI_ERROR with an excerpt', () => {
    const r = parseSuccess(proc({ exitCode: 0, stdout: 'Welcome to Membrane CLI!\nHere is your data: <table>' }), ctx('connection list'));
    expect(r).toBeInstanceOf(ToolError);
    const e = r as ToolError;
    expect(e.code).toBe('CLI_ERROR');
    expect(e.details?.excerpt).toContain('Welcome to Membrane CLI!');
  });

  it('parseSuccess: empty stdout says so', () => {
    const e = parseSuccess(proc({ exitCode: 0, stdout: '' }), ctx()) as ToolError;
    expect(e.code).toBe('CLI_ERROR');
    expect(e.details?.excerpt).toBe('(empty stdout)');
  });

  it('parseSuccess: returns the document, even one with a message field', () => {
    expect(parseSuccess(proc({ exitCode: 0, stdout: json({ items: [] }) }), ctx())).toEqual({ items: [] });
    expect(parseSuccess(proc({ exitCode: 0, stdout: json({ id: 'a', message: 'Created' }) }), ctx())).toEqual({
      id: 'a',
      message: 'Created',
    });
  });
});

describe('secrets never reach the agent', () => {
  const SECRETS = ['sbx_secret_abc123456', 'xyzSECRETtoken987', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlX2hlcmU'];
  const leaks = (e: ToolError) => SECRETS.filter((s) => visible(e).includes(s));

  const cases: [string, ProcessResult, FailureContext][] = [
    [
      'plain stderr with an Authorization header',
      proc({ stderr: 'Error: request failed\nAuthorization: Bearer sbx_secret_abc123456\n' }),
      ctx(),
    ],
    ['not logged in with an access_token', proc({ stderr: 'Not logged in (access_token=xyzSECRETtoken987)' }), ctx()],
    [
      'ErrorData message with a JWT',
      proc({
        stdout: json({
          type: 'bad_request',
          key: 'not_found',
          message: 'No connection for eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlX2hlcmU',
        }),
      }),
      ctx(),
    ],
    ['a crash printing a token', proc({ exitCode: 137, stderr: 'token: sbx_secret_abc123456\nKilled' }), ctx()],
    [
      'a usage error echoing a Bearer token',
      proc({ exitCode: 2, stderr: 'Unknown option --token=Bearer xyzSECRETtoken987\nUsage: membrane' }),
      ctx(),
    ],
    [
      'an upstream body with access_token',
      proc({
        stdout: json({ status: 400, headers: {}, body: { access_token: 'xyzSECRETtoken987', error: 'invalid' } }),
        stderr: 'HTTP 400',
      }),
      ctx('request'),
    ],
    [
      'a bare upstream body with a JWT and an HTTP line',
      proc({ stdout: json({ jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlX2hlcmU' }), stderr: 'HTTP 500' }),
      ctx('request'),
    ],
    [
      'action_run response data with a token',
      proc({
        stdout: json({
          type: 'action_run',
          message: 'failed',
          data: { response: { status: 401, data: 'Authorization: Bearer sbx_secret_abc123456' } },
        }),
      }),
      ctx('action run'),
    ],
    [
      'field errors with secrets',
      proc({
        stdout: json({
          type: 'bad_request',
          key: 'invalid_input',
          message: 'bad input',
          data: { errors: [{ path: '/apiKey', message: 'sbx_secret_abc123456 is not a valid key' }] },
        }),
      }),
      ctx('action run'),
    ],
    ['{error: "<secret>"} with no message', proc({ stdout: json({ error: 'invalid token sbx_secret_abc123456' }) }), ctx()],
    ['an ErrorData key holding a token', proc({ stdout: json({ type: 'internal', key: 'sbx_secret_abc123456', message: 'oops' }) }), ctx()],
    [
      'a rate limit message with a JWT',
      proc({
        stdout: json({
          type: 'connection',
          key: 'rate_limit_exceeded',
          message: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlX2hlcmU',
        }),
      }),
      ctx(),
    ],
    ['unknown failure with key=value secret', proc({ exitCode: 1, stderr: 'fatal: password=xyzSECRETtoken987' }), ctx()],
  ];

  it.each(cases)('%s', (_, res, c) => {
    const e = classifyFailure(res, c);
    expect(leaks(e)).toEqual([]);
  });

  it('parseSuccess excerpts are redacted', () => {
    const e = parseSuccess(
      proc({ exitCode: 0, stdout: 'Logged in as bob. Authorization: Bearer sbx_secret_abc123456' }),
      ctx(),
    ) as ToolError;
    expect(e.code).toBe('CLI_ERROR');
    expect(leaks(e)).toEqual([]);
    expect(e.details?.excerpt).toContain('[REDACTED]');
  });

  it('proxyFromSuccess redacts header values but not the body', () => {
    const r = proxyFromSuccess({
      status: 200,
      headers: { 'X-Debug': 'Bearer sbx_secret_abc123456', 'Content-Type': 'application/json' },
      body: { note: 'token: not-a-secret-here' },
    });
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.headers)).not.toContain('sbx_secret_abc123456');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.body).toEqual({ note: 'token: not-a-secret-here' });
  });

  it('proxyFromSuccess takes a bare body with status 200', () => {
    expect(proxyFromSuccess({ _embedded: { leads: [] } })).toEqual({ status: 200, headers: {}, body: { _embedded: { leads: [] } } });
  });
});
