// The FIFO concurrency limiter and the retry policy: pure logic, driven with fake timers where time matters.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ToolError } from '../../src/errors.js';
import { Limiter, QueueAbort } from '../../src/membrane/limiter.js';
import { backoffDelay, isTransient, withRetry } from '../../src/membrane/retry.js';

/** Lets queued promise callbacks run. */
const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('Limiter', () => {
  it('grants up to max at once, then queues', async () => {
    const l = new Limiter(2);
    const r1 = await l.acquire();
    const r2 = await l.acquire();
    expect(l.active).toBe(2);
    let third = false;
    const p3 = l.acquire().then((r) => {
      third = true;
      return r;
    });
    await flush();
    expect(third).toBe(false);
    expect(l.waiting).toBe(1);
    r1();
    const r3 = await p3;
    expect(third).toBe(true);
    expect(l.active).toBe(2);
    r2();
    r3();
    expect(l.active).toBe(0);
  });

  it('serves waiters in FIFO order', async () => {
    const l = new Limiter(1);
    const first = await l.acquire();
    const order: number[] = [];
    const waiters = [1, 2, 3, 4, 5].map((i) =>
      l.acquire().then((release) => {
        order.push(i);
        release();
      }),
    );
    expect(l.waiting).toBe(5);
    first();
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(l.active).toBe(0);
  });

  it('a new caller does not jump the queue when a slot frees', async () => {
    const l = new Limiter(1);
    const first = await l.acquire();
    const order: string[] = [];
    const queued = l.acquire().then((r) => {
      order.push('queued');
      r();
    });
    first();
    const late = l.acquire().then((r) => {
      order.push('late');
      r();
    });
    await Promise.all([queued, late]);
    expect(order).toEqual(['queued', 'late']);
  });

  it('an already-aborted signal is refused at once', async () => {
    const l = new Limiter(1);
    await expect(l.acquire(AbortSignal.abort())).rejects.toMatchObject({ name: 'QueueAbort', reason: 'cancelled' });
    expect(l.active).toBe(0);
  });

  it('abort while queued: leaves the queue, never runs, others keep their order', async () => {
    const l = new Limiter(1);
    const first = await l.acquire();
    const ac = new AbortController();
    const order: string[] = [];
    const a = l.acquire(ac.signal).then(() => order.push('aborted one ran'));
    const b = l.acquire().then((r) => {
      order.push('b');
      r();
    });
    expect(l.waiting).toBe(2);
    ac.abort();
    await expect(a).rejects.toBeInstanceOf(QueueAbort);
    await expect(a).rejects.toMatchObject({ reason: 'cancelled' });
    expect(l.waiting).toBe(1);
    first();
    await b;
    expect(order).toEqual(['b']);
    expect(l.active).toBe(0);
  });

  describe('with fake timers', () => {
    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('deadline while queued: rejects with reason deadline and leaves the queue', async () => {
      const l = new Limiter(1);
      const first = await l.acquire();
      const p = l.acquire(undefined, Date.now() + 1000);
      const settled = vi.fn();
      p.catch(settled);
      await vi.advanceTimersByTimeAsync(999);
      expect(settled).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(2);
      await expect(p).rejects.toMatchObject({ name: 'QueueAbort', reason: 'deadline' });
      expect(l.waiting).toBe(0);
      first();
      expect(l.active).toBe(0);
    });

    it('a waiter granted before its deadline is not rejected later', async () => {
      const l = new Limiter(1);
      const first = await l.acquire();
      const p = l.acquire(undefined, Date.now() + 1000);
      first();
      const release = await p;
      await vi.advanceTimersByTimeAsync(5000);
      expect(l.active).toBe(1);
      release();
      expect(l.active).toBe(0);
    });
  });

  it('release is idempotent: a double release frees one slot only', async () => {
    const l = new Limiter(1);
    const r1 = await l.acquire();
    const granted: string[] = [];
    const a = l.acquire().then((r) => {
      granted.push('a');
      return r;
    });
    const b = l.acquire().then((r) => {
      granted.push('b');
      return r;
    });
    r1();
    r1();
    r1();
    const ra = await a;
    await flush();
    expect(granted).toEqual(['a']);
    expect(l.active).toBe(1);
    expect(l.waiting).toBe(1);
    ra();
    const rb = await b;
    rb();
    rb();
    expect(l.active).toBe(0);
  });
});

