// Confirmation of risky calls and the repeat guard, with injected clocks.
import { describe, expect, it } from 'vitest';
import { ToolError } from '../../src/errors.js';
import { callKey } from '../../src/policy/call-key.js';
import { Confirmations, needsConfirmation, type ConfirmMode } from '../../src/policy/confirm.js';
import { RepeatGuard } from '../../src/policy/repeat-guard.js';
import type { ActionKind } from '../../src/policy/action-kind.js';
import { caught } from '../helpers/errors.js';

describe('needsConfirmation', () => {
  const table: [ConfirmMode, ActionKind, boolean][] = [
    ['destructive', 'read', false],
    ['destructive', 'write', false],
    ['destructive', 'destructive', true],
    ['destructive', 'unknown', true],
    ['writes', 'read', false],
    ['writes', 'write', true],
    ['writes', 'destructive', true],
    ['writes', 'unknown', true],
    ['never', 'read', false],
    ['never', 'write', false],
    ['never', 'destructive', false],
    ['never', 'unknown', false],
  ];
  it.each(table)('mode %s, kind %s → %s', (mode, kind, expected) => {
    expect(needsConfirmation(mode, kind)).toBe(expected);
  });
});

describe('Confirmations', () => {
  const KEY = callKey({ tool: 'amocrm_run_action', action: 'delete-lead', input: { id: 1 } });
  const OTHER = callKey({ tool: 'amocrm_run_action', action: 'delete-lead', input: { id: 2 } });

  it('issues a c_… token with its TTL in seconds', () => {
    const c = new Confirmations();
    const { token, expiresInSeconds } = c.issue(KEY);
    expect(token).toMatch(/^c_[A-Za-z0-9_-]{16}$/);
    expect(expiresInSeconds).toBe(300);
    expect(c.issue(KEY).token).not.toBe(token);
  });

  it('a token is valid once', () => {
    const c = new Confirmations();
    const { token } = c.issue(KEY);
    expect(() => c.consume(token, KEY)).not.toThrow();
    const e = caught(() => c.consume(token, KEY));
    expect(e.code).toBe('CONFIRMATION_REQUIRED');
    expect(e.message).toMatch(/unknown, expired or already used/);
    expect(e.nextStep).toBeTruthy();
  });

  it('expires after the TTL (injected clock)', () => {
    let now = 0;
    const c = new Confirmations(5 * 60_000, () => now);
    const a = c.issue(KEY).token;
    const b = c.issue(KEY).token;
    now = 5 * 60_000 - 1;
    expect(() => c.consume(a, KEY)).not.toThrow();
    now = 5 * 60_000;
    expect(caught(() => c.consume(b, KEY)).code).toBe('CONFIRMATION_REQUIRED');
  });

  it('a token for a different call is rejected and still valid for its own call', () => {
    const c = new Confirmations();
    const { token } = c.issue(KEY);
    const e = caught(() => c.consume(token, OTHER));
    expect(e.code).toBe('CONFIRMATION_REQUIRED');
    expect(e.message).toMatch(/different call/);
    expect(e.retryable).toBe(false);
    expect(() => c.consume(token, KEY)).not.toThrow();
  });

  it('an unknown token is rejected', () => {
    const c = new Confirmations();
    c.issue(KEY);
    const e = caught(() => c.consume('c_madeup', KEY));
    expect(e.code).toBe('CONFIRMATION_REQUIRED');
    expect(e.nextStep).toMatch(/without confirm/);
  });

  it('tokens of one store are not valid in another', () => {
    const { token } = new Confirmations().issue(KEY);
    expect(caught(() => new Confirmations().consume(token, KEY)).code).toBe('CONFIRMATION_REQUIRED');
  });
});

