// Reads are retried on a rate limit or a transient failure (crash, CRM or Membrane 5xx, network) with exponential backoff and
// full jitter, honouring Retry-After, at most `maxTries` attempts, never past the call's deadline.
// Writes are never retried: a write that may have happened must not happen twice.
import { ToolError } from '../errors.js';
import type { CallKind } from './membrane-client.js';

export interface RetryOptions {
  kind: CallKind;
  /** Epoch ms by which the whole call (all attempts) must be done. */
  deadline: number;
  signal?: AbortSignal;
  maxTries?: number;
  baseDelayMs?: number;
  random?: () => number;
  onRetry?: (attempt: number, delayMs: number, error: ToolError) => void;
}

const RETRIED_CODES = new Set(['RATE_LIMITED', 'CLI_ERROR', 'UPSTREAM_ERROR', 'MEMBRANE_ERROR']);

export function isTransient(e: unknown): e is ToolError {
  return e instanceof ToolError && e.retryable && RETRIED_CODES.has(e.code);
}

/**
 * Delay before attempt `attempt + 1`: exponential backoff with full jitter (base·2^(attempt-1)), and never
 * sooner than Retry-After when the service gave one. The jitter keeps parallel callers from retrying in step.
 */
export function backoffDelay(attempt: number, error: ToolError, baseMs: number, random: () => number): number {
  const exponential = Math.floor(random() * baseMs * 2 ** (attempt - 1)) + 50;
  if (error.retryAfterSeconds === undefined) return exponential;
  return error.retryAfterSeconds * 1000 + exponential;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new ToolError('CANCELLED', 'The call was cancelled by the client while waiting to retry', { retryable: false }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function withRetry<T>(fn: (remainingMs: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const maxTries = opts.kind === 'read' ? (opts.maxTries ?? 3) : 1;
  const random = opts.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(Math.max(1, opts.deadline - Date.now()));
    } catch (e) {
      if (attempt >= maxTries || !isTransient(e)) throw e;
      const delay = backoffDelay(attempt, e, opts.baseDelayMs ?? 400, random);
      // Not enough time left for another attempt: report what happened rather than a timeout.
      if (Date.now() + delay + 250 >= opts.deadline) throw e;
      opts.onRetry?.(attempt, delay, e);
      await sleep(delay, opts.signal);
    }
  }
}
