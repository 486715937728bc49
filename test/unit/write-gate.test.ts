// The write gate (src/policy/write-gate.ts) as run_action and proxy_request pass it: which calls need
// confirmation under each --confirm mode; the confirm token (issued with a preview, single use, bound to the
// exact call); the confirmation dialog (asked only once the connection is READY, run once on yes, final on
// no, the token again when dismissed, refused for another call or when replayed); the repeat guard (an
// identical write refused, allowRepeat, a definite failure released, an unknown outcome kept, a call
// cancelled before it ran released, two identical calls racing) and its order before confirmation; and a
// state store that fails. Handlers called directly (test/helpers/tool-harness.ts) over the shared
// FakeMembraneClient; the same dialog over the wire is test/unit/dialog-rounds.test.ts.
import { describe, expect, it, vi } from 'vitest';
import { ToolError } from '../../src/errors.js';
import type { ProxyResponse } from '../../src/membrane/membrane-client.js';
import { MemoryStateStore } from '../../src/state/memory-state-store.js';
import { FAKE_ACTIONS, FakeMembraneClient, fakeAction, fakeConnection } from '../helpers/fake-membrane-client.js';
import { type HarnessCall, type ToolHarness, toolHarness } from '../helpers/tool-harness.js';

const DELETE = (id: number) => ({ method: 'DELETE', path: `/api/v4/leads/${id}` });
const CREATE = (name: string) => ({ actionId: 'create-lead', input: { name } });
const UNCLASSIFIED = fakeAction('do-stuff', undefined, { name: 'Do stuff' });

const requests = (h: ToolHarness) => h.client.callsOf('request').map((c) => `${c.q.method} ${c.q.path}`);
const runs = (h: ToolHarness) => h.client.callsOf('runAction').length;

describe('write gate: which calls need confirmation', () => {
  it.each([
    { mode: 'destructive', what: 'a delete', call: ['proxy_request', DELETE(1)], asks: true },
    { mode: 'destructive', what: 'a delete action', call: ['run_action', { actionId: 'delete-lead', input: { id: 1 } }], asks: true },
    { mode: 'destructive', what: 'an action of unknown kind', call: ['run_action', { actionId: 'do-stuff' }], asks: true },
    { mode: 'destructive', what: 'a create', call: ['run_action', CREATE('a')], asks: false },
    { mode: 'destructive', what: 'a POST', call: ['proxy_request', { method: 'POST', path: '/api/v4/leads' }], asks: false },
    { mode: 'writes', what: 'a create', call: ['run_action', CREATE('a')], asks: true },
    { mode: 'writes', what: 'a PATCH', call: ['proxy_request', { method: 'PATCH', path: '/api/v4/leads/1' }], asks: true },
    { mode: 'writes', what: 'a read', call: ['run_action', { actionId: 'list-leads' }], asks: false },
    { mode: 'writes', what: 'a GET', call: ['proxy_request', { path: '/api/v4/leads' }], asks: false },
    { mode: 'never', what: 'a delete', call: ['proxy_request', DELETE(1)], asks: false },
    { mode: 'never', what: 'an action of unknown kind', call: ['run_action', { actionId: 'do-stuff' }], asks: false },
  ] as const)('--confirm $mode: $what → confirmation $asks', async ({ mode, call, asks }) => {
    const client = new FakeMembraneClient({ actions: [...FAKE_ACTIONS, UNCLASSIFIED] });
    const h = toolHarness({ client, settings: { confirm: mode } });
    const [suffix, args] = call;
    if (asks) {
      expect((await h.error(suffix, args)).code).toBe('CONFIRMATION_REQUIRED');
      expect(client.calls.filter((c) => c.op === 'runAction' || c.op === 'request')).toEqual([]);
    } else {
      await h.call(suffix, args);
      expect(client.calls.filter((c) => c.op === 'runAction' || c.op === 'request')).toHaveLength(1);
    }
  });
});

