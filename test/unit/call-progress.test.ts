// The progress heartbeat of one call (fake clock): quiet for the first 2 s, then a report every 3 s with
// what the call does and for how long, progress strictly increasing even when a step reports at once,
// the queue position while the call waits for a slot, and nothing after stop().
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProgressHeartbeat, callProgress, withCallProgress } from '../../src/call-progress.js';
import { Limiter } from '../../src/membrane/limiter.js';

interface Sent {
  progress: number;
  total?: number;
  message: string;
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function recorder() {
  const sent: Sent[] = [];
  const send = (progress: number, total: number | undefined, message: string) => {
    sent.push({ progress, total, message });
    return Promise.resolve();
  };
  return { sent, send };
}

describe('ProgressHeartbeat', () => {
  it('is quiet for 2 s, then reports every 3 s what the call does; stop() ends it', () => {
    const { sent, send } = recorder();
    const beat = new ProgressHeartbeat(send, 'Searching').start();
    vi.advanceTimersByTime(1999);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([{ progress: 2, total: undefined, message: 'Searching (2 s)' }]);
    beat.doing('Running "create-lead" in AmoCRM');
    vi.advanceTimersByTime(3000);
    expect(sent[1]).toEqual({ progress: 5, total: undefined, message: 'Running "create-lead" in AmoCRM (5 s)' });
    beat.stop();
    vi.advanceTimersByTime(30_000);
    expect(sent).toHaveLength(2);
  });

  it('reports at once when a step asks, with its total, and keeps progress strictly increasing', () => {
    const { sent, send } = recorder();
    const beat = new ProgressHeartbeat(send, 'Working').start();
    beat.doing('Membrane is building "X"', { total: 45, now: true });
    beat.doing('Membrane is building "X"', { total: 45, now: true });
    vi.advanceTimersByTime(2000);
    expect(sent.map((s) => s.progress)).toEqual([0, 0.1, 2]);
    expect(sent.every((s) => s.total === 45)).toBe(true);
    beat.stop();
  });

  it('says when the call waits for a concurrency slot, and behind how many', async () => {
    const { sent, send } = recorder();
    const limiter = new Limiter(1);
    const release = await limiter.acquire();
    const other = limiter.acquire();
    const beat = new ProgressHeartbeat(send, 'Running').start();
    const mine = withCallProgress(beat, () => limiter.acquire());
    vi.advanceTimersByTime(2000);
    expect(sent[0].message).toBe('Waiting for a free slot to Membrane (1 call ahead, --max-concurrency), 2 s');
    release();
    const releaseOther = await other;
    vi.advanceTimersByTime(3000);
    expect(sent[1].message).toBe('Waiting for a free slot to Membrane (next in line, --max-concurrency), 5 s');
    releaseOther();
    (await mine)();
    vi.advanceTimersByTime(3000);
    expect(sent[2].message).toBe('Running (8 s)');
    beat.stop();
  });

  it('outside a call there is no progress to report to', () => {
    expect(callProgress()).toBeUndefined();
  });
});
