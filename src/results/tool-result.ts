// Every tool result goes through here: structuredContent plus one text block with the same JSON on
// success; on failure isError, the `CODE: what happened. Next: what to do` text, and {backend, connector, error}.
import type { CallToolResult, ResourceLink } from '@modelcontextprotocol/server';
import { ToolError } from '../errors.js';
import type { Backend } from '../membrane/membrane-client.js';
import { resultUri } from './result-store.js';

/**
 * A truncated result's link to its stored remainder, as a resource (clients that show resources can open
 * it; the agent can read it or page with resultId). The structured result stays as it is: some clients
 * give the model only structuredContent.
 */
function remainderLink(structured: Record<string, unknown>): ResourceLink | undefined {
  const t = structured.truncated as { resultId?: unknown; nextOffset?: unknown; omitted?: unknown; unit?: unknown } | undefined;
  if (!t || typeof t.resultId !== 'string') return undefined;
  const offset = typeof t.nextOffset === 'number' ? t.nextOffset : 0;
  const rest =
    typeof t.omitted === 'number' && t.omitted > 0 ? `${t.omitted} more ${t.unit === 'items' ? 'items' : 'characters'}` : 'the rest';
  return {
    type: 'resource_link',
    uri: resultUri(t.resultId, offset),
    name: `result ${t.resultId} from ${offset}`,
    title: 'Rest of this result',
    description: `The part of this result that did not fit (${rest}), kept 10 minutes; read it page by page.`,
    mimeType: 'application/json',
  };
}

export function success(structured: Record<string, unknown>): CallToolResult {
  const link = remainderLink(structured);
  return {
    content: [{ type: 'text', text: JSON.stringify(structured) }, ...(link ? [link] : [])],
    structuredContent: structured,
  };
}

/** Details that fit in the text block: many clients show the model only the text. */
const MAX_DETAILS_IN_TEXT = 4000;

/**
 * Details that fit the output budget: first the full input schema goes (the compact `inputs` summary
 * stays), then what is left is cut to the fields list.
 */
function budgetedDetails(details: Record<string, unknown>, room: number): Record<string, unknown> {
  if (JSON.stringify(details).length <= room) return details;
  const { inputSchema, ...rest } = details;
  const lighter = inputSchema
    ? { ...rest, note: 'The full input schema was left out to fit the output budget; search_actions with includeSchemas returns it.' }
    : rest;
  if (JSON.stringify(lighter).length <= room) return lighter;
  const fields = Array.isArray(details.fields) ? details.fields : undefined;
  for (let n = fields?.length ?? 0; n > 0; n = Math.floor(n / 2)) {
    const cut = { fields: fields!.slice(0, n), note: `Details cut to fit the output budget (${fields!.length} field problems in all).` };
    if (JSON.stringify(cut).length <= room) return cut;
  }
  return { note: 'Details left out to fit the output budget.' };
}

/** `text` cut to `max` characters, saying how many were cut (for names and messages echoed back to the agent). */
export function shortened(text: string, max: number): string {
  if (text.length <= max) return text;
  const keep = Math.max(1, max - 40);
  return `${text.slice(0, keep)}… (${text.length - keep} more characters cut)`;
}

/** Room for the message and next step of an error within the budget; the rest goes to details. */
const MESSAGE_SHARE = 0.25;

export function failure(error: ToolError, backend: Backend, connector: string, maxChars = Number.POSITIVE_INFINITY): CallToolResult {
  // The message and next step appear twice (text and structuredContent): each gets a share of the budget,
  // so even an error that echoes something huge stays within it.
  const cap = Math.max(200, Math.floor(maxChars * MESSAGE_SHARE));
  if (error.message.length > cap || (error.nextStep?.length ?? 0) > cap) {
    error = new ToolError(error.code, shortened(error.message, cap), {
      nextStep: error.nextStep === undefined ? undefined : shortened(error.nextStep, cap),
      retryable: error.retryable,
      uiUrl: error.uiUrl,
      details: error.details,
      retryAfterSeconds: error.retryAfterSeconds,
    });
  }
  const json = error.toJSON();
  const { details: _details, ...withoutDetails } = json;
  const room = maxChars - JSON.stringify({ backend, connector, error: withoutDetails }).length - 20;
  const details = error.details ? budgetedDetails(error.details, room) : undefined;
  const structured = { backend, connector, error: details ? { ...withoutDetails, details } : withoutDetails };
  let text = error.toText();
  if (details) {
    const shown = JSON.stringify(details);
    const cap = Math.min(MAX_DETAILS_IN_TEXT, Math.max(0, maxChars - text.length - 60));
    text += ` Details: ${shown.length > cap ? `${shown.slice(0, cap)}… (more in structuredContent)` : shown}`;
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
