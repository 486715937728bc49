// A looping agent must not create the same lead five times. An identical write (same tool, connection,
// action or method and path, same input) within the window is refused unless the call sets allowRepeat.
// A write counts once it may have happened: it succeeded, or its outcome is unknown (timeout, cancel, crash).
// A write that definitely failed (validation, a 4xx, not found) may be repeated at once; a CRM 5xx counts as unknown.
// The records live in the state store (src/state/), so replicas that share it guard each other's writes;
// claiming is atomic there, so of two identical calls racing, one runs and one meets DUPLICATE_WRITE.
import { ToolError, type ErrorCode } from '../errors.js';
import { MemoryStateStore } from '../state/memory-state-store.js';
import { DEFAULT_SCOPE, type StateStore, type WriteRecord } from '../state/state-store.js';

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
  // Thrown only by the state checks before a write runs (a result that cannot be kept afterwards is not an error).
  'STATE_UNAVAILABLE',
]);

/**
 * How long a claim holds without an outcome: longer than any one call may run (a replica that dies
 * mid-write must not block the write forever), and as long as a confirmation dialog may stay open.
 */
export const RUNNING_CLAIM_MS = 60 * 60_000;

export class RepeatGuard {
  private readonly state: StateStore;

  constructor(
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
    state?: StateStore,
    private readonly scope = DEFAULT_SCOPE,
  ) {
    this.state = state ?? new MemoryStateStore({ now });
  }

  /**
   * Claims the write `key` for `owner` (a call, or the confirmation dialog it opened); throws DUPLICATE_WRITE
   * when the same write ran within the window, is running, or waits for the user. `force` (allowRepeat) takes it anyway.
   */
  async claim(
    key: string,
    owner: string,
    toolName: string,
    opts: { phase?: 'confirming' | 'running'; ttlMs?: number; force?: boolean } = {},
  ): Promise<void> {
    let held: WriteRecord | undefined;
    try {
      held = await this.state.claimWrite(this.scope, key, {
        owner,
        phase: opts.phase ?? 'running',
        ttlMs: opts.ttlMs ?? RUNNING_CLAIM_MS,
        force: opts.force,
      });
    } catch (e) {
      // A store that stalled may still record this claim after we stopped waiting (nothing runs on it): a release
      // sent now is applied after it, in order, so the retry the error recommends finds the write free, not "running".
      if (e instanceof ToolError && e.code === 'STATE_UNAVAILABLE') this.release(key, owner);
      throw e;
    }
    if (held) throw this.duplicate(held, toolName);
  }

  /** Records how the write ended: forgotten after a definite failure, kept for the window otherwise. */
  async finish(key: string, owner: string, error?: ToolError): Promise<void> {
    await this.state.settleWrite(this.scope, key, owner, outcomeOf(error), this.windowMs);
  }

  /**
   * Drops `owner`'s live claim without waiting for the store (it may not be answering): applied after whatever
   * was sent before it. A recorded outcome, or a claim another owner holds, is left alone.
   */
  release(key: string, owner: string): void {
    void this.state.settleWrite(this.scope, key, owner, 'forget', this.windowMs).catch(() => undefined);
  }

  /**
   * Why a confirmation answer that was already used runs nothing: what the guard knows about the write `key`
   * (it ran, runs, may have been applied), else that the answer is spent. `owner` is the answer's dialog.
   */
  async answerUsed(key: string, owner: string, toolName: string): Promise<ToolError> {
    const held = await this.state.getWrite(this.scope, key).catch(() => undefined);
    if (held && !(held.phase === 'confirming' && held.owner !== owner)) {
      // The dialog's own claim still `confirming`: the round that used the answer is about to run it.
      const running = held.phase === 'confirming' ? { ...held, phase: 'running' as const } : held;
      return this.duplicate(running, toolName, 'This confirmation answer was already used (this round ran nothing); the identical write');
    }
    return new ToolError('CONFIRMATION_REQUIRED', 'This confirmation answer was already used or has expired; the call did not run again', {
      nextStep: held
        ? `Another confirmation dialog for the identical call waits for the user's answer: wait for it. If it was dismissed or lost, call ${toolName} with the same arguments plus allowRepeat: true.`
        : `Call ${toolName} again without the answer if the user still wants it.`,
      retryable: false,
    });
  }

  private duplicate(held: WriteRecord, toolName: string, subject = 'The identical write'): ToolError {
    const ago = Math.max(0, Math.round((this.now() - held.at) / 1000));
    const what =
      held.phase === 'confirming'
        ? `is waiting for the user's answer to its confirmation dialog (asked ${ago} s ago)`
        : held.phase === 'running'
          ? 'is still running'
          : held.phase === 'succeeded'
            ? `succeeded ${ago} s ago`
            : `ran ${ago} s ago with an unknown outcome (it may have been applied)`;
    const nextStep =
      held.phase === 'unknown'
        ? `Check whether it was applied (read the record) before repeating. To run it again anyway, call ${toolName} with the same arguments plus allowRepeat: true.`
        : held.phase === 'confirming'
          ? `Wait for that answer. If the dialog was dismissed or lost, call ${toolName} with the same arguments plus allowRepeat: true.`
          : `Do not repeat it unless the user wants it twice; then call ${toolName} with the same arguments plus allowRepeat: true.`;
    return new ToolError('DUPLICATE_WRITE', `${subject} ${what}`, {
      nextStep,
      retryable: false,
      details: { secondsAgo: ago, outcome: held.phase },
    });
  }
}

/** succeeded, unknown (it may have happened), or forget (it cannot have happened). */
function outcomeOf(error: ToolError | undefined): 'succeeded' | 'unknown' | 'forget' {
  if (!error) return 'succeeded';
  const serverFailure = error.code === 'UPSTREAM_ERROR' && Number(error.details?.status) >= 500;
  // `started: false`: stopped before it reached Membrane (in the queue, before the run, a refused connection), so nothing was written.
  const neverStarted = error.details?.started === false;
  return neverStarted || (DEFINITE_FAILURES.has(error.code) && !serverFailure) ? 'forget' : 'unknown';
}
