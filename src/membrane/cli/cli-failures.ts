// Turns a finished CLI process into a document or a ToolError (codes in errors.ts). The CLI does not document
// where errors go or which exit codes mean what, so we look everywhere: ErrorData,
// {error: ErrorData} or {error, message} on stdout or stderr, then plain-text patterns, then an excerpt.
// What an ErrorData means is the same on every backend (../membrane-errors.ts); here: where to find it, and crashes.
import { ToolError } from '../../errors.js';
import { redact, redactDeep } from '../../redact.js';
import { findJson } from './cli-output.js';
import type { ProcessResult } from './cli-runner.js';
import { type ErrorContext, excerpt, fromErrorData, loginError, upstreamError } from '../membrane-errors.js';
import { type ErrorData, toErrorData, toProxyResponse } from '../response-schemas.js';
import type { MembraneOperation, ProxyResponse, UserActionHints } from '../membrane-client.js';

export type CliCommandName = MembraneOperation;

export interface FailureContext {
  command: CliCommandName;
  /** How the user runs the CLI (`membrane`, or the sandbox's exact command), for next steps. */
  cli: string;
  hints: UserActionHints;
  connectionId?: string;
  actionId?: string;
}

const CRASH_EXIT_CODES = new Set([134, 137, 139]);

/** Membrane's mapping of an ErrorData, with the CLI's own additions (its usage errors). */
function fromCliErrorData(err: ErrorData, ctx: FailureContext): ToolError {
  if (err.key?.toLowerCase() === 'usage') return usageError(ctx, err.message);
  return fromErrorData(err, errorContext(ctx));
}

function errorContext(ctx: FailureContext): ErrorContext {
  return { operation: ctx.command, hints: ctx.hints, connectionId: ctx.connectionId, actionId: ctx.actionId };
}

/** A CRM error the CLI passed on. */
export function cliUpstreamError(
  status: number,
  body: unknown,
  headers: Record<string, unknown> | undefined,
  ctx: FailureContext,
): ToolError {
  return upstreamError(status, body, headers, errorContext(ctx));
}

/** A document of the wrong shape or an error printed with exit 0: Membrane's ErrorData when it is one. */
export function errorFromDocument(doc: unknown, ctx: FailureContext): ToolError | undefined {
  const err = toErrorData(doc);
  return err ? fromCliErrorData(err, ctx) : undefined;
}

function usageError(ctx: FailureContext, text: string): ToolError {
  return new ToolError('CLI_ERROR', `The CLI rejected the command line of "${ctx.command}" (usage error): ${excerpt(redact(text), 200)}`, {
    nextStep: `Check the installed CLI version (\`${ctx.cli} --version\`); this server speaks the @membranehq/cli 1.x contract.`,
    retryable: false,
  });
}

function messageOnly(message: string, ctx: FailureContext): ToolError {
  if (/not logged in|login required/i.test(message)) return loginError(ctx.hints, message);
  return new ToolError('CLI_ERROR', `${ctx.command} failed: ${redact(message)}`, { retryable: false });
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
    if (proxied.status >= 400) return cliUpstreamError(proxied.status, proxied.body, proxied.headers, ctx);
  }
  // A bare upstream body on stdout with the status on its own stderr line (one documented form): the CRM's error body
  // (1CRM's {error, message}) must not be mistaken for a Membrane ErrorData, which always has a `type`.
  const statusLine = ctx.command === 'request' ? /^HTTP\s+(\d{3})\b/m.exec(res.stderr)?.[1] : undefined;
  if (statusLine && !(fromStdout.found && toErrorData(fromStdout.value)?.type !== undefined)) {
    return cliUpstreamError(Number(statusLine), fromStdout.found ? fromStdout.value : res.stdout, undefined, ctx);
  }
  for (const source of [fromStdout, findJson(res.stderr)]) {
    if (!source.found) continue;
    const err = toErrorData(source.value);
    if (err) return fromCliErrorData(err, ctx);
    // A bare {message}: the CLI's own words, not a Membrane error (those have a type or a key).
    const message = (source.value as { message?: unknown } | null)?.message;
    if (typeof message === 'string') return messageOnly(message, ctx);
  }

  // Plain text only.
  const status = /\bHTTP\s+(\d{3})\b/.exec(res.stderr)?.[1];
  if (ctx.command === 'request' && status) return cliUpstreamError(Number(status), res.stdout, undefined, ctx);
  if (/not logged in|unauthori[sz]ed|\b401\b|login required/i.test(output)) return loginError(ctx.hints, excerpt(redact(output), 120));
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
