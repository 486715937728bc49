// Response helpers: every 1CRM answer is JSON; errors carry `{message, error, hint?}`
// (C-php src/Error.php reads exactly these keys).
import type { HttpResponse } from '../emulator-types.js';

export const JSON_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'application/json' };

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body };
}

/** An API error before it becomes a response; `fields` lists per-field problems of a rejected write. */
export interface ApiError {
  status: number;
  message: string;
  error: string;
  hint?: string;
  fields?: Record<string, string>;
  headers?: Record<string, string>;
}

export function errorResponse(e: ApiError): HttpResponse {
  const body: Record<string, unknown> = { message: e.message, error: e.error };
  if (e.hint) body.hint = e.hint;
  if (e.fields) body.fields = e.fields;
  return json(e.status, body, e.headers);
}

export const notFound = (message = 'Not found', hint?: string): ApiError => ({ status: 404, message, error: 'not_found', hint });

export const badRequest = (error: string, message: string, hint?: string): ApiError => ({ status: 400, message, error, hint });