describe('write gate: the confirm token', () => {
  it('is issued with a preview of the exact call, and nothing runs', async () => {
    const h = toolHarness();
    const e = await h.error('proxy_request', { ...DELETE(1), query: { force: true } });
    expect(e.code).toBe('CONFIRMATION_REQUIRED');
    expect(e.message).toBe('This destructive call needs confirmation (--confirm destructive); it was not executed');
    const token = e.details?.confirm as string;
    expect(token).toMatch(/^c_/);
    expect(e.details).toMatchObject({ expiresInSeconds: 300 });
    expect(e.details?.preview).toEqual({
      kind: 'destructive',
      connector: 'AmoCRM',
      connectionId: 'conn-amo',
      request: 'DELETE "/api/v4/leads/1"',
      query: '{"force":"true"}',
    });
    expect(e.nextStep).toContain(`call amocrm_proxy_request again with exactly the same arguments plus "confirm": "${token}"`);
    expect(requests(h)).toEqual([]);
  });

  it('runs the identical call once; used again it is refused', async () => {
    const h = toolHarness();
    const token = (await h.error('proxy_request', DELETE(1))).details?.confirm as string;
    expect((await h.call('proxy_request', { ...DELETE(1), confirm: token })).status).toBe(200);
    const again = await h.error('proxy_request', { ...DELETE(1), confirm: token, allowRepeat: true });
    expect(again).toMatchObject({
      code: 'CONFIRMATION_REQUIRED',
      message: expect.stringMatching(/unknown, expired or already used/) as unknown,
    });
    expect(requests(h)).toEqual(['DELETE /api/v4/leads/1']);
  });

  it.each([
    { name: 'another id', other: DELETE(2) },
    { name: 'another query', other: { ...DELETE(1), query: { force: true } } },
    { name: 'another connection', other: { ...DELETE(1), connectionId: 'amo-2' } },
  ])('for another call ($name) it is refused and stays valid for its own', async ({ other }) => {
    const client = new FakeMembraneClient({
      connections: [fakeConnection('conn-amo', { connectorKey: 'amocrm' }), fakeConnection('amo-2', { connectorKey: 'amocrm' })],
    });
    const h = toolHarness({ client, settings: { defaultConnections: { amocrm: 'conn-amo' } } });
    const token = (await h.error('proxy_request', DELETE(1))).details?.confirm as string;
    const moved = await h.error('proxy_request', { ...other, confirm: token });
    expect(moved.message).toBe('The confirm token was issued for a different call (the arguments changed)');
    await h.call('proxy_request', { ...DELETE(1), confirm: token });
    expect(requests(h)).toEqual(['DELETE /api/v4/leads/1']);
  });

  it('a token of run_action does not confirm the same fingerprint on proxy_request (the tool is part of the call)', async () => {
    const h = toolHarness();
    const token = (await h.error('run_action', { actionId: 'delete-lead', input: { id: 1 } })).details?.confirm as string;
    expect((await h.error('proxy_request', { ...DELETE(1), confirm: token })).code).toBe('CONFIRMATION_REQUIRED');
  });

  it('a made-up token is refused', async () => {
    const e = await toolHarness().error('proxy_request', { ...DELETE(1), confirm: 'c_madeup' });
    expect(e.message).toBe('The confirm token is unknown, expired or already used');
  });
});

