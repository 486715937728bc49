// Turns a finished CLI process into a document or a ToolError (codes in errors.ts). The CLI does not document
// where errors go or which exit codes mean what, so we look everywhere: ErrorData,
// {error: ErrorData} or {error, message} on stdout or stderr, then plain-text patterns, then an excerpt.
import { ToolError } from '../../errors.js';
import { redact, redactDeep } from '../../redact.js';
import { excerpt, findJson } from './cli-output.js';
import type { ProcessResult } from './cli-runner.js';
import { type ErrorData, toErrorData, toProxyResponse } from '../response-schemas.js';
import type { ProxyResponse } from '../membrane-client.js';

export type CliCommandName = 'connection list' | 'action list' | 'action get' | 'action create' | 'action run' | 'request';

export interface FailureContext {
  command: CliCommandName;
  /** How the user runs the CLI (`membrane` or `membrane-sandbox`), for next steps. */
  cli: string;
  connectionId?: string;
  actionId?: string;
}

const CRASH_EXIT_CODES = new Set([134, 137, 139]);

/** The LOGIN_REQUIRED next step (the doctor turns it into its fix). */
export function loginNextStep(cli: string): string {
  return `Ask the user to run \`${cli} login --tenant --clientName=<claude|codex|cursor>\` in a terminal (headless: open the printed URL, then \`${cli} login complete <code>\`), then retry.`;
}

/** The CLI's own words are left out: they name its own command (`membrane login …`), which may not be how this server runs it. */
function loginError(cli: string, detail: string): ToolError {
  const expired = /expired/i.test(detail);
  return new ToolError('LOGIN_REQUIRED', expired ? 'The Membrane CLI session expired' : 'The Membrane CLI is not logged in', {
    nextStep: loginNextStep(cli),
    retryable: false,
  });
}

/** Retry-After as seconds: a number of seconds or an HTTP date (RFC 9110), capped at 2 minutes. */
function retryAfter(headers: Record<string, unknown> | undefined): number | undefined {
  if (!headers) return undefined;
  const entry = Object.entries(headers).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
  const raw = String(Array.isArray(entry) ? entry[0] : (entry ?? '')).trim();
  if (!raw) return undefined;
  const seconds = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : (Date.parse(raw) - Date.now()) / 1000;
  return Number.isFinite(seconds) ? Math.min(Math.max(0, Math.ceil(seconds)), 120) : undefined;
}

function rateLimited(headers: Record<string, unknown> | undefined, what: string): ToolError {
  // retryAfterSeconds only when the service said so: without it, retries back off exponentially.
  const after = retryAfter(headers);
  return new ToolError('RATE_LIMITED', `${what} hit the rate limit (HTTP 429)`, {
    nextStep: `Wait ${after ?? 1} s and retry; the CRM limits requests per second (AmoCRM: 7), so space calls out.`,
    retryable: true,
    ...(after !== undefined ? { retryAfterSeconds: after } : {}),
  });
}

