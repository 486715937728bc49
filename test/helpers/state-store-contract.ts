// The contract every StateStore keeps (src/state/state-store.ts), as a suite any implementation runs:
//   describeStateStoreContract('memory', () => new MemoryStateStore());
//   describeStateStoreContract('redis', () => connectRedisStateStore({ url, log }));
// Each test works in a scope of its own (random), so a store shared by all tests (one Redis) needs no
// flushing; TTLs are real time (short), so the suite holds for a store with its own clock.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { StateStore, WriteClaim } from '../../src/state/state-store.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Long enough that a record must still be there; short enough to wait out. */
const SHORT_TTL = 150;
const PAST_TTL = 400;
const LONG_TTL = 60_000;

const running = (owner: string, extra: Partial<WriteClaim> = {}): WriteClaim => ({ owner, phase: 'running', ttlMs: LONG_TTL, ...extra });

export function describeStateStoreContract(name: string, makeStore: () => StateStore | Promise<StateStore>): void {
  describe(`StateStore contract: ${name}`, () => {
    const open: StateStore[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    });
    /** A store and two scopes nobody else uses. */
    const fresh = async () => {
      const store = await makeStore();
      open.push(store);
      const tag = randomBytes(6).toString('hex');
      return { store, scope: `contract-${tag}`, other: `contract-${tag}-other` };
    };

    it('answers a ping while it can serve', async () => {
      const { store } = await fresh();
      await expect(store.ping()).resolves.toBeUndefined();
    });

    describe('result documents', () => {
      it('returns what was stored, as a copy, and undefined for an unknown id', async () => {
        const { store, scope } = await fresh();
        const doc = { tool: 't', template: { a: [1, 2, { b: 'ü €' }] }, pageable: { kind: 'text', text: 'x'.repeat(1000) } };
        await store.putResult(scope, 'r_1', doc, LONG_TTL);
        const back = await store.getResult(scope, 'r_1');
        expect(back).toEqual(doc);
        (back!.template as { a: unknown[] }).a.push('changed');
        expect(await store.getResult(scope, 'r_1')).toEqual(doc);
        expect(await store.getResult(scope, 'r_2')).toBeUndefined();
      });

      it('a second put under the same id replaces the first', async () => {
        const { store, scope } = await fresh();
        await store.putResult(scope, 'r_1', { v: 1 }, LONG_TTL);
        await store.putResult(scope, 'r_1', { v: 2 }, LONG_TTL);
        expect(await store.getResult(scope, 'r_1')).toEqual({ v: 2 });
      });

      it('expires after the TTL the caller set', async () => {
        const { store, scope } = await fresh();
        await store.putResult(scope, 'short', { v: 1 }, SHORT_TTL);
        await store.putResult(scope, 'long', { v: 2 }, LONG_TTL);
        expect(await store.getResult(scope, 'short')).toEqual({ v: 1 });
        await sleep(PAST_TTL);
        expect(await store.getResult(scope, 'short')).toBeUndefined();
        expect(await store.getResult(scope, 'long')).toEqual({ v: 2 });
      });

      it('is invisible from another scope', async () => {
        const { store, scope, other } = await fresh();
        await store.putResult(scope, 'r_1', { v: 1 }, LONG_TTL);
        expect(await store.getResult(other, 'r_1')).toBeUndefined();
      });
    });

    describe('single-use tokens', () => {
      it('is taken once, for its call only; a take for another call leaves it valid', async () => {
        const { store, scope } = await fresh();
        await store.putToken(scope, 'c_1', 'call-A', LONG_TTL);
        expect(await store.takeToken(scope, 'c_1', 'call-B')).toBe('mismatch');
        expect(await store.takeToken(scope, 'c_1', 'call-A')).toBe('taken');
        expect(await store.takeToken(scope, 'c_1', 'call-A')).toBe('missing');
        expect(await store.takeToken(scope, 'c_unknown', 'call-A')).toBe('missing');
      });

      it('expires after the TTL the caller set', async () => {
        const { store, scope } = await fresh();
        await store.putToken(scope, 'c_1', 'call-A', SHORT_TTL);
        await sleep(PAST_TTL);
        expect(await store.takeToken(scope, 'c_1', 'call-A')).toBe('missing');
      });

      it('is invisible from another scope', async () => {
        const { store, scope, other } = await fresh();
        await store.putToken(scope, 'c_1', 'call-A', LONG_TTL);
        expect(await store.takeToken(other, 'c_1', 'call-A')).toBe('missing');
        expect(await store.takeToken(scope, 'c_1', 'call-A')).toBe('taken');
      });

      it('of 20 concurrent takes exactly one wins', async () => {
        const { store, scope } = await fresh();
        await store.putToken(scope, 'c_race', 'call-A', LONG_TTL);
        const outcomes = await Promise.all(Array.from({ length: 20 }, () => store.takeToken(scope, 'c_race', 'call-A')));
        expect(outcomes.filter((o) => o === 'taken')).toHaveLength(1);
        expect(outcomes.filter((o) => o === 'missing')).toHaveLength(19);
      });
    });

    describe('write claims (the repeat guard)', () => {
      it('the first claim wins; another owner gets the record that holds the write', async () => {
        const { store, scope } = await fresh();
        const before = Date.now();
        expect(await store.claimWrite(scope, 'w', running('A'))).toBeUndefined();
        const held = await store.claimWrite(scope, 'w', running('B'));
        expect(held).toMatchObject({ phase: 'running', owner: 'A' });
        expect(held!.at).toBeGreaterThanOrEqual(before - 1000);
        expect(held!.at).toBeLessThanOrEqual(Date.now() + 1000);
      });

      it('an owner takes its own confirming claim over to run it; nobody else can', async () => {
        const { store, scope } = await fresh();
        expect(await store.claimWrite(scope, 'w', { owner: 'dialog', phase: 'confirming', ttlMs: LONG_TTL })).toBeUndefined();
        expect(await store.claimWrite(scope, 'w', running('other'))).toMatchObject({ phase: 'confirming', owner: 'dialog' });
        expect(await store.claimWrite(scope, 'w', running('dialog'))).toBeUndefined();
        expect(await store.claimWrite(scope, 'w', running('other'))).toMatchObject({ phase: 'running', owner: 'dialog' });
      });

      it('a settled outcome holds the write for the window, even against its own owner; then it is free', async () => {
        const { store, scope } = await fresh();
        await store.claimWrite(scope, 'w', running('A'));
        await store.settleWrite(scope, 'w', 'A', 'succeeded', SHORT_TTL);
        expect(await store.claimWrite(scope, 'w', running('A'))).toMatchObject({ phase: 'succeeded', owner: 'A' });
        expect(await store.claimWrite(scope, 'w', running('B'))).toMatchObject({ phase: 'succeeded' });
        await store.claimWrite(scope, 'u', running('A'));
        await store.settleWrite(scope, 'u', 'A', 'unknown', LONG_TTL);
        expect(await store.claimWrite(scope, 'u', running('B'))).toMatchObject({ phase: 'unknown' });
        await sleep(PAST_TTL);
        expect(await store.claimWrite(scope, 'w', running('B'))).toBeUndefined();
      });

      it('forget frees the write at once', async () => {
        const { store, scope } = await fresh();
        await store.claimWrite(scope, 'w', running('A'));
        await store.settleWrite(scope, 'w', 'A', 'forget', LONG_TTL);
        expect(await store.claimWrite(scope, 'w', running('B'))).toBeUndefined();
      });

      it('F1: forget deletes only a live claim of its owner; a recorded outcome keeps its window', async () => {
        const { store, scope } = await fresh();
        for (const outcome of ['succeeded', 'unknown'] as const) {
          await store.claimWrite(scope, outcome, running('A'));
          await store.settleWrite(scope, outcome, 'A', outcome, LONG_TTL);
          // A replayed or late "forget" of the same owner (an answer round that did not run the call) changes nothing.
          await store.settleWrite(scope, outcome, 'A', 'forget', LONG_TTL);
          expect(await store.claimWrite(scope, outcome, running('B'))).toMatchObject({ phase: outcome, owner: 'A' });
        }
        await store.claimWrite(scope, 'c', { owner: 'dialog', phase: 'confirming', ttlMs: LONG_TTL });
        await store.settleWrite(scope, 'c', 'dialog', 'forget', LONG_TTL);
        expect(await store.claimWrite(scope, 'c', running('B'))).toBeUndefined();
      });

      it('getWrite reads the live record without claiming; undefined when free, expired or in another scope', async () => {
        const { store, scope, other } = await fresh();
        expect(await store.getWrite(scope, 'w')).toBeUndefined();
        await store.claimWrite(scope, 'w', running('A'));
        expect(await store.getWrite(scope, 'w')).toMatchObject({ phase: 'running', owner: 'A' });
        expect(await store.getWrite(other, 'w')).toBeUndefined();
        await store.settleWrite(scope, 'w', 'A', 'succeeded', SHORT_TTL);
        expect(await store.getWrite(scope, 'w')).toMatchObject({ phase: 'succeeded', owner: 'A' });
        await sleep(PAST_TTL);
        expect(await store.getWrite(scope, 'w')).toBeUndefined();
        // Reading never claims: the write is still free.
        expect(await store.claimWrite(scope, 'w', running('B'))).toBeUndefined();
      });

      it('a claim expires after its TTL (an owner that died cannot block the write forever)', async () => {
        const { store, scope } = await fresh();
        await store.claimWrite(scope, 'w', running('A', { ttlMs: SHORT_TTL }));
        await sleep(PAST_TTL);
        expect(await store.claimWrite(scope, 'w', running('B'))).toBeUndefined();
      });

      it('force takes the write whatever holds it; the old owner can then settle nothing', async () => {
        const { store, scope } = await fresh();
        await store.claimWrite(scope, 'w', running('A'));
        expect(await store.claimWrite(scope, 'w', running('B', { force: true }))).toBeUndefined();
        await store.settleWrite(scope, 'w', 'A', 'forget', LONG_TTL);
        expect(await store.claimWrite(scope, 'w', running('C'))).toMatchObject({ owner: 'B', phase: 'running' });
        await store.settleWrite(scope, 'w', 'B', 'succeeded', LONG_TTL);
        expect(await store.claimWrite(scope, 'w', running('C'))).toMatchObject({ owner: 'B', phase: 'succeeded' });
      });

      it('of 20 concurrent claims by different owners exactly one wins', async () => {
        const { store, scope } = await fresh();
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.claimWrite(scope, 'race', running(`o${i}`))));
        expect(results.filter((r) => r === undefined)).toHaveLength(1);
      });

      it('is invisible from another scope', async () => {
        const { store, scope, other } = await fresh();
        await store.claimWrite(scope, 'w', running('A'));
        expect(await store.claimWrite(other, 'w', running('B'))).toBeUndefined();
      });
    });
  });
}
