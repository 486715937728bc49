// How actions talk to the emulated API: every action builds a real HttpRequest and goes through
// `handleRequest`, so actions and `membrane request` share data, validation and errors.
import type { EmulatorContext, HttpRequest, HttpResponse } from '../../emulator-types.js';
import { InvalidInput, UpstreamFailure } from '../../emulator-types.js';
import { API_PREFIX } from '../constants.js';
import { handleRequest } from '../api.js';

export type QueryValue = string | number | boolean | undefined;
export type QueryPairs = [string, QueryValue][];

export interface CallOptions {
  query?: QueryPairs;
  body?: unknown;
}

export function call(ctx: EmulatorContext, method: HttpRequest['method'], path: string, opts: CallOptions = {}): HttpResponse {
  const query = new URLSearchParams();
  for (const [key, value] of opts.query ?? []) if (value !== undefined) query.append(key, String(value));
  const headers: Record<string, string> = { accept: 'application/hal+json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  return handleRequest(ctx, { method, path: `${API_PREFIX}${path}`, query, headers, body: opts.body });
}

/** The response body of a successful call; an error status becomes UpstreamFailure (the core turns it into ErrorData). */
export function expectOk(response: HttpResponse): unknown {
  if (response.status >= 400) throw new UpstreamFailure(response, upstreamMessage(response));
  return response.body;
}

function upstreamMessage(response: HttpResponse): string {
  const body = response.body;
  if (typeof body === 'object' && body !== null) {
    const detail = (body as Record<string, unknown>).detail;
    const errors = (body as Record<string, unknown>)['validation-errors'];
    if (Array.isArray(errors)) {
      const first = errors.flatMap((e) => (isRecord(e) && Array.isArray(e.errors) ? e.errors : [])).find(isRecord);
      if (first) return `AmoCRM API answered HTTP ${response.status}: ${String(first.path)}: ${String(first.detail)}`;
    }
    if (typeof detail === 'string') return `AmoCRM API answered HTTP ${response.status}: ${detail}`;
  }
  return `AmoCRM API answered HTTP ${response.status}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Records without HAL `_links` (action outputs carry data, not hypermedia). */
export function stripLinks(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripLinks);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (key !== '_links') out[key] = stripLinks(v);
  return out;
}

/** `_embedded.<key>` of a HAL document, or [] (204 answers null). */
export function embeddedList(body: unknown, key: string): Record<string, unknown>[] {
  if (!isRecord(body) || !isRecord(body._embedded)) return [];
  const list = body._embedded[key];
  return Array.isArray(list) ? list.filter(isRecord) : [];
}

export function hasNextPage(body: unknown): boolean {
  return isRecord(body) && isRecord(body._links) && body._links.next !== undefined;
}

/** The id of the first item a POST/PATCH answered with. */
export function firstId(body: unknown, key: string): number {
  const [first] = embeddedList(body, key);
  if (!first || typeof first.id !== 'number') throw new Error(`AmoCRM sandbox: no id in the ${key} response`);
  return first.id;
}

// ---------- cursors ----------

interface CursorState {
  page: number;
  limit: number;
}

/** Opaque cursor: base64url of the next page and the page size it belongs to. */
export function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify({ p: state.page, l: state.limit }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorState {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (isRecord(parsed) && Number.isInteger(parsed.p) && Number.isInteger(parsed.l) && (parsed.p as number) >= 1) {
      return { page: parsed.p as number, limit: parsed.l as number };
    }
  } catch {
    // fall through to the InvalidInput below
  }
  throw new InvalidInput('cursor is not a cursor returned by this action; omit it to start from the first page', 'cursor');
}