const rateLimited = (after?: number) => new ToolError('RATE_LIMITED', 'rate limited', { retryAfterSeconds: after });
const crash = () => new ToolError('CLI_ERROR', 'crashed', { retryable: true });
const upstream = (status: number) => new ToolError('UPSTREAM_ERROR', `HTTP ${status}`, { retryable: status >= 500 });

describe('isTransient / backoffDelay', () => {
  it('only retryable RATE_LIMITED, CLI_ERROR and UPSTREAM_ERROR are transient', () => {
    expect(isTransient(rateLimited())).toBe(true);
    expect(isTransient(crash())).toBe(true);
    expect(isTransient(upstream(503))).toBe(true);
    expect(isTransient(upstream(404))).toBe(false);
    expect(isTransient(new ToolError('CLI_ERROR', 'garbage', { retryable: false }))).toBe(false);
    expect(isTransient(new ToolError('TIMEOUT', 'slow'))).toBe(false);
    expect(isTransient(new ToolError('LOGIN_REQUIRED', 'x'))).toBe(false);
    expect(isTransient(new Error('plain'))).toBe(false);
  });

  it('never retries sooner than Retry-After, and adds the exponential step with full jitter on top', () => {
    expect(backoffDelay(1, rateLimited(2), 400, () => 0)).toBe(2050);
    expect(backoffDelay(2, rateLimited(2), 400, () => 0.999)).toBe(2000 + 799 + 50);
    expect(backoffDelay(1, rateLimited(0), 400, () => 0)).toBe(50);
  });

  it('grows exponentially with full jitter otherwise', () => {
    expect(backoffDelay(1, crash(), 400, () => 0)).toBe(50);
    expect(backoffDelay(1, crash(), 400, () => 0.999)).toBe(449);
    expect(backoffDelay(2, crash(), 400, () => 0.999)).toBe(849);
    expect(backoffDelay(3, crash(), 400, () => 0.999)).toBe(1648);
  });
});