describe('write gate: the confirmation dialog', () => {
  const DIALOG = { available: true, urlAvailable: false };

  it('asks the user with the preview; nothing runs; an identical call meanwhile is a duplicate, not a second dialog', async () => {
    const h = toolHarness();
    const asked = await h.asked('proxy_request', DELETE(1), { dialog: DIALOG });
    expect(asked.question).toMatch(/^Allow this destructive call\?[\s\S]*\/api\/v4\/leads\/1/);
    expect(asked.state.ticket).toMatch(/^d_/);
    const meanwhile = await h.error('proxy_request', DELETE(1), { dialog: DIALOG });
    expect(meanwhile).toMatchObject({ code: 'DUPLICATE_WRITE', details: { outcome: 'confirming' } });
    expect(requests(h)).toEqual([]);
  });

  it('asks only once the connection is READY (checked with the backend, not the cache)', async () => {
    const client = new FakeMembraneClient({
      connections: [
        fakeConnection('amo-1', {
          connectorKey: 'amocrm',
          state: 'CLIENT_ACTION_REQUIRED',
          clientAction: { uiUrl: 'https://console.example/r' },
        }),
      ],
    });
    const h = toolHarness({ client });
    const e = await h.error('proxy_request', { ...DELETE(1), connectionId: 'amo-1' }, { dialog: DIALOG });
    expect(e).toMatchObject({ code: 'CONNECTION_NEEDS_USER_ACTION', uiUrl: 'https://console.example/r' });
  });

  it('yes runs the call once; the same answer replayed runs nothing', async () => {
    const h = toolHarness();
    const { state } = await h.asked('proxy_request', DELETE(1), { dialog: DIALOG });
    const yes = { dialog: { ...DIALOG, answer: { outcome: 'accept' as const, state } } };
    expect((await h.call('proxy_request', DELETE(1), yes)).status).toBe(200);
    const replay = await h.error('proxy_request', DELETE(1), yes);
    // The replay reports what the round that used the answer did, and the guard still holds the write.
    expect(replay.code).toBe('DUPLICATE_WRITE');
    expect(replay.message).toMatch(/^This confirmation answer was already used \(this round ran nothing\); the identical write succeeded/);
    expect(requests(h)).toEqual(['DELETE /api/v4/leads/1']);
  });

  it('no is final (USER_DECLINED with the preview), and frees the call to be asked about again', async () => {
    const h = toolHarness();
    const { state } = await h.asked('proxy_request', DELETE(1), { dialog: DIALOG });
    const no = await h.error('proxy_request', DELETE(1), { dialog: { ...DIALOG, answer: { outcome: 'decline', state } } });
    expect(no).toMatchObject({ code: 'USER_DECLINED', details: { preview: { request: 'DELETE "/api/v4/leads/1"' } } });
    expect(no.nextStep).toMatch(/^Do not retry it/);
    await h.asked('proxy_request', DELETE(1), { dialog: DIALOG });
    expect(requests(h)).toEqual([]);
  });

  it('dismissed: the confirm token instead (the agent may ask in the conversation), and that token runs it', async () => {
    const h = toolHarness();
    const { state } = await h.asked('proxy_request', DELETE(1), { dialog: DIALOG });
    const dismissed = await h.error('proxy_request', DELETE(1), { dialog: { ...DIALOG, answer: { outcome: 'cancel', state } } });
    expect(dismissed.code).toBe('CONFIRMATION_REQUIRED');
    const token = dismissed.details?.confirm as string;
    expect(token).toMatch(/^c_/);
    await h.call('proxy_request', { ...DELETE(1), confirm: token }, { dialog: DIALOG });
    expect(requests(h)).toEqual(['DELETE /api/v4/leads/1']);
  });

  it('an answer given for another call is refused, and runs nothing', async () => {
    const h = toolHarness();
    const { state } = await h.asked('proxy_request', DELETE(1), { dialog: DIALOG });
    const moved = await h.error('proxy_request', DELETE(2), { dialog: { ...DIALOG, answer: { outcome: 'accept', state } } });
    expect(moved.message).toBe('The confirmation answer was given for a different call (the arguments changed)');
    expect(requests(h)).toEqual([]);
  });

  it('a call that needs no confirmation runs at once, dialog or not', async () => {
    const h = toolHarness();
    await h.call('run_action', CREATE('a'), { dialog: DIALOG });
    expect(runs(h)).toBe(1);
  });
});

