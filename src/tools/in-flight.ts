// The tool calls this process is running, so a shutdown can wait for each to send its answer (CANCELLED once the
// client is closed) before the transport closes, instead of guessing how long that takes on a busy machine.
import { withDeadline } from '../deadline.js';

export class InFlightCalls {
  private readonly running = new Set<Promise<unknown>>();

  /** Counts `call` as running until it settles; returns it unchanged. */
  track<T>(call: Promise<T>): Promise<T> {
    this.running.add(call);
    const done = () => void this.running.delete(call);
    call.then(done, done);
    return call;
  }

  get size(): number {
    return this.running.size;
  }

  /**
   * Resolves once every call running now has settled, or after `maxMs` (a call waiting on its client, such as a
   * confirmation dialog, may never end by itself); true when they all did.
   */
  async settled(maxMs: number): Promise<boolean> {
    if (this.running.size === 0) return true;
    return withDeadline(
      Promise.allSettled([...this.running]).then(() => true),
      maxMs,
      () => false,
    );
  }
}
