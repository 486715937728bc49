// The same safety rules for every backend, as a decorator over any MembraneClient:
// - one deadline per call (the configured timeout, or a long-poll's wait plus a margin), shared by all its attempts;
// - reads retried on rate limits and transient failures (backoff with jitter, Retry-After honoured: retry.ts);
// - writes never retried, and a write whose outcome is unknown (timeout, cancel, crash, a 5xx) says it may have
//   been applied, so the agent reads before repeating it instead of retrying blindly.
import { ToolError } from '../errors.js';
import type { Logger } from '../log.js';
import { withRetry } from './retry.js';
import {
  type Action,
  type ActionCreateQuery,
  type ActionGetQuery,
  type ActionListQuery,
  type ActionRunQuery,
  type CallKind,
  type CallOptions,
  type Connection,
  type MembraneClient,
  type MembraneOperation,
  type ProxyRequest,
  type ProxyResponse,
  type RunResult,
  longPollSeconds,
} from './membrane-client.js';

/** Seconds a long-poll gets on top of its wait: to start a CLI process, or for the request to travel. */
const LONG_POLL_MARGIN_MS = 15_000;

/** Failures after which a write may still have been applied. */
const MAYBE_APPLIED = new Set(['TIMEOUT', 'CANCELLED', 'OUTPUT_TOO_LARGE', 'CLI_ERROR', 'MEMBRANE_ERROR']);

/**
 * A write that timed out, was cancelled, crashed, printed too much or met a server error may have been applied:
 * the agent must check before repeating it, not retry blindly (and the repeat guard would refuse a blind retry).
 * A failure that says the call never started (`details.started === false`), or a refusal (a non-retryable
 * MEMBRANE_ERROR: Membrane said no), stays as it is.
 */
export function asWriteFailure(e: ToolError): ToolError {
  if (!MAYBE_APPLIED.has(e.code) || e.details?.started === false) return e;
  if (e.code === 'MEMBRANE_ERROR' && !e.retryable) return e;
  return e.with({
    retryable: false,
    nextStep:
      'The write may have been applied: read the record to check before repeating it; to run it again anyway, call again with allowRepeat: true.',
  });
}

export interface CallSafetyOptions {
  log: Logger;
  /** The configured timeout of one call, all attempts and queue waits included. */
  defaultTimeoutMs: number;
  /** For tests: the backoff's base delay and randomness. */
  retry?: { baseDelayMs?: number; random?: () => number; maxTries?: number };
}

class SafeMembraneClient implements MembraneClient {
  constructor(
    private readonly inner: MembraneClient,
    private readonly opts: CallSafetyOptions,
  ) {}

  get backend() {
    return this.inner.backend;
  }

  get hints() {
    return this.inner.hints;
  }

  /** Runs `fn` within the call's deadline, retrying reads; each attempt gets the time left as its timeout. */
  private async guarded<T>(
    operation: MembraneOperation,
    kind: CallKind,
    opts: CallOptions | undefined,
    fn: (o: CallOptions) => Promise<T>,
  ): Promise<T> {
    const timeoutMs = opts?.timeoutMs ?? this.opts.defaultTimeoutMs;
    try {
      return await withRetry((remainingMs) => fn({ ...opts, timeoutMs: remainingMs }), {
        kind,
        deadline: Date.now() + timeoutMs,
        signal: opts?.signal,
        ...this.opts.retry,
        onRetry: (n, delayMs, e) => this.opts.log.info(`retrying ${operation} after ${e.code} (attempt ${n + 1} in ${delayMs} ms)`),
      });
    } catch (e) {
      throw kind === 'write' && e instanceof ToolError ? asWriteFailure(e) : e;
    }
  }

  listConnections(opts?: CallOptions): Promise<Connection[]> {
    return this.guarded('connection list', 'read', opts, (o) => this.inner.listConnections(o));
  }

  listActions(q: ActionListQuery, opts?: CallOptions): Promise<Action[]> {
    return this.guarded('action list', 'read', opts, (o) => this.inner.listActions(q, o));
  }

  getAction(q: ActionGetQuery, opts?: CallOptions): Promise<Action> {
    // A long-poll needs its own budget: the wait plus time to start the call and hear back.
    const wait = longPollSeconds(q);
    const callOpts = wait ? { ...opts, timeoutMs: opts?.timeoutMs ?? wait * 1000 + LONG_POLL_MARGIN_MS } : opts;
    return this.guarded('action get', 'read', callOpts, (o) => this.inner.getAction(q, o));
  }

  createAction(q: ActionCreateQuery, opts?: CallOptions): Promise<Action> {
    return this.guarded('action create', 'write', opts, (o) => this.inner.createAction(q, o));
  }

  runAction(q: ActionRunQuery, opts?: CallOptions): Promise<RunResult> {
    // A run is a write unless the caller knows the action only reads.
    return this.guarded('action run', opts?.kind === 'read' ? 'read' : 'write', opts, (o) => this.inner.runAction(q, o));
  }

  request(q: ProxyRequest, opts?: CallOptions): Promise<ProxyResponse> {
    const kind: CallKind = q.method === 'GET' || q.method === 'HEAD' ? 'read' : 'write';
    return this.guarded('request', kind, opts, (o) => this.inner.request(q, o));
  }

  describe(opts?: CallOptions) {
    return this.inner.describe(opts);
  }

  checkAccess(opts?: CallOptions) {
    return this.inner.checkAccess(opts);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** `client` with the shared retry and write rules; the backends themselves make one attempt per call. */
export function withCallSafety(client: MembraneClient, opts: CallSafetyOptions): MembraneClient {
  return new SafeMembraneClient(client, opts);
}
