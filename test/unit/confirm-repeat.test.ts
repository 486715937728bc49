// Confirmation of risky calls and the repeat guard, over the state store, with injected clocks.
import { describe, expect, it } from 'vitest';
import { ToolError } from '../../src/errors.js';
import { callKey } from '../../src/policy/call-key.js';
import { Confirmations, needsConfirmation, type ConfirmMode } from '../../src/policy/confirm.js';
import { RepeatGuard } from '../../src/policy/repeat-guard.js';
import type { ActionKind } from '../../src/policy/action-kind.js';
import { MemoryStateStore } from '../../src/state/memory-state-store.js';
import { caughtAsync } from '../helpers/errors.js';
import { createLogger } from '../../src/log.js';
import { type GatedCall, gatedWrite } from '../../src/policy/write-gate.js';
import type { CallContext, ServerContext } from '../../src/tools/tool-context.js';

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

  it('issues a c_… token with its TTL in seconds', async () => {
    const c = new Confirmations();
    const { token, expiresInSeconds } = await c.issue(KEY);
    expect(token).toMatch(/^c_[A-Za-z0-9_-]{16}$/);
    expect(expiresInSeconds).toBe(300);
    expect((await c.issue(KEY)).token).not.toBe(token);
  });

  it('a token is valid once', async () => {
    const c = new Confirmations();
    const { token } = await c.issue(KEY);
    await c.consume(token, KEY);
    const e = await caughtAsync(() => c.consume(token, KEY));
    expect(e.code).toBe('CONFIRMATION_REQUIRED');
    expect(e.message).toMatch(/unknown, expired or already used/);
    expect(e.nextStep).toBeTruthy();
  });

  it('expires after the TTL (injected clock)', async () => {
    let now = 0;
    const c = new Confirmations(5 * 60_000, () => now);
    const a = (await c.issue(KEY)).token;
    const b = (await c.issue(KEY)).token;
    now = 5 * 60_000 - 1;
    await c.consume(a, KEY);
    now = 5 * 60_000;
    expect((await caughtAsync(() => c.consume(b, KEY))).code).toBe('CONFIRMATION_REQUIRED');
  });

  it('a token for a different call is rejected and still valid for its own call', async () => {
    const c = new Confirmations();
    const { token } = await c.issue(KEY);
    const e = await caughtAsync(() => c.consume(token, OTHER));
    expect(e.code).toBe('CONFIRMATION_REQUIRED');
    expect(e.message).toMatch(/different call/);
    expect(e.retryable).toBe(false);
    await c.consume(token, KEY);
  });

  it('an unknown token is rejected', async () => {
    const c = new Confirmations();
    await c.issue(KEY);
    const e = await caughtAsync(() => c.consume('c_madeup', KEY));
    expect(e.code).toBe('CONFIRMATION_REQUIRED');
    expect(e.nextStep).toMatch(/without confirm/);
  });

  it('tokens of one store are not valid in another', async () => {
    const { token } = await new Confirmations().issue(KEY);
    expect((await caughtAsync(() => new Confirmations().consume(token, KEY))).code).toBe('CONFIRMATION_REQUIRED');
  });
});

