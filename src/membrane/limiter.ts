// A FIFO concurrency limiter. Waiting calls keep their place in line, and leave it when their
// request is cancelled or their deadline passes (they never start late, never start after cancel).
// A wait is reported to the call being served (its progress notifications say it waits, and behind how many).
import { callProgress } from '../call-progress.js';

export class QueueAbort extends Error {
  constructor(readonly reason: 'cancelled' | 'deadline') {
    super(reason === 'cancelled' ? 'cancelled while waiting for a free CLI slot' : 'deadline passed while waiting for a free CLI slot');
    this.name = 'QueueAbort';
  }
}

interface Waiter {
  grant: () => void;
  fail: (e: Error) => void;
}

export class Limiter {
  private running = 0;
  private readonly queue: Waiter[] = [];

  constructor(private readonly max: number) {}

  get active(): number {
    return this.running;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Resolves with a release function once a slot is free. */
  acquire(signal?: AbortSignal, deadline?: number): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(new QueueAbort('cancelled'));
    if (this.running < this.max && this.queue.length === 0) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      // The position is read when progress is reported: it shrinks as the calls ahead start.
      const endWait = callProgress()?.queued(() => Math.max(0, this.queue.indexOf(waiter)));
      const cleanup = () => {
        endWait?.();
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const leave = (e: Error) => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        cleanup();
        reject(e);
      };
      const onAbort = () => leave(new QueueAbort('cancelled'));
      const waiter: Waiter = {
        grant: () => {
          cleanup();
          this.running++;
          resolve(this.releaser());
        },
        fail: leave,
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (deadline !== undefined) timer = setTimeout(() => leave(new QueueAbort('deadline')), Math.max(0, deadline - Date.now()));
      this.queue.push(waiter);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      this.queue.shift()?.grant();
    };
  }
}