/** A proxied or action-run HTTP error from the CRM. */
export function upstreamError(status: number, body: unknown, headers: Record<string, unknown> | undefined, ctx: FailureContext): ToolError {
  if (status === 429) return rateLimited(headers, 'The CRM');
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? null);
  const nextStep =
    status === 401 || status === 403
      ? `The CRM rejected the connection's credentials; ask the user to reconnect: \`${ctx.cli} connect --connectionId=${ctx.connectionId ?? '<id>'}\`.`
      : status === 404
        ? 'Check the id or path; list or search records first to find valid ids.'
        : status >= 500
          ? 'The CRM failed; retry later.'
          : 'Fix the request using the CRM error in details.body, then retry.';
  return new ToolError('UPSTREAM_ERROR', `The CRM answered HTTP ${status}`, {
    nextStep,
    retryable: status >= 500,
    details: { status, body: excerpt(redact(text), 2000) },
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

export function fromErrorData(err: ErrorData, ctx: FailureContext): ToolError {
  const message = redact(err.message);
  const key = err.key?.toLowerCase();
  const type = err.type?.toLowerCase();
  const data = (err.data ?? undefined) as
    | {
        response?: { status?: unknown; data?: unknown; headers?: Record<string, unknown> };
        uiUrl?: unknown;
        clientAction?: { uiUrl?: unknown };
      }
    | undefined;
  const upstreamStatus = typeof data?.response?.status === 'number' ? data.response.status : undefined;

  if (key === 'not_authenticated' || /not logged in|login required/i.test(message)) return loginError(ctx.cli, message);
  if (key === 'rate_limit_exceeded' || upstreamStatus === 429) return rateLimited(data?.response?.headers, 'The call');
  if (type === 'connection' || key === 'connection_is_defunct' || key === 'access_token_expired') {
    const uiUrl =
      typeof data?.uiUrl === 'string' ? data.uiUrl : typeof data?.clientAction?.uiUrl === 'string' ? data.clientAction.uiUrl : undefined;
    return new ToolError('CONNECTION_NEEDS_USER_ACTION', `The connection needs the user to re-authenticate: ${message}`, {
      nextStep: uiUrl
        ? `Ask the user to open ${uiUrl} and reconnect, then retry.`
        : `Ask the user to run \`${ctx.cli} connect --connectionId=${ctx.connectionId ?? '<id>'}\`, then retry.`,
      uiUrl,
      retryable: false,
    });
  }
  if (key === 'not_found') {
    // Membrane's not_found messages name the object ("Connection with id 'x' not found").
    const about = /^connection\b/i.test(message) ? 'connection' : /^action\b/i.test(message) ? 'action' : undefined;
    return new ToolError('NOT_FOUND', message, { retryable: false, about });
  }
  if (key === 'invalid_input' || key === 'invalid_json' || /invalid json/i.test(message)) {
    const fields = fieldErrors(err.data);
    return new ToolError('INVALID_INPUT', message, { retryable: false, details: fields ? { fields } : undefined });
  }
  if (type === 'action_instance_setup' && /not ready|building/i.test(message)) {
    return new ToolError('ACTION_NOT_READY', message, { retryable: true });
  }
  if (upstreamStatus !== undefined) return upstreamError(upstreamStatus, data?.response?.data, data?.response?.headers, ctx);
  if (key === 'access_denied') {
    return new ToolError('UPSTREAM_ERROR', `Membrane denied access: ${message}`, {
      nextStep: `Check that the CLI is logged in to the right workspace and tenant (\`${ctx.cli} status\`).`,
      retryable: false,
      details: { status: 403 },
    });
  }
  if (key === 'usage') return usageError(ctx, message);
  return new ToolError('CLI_ERROR', `${ctx.command} failed: ${message}`, {
    retryable: type === 'internal' || type === 'concurrency',
    details: err.type || err.key ? redactDeep({ type: err.type, key: err.key }) : undefined,
  });
}

function usageError(ctx: FailureContext, text: string): ToolError {
  return new ToolError('CLI_ERROR', `The CLI rejected the command line of "${ctx.command}" (usage error): ${excerpt(redact(text), 200)}`, {
    nextStep: `Check the installed CLI version (\`${ctx.cli} --version\`); this server speaks the @membranehq/cli 1.x contract.`,
    retryable: false,
  });
}

/** Classifies a process that exited non-zero (or was killed by a signal we did not send). */
export function classifyFailure(res: ProcessResult, ctx: FailureContext): ToolError {
  const output = `${res.stdout}\n${res.stderr}`.trim();
  if (res.signal || (res.exitCode !== undefined && CRASH_EXIT_CODES.has(res.exitCode))) {
    return new ToolError('CLI_ERROR', `The CLI crashed during "${ctx.command}" (${res.signal ?? `exit ${res.exitCode}`})`, {
      nextStep: 'Retry; if it keeps crashing, check the CLI installation.',
      retryable: true,
      details: output ? { excerpt: excerpt(redact(output)) } : undefined,
    });
  }

  const fromStdout = findJson(res.stdout);
  if (ctx.command === 'request' && fromStdout.found) {
    const proxied = toProxyResponse(fromStdout.value, 0);
    if (proxied.status >= 400) return upstreamError(proxied.status, proxied.body, proxied.headers, ctx);
  }
  // A bare upstream body on stdout with the status on its own stderr line (one documented form): the CRM's error body
  // (1CRM's {error, message}) must not be mistaken for a Membrane ErrorData, which always has a `type`.
  const statusLine = ctx.command === 'request' ? /^HTTP\s+(\d{3})\b/m.exec(res.stderr)?.[1] : undefined;
  if (statusLine && !(fromStdout.found && toErrorData(fromStdout.value)?.type !== undefined)) {
    return upstreamError(Number(statusLine), fromStdout.found ? fromStdout.value : res.stdout, undefined, ctx);
  }
  for (const source of [fromStdout, findJson(res.stderr)]) {
    if (!source.found) continue;
    const err = toErrorData(source.value);
    if (err) return fromErrorData(err, ctx);
    const message = (source.value as { message?: unknown } | null)?.message;
    if (typeof message === 'string') return fromErrorData({ message }, ctx);
  }

  // Plain text only.
  const status = /\bHTTP\s+(\d{3})\b/.exec(res.stderr)?.[1];
  if (ctx.command === 'request' && status) return upstreamError(Number(status), res.stdout, undefined, ctx);
  if (/not logged in|unauthori[sz]ed|\b401\b|login required/i.test(output)) return loginError(ctx.cli, excerpt(redact(output), 120));
  if (res.exitCode === 2 || /^usage:/im.test(res.stderr)) return usageError(ctx, res.stderr || res.stdout);
  return new ToolError('CLI_ERROR', `"${ctx.command}" failed (exit ${res.exitCode}) without a readable error`, {
    retryable: false,
    details: { excerpt: output ? excerpt(redact(output)) : '(no output)' },
  });
}

/** For an exit-0 process: the JSON document on stdout, or CLI_ERROR with an excerpt. */
export function parseSuccess(res: ProcessResult, ctx: FailureContext): unknown {
  const doc = findJson(res.stdout);
  if (doc.found) return doc.value;
  return new ToolError('CLI_ERROR', `"${ctx.command}" printed output that is not JSON`, {
    nextStep: 'Retry once; if it persists, check the CLI version and that --json is supported.',
    retryable: false,
    details: { excerpt: res.stdout.trim() ? excerpt(redact(res.stdout)) : '(empty stdout)' },
  });
}

/** The proxied response of a successful `request`; header values are redacted (bodies are the user's CRM data). */
export function proxyFromSuccess(doc: unknown): ProxyResponse {
  const res = toProxyResponse(doc, 200);
  return { ...res, headers: redactDeep(res.headers) };
}
