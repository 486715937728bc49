// The Redis state store against a real redis-server (started by the test on a free loopback port, no
// persistence): the shared contract, then what only a networked store has: start-up failure naming the
// URL without its password, STATE_UNAVAILABLE when Redis is gone or stalls, recovery when it is back.
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import {
  REDIS_KEY_PREFIX,
  StateStoreUnreachable,
  connectRedisStateStore,
  reconnectDelayMs,
  type RedisStateStore,
} from '../../src/state/redis-state-store.js';
import { shownStateLocation, stateLocationProblem } from '../../src/state/state-location.js';
import { RepeatGuard } from '../../src/policy/repeat-guard.js';
import { describeStateStoreContract } from '../helpers/state-store-contract.js';
import { freePort } from '../helpers/ports.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';

const lines: string[] = [];
const log = createLogger({ level: 'info', write: (l) => lines.push(l) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.close();
});

describeStateStoreContract('redis', () => connectRedisStateStore({ url: redis.url, log }));

/** The code of what `p` rejects with, and how long that took. */
async function failure(p: Promise<unknown>): Promise<{ code: string; ms: number; error: ToolError }> {
  const started = Date.now();
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ToolError);
  return { code: (error as ToolError).code, ms: Date.now() - started, error: error as ToolError };
}

describe('Redis state location', () => {
  it('accepts memory and redis[s]:// URLs with a database number; refuses the rest with the expected form', () => {
    for (const ok of ['memory', 'redis://127.0.0.1:6379', 'redis://127.0.0.1:6379/2', 'rediss://u:p@cache.internal:6380/0'])
      expect(stateLocationProblem(ok)).toBeUndefined();
    expect(stateLocationProblem('http://127.0.0.1:6379')).toMatch(/redis:\/\//);
    expect(stateLocationProblem('redis://127.0.0.1:6379/x')).toMatch(/database number/);
    expect(stateLocationProblem('redis://127.0.0.1:6379/0?x=1')).toMatch(/without \?query/);
    expect(stateLocationProblem('nonsense')).toMatch(/memory/);
  });

  it('shows a URL with its password masked and its user kept', () => {
    expect(shownStateLocation('redis://app:s3cr3t-pass@cache:6379/1')).toBe('redis://app:***@cache:6379/1');
    expect(shownStateLocation('redis://:s3cr3t-pass@cache:6379/1')).toBe('redis://:***@cache:6379/1');
    expect(shownStateLocation('redis://cache:6379/1')).toBe('redis://cache:6379/1');
  });

  it('reconnects with capped, jittered exponential backoff', () => {
    expect(reconnectDelayMs(0, () => 0.5)).toBe(100);
    expect(reconnectDelayMs(3, () => 0.5)).toBe(800);
    expect(reconnectDelayMs(30, () => 0.5)).toBe(2000);
    expect(reconnectDelayMs(30, () => 1)).toBe(2500);
  });
});

describe('Redis state store keys', () => {
  it('keeps every record under the prefix and its scope, with the TTL the caller set', async () => {
    const store = await connectRedisStateStore({ url: redis.url, log });
    const raw = createClient({ url: redis.url });
    await raw.connect();
    try {
      await store.putResult('tenant-k1', 'r_1', { v: 1 }, 60_000);
      await store.putToken('tenant-k1', 'c_1', 'call', 60_000);
      await store.claimWrite('tenant-k1', 'w1', { owner: 'o', phase: 'running', ttlMs: 60_000 });
      const keys = (await raw.keys(`${REDIS_KEY_PREFIX}tenant-k1:*`)).sort();
      expect(keys).toEqual([
        `${REDIS_KEY_PREFIX}tenant-k1:r:r_1`,
        `${REDIS_KEY_PREFIX}tenant-k1:t:c_1`,
        `${REDIS_KEY_PREFIX}tenant-k1:w:w1`,
      ]);
      for (const k of keys) {
        const ttl = await raw.pTTL(k);
        expect(ttl).toBeGreaterThan(50_000);
        expect(ttl).toBeLessThanOrEqual(60_000);
      }
      // A scope cannot spell another scope's keys: ':' is encoded.
      await store.putResult('tenant-k1:r:x', 'y', { v: 2 }, 60_000);
      expect(await store.getResult('tenant-k1', 'x:y')).toBeUndefined();
    } finally {
      await raw.close();
      await store.close();
    }
  });
});

describe('Redis unreachable, lost and back', () => {
  it('at start: StateStoreUnreachable within seconds, naming the URL with the password masked', async () => {
    const port = await freePort();
    const url = `redis://app:hunter2-very-secret@127.0.0.1:${port}/0`;
    const started = Date.now();
    const error = await connectRedisStateStore({ url, log, connectTimeoutMs: 500 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StateStoreUnreachable);
    const message = (error as Error).message;
    expect(message).toContain(`redis://app:***@127.0.0.1:${port}/0`);
    expect(message).toMatch(/ECONNREFUSED/);
    expect(message).not.toContain('hunter2');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(lines.join('')).not.toContain('hunter2');
  });

  it('a wrong password is unreachable too, and the password shows nowhere', async () => {
    const guarded = await startRedisServer({ password: 'right-password-123' });
    try {
      const url = guarded.url.replace('right-password-123', 'wrong-password-456');
      const error = await connectRedisStateStore({ url, log, connectTimeoutMs: 500 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StateStoreUnreachable);
      expect((error as Error).message).not.toMatch(/wrong-password|right-password/);
      const store = await connectRedisStateStore({ url: guarded.url, log });
      await store.putToken('s', 't', 'k', 10_000);
      expect(await store.takeToken('s', 't', 'k')).toBe('taken');
      await store.close();
    } finally {
      await guarded.close();
    }
  });

  it('lost mid-run: every operation fails STATE_UNAVAILABLE (retryable) at once; once Redis is back they work again', async () => {
    const own = await startRedisServer();
    const store: RedisStateStore = await connectRedisStateStore({ url: own.url, log });
    try {
      await store.putToken('s', 'c_1', 'call', 60_000);
      await own.stop('SIGKILL');
      for (const op of [
        store.putResult('s', 'r', { v: 1 }, 1000),
        store.getResult('s', 'r'),
        store.putToken('s', 'c_2', 'call', 1000),
        store.takeToken('s', 'c_1', 'call'),
        store.claimWrite('s', 'w', { owner: 'o', phase: 'running', ttlMs: 1000 }),
        store.settleWrite('s', 'w', 'o', 'succeeded', 1000),
        store.ping(),
      ]) {
        const { code, ms, error } = await failure(op);
        expect(code).toBe('STATE_UNAVAILABLE');
        expect(error.retryable).toBe(true);
        expect(ms).toBeLessThan(2500);
      }
      await own.restart();
      // Reconnection backs off to at most 2.5 s between attempts.
      let back = false;
      for (let i = 0; i < 60 && !back; i++) {
        back = await store.ping().then(
          () => true,
          () => false,
        );
        if (!back) await sleep(100);
      }
      expect(back).toBe(true);
      // The restarted Redis has no scripts cached: the store loads them again.
      await store.putToken('s', 'c_3', 'call', 60_000);
      expect(await store.takeToken('s', 'c_3', 'call')).toBe('taken');
      expect(await store.claimWrite('s', 'w2', { owner: 'o', phase: 'running', ttlMs: 1000 })).toBeUndefined();
    } finally {
      await store.close();
      await own.close();
    }
  });

  it('a stalled Redis (SIGSTOP) answers nothing: the command times out as STATE_UNAVAILABLE within its bound', async () => {
    const own = await startRedisServer();
    const store = await connectRedisStateStore({ url: own.url, log, commandTimeoutMs: 300 });
    try {
      process.kill(own.pid()!, 'SIGSTOP');
      const { code, ms } = await failure(store.takeToken('s', 'c', 'call'));
      expect(code).toBe('STATE_UNAVAILABLE');
      expect(ms).toBeGreaterThanOrEqual(250);
      expect(ms).toBeLessThan(2000);
    } finally {
      process.kill(own.pid()!, 'SIGCONT');
      await store.close();
      await own.close();
    }
  });

  it('F3: a write claim that timed out while Redis stalled is released behind it: the retry finds the write free, not "running"', async () => {
    const own = await startRedisServer();
    const store = await connectRedisStateStore({ url: own.url, log, commandTimeoutMs: 300 });
    const guard = new RepeatGuard(60_000, Date.now, store, 'stall-scope');
    try {
      await store.ping();
      process.kill(own.pid()!, 'SIGSTOP');
      const { code } = await failure(guard.claim('write-1', 'w_first', 'amocrm_run_action'));
      expect(code).toBe('STATE_UNAVAILABLE');
      process.kill(own.pid()!, 'SIGCONT');
      // The claim lands late (Redis runs what it had queued), then the release sent behind it.
      await waitUntilServing(store);
      await guard.claim('write-1', 'w_retry', 'amocrm_run_action');
      expect(await store.getWrite('stall-scope', 'write-1')).toMatchObject({ phase: 'running', owner: 'w_retry' });
    } finally {
      process.kill(own.pid()!, 'SIGCONT');
      await store.close();
      await own.close();
    }
  });
});

/** Resolves once the store answers again (a command sent now runs after everything queued before it). */
async function waitUntilServing(store: RedisStateStore): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (
      await store.ping().then(
        () => true,
        () => false,
      )
    )
      return;
    await sleep(50);
  }
  throw new Error('Redis did not answer again within 5 s');
}