describe('RepeatGuard', () => {
  const KEY = callKey({ tool: 'amocrm_run_action', connectionId: 'c1', action: 'create-lead', input: { name: 'A' } });
  const TOOL = 'amocrm_run_action';

  function guard(start = 0) {
    const clock = { now: start };
    return { clock, g: new RepeatGuard(60_000, () => clock.now) };
  }

  it('lets a first write through', async () => {
    const { g } = guard();
    await g.claim(KEY, 'next', TOOL);
  });

  it('refuses an identical write while it is still running', async () => {
    const { g } = guard();
    await g.claim(KEY, 'owner', TOOL);
    const e = await caughtAsync(() => g.claim(KEY, 'next', TOOL));
    expect(e.code).toBe('DUPLICATE_WRITE');
    expect(e.message).toContain('is still running');
    expect(e.details).toMatchObject({ outcome: 'running' });
  });

  it('refuses an identical write within 60 s of a success, saying so and how to repeat on purpose', async () => {
    const { g, clock } = guard(1_000);
    await g.claim(KEY, 'owner', TOOL);
    clock.now = 2_000;
    await g.finish(KEY, 'owner');
    clock.now = 2_000 + 59_000;
    const e = await caughtAsync(() => g.claim(KEY, 'next', TOOL));
    expect(e.code).toBe('DUPLICATE_WRITE');
    expect(e.message).toContain('succeeded 59 s ago');
    expect(e.nextStep).toContain(`call ${TOOL} with the same arguments plus allowRepeat: true`);
    expect(e.details).toEqual({ secondsAgo: 59, outcome: 'succeeded' });
    expect(e.retryable).toBe(false);
  });

  it('allows it again after the window', async () => {
    const { g, clock } = guard();
    await g.claim(KEY, 'owner', TOOL);
    await g.finish(KEY, 'owner');
    clock.now = 60_001;
    await g.claim(KEY, 'next', TOOL);
  });

  it('a different write is not a duplicate', async () => {
    const { g } = guard();
    await g.claim(KEY, 'owner', TOOL);
    await g.finish(KEY, 'owner');
    const other = callKey({ tool: 'amocrm_run_action', connectionId: 'c1', action: 'create-lead', input: { name: 'B' } });
    await g.claim(other, 'next', TOOL);
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
  ])('forgets a write that definitely failed (%s): it may be repeated at once', async (_name, error) => {
    const { g } = guard();
    await g.claim(KEY, 'owner', TOOL);
    await g.finish(KEY, 'owner', error);
    await g.claim(KEY, 'next', TOOL);
  });

  it.each<[string, ToolError]>([
    ['TIMEOUT', new ToolError('TIMEOUT', 'too slow')],
    ['CANCELLED', new ToolError('CANCELLED', 'cancelled')],
    ['UPSTREAM_ERROR 503', new ToolError('UPSTREAM_ERROR', 'unavailable', { details: { status: 503 } })],
    ['UPSTREAM_ERROR 500', new ToolError('UPSTREAM_ERROR', 'boom', { details: { status: '500' } })],
    ['CLI_ERROR', new ToolError('CLI_ERROR', 'garbage')],
    ['MEMBRANE_ERROR (an HTML 502 on the way back)', new ToolError('MEMBRANE_ERROR', 'bad gateway', { details: { status: 502 } })],
    ['INTERNAL_ERROR', new ToolError('INTERNAL_ERROR', 'bug')],
  ])('keeps a write with an unknown outcome (%s) and says it may have been applied', async (_name, error) => {
    const { g, clock } = guard();
    await g.claim(KEY, 'owner', TOOL);
    clock.now = 5_000;
    await g.finish(KEY, 'owner', error);
    clock.now = 15_000;
    const e = await caughtAsync(() => g.claim(KEY, 'next', TOOL));
    expect(e.code).toBe('DUPLICATE_WRITE');
    expect(e.message).toContain('unknown outcome');
    expect(e.message).toContain('10 s ago');
    expect(e.nextStep).toMatch(/^Check whether it was applied/);
    expect(e.details).toMatchObject({ outcome: 'unknown' });
  });

  it('a running write is not swept by the window', async () => {
    const { g, clock } = guard();
    await g.claim(KEY, 'owner', TOOL);
    clock.now = 10 * 60_000;
    expect((await caughtAsync(() => g.claim(KEY, 'next', TOOL))).message).toContain('is still running');
  });

  it('the window counts from the end of the write', async () => {
    const { g, clock } = guard();
    await g.claim(KEY, 'owner', TOOL);
    clock.now = 50_000;
    await g.finish(KEY, 'owner');
    clock.now = 50_000 + 59_999;
    expect((await caughtAsync(() => g.claim(KEY, 'next', TOOL))).code).toBe('DUPLICATE_WRITE');
    clock.now = 50_000 + 60_000;
    await g.claim(KEY, 'next', TOOL);
  });
});

