import { describe, expect, it, vi } from 'vitest';
import { InFlightCalls } from '../../src/tools/in-flight.js';

const later = <T>(ms: number, value: T, fail = false) =>
  new Promise<T>((resolve, reject) => setTimeout(() => (fail ? reject(new Error(String(value))) : resolve(value)), ms));

describe('InFlightCalls', () => {
  it('counts a call while it runs, whether it resolves or rejects, and hands it back unchanged', async () => {
    const calls = new InFlightCalls();
    const ok = calls.track(later(20, 'answer'));
    const failed = calls.track(later(30, 'boom', true));
    expect(calls.size).toBe(2);
    await expect(ok).resolves.toBe('answer');
    expect(calls.size).toBe(1);
    await expect(failed).rejects.toThrow('boom');
    expect(calls.size).toBe(0);
  });

  it('settled() resolves true once every running call ended, failures included', async () => {
    const calls = new InFlightCalls();
    expect(await calls.settled(10)).toBe(true); // nothing running
    const ended: string[] = [];
    void calls.track(later(30, 'a').then((v) => void ended.push(v)));
    void calls.track(later(60, 'b', true)).catch(() => ended.push('b failed'));
    expect(await calls.settled(5000)).toBe(true);
    expect(ended.sort()).toEqual(['a', 'b failed']);
    expect(calls.size).toBe(0);
  });

  it('settled() gives up after its limit on a call that never ends, and says so', async () => {
    // A mocked clock: a real 50 ms timer may fire a little earlier than 50 ms of Date.now() after a busy tick.
    vi.useFakeTimers();
    try {
      const calls = new InFlightCalls();
      void calls.track(new Promise(() => undefined));
      let settled: boolean | undefined;
      void calls.settled(50).then((all) => (settled = all));
      await vi.advanceTimersByTimeAsync(49);
      expect(settled).toBeUndefined(); // not before its limit
      await vi.advanceTimersByTimeAsync(1);
      expect(settled).toBe(false);
      expect(calls.size).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
