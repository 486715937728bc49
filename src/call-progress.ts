// What the call being served is doing now, for the progress notifications that keep a client waiting:
// clients reset their idle timeout on each one and show its message. Tool calls run inside
// `withCallProgress(…)`, so deeper layers (the concurrency queue of the Membrane client) report their waits
// without a parameter threaded through every call; outside a call the hooks are no-ops.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface CallProgress {
  /** What the call does now, e.g. `running create-lead in AmoCRM`; `total` when the step has a known length in seconds. */
  doing(message: string, opts?: { total?: number; now?: boolean }): void;
  /** The call waits in the concurrency queue; `ahead()` tells how many calls are before it. The returned function ends the wait. */
  queued(ahead: () => number): () => void;
}

const current = new AsyncLocalStorage<CallProgress>();

export function withCallProgress<T>(progress: CallProgress, fn: () => T): T {
  return current.run(progress, fn);
}

/** The progress of the call being served, if any. */
export function callProgress(): CallProgress | undefined {
  return current.getStore();
}

/** Progress sent before the first heartbeat: a call that answers within this needs none. */
export const FIRST_PROGRESS_MS = 2000;
/** Interval between heartbeats while the call runs (clients time out on minutes of silence, not seconds). */
export const PROGRESS_EVERY_MS = 3000;

export type ProgressSend = (progress: number, total: number | undefined, message: string) => Promise<void>;

/**
 * One call's heartbeat: after FIRST_PROGRESS_MS, and then every PROGRESS_EVERY_MS, a progress notification
 * with what the call is doing and for how long. Progress is the elapsed time in seconds, strictly increasing
 * as the protocol requires. Nothing is sent after stop(): the result goes out after the last notification.
 */
export class ProgressHeartbeat implements CallProgress {
  private activity: string;
  private total?: number;
  private waitingBehind?: () => number;
  private last = -1;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly started = Date.now();

  constructor(
    private readonly send: ProgressSend,
    activity: string,
    private readonly opts: { firstMs?: number; everyMs?: number } = {},
  ) {
    this.activity = activity;
  }

  start(): this {
    const every = this.opts.everyMs ?? PROGRESS_EVERY_MS;
    const tick = () => {
      this.report();
      this.timer = setTimeout(tick, every);
      this.timer.unref?.();
    };
    this.timer = setTimeout(tick, this.opts.firstMs ?? FIRST_PROGRESS_MS);
    this.timer.unref?.();
    return this;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  doing(message: string, opts: { total?: number; now?: boolean } = {}): void {
    this.activity = message;
    this.total = opts.total;
    if (opts.now) this.report();
  }

  queued(ahead: () => number): () => void {
    this.waitingBehind = ahead;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.waitingBehind = undefined;
    };
  }

  private message(elapsed: number): string {
    const seconds = `${Math.round(elapsed)} s`;
    if (this.waitingBehind !== undefined) {
      const n = this.waitingBehind();
      return `Waiting for a free slot to Membrane (${n === 0 ? 'next in line' : `${n} call${n === 1 ? '' : 's'} ahead`}, --max-concurrency), ${seconds}`;
    }
    return `${this.activity} (${seconds})`;
  }

  private report(): void {
    if (this.stopped) return;
    const elapsed = (Date.now() - this.started) / 1000;
    const progress = Math.max(Math.round(elapsed * 10) / 10, Math.round((this.last + 0.1) * 10) / 10);
    this.last = progress;
    void this.send(progress, this.total, this.message(elapsed)).catch(() => undefined);
  }
}
