// A looping agent must not create the same lead five times. An identical write (same tool, connection,
// action or method and path, same input) within the window is refused unless the call sets allowRepeat.
// A write counts once it may have happened: it succeeded, or its outcome is unknown (timeout, cancel, crash).
// A write that definitely failed (validation, a 4xx, not found) may be repeated at once; a CRM 5xx counts as unknown.
import { ToolError, type ErrorCode } from '../errors.js';

interface Seen {
  at: number;
  /** 'running' while in flight; the outcome afterwards. */
  outcome: 'running' | 'succeeded' | 'unknown';
}

/** Failures after which the write cannot have happened. */
const DEFINITE_FAILURES: ReadonlySet<ErrorCode> = new Set([
  'INVALID_INPUT',
  'NOT_FOUND',
  'POLICY_DENIED',
  'ACCESS_DENIED',
  'CONFIRMATION_REQUIRED',
  'USER_DECLINED',
  'LOGIN_REQUIRED',
  'CONNECTION_REQUIRED',
  'CONNECTION_AMBIGUOUS',
  'CONNECTION_NEEDS_USER_ACTION',
  'ACTION_NOT_READY',
  'ACTION_BUILD_FAILED',
  'RATE_LIMITED',
  'UPSTREAM_ERROR',
  'CLI_NOT_FOUND',
]);

export class RepeatGuard {
  private readonly seen = new Map<string, Seen>();

  constructor(
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws DUPLICATE_WRITE if the same write ran (or is running) within the window. */
  check(key: string, toolName: string): void {
    this.sweep();
    const s = this.seen.get(key);
    if (!s) return;
    const ago = Math.max(0, Math.round((this.now() - s.at) / 1000));
    const what =
      s.outcome === 'running'
        ? 'is still running'
        : s.outcome === 'succeeded'
          ? `succeeded ${ago} s ago`
          : `ran ${ago} s ago with an unknown outcome (it may have been applied)`;
    throw new ToolError('DUPLICATE_WRITE', `The identical write ${what}`, {
      nextStep:
        s.outcome === 'unknown'
          ? `Check whether it was applied (read the record) before repeating. To run it again anyway, call ${toolName} with the same arguments plus allowRepeat: true.`
          : `Do not repeat it unless the user wants it twice; then call ${toolName} with the same arguments plus allowRepeat: true.`,
      retryable: false,
      details: { secondsAgo: ago, outcome: s.outcome },
    });
  }

  start(key: string): void {
    this.seen.set(key, { at: this.now(), outcome: 'running' });
  }

  /** Records how the write ended: forgotten after a definite failure, kept otherwise. */
  finish(key: string, error?: ToolError): void {
    const serverFailure = error?.code === 'UPSTREAM_ERROR' && Number(error.details?.status) >= 500;
    // `started: false`: stopped before it reached Membrane (in the queue, before the run, a refused connection), so nothing was written.
    const neverStarted = error?.details?.started === false;
    if (error && (neverStarted || (DEFINITE_FAILURES.has(error.code) && !serverFailure))) {
      this.seen.delete(key);
      return;
    }
    this.seen.set(key, { at: this.now(), outcome: error ? 'unknown' : 'succeeded' });
  }

  private sweep(): void {
    const cutoff = this.now() - this.windowMs;
    for (const [k, s] of this.seen) if (s.outcome !== 'running' && s.at < cutoff) this.seen.delete(k);
  }
}
