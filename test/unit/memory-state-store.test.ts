// The in-process state store: the shared contract (the same suite a Redis store runs), plus the memory
// bounds that only this implementation has (a shared store is bounded by its own memory policy).
import { describe, expect, it } from 'vitest';
import { MemoryStateStore } from '../../src/state/memory-state-store.js';
import { describeStateStoreContract } from '../helpers/state-store-contract.js';

describeStateStoreContract('memory', () => new MemoryStateStore());

describe('MemoryStateStore bounds', () => {
  const doc = (chars: number) => ({ text: 'x'.repeat(chars) });

  it('evicts the least recently used result beyond maxResults; a read refreshes recency', async () => {
    const store = new MemoryStateStore({ maxResults: 2 });
    await store.putResult('s', 'a', doc(1), 60_000);
    await store.putResult('s', 'b', doc(1), 60_000);
    expect(await store.getResult('s', 'a')).toBeDefined(); // a is now the most recent
    await store.putResult('s', 'c', doc(1), 60_000);
    expect(await store.getResult('s', 'b')).toBeUndefined();
    expect(await store.getResult('s', 'a')).toBeDefined();
    expect(await store.getResult('s', 'c')).toBeDefined();
  });

  it('evicts by total characters, and the room of an expired result is freed first', async () => {
    let now = 0;
    // doc(40) is 51 characters of JSON: two fit in 110, three do not.
    const store = new MemoryStateStore({ maxResultChars: 110, now: () => now });
    await store.putResult('s', 'a', doc(40), 60_000);
    await store.putResult('s', 'b', doc(40), 60_000);
    await store.putResult('s', 'c', doc(40), 60_000);
    expect(await store.getResult('s', 'a')).toBeUndefined();
    expect(await store.getResult('s', 'b')).toEqual(doc(40));

    const expiring = new MemoryStateStore({ maxResultChars: 110, now: () => now });
    await expiring.putResult('s', 'old', doc(40), 1_000);
    await expiring.putResult('s', 'kept', doc(40), 60_000);
    now = 5_000;
    await expiring.putResult('s', 'new', doc(40), 60_000); // the expired one makes room: nothing live is evicted
    expect(await expiring.getResult('s', 'kept')).toBeDefined();
    expect(await expiring.getResult('s', 'new')).toBeDefined();
  });

  it('uses an injected clock for every TTL', async () => {
    let now = 0;
    const store = new MemoryStateStore({ now: () => now });
    await store.putToken('s', 't', 'k', 1_000);
    await store.claimWrite('s', 'w', { owner: 'o', phase: 'running', ttlMs: 1_000 });
    now = 1_000;
    expect(await store.takeToken('s', 't', 'k')).toBe('missing');
    expect(await store.claimWrite('s', 'w', { owner: 'p', phase: 'running', ttlMs: 1_000 })).toBeUndefined();
  });
});