describe('RepeatGuard', () => {
  const KEY = callKey({ tool: 'amocrm_run_action', connectionId: 'c1', action: 'create-lead', input: { name: 'A' } });
  const TOOL = 'amocrm_run_action';

  function guard(start = 0) {
    const clock = { now: start };
    return { clock, g: new RepeatGuard(60_000, () => clock.now) };
  }

  it('lets a first write through', () => {
    const { g } = guard();
    expect(() => g.check(KEY, TOOL)).not.toThrow();
  });

  it('refuses an identical write while it is still running', () => {
    const { g } = guard();
    g.start(KEY);
    const e = caught(() => g.check(KEY, TOOL));
    expect(e.code).toBe('DUPLICATE_WRITE');
    expect(e.message).toContain('is still running');
    expect(e.details).toMatchObject({ outcome: 'running' });
  });

  it('refuses an identical write within 60 s of a success, saying so and how to repeat on purpose', () => {
    const { g, clock } = guard(1_000);
    g.start(KEY);
    clock.now = 2_000;
    g.finish(KEY);
    clock.now = 2_000 + 59_000;
    const e = caught(() => g.check(KEY, TOOL));
    expect(e.code).toBe('DUPLICATE_WRITE');
    expect(e.message).toContain('succeeded 59 s ago');
    expect(e.nextStep).toContain(`call ${TOOL} with the same arguments plus allowRepeat: true`);
    expect(e.details).toEqual({ secondsAgo: 59, outcome: 'succeeded' });
    expect(e.retryable).toBe(false);
  });

  it('allows it again after the window', () => {
    const { g, clock } = guard();
    g.start(KEY);
    g.finish(KEY);
    clock.now = 60_001;
    expect(() => g.check(KEY, TOOL)).not.toThrow();
  });

  it('a different write is not a duplicate', () => {
    const { g } = guard();
    g.start(KEY);
    g.finish(KEY);
    const other = callKey({ tool: 'amocrm_run_action', connectionId: 'c1', action: 'create-lead', input: { name: 'B' } });
    expect(() => g.check(other, TOOL)).not.toThrow();
  });

  it.each<[string, ToolError]>([
    ['INVALID_INPUT', new ToolError('INVALID_INPUT', 'bad')],
    ['NOT_FOUND', new ToolError('NOT_FOUND', 'no such record')],
    ['UPSTREAM_ERROR 400', new ToolError('UPSTREAM_ERROR', 'bad request', { details: { status: 400 } })],
    ['UPSTREAM_ERROR 422', new ToolError('UPSTREAM_ERROR', 'unprocessable', { details: { status: 422 } })],
    ['RATE_LIMITED', new ToolError('RATE_LIMITED', 'slow down')],
    ['POLICY_DENIED', new ToolError('POLICY_DENIED', 'no')],
    ['LOGIN_REQUIRED', new ToolError('LOGIN_REQUIRED', 'log in')],
    ['ACCESS_DENIED', new ToolError('ACCESS_DENIED', 'a tenant token may not create actions')],
    ['MEMBRANE_ERROR that never reached Membrane', new ToolError('MEMBRANE_ERROR', 'ECONNREFUSED', { details: { started: false } })],
  ])('forgets a write that definitely failed (%s): it may be repeated at once', (_name, error) => {
    const { g } = guard();
    g.start(KEY);
    g.finish(KEY, error);
    expect(() => g.check(KEY, TOOL)).not.toThrow();
  });

  it.each<[string, ToolError]>([
    ['TIMEOUT', new ToolError('TIMEOUT', 'too slow')],
    ['CANCELLED', new ToolError('CANCELLED', 'cancelled')],
    ['UPSTREAM_ERROR 503', new ToolError('UPSTREAM_ERROR', 'unavailable', { details: { status: 503 } })],
    ['UPSTREAM_ERROR 500', new ToolError('UPSTREAM_ERROR', 'boom', { details: { status: '500' } })],
    ['CLI_ERROR', new ToolError('CLI_ERROR', 'garbage')],
    ['MEMBRANE_ERROR (an HTML 502 on the way back)', new ToolError('MEMBRANE_ERROR', 'bad gateway', { details: { status: 502 } })],
    ['INTERNAL_ERROR', new ToolError('INTERNAL_ERROR', 'bug')],
  ])('keeps a write with an unknown outcome (%s) and says it may have been applied', (_name, error) => {
    const { g, clock } = guard();
    g.start(KEY);
    clock.now = 5_000;
    g.finish(KEY, error);
    clock.now = 15_000;
    const e = caught(() => g.check(KEY, TOOL));
    expect(e.code).toBe('DUPLICATE_WRITE');
    expect(e.message).toContain('unknown outcome');
    expect(e.message).toContain('10 s ago');
    expect(e.nextStep).toMatch(/^Check whether it was applied/);
    expect(e.details).toMatchObject({ outcome: 'unknown' });
  });

  it('a running write is not swept by the window', () => {
    const { g, clock } = guard();
    g.start(KEY);
    clock.now = 10 * 60_000;
    expect(caught(() => g.check(KEY, TOOL)).message).toContain('is still running');
  });

  it('the window counts from the end of the write', () => {
    const { g, clock } = guard();
    g.start(KEY);
    clock.now = 50_000;
    g.finish(KEY);
    clock.now = 50_000 + 60_000;
    expect(caught(() => g.check(KEY, TOOL)).code).toBe('DUPLICATE_WRITE');
    clock.now = 50_000 + 60_001;
    expect(() => g.check(KEY, TOOL)).not.toThrow();
  });
});

