// ErrorData (the Membrane API's error body, which the CLI prints with --json and the API server sends
// as the response body) and the one exception type the engine and the fronts throw to report it.

export type ErrorType = 'bad_request' | 'connection' | 'action_run' | 'action_instance_setup' | 'internal' | 'concurrency';

export interface ErrorData {
  type: ErrorType;
  key?: string;
  message: string;
  data?: Record<string, unknown>;
}

/** Exit 1 for every error except usage errors (exit 2). */
export type ErrorExitCode = 1 | 2;

export interface SandboxErrorOptions {
  /** Exit 2 for usage errors; 1 (the default) for every other error. */
  exitCode?: ErrorExitCode;
  /** For usage errors: the synopsis printed as `Usage: membrane-sandbox <synopsis>`. */
  synopsis?: string;
  /** The API server's status for this error when the ErrorData alone does not decide it (see httpStatusOf). */
  httpStatus?: number;
  /** HTTP headers the API server sends with this error (Retry-After); the CLI has no use for them. */
  httpHeaders?: Record<string, string>;
}

export class SandboxError extends Error {
  readonly exitCode: ErrorExitCode;
  readonly synopsis?: string;
  readonly httpStatus?: number;
  readonly httpHeaders?: Record<string, string>;

  constructor(
    readonly errorData: ErrorData,
    options: SandboxErrorOptions = {},
  ) {
    super(errorData.message);
    this.name = 'SandboxError';
    this.exitCode = options.exitCode ?? 1;
    this.synopsis = options.synopsis;
    this.httpStatus = options.httpStatus;
    this.httpHeaders = options.httpHeaders;
  }
}

export function usageError(message: string, synopsis: string): SandboxError {
  return new SandboxError({ type: 'bad_request', key: 'usage', message }, { exitCode: 2, synopsis });
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

export function accessDenied(message: string): SandboxError {
  return badRequest(message, 'access_denied');
}

export const TOKEN_EXPIRED_MESSAGE = 'Access token expired. Mint a new one (or log in again) and retry';

export function tokenExpired(): SandboxError {
  return badRequest(TOKEN_EXPIRED_MESSAGE, 'not_authenticated');
}

/** Membrane's own rate limit (not the CRM's): 429, with or without a Retry-After header. */
export function apiRateLimited(retryAfterSeconds: number | undefined): SandboxError {
  const message =
    'Too many requests to the Membrane API' + (retryAfterSeconds === undefined ? '; retry later' : `; retry after ${retryAfterSeconds} s`);
  return new SandboxError(
    { type: 'bad_request', key: 'rate_limit_exceeded', message },
    { httpHeaders: retryAfterSeconds === undefined ? undefined : { 'retry-after': String(retryAfterSeconds) } },
  );
}

export function connectionDefunct(connectionId: string, uiUrl: string, message: string): SandboxError {
  return new SandboxError({ type: 'connection', key: 'connection_is_defunct', message, data: { connectionId, uiUrl } });
}

export function rateLimited(connectorName: string): SandboxError {
  return new SandboxError(
    {
      type: 'connection',
      key: 'rate_limit_exceeded',
      message: `${connectorName} rate limit exceeded (7 requests per second); retry after 1 second`,
      data: { response: { status: 429, headers: { 'retry-after': '1' } } },
    },
    { httpHeaders: { 'retry-after': '1' } },
  );
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
