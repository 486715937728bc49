import { afterEach, describe, expect, it, vi } from 'vitest';
import { withDeadline } from '../../src/deadline.js';

afterEach(() => void vi.useRealTimers());

describe('withDeadline', () => {
  it('gives what the work settles to when it is in time, and leaves no timer behind', async () => {
    vi.useFakeTimers();
    const work = new Promise<string>((resolve) => setTimeout(() => resolve('answer'), 10));
    const raced = withDeadline(work, 100, () => 'late');
    await vi.advanceTimersByTimeAsync(10);
    expect(await raced).toBe('answer');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('passes a rejection of the work through', async () => {
    await expect(withDeadline(Promise.reject(new Error('boom')), 100, () => 'late')).rejects.toThrow('boom');
  });

  it('gives what late() returns once the deadline passes first, not a moment before', async () => {
    vi.useFakeTimers();
    let settled: unknown;
    void withDeadline(new Promise(() => undefined), 50, () => false).then((v) => (settled = v));
    await vi.advanceTimersByTimeAsync(49);
    expect(settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toBe(false);
  });

  it('rejects with what late() throws', async () => {
    vi.useFakeTimers();
    const raced = withDeadline(new Promise(() => undefined), 50, () => {
      throw new Error('no answer in 50 ms');
    });
    const caught = raced.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(50);
    expect(await caught).toEqual(new Error('no answer in 50 ms'));
  });
});