describe('withRetry', () => {
  const far = () => Date.now() + 60_000;
  const quick = { baseDelayMs: 1, random: () => 0 };

  /** fn that fails with the given errors in turn, then returns 'ok'. */
  function failing(...errors: Error[]) {
    let calls = 0;
    const fn = vi.fn(async () => {
      const e = errors[calls++];
      if (e) throw e;
      return 'ok';
    });
    return fn;
  }

  it.each([
    ['RATE_LIMITED', () => rateLimited(0)],
    ['a retryable CLI_ERROR', crash],
    ['a 5xx UPSTREAM_ERROR', () => upstream(502)],
  ])('a read is retried on %s and succeeds', async (_, make) => {
    const fn = failing(make(), make());
    await expect(withRetry(fn, { kind: 'read', deadline: far(), ...quick })).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('a read gives up after 3 tries and throws the last error', async () => {
    const last = crash();
    const fn = failing(crash(), crash(), last, crash());
    await expect(withRetry(fn, { kind: 'read', deadline: far(), ...quick })).rejects.toBe(last);
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('maxTries is configurable for reads', async () => {
    const fn = failing(crash(), crash(), crash(), crash());
    await expect(withRetry(fn, { kind: 'read', deadline: far(), maxTries: 2, ...quick })).rejects.toBeInstanceOf(ToolError);
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it.each([
    ['RATE_LIMITED', () => rateLimited(0)],
    ['a retryable CLI_ERROR', crash],
    ['a 5xx UPSTREAM_ERROR', () => upstream(500)],
  ])('a write is never retried, even on %s', async (_, make) => {
    const err = make();
    const fn = failing(err);
    await expect(withRetry(fn, { kind: 'write', deadline: far(), maxTries: 5, ...quick })).rejects.toBe(err);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['a 4xx UPSTREAM_ERROR', () => upstream(404)],
    ['LOGIN_REQUIRED', () => new ToolError('LOGIN_REQUIRED', 'x')],
    ['NOT_FOUND', () => new ToolError('NOT_FOUND', 'x')],
    ['TIMEOUT', () => new ToolError('TIMEOUT', 'x')],
    ['CANCELLED', () => new ToolError('CANCELLED', 'x')],
    ['a non-retryable CLI_ERROR', () => new ToolError('CLI_ERROR', 'garbage', { retryable: false })],
    ['a plain Error', () => new Error('bug')],
  ])('%s is not retried', async (_, make) => {
    const err = make();
    const fn = failing(err);
    await expect(withRetry(fn, { kind: 'read', deadline: far(), ...quick })).rejects.toBe(err);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('passes the remaining time to each attempt', async () => {
    const deadline = Date.now() + 10_000;
    const seen: number[] = [];
    await withRetry(
      async (remaining) => {
        seen.push(remaining);
        if (seen.length < 2) throw crash();
        return 'ok';
      },
      { kind: 'read', deadline, ...quick },
    );
    expect(seen).toHaveLength(2);
    for (const r of seen) {
      expect(r).toBeGreaterThan(5_000);
      expect(r).toBeLessThanOrEqual(10_000);
    }
  });

  it('reports each retry through onRetry', async () => {
    const onRetry = vi.fn();
    await withRetry(failing(rateLimited(0), crash()), { kind: 'read', deadline: far(), ...quick, onRetry });
    expect(onRetry.mock.calls.map(([attempt, , e]) => [attempt, (e as ToolError).code])).toEqual([
      [1, 'RATE_LIMITED'],
      [2, 'CLI_ERROR'],
    ]);
  });

  describe('with fake timers', () => {
    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('waits Retry-After before the next attempt', async () => {
      const fn = failing(rateLimited(3));
      const p = withRetry(fn, { kind: 'read', deadline: Date.now() + 60_000, random: () => 0 });
      await vi.advanceTimersByTimeAsync(3_040);
      expect(fn).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(20);
      await expect(p).resolves.toBe('ok');
      expect(fn).toHaveBeenCalledTimes(2);
    });

    it('does not retry when the wait would pass the deadline: the original error is thrown at once', async () => {
      const err = rateLimited(5);
      const fn = failing(err);
      const p = withRetry(fn, { kind: 'read', deadline: Date.now() + 3_000, random: () => 0 });
      await expect(p).rejects.toBe(err);
      expect(fn).toHaveBeenCalledTimes(1);
    });

    it('a signal aborted during the backoff ends the call with CANCELLED', async () => {
      const ac = new AbortController();
      const fn = failing(rateLimited(10));
      const p = withRetry(fn, { kind: 'read', deadline: Date.now() + 60_000, signal: ac.signal, random: () => 0 });
      const outcome = p.catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(1_000);
      ac.abort();
      const e = (await outcome) as ToolError;
      expect(e).toBeInstanceOf(ToolError);
      expect(e.code).toBe('CANCELLED');
      expect(fn).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(20_000);
      expect(fn).toHaveBeenCalledTimes(1);
    });

    it('a signal already aborted before the backoff ends the call with CANCELLED', async () => {
      const fn = failing(crash());
      const p = withRetry(fn, { kind: 'read', deadline: Date.now() + 60_000, signal: AbortSignal.abort(), random: () => 0 });
      await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
      expect(fn).toHaveBeenCalledTimes(1);
    });
  });
});
