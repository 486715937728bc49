// ErrorData (the Membrane API's error body, which the CLI prints with --json) and the one exception
// type commands throw to report it. cli.ts prints a SandboxError in one place.

export type ErrorType = 'bad_request' | 'connection' | 'action_run' | 'action_instance_setup' | 'internal' | 'concurrency';

export interface ErrorData {
  type: ErrorType;
  key?: string;
  message: string;
  data?: Record<string, unknown>;
}

/** Exit 1 for every error except usage errors (exit 2). */
export type ErrorExitCode = 1 | 2;

export class SandboxError extends Error {
  constructor(
    readonly errorData: ErrorData,
    readonly exitCode: ErrorExitCode = 1,
    /** For usage errors: the synopsis printed as `Usage: membrane-sandbox <synopsis>`. */
    readonly synopsis?: string,
  ) {
    super(errorData.message);
    this.name = 'SandboxError';
  }
}

export function usageError(message: string, synopsis: string): SandboxError {
  return new SandboxError({ type: 'bad_request', key: 'usage', message }, 2, synopsis);
}

export function badRequest(message: string, key?: string, data?: Record<string, unknown>): SandboxError {
  return new SandboxError({ type: 'bad_request', ...(key ? { key } : {}), message, ...(data ? { data } : {}) });
}

export function notFound(message: string): SandboxError {
  return badRequest(message, 'not_found');
}

export const NOT_LOGGED_IN_MESSAGE = 'Not logged in. Run `membrane login --tenant`';

export function notAuthenticated(): SandboxError {
  return badRequest(NOT_LOGGED_IN_MESSAGE, 'not_authenticated');
}

export interface InputProblem {
  path: string;
  message: string;
}

export function invalidInput(message: string, errors?: InputProblem[], actionRunId?: string): SandboxError {
  const data = errors || actionRunId ? { ...(errors ? { errors } : {}), ...(actionRunId ? { actionRunId } : {}) } : undefined;
  return badRequest(message, 'invalid_input', data);
}

export function connectionDefunct(connectionId: string, uiUrl: string, message: string): SandboxError {
  return new SandboxError({ type: 'connection', key: 'connection_is_defunct', message, data: { connectionId, uiUrl } });
}

export function rateLimited(connectorName: string): SandboxError {
  return new SandboxError({
    type: 'connection',
    key: 'rate_limit_exceeded',
    message: `${connectorName} rate limit exceeded (7 requests per second); retry after 1 second`,
    data: { response: { status: 429, headers: { 'retry-after': '1' } } },
  });
}

export function actionNotReady(state: string, reason?: string): SandboxError {
  const message = `Action is not ready (state ${state})` + (reason ? `: ${reason}` : '');
  return new SandboxError({ type: 'action_instance_setup', message });
}

export function actionRunFailed(
  message: string,
  actionRunId: string,
  response: { status: number; headers: Record<string, string>; data: unknown },
): SandboxError {
  return new SandboxError({ type: 'action_run', message, data: { actionRunId, response } });
}

/** Anything not thrown on purpose: the message only, never a stack trace on stdout. */
export function toInternal(err: unknown): SandboxError {
  if (err instanceof SandboxError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  // SQLite gave up waiting for the write lock: Membrane reports lock trouble as `concurrency`.
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new SandboxError({ type: 'concurrency', key: 'lock_timeout', message: `Sandbox store is busy: ${message}` });
  }
  return new SandboxError({ type: 'internal', message });
}
