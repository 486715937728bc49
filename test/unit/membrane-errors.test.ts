// What a Membrane ErrorData ({type, key, message, data}) and a bare HTTP status mean, the same on every backend,
// for every type and key the SDK knows; and the words each backend gives users (UserActionHints).
import { BadRequestErrorKey, ConcurrencyErrorKey, ConnectionErrorKey, ErrorType } from '@membranehq/sdk';
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../src/errors.js';
import { apiHints } from '../../src/membrane/api/api-hints.js';
import { cliHints } from '../../src/membrane/cli/cli-hints.js';
import { type ErrorContext, askUser, fromErrorData, retryAfterSeconds, upstreamError } from '../../src/membrane/membrane-errors.js';

const cli = cliHints('membrane', 'membrane-cli');
const ctx = (extra: Partial<ErrorContext> = {}): ErrorContext => ({
  operation: 'action run',
  hints: cli,
  connectionId: 'c1',
  actionId: 'a1',
  ...extra,
});

describe('every ErrorData type, without a key', () => {
  const expected: Record<ErrorType, { code: ErrorCode; retryable: boolean }> = {
    [ErrorType.BAD_REQUEST]: { code: 'MEMBRANE_ERROR', retryable: false },
    [ErrorType.CONNECTION]: { code: 'CONNECTION_NEEDS_USER_ACTION', retryable: false },
    [ErrorType.CONFIGURATION]: { code: 'MEMBRANE_ERROR', retryable: false },
    [ErrorType.DEPENDENCY_ERROR]: { code: 'MEMBRANE_ERROR', retryable: false },
    [ErrorType.FLOW_RUN]: { code: 'MEMBRANE_ERROR', retryable: false },
    [ErrorType.FLOW_INSTANCE_SETUP]: { code: 'MEMBRANE_ERROR', retryable: false },
    [ErrorType.CONCURRENCY]: { code: 'MEMBRANE_ERROR', retryable: true },
    [ErrorType.INTERNAL]: { code: 'MEMBRANE_ERROR', retryable: true },
    [ErrorType.ACTION_RUN]: { code: 'MEMBRANE_ERROR', retryable: false },
    [ErrorType.ACTION_INSTANCE_SETUP]: { code: 'MEMBRANE_ERROR', retryable: false },
    [ErrorType.UNIT_RUN]: { code: 'MEMBRANE_ERROR', retryable: false },
    [ErrorType.CUSTOM_CODE]: { code: 'MEMBRANE_ERROR', retryable: false },
    [ErrorType.INSUFFICIENT_CREDIT]: { code: 'MEMBRANE_ERROR', retryable: false },
    [ErrorType.OPENROUTER_NOT_CONFIGURED]: { code: 'MEMBRANE_ERROR', retryable: false },
  };

  it.each(Object.values(ErrorType))('%s', (type) => {
    const e = fromErrorData({ type, message: 'Something happened' }, ctx());
    expect({ code: e.code, retryable: e.retryable }).toEqual(expected[type]);
    expect(e.toText()).toMatch(/Something happened/);
  });

  it('insufficient_credit says to add credit; an unknown type is Membrane saying no, with its type and key', () => {
    expect(fromErrorData({ type: 'insufficient_credit', message: 'No credit' }, ctx()).nextStep).toMatch(/add credit/);
    const other = fromErrorData({ type: 'flow_run', key: 'odd', message: 'Flow broke' }, ctx());
    expect(other.details).toEqual({ type: 'flow_run', key: 'odd' });
    expect(other.message).toBe('action run failed: Flow broke');
  });

  it('action_instance_setup that says the action is still building is ACTION_NOT_READY', () => {
    expect(fromErrorData({ type: 'action_instance_setup', message: 'Action is not ready yet' }, ctx()).code).toBe('ACTION_NOT_READY');
  });
});

