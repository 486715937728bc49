// A confirmation dialog of a 2026 client is two requests: the first is answered input_required (the
// question, and state sealed with the server's HMAC key), the second carries the user's answer and that
// state. Driven by hand here (the SDK client in manual mode) to check what a hostile or confused client
// could do with the second round: replay it, alter the state, move it to another call, or use the ticket
// inside it as a confirm token. None of that runs a write; the honest round runs it exactly once, also when
// the two rounds reach two replicas that share the state store and the key.
import type { Client } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SettingsSchema } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import type { MembraneClient } from '../../src/membrane/membrane-client.js';
import { createServerFactory } from '../../src/server.js';
import { MemoryStateStore } from '../../src/state/memory-state-store.js';
import type { StateStore } from '../../src/state/state-store.js';
import { connectRedisStateStore } from '../../src/state/redis-state-store.js';
import { FakeMembraneClient } from '../helpers/fake-membrane-client.js';
import { connectInProcess } from '../helpers/in-process.js';
import { startRedisServer } from '../helpers/redis-server.js';

const SECRET = 'dialog-test-secret-0123456789abcdef-0123';

/** A Membrane client whose proxied requests (the writes that ran) are recorded; each answers 204, after `hold` when given. */
function recordingClient(hold?: Promise<void>): FakeMembraneClient {
  return new FakeMembraneClient({
    answer: {
      request: async () => {
        await hold;
        return { status: 204, headers: {}, body: null };
      },
    },
  });
}

/** The writes that ran, as `METHOD path`. */
const ran = (membrane: FakeMembraneClient) => membrane.callsOf('request').map((c) => `${c.q.method} ${c.q.path}`);

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

/** A 2026 client in manual mode (it returns input_required to the test instead of answering it). */
async function replica(membrane: MembraneClient, state: StateStore, stateSecret = SECRET): Promise<Client> {
  const log = createLogger({ level: 'error', write: () => undefined });
  const { factory } = createServerFactory({ settings: SettingsSchema.parse({}), client: membrane, log, version: '0', state, stateSecret });
  const served = await connectInProcess(factory, { era: 'modern', capabilities: { elicitation: { form: {} } }, manualRounds: true });
  closers.push(() => served.close());
  return served.client;
}

interface Round {
  resultType?: string;
  requestState?: string;
  inputRequests?: Record<string, { method: string; params: { message: string } }>;
  isError?: boolean;
  content?: { text: string }[];
  structuredContent?: { error?: { code: string; message: string } };
}

const DELETE = (id: number) => ({ method: 'DELETE', path: `/api/v4/leads/${id}`, connectionId: 'conn-amo' });
const yes = { confirm: { action: 'accept', content: { confirm: true } } };

async function ask(
  client: Client,
  args: Record<string, unknown>,
  answer?: { inputResponses: unknown; requestState?: string },
): Promise<Round> {
  return (await client.callTool({ name: 'amocrm_proxy_request', arguments: args, ...(answer ?? {}) } as Parameters<Client['callTool']>[0], {
    allowInputRequired: true,
  })) as Round;
}

