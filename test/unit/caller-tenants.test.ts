// The tenants of `--http-auth membrane` with fake clients and a fake clock: what is refused before Membrane is
// asked, how often Membrane is asked, concurrent first requests sharing one check, refusals remembered, idle and
// surplus tenants dropped (never one in use), and the readiness check that sits next to them.
import { describe, expect, it } from 'vitest';
import { ToolError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import type { AccessCheck } from '../../src/membrane/membrane-client.js';
import { MemoryStateStore } from '../../src/state/memory-state-store.js';
import type { StateStore } from '../../src/state/state-store.js';
import { CallerTenants, tenantKeyOf, type Tenant } from '../../src/tenants/caller-tenants.js';
import type { ServerContext } from '../../src/tools/tool-context.js';
import { readinessCheck } from '../../src/transports/health-checks.js';
import { FakeMembraneClient } from '../helpers/fake-membrane-client.js';

const log = createLogger({ level: 'error', write: () => undefined });
const jwt = (claims: Record<string, unknown>) =>
  `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

/** A client whose checkAccess answers `answer` (after `delayMs`); counts its checks and closes. */
function fakeClient(answer: () => AccessCheck | Error, delayMs = 0) {
  const client = new FakeMembraneClient({
    backend: 'membrane-api',
    answer: {
      checkAccess: async () => {
        await new Promise((r) => setTimeout(r, delayMs));
        const a = answer();
        if (a instanceof Error) throw a;
        return a;
      },
    },
  });
  const counts = {
    get checks() {
      return client.callsOf('checkAccess').length;
    },
    get closed() {
      return client.closes;
    },
  };
  return { client, counts };
}

function setup(answer: (token: string) => AccessCheck | Error = () => ({ loggedIn: true, summary: 'ok' }), opts = {}) {
  let now = 1_000_000;
  const made: { token: string; key: string; counts: { checks: number; closed: number } }[] = [];
  const tenants = new CallerTenants({
    log,
    now: () => now,
    create(token, key): Tenant {
      const { client, counts } = fakeClient(() => answer(token), 5);
      made.push({ token, key, counts });
      return { key, client, ctx: { scope: key } as ServerContext };
    },
    ...opts,
  });
  return { tenants, made, advance: (ms: number) => (now += ms), now: () => now };
}

describe('CallerTenants admission', () => {
  it('refuses without asking Membrane: no header, another scheme, not a Membrane token, an expired JWT', async () => {
    const { tenants, made } = setup();
    const missing = await tenants.admit(undefined);
    expect(missing).toMatchObject({ ok: false, status: 401, invalidToken: false });
    expect(await tenants.admit('Basic dXNlcjpwYXNz')).toMatchObject({ ok: false, status: 401, invalidToken: false });
    expect(await tenants.admit('Bearer hello')).toMatchObject({ ok: false, status: 401, invalidToken: true });
    const expired = await tenants.admit(`Bearer ${jwt({ id: 't', exp: 1 })}`);
    expect(expired).toMatchObject({ ok: false, status: 401, message: expect.stringMatching(/expired/) });
    expect(made).toHaveLength(0);
    await tenants.close();
  });

  it('admits an accepted token as its tenant (a hash of the token, no token in the key); asks Membrane again only after a minute', async () => {
    const { tenants, made, advance } = setup();
    const token = 'pat-alice-0123456789';
    const first = await tenants.admit(`Bearer ${token}`);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(first.authInfo.clientId).toBe(tenantKeyOf(token));
    expect(first.authInfo.clientId).toMatch(/^t_[0-9a-f]{32}$/);
    expect(tenants.tenant(first.authInfo.clientId)?.ctx.scope).toBe(tenantKeyOf(token));
    first.release();
    await tenants.admit(`Bearer ${token}`);
    expect(made[0].counts.checks).toBe(1);
    advance(61_000);
    await tenants.admit(`Bearer ${token}`);
    expect(made[0].counts.checks).toBe(2);
    expect(made).toHaveLength(1);
    expect(tenantKeyOf('pat-bob-0123456789')).not.toBe(tenantKeyOf(token));
    await tenants.close();
  });

  it('concurrent first requests of one caller share one check', async () => {
    const { tenants, made } = setup();
    const results = await Promise.all(Array.from({ length: 5 }, () => tenants.admit('Bearer pat-carol-0123456789')));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(made).toHaveLength(1);
    expect(made[0].counts.checks).toBe(1);
    await tenants.close();
  });

  it('a token Membrane refuses is 401 invalid_token, remembered for 30 s, and its tenant dropped', async () => {
    const { tenants, made, advance } = setup((token) =>
      token.includes('bad') ? { loggedIn: false, summary: 'refused' } : { loggedIn: true, summary: 'ok' },
    );
    const refused = await tenants.admit('Bearer pat-bad-0123456789');
    expect(refused).toMatchObject({ ok: false, status: 401, invalidToken: true, message: expect.stringMatching(/Membrane refused/) });
    expect(tenants.size()).toBe(0);
    expect(made[0].counts.closed).toBe(1);
    await tenants.admit('Bearer pat-bad-0123456789');
    expect(made).toHaveLength(1); // not asked again
    advance(31_000);
    await tenants.admit('Bearer pat-bad-0123456789');
    expect(made).toHaveLength(2);
    await tenants.close();
  });

  it('Membrane unreachable is 503 (retry), not 401; ACCESS_DENIED means the token is known, so it is admitted', async () => {
    const down = setup(() => new ToolError('MEMBRANE_ERROR', 'cannot reach'));
    expect(await down.tenants.admit('Bearer pat-dave-0123456789')).toMatchObject({ ok: false, status: 503, invalidToken: false });
    await down.tenants.close();
    const limited = setup(() => new ToolError('ACCESS_DENIED', 'no listing'));
    expect((await limited.tenants.admit('Bearer pat-erin-0123456789')).ok).toBe(true);
    await limited.tenants.close();
  });

  it('checks at most maxChecks new tokens at once; one more is 503, a known one still passes', async () => {
    const { tenants } = setup(undefined, { maxChecks: 1 });
    const known = await tenants.admit('Bearer pat-known-0123456789');
    if (known.ok) known.release();
    const slow = tenants.admit('Bearer pat-first-0123456789');
    expect(await tenants.admit('Bearer pat-second-0123456789')).toMatchObject({ ok: false, status: 503 });
    expect((await tenants.admit('Bearer pat-known-0123456789')).ok).toBe(true);
    expect((await slow).ok).toBe(true);
    expect((await tenants.admit('Bearer pat-second-0123456789')).ok).toBe(true);
    await tenants.close();
  });

  it('F6: one address flooding unknown tokens holds at most 2 check slots; a new token from another address is still checked', async () => {
    const { tenants, made, advance } = setup((token) =>
      token.includes('bogus') ? { loggedIn: false, summary: 'refused' } : { loggedIn: true, summary: 'ok' },
    );
    const flood = Array.from({ length: 20 }, (_, i) => tenants.admit(`Bearer pat-bogus-${i}-0123456789`, '10.0.0.1'));
    // While the flood's checks are in flight, a new caller elsewhere gets in.
    expect((await tenants.admit('Bearer pat-newuser-0123456789', '10.0.0.2')).ok).toBe(true);
    const answers = await Promise.all(flood);
    expect(made.filter((m) => m.token.includes('bogus'))).toHaveLength(2);
    expect(answers.filter((a) => !a.ok && a.status === 401)).toHaveLength(2);
    expect(answers.filter((a) => !a.ok && a.status === 503 && /from this address/.test(a.message))).toHaveLength(18);

    // Refused tokens cost that address a pause before its next new token is checked; others are not held up.
    expect(await tenants.admit('Bearer pat-bogus-99-0123456789', '10.0.0.1')).toMatchObject({ ok: false, status: 429 });
    expect((await tenants.admit('Bearer pat-other-0123456789', '10.0.0.3')).ok).toBe(true);
    advance(1_001);
    expect(await tenants.admit('Bearer pat-bogus-99-0123456789', '10.0.0.1')).toMatchObject({ ok: false, status: 401 });
    expect(made.filter((m) => m.token.includes('bogus'))).toHaveLength(3);
    await tenants.close();
  });

  it('drops tenants idle for 10 minutes and the least recently used beyond the maximum, never one in use', async () => {
    const { tenants, made, advance } = setup(undefined, { maxTenants: 2 });
    const held = await tenants.admit('Bearer pat-held-0123456789');
    const b = await tenants.admit('Bearer pat-b-0123456789');
    if (b.ok) b.release();
    advance(1000);
    const c = await tenants.admit('Bearer pat-c-0123456789');
    if (c.ok) c.release();
    // Three tenants for a maximum of two: the idle least recently used (b) went; the held one stays.
    expect(tenants.size()).toBe(2);
    expect(made.find((m) => m.token.includes('-b-'))?.counts.closed).toBe(1);
    advance(11 * 60_000);
    tenants.sweep();
    expect(tenants.size()).toBe(1);
    expect(held.ok && tenants.tenant(held.authInfo.clientId)).toBeTruthy();
    if (held.ok) held.release();
    tenants.sweep();
    expect(tenants.size()).toBe(1); // released just now: idle for 0 ms
    advance(11 * 60_000);
    tenants.sweep();
    expect(tenants.size()).toBe(0);
    await tenants.close();
  });
});

describe('readiness', () => {
  const failingState = {
    ping: () => Promise.reject(new ToolError('STATE_UNAVAILABLE', 'The shared state store did not answer (ping)')),
  } as unknown as StateStore;

  it('ready when both checks pass; the backend answer is reused for 10 s; a failure names the check and is not reused', async () => {
    let answer: AccessCheck | Error = { loggedIn: true, summary: 'logged in as someone@example.com' };
    const { client, counts } = fakeClient(() => answer);
    const check = readinessCheck({ state: new MemoryStateStore(), client });
    const first = await check();
    expect(first).toMatchObject({ ready: true, checks: { state: { ok: true }, backend: { ok: true } } });
    expect(JSON.stringify(first)).not.toContain('someone@example.com');
    await check();
    expect(counts.checks).toBe(1);

    const refused = readinessCheck({ state: new MemoryStateStore(), client, backendTtlMs: 0 });
    answer = { loggedIn: false, summary: 'Membrane refused the credentials (HTTP 401) from MEMBRANE_ACCESS_TOKEN' };
    expect(await refused()).toMatchObject({
      ready: false,
      checks: { backend: { ok: false, detail: expect.stringMatching(/^LOGIN_REQUIRED/) } },
    });
    answer = { loggedIn: true, summary: 'ok' };
    expect((await refused()).ready).toBe(true);

    const noState = await readinessCheck({ state: failingState, client })();
    expect(noState).toMatchObject({ ready: false, checks: { state: { ok: false, detail: expect.stringMatching(/^STATE_UNAVAILABLE/) } } });
  });

  it('a check that does not answer fails within its time bound', async () => {
    const stalled = { ping: () => new Promise<void>(() => undefined) } as unknown as StateStore;
    const { client } = fakeClient(() => ({ loggedIn: true, summary: 'ok' }));
    const started = Date.now();
    const r = await readinessCheck({ state: stalled, client, timeoutMs: 100 })();
    expect(r.checks.state).toMatchObject({ ok: false, detail: expect.stringMatching(/no answer in 100 ms/) });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
