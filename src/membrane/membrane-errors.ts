// Membrane's error bodies (ErrorData: {type, key, message, data}) and the CRM's HTTP errors as ToolErrors (codes in
// errors.ts). Both backends get the same ErrorData from Membrane (the CLI prints it, the API answers it), so one
// mapping serves both; only the words for what the user must do come from the backend (UserActionHints).
import { ToolError } from '../errors.js';
import { redact, redactDeep } from '../redact.js';
import type { MembraneOperation, UserActionHints } from './membrane-client.js';
import type { ErrorData } from './response-schemas.js';

/** Membrane's ErrorData types (the SDK's ErrorType enum): a body with one of these is Membrane speaking, not the CRM. */
export const MEMBRANE_ERROR_TYPES: ReadonlySet<string> = new Set([
  'bad_request',
  'connection',
  'configuration',
  'dependency_error',
  'flow_run',
  'flow_instance_setup',
  'concurrency',
  'internal',
  'action_run',
  'action_instance_setup',
  'unit_run',
  'custom_code',
  'insufficient_credit',
  'openrouter_not_configured',
]);

export interface ErrorContext {
  operation: MembraneOperation;
  hints: UserActionHints;
  connectionId?: string;
  actionId?: string;
  /** Membrane's own HTTP status and headers, when the backend saw them (the API does; the CLI does not). */
  status?: number;
  headers?: Record<string, unknown>;
}

/** At most this much of a body goes into an error's details. */
const BODY_EXCERPT_CHARS = 2000;

/** A short, single-line excerpt of a body or of CLI output for error messages (the caller redacts it). */
export function excerpt(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}… (${flat.length - max} more characters)` : flat;
}

/** Retry-After as seconds: a number of seconds or an HTTP date (RFC 9110), capped at 2 minutes. */
export function retryAfterSeconds(headers: Record<string, unknown> | undefined): number | undefined {
  if (!headers) return undefined;
  const entry = Object.entries(headers).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
  const raw = String(Array.isArray(entry) ? entry[0] : (entry ?? '')).trim();
  if (!raw) return undefined;
  const seconds = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : (Date.parse(raw) - Date.now()) / 1000;
  return Number.isFinite(seconds) ? Math.min(Math.max(0, Math.ceil(seconds)), 120) : undefined;
}

/** `Ask the user to …, then retry.`: the form every user step takes in an agent's next step. */
export function askUser(step: { action: string }, then = 'then retry.'): string {
  return `Ask the user to ${step.action}, ${then}`;
}

export function loginError(hints: UserActionHints, detail: string): ToolError {
  const expired = /expired/i.test(detail);
  // Membrane's own words are left out: they may name a command or a variable this server does not use.
  return new ToolError(
    'LOGIN_REQUIRED',
    expired ? 'The Membrane login expired' : 'Not logged in to Membrane (or the credentials were refused)',
    {
      nextStep: askUser(hints.login()),
      retryable: false,
    },
  );
}

export function rateLimited(headers: Record<string, unknown> | undefined, what: string): ToolError {
  // retryAfterSeconds only when the service said so: without it, retries back off exponentially.
  const after = retryAfterSeconds(headers);
  return new ToolError('RATE_LIMITED', `${what} hit the rate limit (HTTP 429)`, {
    nextStep: `Wait ${after ?? 1} s and retry; the CRM limits requests per second (AmoCRM: 7), so space calls out.`,
    retryable: true,
    ...(after !== undefined ? { retryAfterSeconds: after } : {}),
  });
}

/** A proxied or action-run HTTP error from the CRM. */
export function upstreamError(
  status: number,
  body: unknown,
  headers: Record<string, unknown> | undefined,
  ctx: Pick<ErrorContext, 'hints' | 'connectionId'>,
): ToolError {
  if (status === 429) return rateLimited(headers, 'The CRM');
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? null);
  const nextStep =
    status === 401 || status === 403
      ? `The CRM rejected the connection's credentials; ask the user to ${ctx.hints.reconnect({ id: ctx.connectionId }).action}, then retry.`
      : status === 404
        ? 'Check the id or path; list or search records first to find valid ids.'
        : status >= 500
          ? 'The CRM failed; retry later.'
          : 'Fix the request using the CRM error in details.body, then retry.';
  return new ToolError('UPSTREAM_ERROR', `The CRM answered HTTP ${status}`, {
    nextStep,
    retryable: status >= 500,
    details: { status, body: excerpt(redact(text), BODY_EXCERPT_CHARS) },
  });
}