describe('confirmation dialog rounds (2026 client, driven by hand)', () => {
  it('asks first, runs once on yes; a replayed yes, an altered state and a moved state run nothing', async () => {
    const membrane = recordingClient();
    const client = await replica(membrane, new MemoryStateStore());

    const first = await ask(client, DELETE(1));
    expect(first.resultType).toBe('input_required');
    expect(first.inputRequests?.confirm.method).toBe('elicitation/create');
    expect(first.inputRequests?.confirm.params.message).toMatch(/^Allow this destructive call\?[\s\S]*\/api\/v4\/leads\/1/);
    expect(ran(membrane)).toEqual([]);
    const state = first.requestState!;

    // The state of the call about lead 1, sent with the call about lead 2: refused, nothing runs.
    const moved = await ask(client, DELETE(2), { inputResponses: yes, requestState: state });
    expect(moved.structuredContent?.error?.code).toBe('CONFIRMATION_REQUIRED');
    expect(moved.structuredContent?.error?.message).toMatch(/different call/);

    // An altered state never reaches the handler (the SDK checks the HMAC): a protocol error.
    // The second-to-last character changes (the last one of base64url may carry only padding bits).
    const altered = `${state.slice(0, -2)}${state.at(-2) === 'A' ? 'B' : 'A'}${state.slice(-1)}`;
    expect(altered).not.toBe(state);
    await expect(ask(client, DELETE(1), { inputResponses: yes, requestState: altered })).rejects.toThrow(/Invalid or expired requestState/);
    expect(ran(membrane)).toEqual([]);

    // The honest answer runs the call once…
    const done = await ask(client, DELETE(1), { inputResponses: yes, requestState: state });
    expect(done.isError).toBeFalsy();
    expect(ran(membrane)).toEqual(['DELETE /api/v4/leads/1']);
    // …and replaying it runs nothing, saying what the round that used it did.
    const replay = await ask(client, DELETE(1), { inputResponses: yes, requestState: state });
    expect(replay.structuredContent?.error?.code).toBe('DUPLICATE_WRITE');
    expect(replay.structuredContent?.error?.message).toMatch(/already used \(this round ran nothing\); the identical write succeeded/);
    expect(ran(membrane)).toEqual(['DELETE /api/v4/leads/1']);
  });

  it('F4b: the dialog shows the headers a proxy request sends, quoted, on their own line', async () => {
    const client = await replica(recordingClient(), new MemoryStateStore());
    const first = await ask(client, { ...DELETE(14), headers: { 'X-Cascade-Delete': 'all-related-records', Prefer: 'hard-delete' } });
    const lines = first.inputRequests!.confirm.params.message.split('\n');
    expect(lines).toContain('headers: "X-Cascade-Delete: all-related-records", "Prefer: hard-delete"');
  });

  it('F1: a replayed yes leaves the repeat guard as the run left it: the identical call meets DUPLICATE_WRITE, not a second dialog', async () => {
    const membrane = recordingClient();
    const client = await replica(membrane, new MemoryStateStore());
    const first = await ask(client, DELETE(11));
    expect((await ask(client, DELETE(11), { inputResponses: yes, requestState: first.requestState! })).isError).toBeFalsy();
    for (const answer of [yes, { confirm: { action: 'decline' } }, { confirm: { action: 'cancel' } }]) {
      const replay = await ask(client, DELETE(11), { inputResponses: answer, requestState: first.requestState! });
      expect(replay.structuredContent?.error?.code).toBe('DUPLICATE_WRITE');
    }
    const again = await ask(client, DELETE(11));
    expect(again.resultType).toBeUndefined();
    expect(again.structuredContent?.error?.code).toBe('DUPLICATE_WRITE');
    expect(again.structuredContent?.error?.message).toMatch(/^The identical write succeeded/);
    expect(ran(membrane)).toEqual(['DELETE /api/v4/leads/11']);
  });

  it('F1: six copies of one yes raced in parallel run the call once, and the guard still holds it afterwards', async () => {
    const membrane = recordingClient();
    const client = await replica(membrane, new MemoryStateStore());
    const first = await ask(client, DELETE(12));
    const rounds = await Promise.all(
      Array.from({ length: 6 }, () => ask(client, DELETE(12), { inputResponses: yes, requestState: first.requestState! })),
    );
    expect(rounds.filter((r) => !r.isError)).toHaveLength(1);
    for (const r of rounds.filter((r) => r.isError)) expect(r.structuredContent?.error?.code).toBe('DUPLICATE_WRITE');
    expect((await ask(client, DELETE(12))).structuredContent?.error?.code).toBe('DUPLICATE_WRITE');
    expect(ran(membrane)).toEqual(['DELETE /api/v4/leads/12']);
  });

  it('F1: an answer round retried while its write runs reports it running; the agent cannot open a second dialog for it', async () => {
    let finish!: () => void;
    const membrane = recordingClient(new Promise<void>((r) => (finish = r)));
    const client = await replica(membrane, new MemoryStateStore());
    const first = await ask(client, DELETE(13));
    const running = ask(client, DELETE(13), { inputResponses: yes, requestState: first.requestState! });
    await vi.waitFor(() => expect(ran(membrane)).toHaveLength(1));
    const retried = await ask(client, DELETE(13), { inputResponses: yes, requestState: first.requestState! });
    expect(retried.structuredContent?.error?.code).toBe('DUPLICATE_WRITE');
    expect(retried.structuredContent?.error?.message).toMatch(
      /already used \(this round ran nothing\); the identical write is still running/,
    );
    const meanwhile = await ask(client, DELETE(13));
    expect(meanwhile.resultType).toBeUndefined();
    expect(meanwhile.structuredContent?.error?.message).toMatch(/is still running/);
    finish();
    expect((await running).isError).toBeFalsy();
    expect((await ask(client, DELETE(13))).structuredContent?.error?.code).toBe('DUPLICATE_WRITE');
    expect(ran(membrane)).toEqual(['DELETE /api/v4/leads/13']);
  });

  it('the ticket inside the (readable) state is not a confirm token; a "no" is final and frees the call to be asked again', async () => {
    const membrane = recordingClient();
    const client = await replica(membrane, new MemoryStateStore());
    const first = await ask(client, DELETE(3));
    const payload = JSON.parse(Buffer.from(first.requestState!.split('.')[1], 'base64url').toString()) as { p: { ticket: string } };
    expect(payload.p.ticket).toMatch(/^d_/);
    const asToken = await ask(client, { ...DELETE(3), confirm: payload.p.ticket });
    expect(asToken.structuredContent?.error?.code).toBe('DUPLICATE_WRITE'); // the dialog holds the call
    const forced = await ask(client, { ...DELETE(3), confirm: payload.p.ticket, allowRepeat: true });
    expect(forced.structuredContent?.error?.code).toBe('CONFIRMATION_REQUIRED');
    expect(forced.structuredContent?.error?.message).toMatch(/different call|unknown/);
    expect(ran(membrane)).toEqual([]);

    const second = await ask(client, DELETE(4));
    const no = await ask(client, DELETE(4), {
      inputResponses: { confirm: { action: 'decline' } },
      requestState: second.requestState!,
    });
    expect(no.structuredContent?.error?.code).toBe('USER_DECLINED');
    expect((await ask(client, DELETE(4))).resultType).toBe('input_required');
    expect(ran(membrane)).toEqual([]);
  });

  it('the two rounds may reach two replicas that share the state store and the key; with another key the answer is refused', async () => {
    const membrane = recordingClient();
    const shared = new MemoryStateStore();
    const a = await replica(membrane, shared);
    const b = await replica(membrane, shared);
    const first = await ask(a, DELETE(5));
    const done = await ask(b, DELETE(5), { inputResponses: yes, requestState: first.requestState! });
    expect(done.isError).toBeFalsy();
    expect(ran(membrane)).toEqual(['DELETE /api/v4/leads/5']);
    // The identical write again, on the first replica: the shared repeat guard knows it ran.
    const again = await ask(a, DELETE(5));
    expect(again.structuredContent?.error?.code).toBe('DUPLICATE_WRITE');

    const other = await replica(membrane, shared, 'another-secret-0123456789abcdef-012345');
    const asked = await ask(a, DELETE(6));
    await expect(ask(other, DELETE(6), { inputResponses: yes, requestState: asked.requestState! })).rejects.toThrow(
      /Invalid or expired requestState/,
    );
    expect(ran(membrane)).toEqual(['DELETE /api/v4/leads/5']);
  });
});

