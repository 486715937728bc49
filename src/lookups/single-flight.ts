// Concurrent calls that need the same lookup (the connection list, one action's metadata) share one CLI
// call instead of each running its own. Each caller still stops waiting as soon as its request is
// cancelled, and the shared CLI call itself is cancelled (its process killed) once every caller sharing
// it has cancelled.
import { ToolError } from '../errors.js';

interface InFlight<T> {
  promise: Promise<T>;
  controller: AbortController;
  waiters: number;
}

const cancelled = () => new ToolError('CANCELLED', 'The call was cancelled by the client', { retryable: false });

export class SharedCalls<T> {
  private readonly inflight = new Map<string, InFlight<T>>();

  /** Joins the call in flight for `key`, or starts one with `start(signal)`. */
  run(key: string, signal: AbortSignal, start: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (signal.aborted) return Promise.reject(cancelled());
    let entry = this.inflight.get(key);
    if (!entry) {
      const controller = new AbortController();
      const created: InFlight<T> = { controller, waiters: 0, promise: start(controller.signal) };
      const forget = () => {
        if (this.inflight.get(key) === created) this.inflight.delete(key);
      };
      created.promise.then(forget, forget);
      this.inflight.set(key, created);
      entry = created;
    }
    const joined = entry;
    joined.waiters++;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const onAbort = () => {
        if (settled) return;
        settled = true;
        joined.waiters--;
        if (joined.waiters === 0) {
          // Nobody is waiting any more: stop the CLI call and let the next caller start afresh.
          if (this.inflight.get(key) === joined) this.inflight.delete(key);
          joined.controller.abort();
        }
        reject(cancelled());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      joined.promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          if (!settled) {
            settled = true;
            resolve(value);
          }
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          if (!settled) {
            settled = true;
            reject(error);
          }
        },
      );
    });
  }
}