function fieldErrors(data: unknown): { field: string; problem: string }[] | undefined {
  const errors = (data as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors)) return undefined;
  return errors.slice(0, 20).map((e) => {
    const o = (e ?? {}) as { path?: unknown; instancePath?: unknown; field?: unknown; message?: unknown };
    const field =
      String(o.field ?? o.path ?? o.instancePath ?? '')
        .replace(/^\//, '')
        .replace(/\//g, '.') || '(input)';
    return { field: redact(field), problem: redact(String(o.message ?? 'invalid')) };
  });
}

/** What a NOT_FOUND is about, from the call that got it (when Membrane's answer does not say). */
function notFoundSubject(ctx: ErrorContext): string {
  switch (ctx.operation) {
    case 'action get':
    case 'action run':
      return `action "${ctx.actionId ?? '?'}"${ctx.connectionId ? ` for connection "${ctx.connectionId}"` : ''}`;
    case 'action list':
    case 'action create':
    case 'request':
      return `connection "${ctx.connectionId ?? '?'}"`;
    case 'connection list':
      return 'such route (is MEMBRANE_API_URI the Membrane API?)';
  }
}

/** A 403: which permission, workspace or tenant to check. Creating actions may need more than reading (a tenant token may get 403). */
function accessDenied(message: string, ctx: ErrorContext): ToolError {
  const step = ctx.hints.checkAccess(ctx.operation);
  const what = ctx.operation === 'action create' ? 'Membrane refused to create the action for these credentials' : 'Membrane denied access';
  const instead = ctx.operation === 'action create' ? ' Meanwhile, use an existing action (search again) or a direct API request.' : '';
  return new ToolError('ACCESS_DENIED', `${what}: ${message}`, {
    nextStep: `${askUser(step)}${instead}`,
    retryable: false,
    details: { status: 403, operation: ctx.operation },
  });
}

type ErrorDetail = {
  response?: { status?: unknown; data?: unknown; headers?: Record<string, unknown> };
  uiUrl?: unknown;
  clientAction?: { uiUrl?: unknown };
  actionRunId?: unknown;
};

/** An ErrorData (from the CLI's output or an API body) as a ToolError. ctx.status and ctx.headers, when known, decide what the key does not. */
export function fromErrorData(err: ErrorData, ctx: ErrorContext): ToolError {
  const message = redact(err.message);
  const key = err.key?.toLowerCase();
  const type = err.type?.toLowerCase();
  const data = (err.data ?? undefined) as ErrorDetail | undefined;
  const upstreamStatus = typeof data?.response?.status === 'number' ? data.response.status : undefined;
  const status = ctx.status;

  if (key === 'not_authenticated' || (status === 401 && !key) || /not logged in|login required/i.test(message))
    return loginError(ctx.hints, message);
  if (key === 'rate_limit_exceeded' || status === 429 || upstreamStatus === 429) {
    // connection/rate_limit_exceeded is the CRM's own limit; bad_request/rate_limit_exceeded is Membrane's. Retry-After may
    // come on Membrane's own response (the API) or inside the CRM's response that Membrane passes on.
    const headers = retryAfterSeconds(ctx.headers) !== undefined ? ctx.headers : data?.response?.headers;
    return rateLimited(headers, type === 'connection' || (upstreamStatus === 429 && status !== 429) ? 'The CRM' : 'Membrane');
  }
  if (type === 'connection' || key === 'connection_is_defunct' || key === 'access_token_expired') {
    const uiUrl =
      typeof data?.uiUrl === 'string' ? data.uiUrl : typeof data?.clientAction?.uiUrl === 'string' ? data.clientAction.uiUrl : undefined;
    const step = ctx.hints.reconnect({ id: ctx.connectionId, clientAction: uiUrl ? { uiUrl } : undefined });
    return new ToolError('CONNECTION_NEEDS_USER_ACTION', `The connection needs the user to re-authenticate: ${message}`, {
      nextStep: askUser(step),
      uiUrl: step.uiUrl ?? uiUrl,
      retryable: false,
    });
  }
  if (key === 'not_found' || (status === 404 && !key)) {
    // The tools add the next step (which of their tools lists the valid ids).
    // Membrane's not_found messages name the object ("Connection with id 'x' not found").
    const text = key ? message : `Membrane has no ${notFoundSubject(ctx)} (HTTP 404)`;
    const about = /^(membrane has no )?connection\b/i.test(text)
      ? 'connection'
      : /^(membrane has no )?action\b/i.test(text)
        ? 'action'
        : undefined;
    return new ToolError('NOT_FOUND', text, { retryable: false, about });
  }
  if (key === 'invalid_input' || key === 'invalid_json' || /invalid json/i.test(message)) {
    const fields = fieldErrors(err.data);
    return new ToolError('INVALID_INPUT', message, { retryable: false, details: fields ? { fields } : undefined });
  }
  if (type === 'action_instance_setup' && /not ready|building/i.test(message)) {
    return new ToolError('ACTION_NOT_READY', message, { retryable: true });
  }
  if (upstreamStatus !== undefined) {
    const e = upstreamError(upstreamStatus, data?.response?.data, data?.response?.headers, ctx);
    return typeof data?.actionRunId === 'string' ? e.with({ details: { ...e.details, actionRunId: data.actionRunId } }) : e;
  }
  if (key === 'access_denied' || (status === 403 && !key)) return accessDenied(message, ctx);
  if (type === 'insufficient_credit') {
    return new ToolError('MEMBRANE_ERROR', `Membrane refused the call: ${message}`, {
      nextStep: 'Ask the user to add credit to the Membrane workspace (its billing page), then retry.',
      retryable: false,
      details: { type: err.type },
    });
  }
  // A server error or a lock that timed out may pass on a second try; anything else is Membrane saying no.
  const transient = type === 'internal' || type === 'concurrency' || (status !== undefined && status >= 500);
  const facts = { ...(err.type ? { type: err.type } : {}), ...(err.key ? { key: err.key } : {}), ...(status ? { status } : {}) };
  return new ToolError('MEMBRANE_ERROR', `${ctx.operation} failed: ${message}`, {
    nextStep: transient ? 'Retry in a moment.' : 'Membrane rejected the call: read the message, fix what it names, then retry.',
    retryable: transient,
    details: Object.keys(facts).length ? redactDeep(facts) : undefined,
  });
}