describe('confirmation dialog rounds over a Redis that stalls', () => {
  it('F2: a stall while the yes is used says the answer cannot be reused; the next call asks again (not DUPLICATE_WRITE) and runs once', async () => {
    const redis = await startRedisServer();
    const log = createLogger({ level: 'error', write: () => undefined });
    const store = await connectRedisStateStore({ url: redis.url, log, commandTimeoutMs: 300 });
    closers.push(async () => {
      process.kill(redis.pid()!, 'SIGCONT');
      await store.close();
      await redis.close();
    });
    const membrane = recordingClient();
    const client = await replica(membrane, store);
    const first = await ask(client, DELETE(21));
    expect(first.resultType).toBe('input_required');

    process.kill(redis.pid()!, 'SIGSTOP');
    const stalled = await ask(client, DELETE(21), { inputResponses: yes, requestState: first.requestState! });
    process.kill(redis.pid()!, 'SIGCONT');
    const error = (stalled.structuredContent as { error: { code: string; message: string; nextStep: string; retryable: boolean } }).error;
    expect(error.code).toBe('STATE_UNAVAILABLE');
    expect(error.message).toMatch(/nothing ran, and this answer cannot be used again/);
    expect(error.nextStep).toMatch(/again in a few seconds \(without the answer\): the user will be asked again/);
    expect(ran(membrane)).toEqual([]);
    await vi.waitFor(() => store.ping(), { timeout: 5000, interval: 50 });

    // The late take spent the ticket: the same answer sent again runs nothing.
    const replay = await ask(client, DELETE(21), { inputResponses: yes, requestState: first.requestState! });
    expect(replay.structuredContent?.error?.code).toBe('CONFIRMATION_REQUIRED');
    // What the error told the agent to do works: a new dialog, and its yes runs the call once.
    const again = await ask(client, DELETE(21));
    expect(again.resultType).toBe('input_required');
    expect((await ask(client, DELETE(21), { inputResponses: yes, requestState: again.requestState! })).isError).toBeFalsy();
    expect(ran(membrane)).toEqual(['DELETE /api/v4/leads/21']);
  });
});