describe('write gate: the repeat guard', () => {
  it('an identical write within the window is refused; another input runs; allowRepeat runs it again', async () => {
    const h = toolHarness();
    await h.call('run_action', CREATE('a'));
    const dup = await h.error('run_action', CREATE('a'));
    expect(dup).toMatchObject({ code: 'DUPLICATE_WRITE', details: { outcome: 'succeeded' } });
    expect(dup.message).toMatch(/^The identical write succeeded \d+ s ago$/);
    expect(dup.nextStep).toContain('amocrm_run_action with the same arguments plus allowRepeat: true');
    await h.call('run_action', CREATE('b'));
    await h.call('run_action', { ...CREATE('a'), allowRepeat: true });
    expect(runs(h)).toBe(3);
  });

  it('reads are never guarded', async () => {
    const h = toolHarness();
    await h.call('run_action', { actionId: 'list-leads' });
    await h.call('run_action', { actionId: 'list-leads' });
    expect(runs(h)).toBe(2);
  });

  it('comes before confirmation: a repeated delete is a duplicate, not a new preview', async () => {
    const h = toolHarness();
    const token = (await h.error('proxy_request', DELETE(1))).details?.confirm as string;
    await h.call('proxy_request', { ...DELETE(1), confirm: token });
    expect((await h.error('proxy_request', DELETE(1))).code).toBe('DUPLICATE_WRITE');
  });

  it.each([
    new ToolError('INVALID_INPUT', 'bad field'),
    new ToolError('NOT_FOUND', 'gone'),
    new ToolError('UPSTREAM_ERROR', 'HTTP 400', { details: { status: 400 } }),
    new ToolError('RATE_LIMITED', 'slow down'),
    new ToolError('LOGIN_REQUIRED', 'log in'),
    new ToolError('CANCELLED', 'stopped in the queue', { details: { started: false } }),
  ])('a definite failure ($code) is released: the same write may run at once', async (failure) => {
    const client = new FakeMembraneClient().failNext('runAction', failure);
    const h = toolHarness({ client });
    expect((await h.error('run_action', CREATE('a'))).code).toBe(failure.code);
    await h.call('run_action', CREATE('a'));
    expect(runs(h)).toBe(2);
  });

  it.each([
    new ToolError('TIMEOUT', 'too slow'),
    new ToolError('CANCELLED', 'cancelled while running'),
    new ToolError('UPSTREAM_ERROR', 'HTTP 503', { details: { status: 503 } }),
    new ToolError('MEMBRANE_ERROR', 'Membrane failed'),
    new TypeError('a crash'),
  ])('an unknown outcome ($message) is kept: the repeat is refused until checked', async (failure) => {
    const client = new FakeMembraneClient().failNext('runAction', failure);
    const h = toolHarness({ client });
    await expect(h.call('run_action', CREATE('a'))).rejects.toBe(failure);
    const dup = await h.error('run_action', CREATE('a'));
    expect(dup).toMatchObject({ code: 'DUPLICATE_WRITE', details: { outcome: 'unknown' } });
    expect(dup.nextStep).toMatch(/^Check whether it was applied/);
    expect(runs(h)).toBe(1);
  });

  it('a call cancelled after its checks, before it ran: CANCELLED (not started), nothing ran, and it is released', async () => {
    const h = toolHarness();
    const cancel = new AbortController();
    const e = await h.error('run_action', CREATE('a'), { signal: cancel.signal, onDoing: () => cancel.abort() });
    expect(e).toMatchObject({ code: 'CANCELLED', details: { started: false } });
    expect(runs(h)).toBe(0);
    await h.call('run_action', CREATE('a'));
    expect(runs(h)).toBe(1);
  });

  it('two identical writes racing: one runs, the other is told it is still running', async () => {
    let finish!: (r: ProxyResponse) => void;
    const client = new FakeMembraneClient({ answer: { request: () => new Promise<ProxyResponse>((r) => (finish = r)) } });
    const h = toolHarness({ client, settings: { confirm: 'never' } });
    const first = h.call('proxy_request', { method: 'POST', path: '/api/v4/leads', body: [{ name: 'a' }] });
    const second = await h.error('proxy_request', { method: 'POST', path: '/api/v4/leads', body: [{ name: 'a' }] });
    expect(second).toMatchObject({ code: 'DUPLICATE_WRITE', message: 'The identical write is still running' });
    await new Promise((r) => setImmediate(r));
    finish({ status: 200, headers: {}, body: [{ id: 1 }] });
    expect((await first).status).toBe(200);
    expect(requests(h)).toEqual(['POST /api/v4/leads']);
  });
});

