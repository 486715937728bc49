// Small pieces every tool handler uses: paging an earlier result, and the error for a missing argument.
import { ToolError } from '../errors.js';
import { pageResult } from '../results/paging.js';
import type { CallContext, ServerContext } from './tool-context.js';

/** The next part of an earlier truncated result, served from the result store (no CLI call). */
export function nextPart(
  args: { resultId?: string; offset?: number },
  ctx: ServerContext,
  call: CallContext,
): Promise<Record<string, unknown>> {
  const fixed = { backend: ctx.client.backend, connector: call.connector.key };
  return pageResult(call.tool, fixed, args.resultId!, args.offset ?? 0, ctx.settings.maxResultChars, ctx.results);
}

/** INVALID_INPUT for an argument that is optional in the schema (resultId calls omit it) but needed here. */
export function missingArgument(field: string, nextStep?: string): ToolError {
  return new ToolError('INVALID_INPUT', `${field} is required`, {
    nextStep,
    retryable: false,
    details: { fields: [{ field, problem: 'is required' }] },
  });
}
