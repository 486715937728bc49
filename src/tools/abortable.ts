// Lookups shared by concurrent calls (connection list, action metadata) are not tied to one caller's
// signal; each caller still stops waiting as soon as its own request is cancelled.
import { ToolError } from '../errors.js';

/** Resolves like `promise`, or rejects with CANCELLED as soon as `signal` aborts. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  const cancelled = () => new ToolError('CANCELLED', 'The call was cancelled by the client', { retryable: false });
  if (signal.aborted) return Promise.reject(cancelled());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