describe('callKey', () => {
  it('is order-insensitive for object keys, at every level', () => {
    const a = callKey({ tool: 't', connectionId: 'c', input: { name: 'A', price: 10, nested: { x: 1, y: [1, { p: 1, q: 2 }] } } });
    const b = callKey({ input: { nested: { y: [1, { q: 2, p: 1 }], x: 1 }, price: 10, name: 'A' }, connectionId: 'c', tool: 't' });
    expect(a).toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/); // SHA-256, base64url
  });

  const base = {
    tool: 'amocrm_proxy_request',
    connector: 'amocrm',
    connectionId: 'c1',
    method: 'POST',
    path: '/api/v4/leads',
    body: [{ name: 'A', price: 1 }],
  };
  it.each<[string, Record<string, unknown>]>([
    ['tool', { ...base, tool: 'onecrm_proxy_request' }],
    ['connector', { ...base, connector: '1crm' }],
    ['connection', { ...base, connectionId: 'c2' }],
    ['method', { ...base, method: 'PUT' }],
    ['path', { ...base, path: '/api/v4/contacts' }],
    ['body value', { ...base, body: [{ name: 'A', price: 2 }] }],
    ['body value type', { ...base, body: [{ name: 'A', price: '1' }] }],
    ['extra array item', { ...base, body: [{ price: 1, name: 'A' }, { name: 'B' }] }],
    ['extra field', { ...base, query: { page: '2' } }],
    ['null vs absent', { ...base, body: null }],
  ])('differs when the %s differs', (_what, changed) => {
    expect(callKey(changed)).not.toBe(callKey(base));
  });

  it('arrays keep their order', () => {
    expect(callKey({ ids: [1, 2] })).not.toBe(callKey({ ids: [2, 1] }));
  });
});

describe('RepeatGuard and calls that never started', () => {
  it('forgets a write stopped before its CLI process ran (details.started false), even on a code it would keep', () => {
    const guard = new RepeatGuard(60_000, () => 0);
    guard.start('k');
    guard.finish('k', new ToolError('TIMEOUT', 'queued too long', { details: { started: false } }));
    expect(() => guard.check('k', 't')).not.toThrow();
    guard.start('k2');
    guard.finish('k2', new ToolError('TIMEOUT', 'ran too long'));
    expect(() => guard.check('k2', 't')).toThrow(/unknown outcome/);
  });
});