describe('every key', () => {
  const cases: [string, string, ErrorCode, boolean][] = [
    [ErrorType.BAD_REQUEST, BadRequestErrorKey.NOT_FOUND, 'NOT_FOUND', false],
    [ErrorType.BAD_REQUEST, BadRequestErrorKey.NOT_AUTHENTICATED, 'LOGIN_REQUIRED', false],
    [ErrorType.BAD_REQUEST, BadRequestErrorKey.ACCESS_DENIED, 'ACCESS_DENIED', false],
    [ErrorType.BAD_REQUEST, BadRequestErrorKey.ALREADY_EXISTS, 'MEMBRANE_ERROR', false],
    [ErrorType.BAD_REQUEST, BadRequestErrorKey.RATE_LIMIT_EXCEEDED, 'RATE_LIMITED', true],
    [ErrorType.CONNECTION, ConnectionErrorKey.CONNECTION_IS_DEFUNCT, 'CONNECTION_NEEDS_USER_ACTION', false],
    [ErrorType.CONNECTION, ConnectionErrorKey.ACCESS_TOKEN_EXPIRED, 'CONNECTION_NEEDS_USER_ACTION', false],
    [ErrorType.CONNECTION, ConnectionErrorKey.RATE_LIMIT_EXCEEDED, 'RATE_LIMITED', true],
    [ErrorType.CONCURRENCY, ConcurrencyErrorKey.LOCK_TIMEOUT, 'MEMBRANE_ERROR', true],
  ];

  it.each(cases)('%s / %s → %s', (type, key, code, retryable) => {
    const e = fromErrorData({ type, key, message: 'msg' }, ctx());
    expect(e.code).toBe(code);
    expect(e.retryable).toBe(retryable);
  });

  it("the CRM's rate limit and Membrane's are told apart", () => {
    expect(fromErrorData({ type: 'connection', key: 'rate_limit_exceeded', message: 'x' }, ctx()).message).toMatch(/^The CRM/);
    expect(fromErrorData({ type: 'bad_request', key: 'rate_limit_exceeded', message: 'x' }, ctx()).message).toMatch(/^Membrane/);
  });

  it('a defunct connection gives the uiUrl from data, else the backend reconnect step', () => {
    const withUrl = fromErrorData(
      { type: 'connection', key: 'connection_is_defunct', message: 'x', data: { uiUrl: 'https://ui/re' } },
      ctx(),
    );
    expect(withUrl.uiUrl).toBe('https://ui/re');
    expect(withUrl.nextStep).toBe('Ask the user to open https://ui/re to reconnect, then retry.');
    const nested = fromErrorData({ type: 'connection', message: 'x', data: { clientAction: { uiUrl: 'https://ui/nested' } } }, ctx());
    expect(nested.uiUrl).toBe('https://ui/nested');
    const bare = fromErrorData({ type: 'connection', key: 'access_token_expired', message: 'x' }, ctx());
    expect(bare.nextStep).toBe('Ask the user to run `membrane connect --connectionId=c1`, then retry.');
  });

  it('invalid input lists its fields', () => {
    const e = fromErrorData(
      {
        type: 'bad_request',
        key: 'invalid_input',
        message: 'bad',
        data: { errors: [{ instancePath: '/name/first', message: 'must be string' }] },
      },
      ctx(),
    );
    expect(e).toMatchObject({ code: 'INVALID_INPUT', details: { fields: [{ field: 'name.first', problem: 'must be string' }] } });
  });
});

describe('HTTP status when the body says nothing (the API backend knows it)', () => {
  const bare = (status: number, extra: Partial<ErrorContext> = {}) =>
    fromErrorData({ message: `HTTP ${status}` }, ctx({ status, ...extra }));

  it('401 LOGIN_REQUIRED, 403 ACCESS_DENIED, 404 NOT_FOUND naming what, 429 RATE_LIMITED', () => {
    expect(bare(401).code).toBe('LOGIN_REQUIRED');
    expect(bare(403)).toMatchObject({ code: 'ACCESS_DENIED', details: { status: 403, operation: 'action run' } });
    expect(bare(404).message).toBe('Membrane has no action "a1" for connection "c1" (HTTP 404)');
    expect(bare(404, { operation: 'request' }).message).toBe('Membrane has no connection "c1" (HTTP 404)');
    expect(bare(429, { headers: { 'Retry-After': '12' } })).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 12 });
    expect(bare(429).retryAfterSeconds).toBeUndefined();
  });

  it('5xx are retryable MEMBRANE_ERRORs with the status; other 4xx are not retryable', () => {
    for (const status of [500, 502, 503, 504])
      expect(bare(status)).toMatchObject({ code: 'MEMBRANE_ERROR', retryable: true, details: { status } });
    expect(bare(400)).toMatchObject({ code: 'MEMBRANE_ERROR', retryable: false });
  });

  it('a key beats the status: a 400 not_authenticated is still a login problem', () => {
    expect(fromErrorData({ type: 'bad_request', key: 'not_authenticated', message: 'x' }, ctx({ status: 400 })).code).toBe(
      'LOGIN_REQUIRED',
    );
  });
});