describe('write gate: a state store that fails', () => {
  const DIALOG = { available: true, urlAvailable: false };
  const down = () => new ToolError('STATE_UNAVAILABLE', 'Redis did not answer');
  type Step = { suffix: string; args: Record<string, unknown>; opts: HarnessCall; retryOpts?: HarnessCall };

  // Each store operation the gate awaits, failing once at the point of the flow where it is used: the call
  // fails with STATE_UNAVAILABLE before anything reaches the CRM, and nothing is left held, so the same call
  // goes on as it would have once the store answers again. Closing the dialog is the exception: the take may
  // still land late, so the answer is taken again (a second take) and counts as used, and the retry asks anew.
  it.each<{
    op: 'claimWrite' | 'putToken' | 'takeToken';
    when: string;
    setup: (h: ToolHarness) => Promise<Step>;
    after: string;
    takes?: number;
  }>([
    {
      op: 'claimWrite',
      when: 'claiming the write',
      setup: () => Promise.resolve({ suffix: 'run_action', args: CREATE('a'), opts: {} }),
      after: 'runs',
    },
    {
      op: 'putToken',
      when: 'issuing the confirm token',
      setup: () => Promise.resolve({ suffix: 'proxy_request', args: DELETE(1), opts: {} }),
      after: 'CONFIRMATION_REQUIRED',
    },
    {
      op: 'takeToken',
      when: 'using the confirm token',
      setup: async (h) => ({
        suffix: 'proxy_request',
        args: { ...DELETE(1), confirm: (await h.error('proxy_request', DELETE(1))).details?.confirm },
        opts: {},
      }),
      after: 'runs',
    },
    {
      op: 'putToken',
      when: 'opening the dialog',
      setup: () => Promise.resolve({ suffix: 'proxy_request', args: DELETE(1), opts: { dialog: DIALOG } }),
      after: 'asks',
    },
    {
      op: 'takeToken',
      when: 'closing the dialog on yes',
      setup: async (h) => {
        const { state } = await h.asked('proxy_request', DELETE(1), { dialog: DIALOG });
        return {
          suffix: 'proxy_request',
          args: DELETE(1),
          opts: { dialog: { ...DIALOG, answer: { outcome: 'accept', state } } },
          retryOpts: { dialog: DIALOG },
        };
      },
      after: 'asks',
      takes: 2,
    },
  ])('$op fails while $when: STATE_UNAVAILABLE, nothing runs; once it answers the call $after', async ({ op, setup, after, takes }) => {
    const state = new MemoryStateStore();
    const h = toolHarness({ state });
    const { suffix, args, opts, retryOpts = opts } = await setup(h);
    const failing = vi.spyOn(state, op).mockRejectedValueOnce(down());
    expect((await h.error(suffix, args, opts)).code).toBe('STATE_UNAVAILABLE');
    expect(failing).toHaveBeenCalledTimes(takes ?? 1);
    expect(runs(h) + requests(h).length).toBe(0);
    if (after === 'runs') await h.call(suffix, args, retryOpts);
    else if (after === 'asks') await h.asked(suffix, args, retryOpts);
    else expect((await h.error(suffix, args, retryOpts)).code).toBe(after);
    expect(runs(h) + requests(h).length).toBe(after === 'runs' ? 1 : 0);
  });

  it('cannot record the outcome after the write: the result is still returned', async () => {
    const state = new MemoryStateStore();
    vi.spyOn(state, 'settleWrite').mockRejectedValueOnce(down());
    const h = toolHarness({ state });
    expect((await h.call('run_action', CREATE('a'))).actionId).toBe('act-create-lead');
  });

  it('cannot release the claim after a definite failure: the backend’s error is the call’s, not the store’s', async () => {
    const state = new MemoryStateStore();
    vi.spyOn(state, 'settleWrite').mockRejectedValueOnce(down());
    const client = new FakeMembraneClient().failNext('runAction', new ToolError('INVALID_INPUT', 'bad field'));
    const h = toolHarness({ state, client });
    expect((await h.error('run_action', CREATE('a'))).code).toBe('INVALID_INPUT');
  });
});
