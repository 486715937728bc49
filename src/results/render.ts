// Every tool result goes through here: structuredContent plus one text block with the same JSON on
// success; on failure isError, the `CODE: what happened. Next: what to do` text, and {backend, connector, error}.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ToolError } from '../errors.js';
import type { Backend } from '../membrane/types.js';

export function success(structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
}

/** Details that fit in the text block: many clients show the model only the text. */
const MAX_DETAILS_IN_TEXT = 4000;

export function failure(error: ToolError, backend: Backend, connector: string): CallToolResult {
  const structured = { backend, connector, error: error.toJSON() };
  let text = error.toText();
  if (error.details) {
    const details = JSON.stringify(error.details);
    text += ` Details: ${details.length > MAX_DETAILS_IN_TEXT ? `${details.slice(0, MAX_DETAILS_IN_TEXT)}… (full details in structuredContent)` : details}`;
  }
  return { isError: true, content: [{ type: 'text', text }], structuredContent: structured };
}

/** Anything thrown that is not a ToolError is a bug on our side: say so without a stack trace. */
export function toToolError(e: unknown): ToolError {
  if (e instanceof ToolError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new ToolError('INTERNAL_ERROR', `Unexpected server error: ${message.split('\n')[0].slice(0, 300)}`, {
    nextStep: 'Retry once; if it happens again, report it with the server log (stderr).',
    retryable: false,
  });
}
