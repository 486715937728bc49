// Small pieces every tool handler uses: the fields every result starts with, the output budget, paging an
// earlier result, and the error for a missing argument.
import { ToolError } from '../errors.js';
import type { AS_TEXT, JsonPath } from '../results/budget.js';
import { budgetResult, pageResult } from '../results/paging.js';
import type { CallContext, ServerContext } from './tool-context.js';

/** What every result starts with: which backend answered, for which connector, and on which connection. */
export function resultHead(
  ctx: ServerContext,
  call: CallContext,
  connectionId?: string,
): { backend: ServerContext['client']['backend']; connector: string; connectionId?: string } {
  return { backend: ctx.client.backend, connector: call.connector.key, ...(connectionId ? { connectionId } : {}) };
}

/**
 * The result within --max-result-chars: `head` (ids, status) kept whole, the payload cut where `preferred` says
 * (else its largest array, else as JSON text), the rest kept for paging by resultId.
 */
export function budgeted(
  ctx: ServerContext,
  call: CallContext,
  head: Record<string, unknown>,
  payload: Record<string, unknown>,
  preferred?: JsonPath | typeof AS_TEXT,
): Promise<Record<string, unknown>> {
  return budgetResult(call.tool, head, payload, ctx.settings.maxResultChars, ctx.results, preferred);
}

/** The next part of an earlier truncated result, served from the result store (no backend call). */
export function nextPart(
  args: { resultId: string; offset?: number },
  ctx: ServerContext,
  call: CallContext,
): Promise<Record<string, unknown>> {
  return pageResult(call.tool, resultHead(ctx, call), args.resultId, args.offset ?? 0, ctx.settings.maxResultChars, ctx.results);
}

/** INVALID_INPUT for an argument that is optional in the schema (resultId calls omit it) but needed here. */
export function missingArgument(field: string, nextStep?: string): ToolError {
  return new ToolError('INVALID_INPUT', `${field} is required`, {
    nextStep,
    retryable: false,
    details: { fields: [{ field, problem: 'is required' }] },
  });
}