describe("the CRM's response inside an ErrorData (an action run that called the CRM)", () => {
  it('is UPSTREAM_ERROR with its status and body, keeping the run id', () => {
    const e = fromErrorData(
      {
        type: 'action_run',
        message: 'Request failed',
        data: { response: { status: 422, data: { error: 'bad field' } }, actionRunId: 'run-9' },
      },
      ctx(),
    );
    expect(e).toMatchObject({ code: 'UPSTREAM_ERROR', details: { status: 422, actionRunId: 'run-9' } });
    expect(String(e.details?.body)).toContain('bad field');
  });

  it("a CRM 429 keeps the CRM's Retry-After", () => {
    const e = fromErrorData(
      { type: 'action_run', message: 'x', data: { response: { status: 429, headers: { 'retry-after': '3' } } } },
      ctx(),
    );
    expect(e).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 3 });
    expect(e.message).toMatch(/^The CRM/);
  });

  it('a CRM 401 asks for a reconnect in the backend words', () => {
    expect(upstreamError(401, 'no', undefined, ctx()).nextStep).toContain('`membrane connect --connectionId=c1`');
  });
});

describe('Retry-After', () => {
  it('seconds or an HTTP date, capped at 2 minutes; anything else is ignored', () => {
    expect(retryAfterSeconds({ 'retry-after': '5' })).toBe(5);
    expect(retryAfterSeconds({ 'Retry-After': '99999' })).toBe(120);
    expect(retryAfterSeconds({ 'retry-after': new Date(Date.now() + 10_000).toUTCString() })).toBeGreaterThanOrEqual(9);
    expect(retryAfterSeconds({ 'retry-after': 'later' })).toBeUndefined();
    expect(retryAfterSeconds(undefined)).toBeUndefined();
  });
});

describe("hints: what users must do, in each backend's words", () => {
  const amo = { key: 'amocrm', displayName: 'AmoCRM' };

  it('the CLI gives its exact commands; the sandbox never claims a browser', () => {
    expect(askUser(cli.login())).toBe(
      'Ask the user to run `membrane login --tenant --clientName=<claude|codex|cursor>` in a terminal (headless: open the printed URL, then `membrane login complete <code>`), then retry.',
    );
    expect(cli.connect(amo)).toEqual({
      action: 'run `membrane connect --connectorKey=amocrm` (it opens a browser to authorize AmoCRM)',
      command: 'membrane connect --connectorKey=amocrm',
    });
    const sandbox = cliHints('node /x/cli.js', 'sandbox-cli');
    expect(sandbox.connect(amo).action).toBe('run `node /x/cli.js connect --connectorKey=amocrm`');
    expect(cli.reconnect({ id: 'c9' })).toEqual({
      action: 'run `membrane connect --connectionId=c9`',
      command: 'membrane connect --connectionId=c9',
    });
    expect(cli.reconnect({ id: 'c9', clientAction: { uiUrl: 'https://ui/x' } })).toMatchObject({
      action: 'open https://ui/x to reconnect',
      uiUrl: 'https://ui/x',
    });
    expect(cli.checkAccess('connection list').action).toContain('`membrane status`');
    expect(cli.checkAccess('action create').action).toMatch(/may create actions/);
  });

  it('the API names the variables to fix (and MEMBRANE_API_URI when it is set), and the console or the CLI for connecting', () => {
    const token = apiHints({ kind: 'token', token: 'pat-xxxxxxxxxx' }, false);
    expect(token.login().action).toMatch(/replace MEMBRANE_ACCESS_TOKEN in the MCP server's environment/);
    expect(token.login().action).not.toContain('MEMBRANE_API_URI');
    const ws = apiHints({ kind: 'workspace', workspaceKey: 'k', workspaceSecret: 's-secret-value', tenantKey: 't' }, true);
    expect(ws.login().action).toMatch(/MEMBRANE_WORKSPACE_KEY, MEMBRANE_WORKSPACE_SECRET, MEMBRANE_TENANT_KEY and MEMBRANE_API_URI/);
    expect(ws.connect(amo).action).toMatch(/Membrane console.*`membrane connect --connectorKey=amocrm`/);
    expect(ws.connect(amo).command).toBeUndefined();
    expect(ws.reconnect({ id: 'c1', clientAction: { uiUrl: 'https://ui/r' } })).toEqual({
      action: 'open https://ui/r to reconnect',
      uiUrl: 'https://ui/r',
    });
    expect(ws.reconnect({ id: 'c1' }).action).toMatch(/reconnect connection c1 in the Membrane console/);
    expect(token.checkAccess('action create').action).toMatch(/tenant token may not create actions; a workspace admin token may/);
    expect(ws.checkAccess('request').action).toMatch(/belong to the workspace and tenant that own this connection/);
    // No value ever goes into a hint.
    expect(JSON.stringify([ws.login(), ws.connect(amo), ws.checkAccess('action create')])).not.toContain('s-secret-value');
  });
});
