// What went wrong with one API request, as a ToolError: an HTTP answer that is an error (Membrane's ErrorData, or a
// bare status such as an HTML 502 from a load balancer), or no answer at all (network, timeout, cancel, the SDK
// refusing the token). What an ErrorData means is shared with the CLI backend (../membrane-errors.ts).
import { ToolError } from '../../errors.js';
import { redact } from '../../redact.js';
import { type ErrorContext, MEMBRANE_ERROR_TYPES, askUser, excerpt, fromErrorData } from '../membrane-errors.js';
import { type ErrorData, toErrorData } from '../response-schemas.js';
import type { ApiResponse } from './sdk-transport.js';

/** Which of our signals stopped a request, if one did. */
export type StopReason = 'timeout' | 'cancelled' | 'shutdown';

export interface TransportContext extends ErrorContext {
  /** The API's origin, for messages (never the credentials). */
  apiOrigin: string;
  /** Whether MEMBRANE_API_URI points somewhere else than Membrane's own API. */
  customApiUri: boolean;
  timeoutMs: number;
  stopped?: StopReason;
}

/** Membrane's own ErrorData in a body (`{type, key, message}` or `{error: {...}}`), when it is one. */
export function membraneErrorData(body: unknown): ErrorData | undefined {
  const err = toErrorData(body);
  return err?.type !== undefined && MEMBRANE_ERROR_TYPES.has(err.type.toLowerCase()) ? err : undefined;
}

/** The run id a failed run may carry: top level or under data (where Membrane puts it is not documented). */
function actionRunIdOf(body: unknown): string | undefined {
  const o = (body ?? {}) as { actionRunId?: unknown; data?: { actionRunId?: unknown } };
  const id = o.actionRunId ?? o.data?.actionRunId;
  return typeof id === 'string' ? id : undefined;
}

/** An error answer of one of Membrane's own routes (everything but the proxy). */
export function responseFailure(res: ApiResponse, ctx: ErrorContext): ToolError {
  const withStatus = { ...ctx, status: res.status, headers: res.headers };
  const err = toErrorData(res.body);
  let e: ToolError;
  if (err) {
    e = fromErrorData(err, withStatus);
  } else {
    const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body ?? '');
    const what = typeof res.body === 'string' ? 'a body that is not JSON' : 'a body that is not a Membrane error';
    e = fromErrorData(
      { message: `Membrane answered HTTP ${res.status} with ${what}${text ? `: ${excerpt(redact(text), 120)}` : ''}` },
      withStatus,
    );
  }
  const runId = ctx.operation === 'action run' ? actionRunIdOf(res.body) : undefined;
  return runId ? e.with({ details: { ...e.details, actionRunId: runId } }) : e;
}

/** A 2xx answer whose body is not what the route returns. */
export function unexpectedBody(res: ApiResponse, ctx: ErrorContext, expected: string): ToolError {
  const err = membraneErrorData(res.body);
  if (err) return fromErrorData(err, { ...ctx, status: res.status, headers: res.headers });
  const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body ?? null);
  return new ToolError('MEMBRANE_ERROR', `${ctx.operation}: Membrane answered HTTP ${res.status} with a body that is not ${expected}`, {
    nextStep: 'Check that MEMBRANE_API_URI points at the Membrane API (or leave it unset), then retry.',
    retryable: false,
    details: { status: res.status, excerpt: excerpt(redact(text)) },
  });
}

/** Connection failures after which the request certainly never reached the API. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A request that got no HTTP answer. Only the error's code and first line are used: an axios error also holds the request, token included. */
export function transportFailure(e: unknown, ctx: TransportContext): ToolError {
  if (e instanceof ToolError) return e;
  const code = errorCode(e);
  const seconds = Math.round(ctx.timeoutMs / 1000);
  switch (ctx.stopped) {
    case 'timeout':
      return new ToolError('TIMEOUT', `"${ctx.operation}" got no answer from Membrane within ${seconds} s; the request was aborted`, {
        nextStep: 'Retry once; if it keeps timing out, narrow the call (smaller limit, a filter) or raise --cli-timeout.',
        retryable: true,
      });
    case 'shutdown':
      return new ToolError('CANCELLED', `"${ctx.operation}" was stopped because the server is shutting down`, { retryable: false });
    case 'cancelled':
      return new ToolError('CANCELLED', `"${ctx.operation}" was cancelled by the client`, { retryable: false });
    case undefined:
      break;
  }
  const message = redact((e instanceof Error ? e.message : String(e)).split('\n')[0]).slice(0, 200);
  if (/maxContentLength/i.test(message)) {
    return new ToolError('OUTPUT_TOO_LARGE', `Membrane's answer to "${ctx.operation}" is larger than the output cap`, {
      nextStep: 'Narrow the call: a smaller limit, a filter, or fewer fields; or raise --cli-max-output-mb.',
      retryable: false,
    });
  }
  // The SDK checks a token before sending it: a malformed or missing one never leaves the process.
  if (/access token/i.test(message) && !code) {
    return new ToolError('LOGIN_REQUIRED', `The Membrane SDK refused the access token: ${message}`, {
      nextStep: askUser(ctx.hints.login()),
      retryable: false,
      details: { started: false },
    });
  }
  const where = `${ctx.apiOrigin}${ctx.customApiUri ? ' (MEMBRANE_API_URI)' : ''}`;
  if (code && (code.startsWith('CERT_') || /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code))) {
    return new ToolError('MEMBRANE_ERROR', `The TLS certificate of ${where} was refused (${code})`, {
      nextStep: "Check MEMBRANE_API_URI, or the machine's CA certificates (NODE_EXTRA_CA_CERTS for a corporate proxy).",
      retryable: false,
      details: { code, started: false },
    });
  }
  if (code) {
    const neverSent = NEVER_SENT.has(code);
    return new ToolError(
      'MEMBRANE_ERROR',
      `Membrane's API at ${where} ${neverSent ? 'could not be reached' : 'broke off the request'} (${code})`,
      {
        nextStep: `Check the network path to ${where}, then retry.`,
        retryable: true,
        details: neverSent ? { code, started: false } : { code },
      },
    );
  }
  // Not a network error: the SDK could not be loaded or failed before sending anything.
  return new ToolError('MEMBRANE_ERROR', `The Membrane SDK failed before sending "${ctx.operation}": ${message}`, {
    nextStep: 'Retry once; if it persists, reinstall membrane-crm-mcp and report it with the server log.',
    retryable: false,
    details: { started: false },
  });
}