describe('callKey', () => {
  it('is order-insensitive for object keys, at every level', async () => {
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

  it('arrays keep their order', async () => {
    expect(callKey({ ids: [1, 2] })).not.toBe(callKey({ ids: [2, 1] }));
  });
});

describe('RepeatGuard and calls that never started', () => {
  it('forgets a write stopped before its CLI process ran (details.started false), even on a code it would keep', async () => {
    const guard = new RepeatGuard(60_000, () => 0);
    await guard.claim('k', 'owner', 't');
    await guard.finish('k', 'owner', new ToolError('TIMEOUT', 'queued too long', { details: { started: false } }));
    await guard.claim('k', 'next', 't');
    await guard.claim('k2', 'owner', 't');
    await guard.finish('k2', 'owner', new ToolError('TIMEOUT', 'ran too long'));
    expect((await caughtAsync(() => guard.claim('k2', 'next', 't'))).message).toMatch(/unknown outcome/);
  });
});

describe('a confirmation dialog over two rounds', () => {
  const KEY = callKey({ tool: 'onecrm_run_action', action: 'delete-account', input: { id: 'a' } });
  const TOOL = 'onecrm_run_action';

  it('the dialog holds the write: an identical call meets DUPLICATE_WRITE saying it waits for the user; allowRepeat takes it', async () => {
    const g = new RepeatGuard();
    await g.claim(KEY, 'd_ticket', TOOL, { phase: 'confirming', ttlMs: 300_000 });
    const e = await caughtAsync(() => g.claim(KEY, 'w_other', TOOL));
    expect(e.code).toBe('DUPLICATE_WRITE');
    expect(e.message).toMatch(/waiting for the user's answer/);
    expect(e.nextStep).toMatch(/allowRepeat: true/);
    expect(e.details).toMatchObject({ outcome: 'confirming' });
    // The answering round takes its own claim over (no DUPLICATE_WRITE for the call that asked)…
    await g.claim(KEY, 'd_ticket', TOOL);
    await g.finish(KEY, 'd_ticket');
    expect((await caughtAsync(() => g.claim(KEY, 'd_ticket', TOOL))).message).toMatch(/succeeded/);
    // …and allowRepeat takes any claim.
    await g.claim(KEY, 'w_forced', TOOL, { force: true });
  });

  it('a dialog ticket is single use, bound to its call, and is not a confirm token', async () => {
    const c = new Confirmations();
    const ticket = await c.openDialog(KEY);
    expect(ticket).toMatch(/^d_[A-Za-z0-9_-]{16}$/);
    const other = callKey({ tool: TOOL, action: 'delete-account', input: { id: 'b' } });
    expect(await c.closeDialog(ticket, other)).toBe(false);
    expect((await caughtAsync(() => c.consume(ticket, KEY))).code).toBe('CONFIRMATION_REQUIRED');
    expect(await c.closeDialog(ticket, KEY)).toBe(true);
    expect(await c.closeDialog(ticket, KEY)).toBe(false);
  });
});

describe('replicas sharing one state store', () => {
  const KEY = callKey({ tool: 'onecrm_run_action', action: 'delete-account', input: { id: 'a' } });

  it('a token issued by one replica is honoured once by another, and refused on a second use anywhere', async () => {
    const state = new MemoryStateStore();
    const a = new Confirmations(300_000, Date.now, state);
    const b = new Confirmations(300_000, Date.now, state);
    const { token } = await a.issue(KEY);
    await b.consume(token, KEY);
    expect((await caughtAsync(() => a.consume(token, KEY))).message).toMatch(/already used/);
    expect((await caughtAsync(() => b.consume(token, KEY))).message).toMatch(/already used/);
  });

  it('an identical write on one replica is a duplicate on another; scopes (tenants) never meet', async () => {
    const state = new MemoryStateStore();
    const a = new RepeatGuard(60_000, Date.now, state);
    const b = new RepeatGuard(60_000, Date.now, state);
    await a.claim(KEY, 'w_a', 't');
    await a.finish(KEY, 'w_a');
    expect((await caughtAsync(() => b.claim(KEY, 'w_b', 't'))).code).toBe('DUPLICATE_WRITE');
    await new RepeatGuard(60_000, Date.now, state, 'another-tenant').claim(KEY, 'w_c', 't');
  });
});

describe('the write gate when the state store does not answer', () => {
  const unavailable = () => new ToolError('STATE_UNAVAILABLE', 'The shared state store did not answer');
  const log = createLogger({ level: 'error', write: () => undefined });

  function gate(state: MemoryStateStore) {
    const ctx = {
      settings: { confirm: 'destructive' },
      confirmations: new Confirmations(undefined, undefined, state),
      repeats: new RepeatGuard(60_000, Date.now, state),
      connections: { checkReady: () => Promise.resolve() },
      log,
    } as unknown as ServerContext;
    const call = {
      tool: 'amocrm_run_action',
      dialog: { available: false },
      signal: new AbortController().signal,
      askUser: () => Promise.reject(new Error('no dialog here')),
    } as unknown as CallContext;
    let runs = 0;
    const run = (g: Partial<GatedCall>) =>
      gatedWrite(
        ctx,
        call,
        { kind: 'destructive', connectionId: 'c1', fingerprint: { id: 1 }, preview: {} as GatedCall['preview'], ...g },
        () => {
          runs++;
          return Promise.resolve('ran');
        },
      );
    return { ctx, run, runs: () => runs };
  }

  it('no claim, no run: STATE_UNAVAILABLE', async () => {
    const state = new MemoryStateStore();
    state.claimWrite = () => Promise.reject(unavailable());
    const g = gate(state);
    expect((await caughtAsync(() => g.run({ confirm: 'c_x' }))).code).toBe('STATE_UNAVAILABLE');
    expect(g.runs()).toBe(0);
  });

  it('claimed but the token cannot be checked: no run, and the claim is released for the retry', async () => {
    const state = new MemoryStateStore();
    const g = gate(state);
    const token = ((await caughtAsync(() => g.run({}))).details as { confirm: string }).confirm;
    const take = state.takeToken.bind(state);
    state.takeToken = () => Promise.reject(unavailable());
    const e = await caughtAsync(() => g.run({ confirm: token }));
    expect(e.code).toBe('STATE_UNAVAILABLE');
    // F2: a take that timed out may still land: the text does not promise the token survives.
    expect(e.message).toMatch(/nothing ran, and the token may have been used up/);
    expect(e.nextStep).toMatch(/If the token is then refused as used, call again without confirm/);
    expect(g.runs()).toBe(0);
    state.takeToken = take;
    expect(await g.run({ confirm: token })).toBe('ran');
    expect(g.runs()).toBe(1);
  });
});
