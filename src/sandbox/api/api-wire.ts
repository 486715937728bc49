// The wire rules of the Membrane REST API that the official SDK relies on: JSON in and out, query
// values as strings (booleans as "true"/"false"), unknown query keys ignored, `cursor=0` as the
// first page, and every Membrane-side error as an ErrorData body whose status follows its key.
import type { IncomingMessage } from 'node:http';
import { badRequest, SandboxError, type ErrorData } from '../error-data.js';

/** The status Membrane answers an ErrorData with: by key, 500 for internal errors, else 400. */
export function httpStatusOf(err: SandboxError): number {
  if (err.httpStatus !== undefined) return err.httpStatus;
  const data: ErrorData = err.errorData;
  switch (data.key) {
    case 'not_authenticated':
      return 401;
    case 'access_denied':
      return 403;
    case 'not_found':
      return 404;
    case 'rate_limit_exceeded':
      return 429;
    default:
      return data.type === 'internal' ? 500 : 400;
  }
}

/** Request bodies above this are refused (413): the emulations never need more. */
export const MAX_BODY_BYTES = 1 << 20;

/** The whole request body as text ('' when there is none). */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new SandboxError(
        { type: 'bad_request', message: `Request body too large (more than ${MAX_BODY_BYTES} bytes)` },
        { httpStatus: 413 },
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A JSON request body: undefined when empty, a bad_request when it is not JSON. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`Request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** A JSON object body (or none, as `{}`); anything else is a bad_request. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('Request body must be a JSON object');
  return body as Record<string, unknown>;
}

/** A string field of a request body, if present; a bad_request when it has another type. */
export function stringField(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badRequest(`'${name}' must be a string`);
  return v;
}

/** Query values of one request, read the way the Membrane API reads them. */
export class QueryReader {
  constructor(private readonly params: URLSearchParams) {}

  /** A string, or undefined when absent or empty (the SDK drops empty values anyway). */
  string(name: string): string | undefined {
    const v = this.params.get(name);
    return v === null || v === '' ? undefined : v;
  }

  /** Membrane's boolean coercion: "true"/"1" and "false"/"0", any other non-empty text is true. */
  boolean(name: string): boolean | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    const lower = v.toLowerCase();
    if (lower === 'false' || lower === '0') return false;
    return true;
  }

  /** A whole number in [min, max]. */
  integer(name: string, min: number, max: number): number | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw badRequest(`'${name}' must be a whole number from ${min} to ${max}, got '${v}'`);
    return n;
  }

  /** A number of seconds in [min, max]. */
  seconds(name: string, min: number, max: number): number | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max)
      throw badRequest(`'${name}' must be a number of seconds from ${min} to ${max}, got '${v}'`);
    return n;
  }

  /** A list cursor: `0` (what the SDK's findAll starts with) means the first page. */
  cursor(): string | undefined {
    const v = this.string('cursor');
    return v === '0' ? undefined : v;
  }
}

// Headers that belong to one HTTP hop, or carry the caller's credentials to Membrane: never passed
// to the CRM, and never passed back from it.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'host',
  'expect',
]);
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'set-cookie', 'www-authenticate', 'membrane-api-version']);

function dropped(name: string): boolean {
  return HOP_BY_HOP.has(name) || CREDENTIAL_HEADERS.has(name) || name.startsWith('x-forwarded-') || name.startsWith('cf-');
}

/** The caller's headers as the CRM gets them through the proxy: names lower-cased, repeated values comma-joined. */
export function upstreamRequestHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || dropped(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The CRM's response headers as the proxy passes them back. */
export function downstreamResponseHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (!dropped(name.toLowerCase())) out[name] = value;
  return out;
}
