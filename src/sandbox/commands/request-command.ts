// `request <connectionId> <path>`: a proxied call to the emulated CRM's REST API. Prints
// `{status, headers, body}`; exit 1 (with the same document) when the status is ≥ 400.
import { ArgvProblem, type ParsedArgs } from '../args.js';
import { readTx, writeTx } from '../store.js';
import type { HttpRequest, HttpResponse } from '../emulator-types.js';
import { badRequest, invalidInput } from '../error-data.js';
import { isEmulatedKey, loadEmulator } from '../emulators.js';
import { requireUsableConnection } from '../connection-model.js';
import { takeRateSlot, tooManyRequestsResponse } from '../faults.js';
import { pretty, type CommandContext, type CommandOutput } from './command-context.js';

const METHODS: readonly HttpRequest['method'][] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** -X/--method, default GET even with a body: the contract says "Default GET" [SEEN S1], unlike curl. */
function parseMethod(raw: string | undefined): HttpRequest['method'] {
  const m = (raw ?? 'GET').toUpperCase();
  if (!(METHODS as readonly string[]).includes(m)) throw new ArgvProblem(`-X/--method must be one of ${METHODS.join(', ')}, got '${raw}'`);
  return m as HttpRequest['method'];
}

/** `-H "Name: value"` → lower-cased name; a repeated header keeps every value, comma-joined. */
export function parseHeaders(lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim().toLowerCase() : '';
    if (!name || /\s/.test(name)) throw new ArgvProblem(`-H/--header must look like "Name: value", got '${line}'`);
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return headers;
}

function splitPair(pair: string, flag: string, requireEquals: boolean): [string, string] {
  const eq = pair.indexOf('=');
  if (eq < 0) {
    if (requireEquals) throw new ArgvProblem(`${flag} must look like key=value, got '${pair}'`);
    return [pair, ''];
  }
  if (eq === 0) throw new ArgvProblem(`${flag} must look like key=value, got '${pair}'`);
  return [pair.slice(0, eq), pair.slice(eq + 1)];
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a stray % stays as typed
  }
}

/**
 * Path and query for the emulation: `{k}` placeholders filled from --pathParam (percent-encoded),
 * a query string in the path kept, the CRM's base URL accepted as a prefix. A path can never leave
 * the connector's base URL: absolute URLs elsewhere and `.`/`..` segments are refused.
 */
export function resolvePath(rawPath: string, pathParams: readonly string[], baseUrl: string): { path: string; query: URLSearchParams } {
  let path = rawPath.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    if (!path.startsWith(baseUrl)) throw badRequest(`The path must be relative to the connector's base URL (${baseUrl}), got '${rawPath}'`);
    path = path.slice(baseUrl.length);
  }
  if (!path.startsWith('/')) path = `/${path}`;
  const hash = path.indexOf('#');
  if (hash >= 0) path = path.slice(0, hash);
  const q = path.indexOf('?');
  const query = new URLSearchParams(q >= 0 ? path.slice(q + 1) : '');
  if (q >= 0) path = path.slice(0, q);

  for (const pair of pathParams) {
    const [key, value] = splitPair(pair, '--pathParam', true);
    const placeholder = `{${key}}`;
    if (!path.includes(placeholder)) throw new ArgvProblem(`--pathParam ${key}: the path has no ${placeholder} placeholder`);
    path = path.split(placeholder).join(encodeURIComponent(value));
  }

  const segments = path.split('/').map(decodeSegment);
  if (segments.some((s) => s === '.' || s === '..')) throw badRequest(`The path must not contain '.' or '..' segments, got '${rawPath}'`);
  // An encoded slash (%2F, or a pathParam value with '/') would add segments after the check above.
  if (segments.some((s) => s.includes('/'))) throw badRequest(`A path segment must not contain an encoded '/', got '${rawPath}'`);
  return { path: segments.join('/'), query };
}

/**
 * The body as the CRM sees it on the wire: parsed JSON when the text is JSON, the string otherwise
 * (HttpRequest's rule). `--json '{…}'` must be JSON. Without --rawData, a JSON `-d` also gets
 * `Content-Type: application/json` unless a type was given; --rawData leaves the headers alone.
 */
function requestBody(args: ParsedArgs, headers: Record<string, string>): unknown {
  const data = args.string('data');
  if (args.jsonBody !== undefined && data !== undefined) throw new ArgvProblem('Give the body once: -d/--data or --json, not both');
  if (args.jsonBody !== undefined) {
    let body: unknown;
    try {
      body = JSON.parse(args.jsonBody);
    } catch (err) {
      throw invalidInput(`Invalid JSON in --json body: ${(err as Error).message}`);
    }
    headers['content-type'] ??= 'application/json';
    return body;
  }
  if (data === undefined) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(data);
  } catch {
    return data;
  }
  // Membrane's proxy sends structured data as JSON, so say so unless the caller chose a type.
  if (!args.flag('rawData')) headers['content-type'] ??= 'application/json';
  return body;
}

function bodyText(body: unknown): string {
  if (body === null || body === undefined) return '';
  return typeof body === 'string' ? body : pretty(body);
}

export async function request(ctx: CommandContext, args: ParsedArgs): Promise<CommandOutput> {
  const [connectionId, rawPath] = args.rest(1);
  const headers = parseHeaders(args.strings('header'));
  const body = requestBody(args, headers);
  const method = parseMethod(args.string('method'));
  if (body !== undefined && (method === 'GET' || method === 'HEAD')) {
    process.stderr.write(`membrane-sandbox: a body was given with ${method}; pass -X POST (or PUT/PATCH) to send it\n`);
  }
  const connection = requireUsableConnection(ctx.db, connectionId, ctx.faults.expiredConnection);
  // requireUsableConnection only passes READY connections, and only emulated ones can be READY.
  if (!isEmulatedKey(connection.connector_key)) throw badRequest(`Connector '${connection.connector_key}' is not emulated`);
  const emulator = await loadEmulator(connection.connector_key);
  const { path, query } = resolvePath(rawPath, args.strings('pathParam'), emulator.baseUrl);
  for (const pair of args.strings('query')) {
    const [k, v] = splitPair(pair, '--query', false);
    query.append(k, v);
  }
  const req: HttpRequest = { method, path, query, headers, body };

  const limited = ctx.faults.rateLimit && connection.connector_key === 'amocrm';
  const handle = () => emulator.handle({ store: ctx.store, connectionId: connection.id, now: () => ctx.now() }, req);
  let response: HttpResponse;
  if (limited && !writeTx(ctx.db, () => takeRateSlot(ctx.db, connection.connector_key, ctx.now()))) {
    response = tooManyRequestsResponse();
  } else if (method === 'GET' || method === 'HEAD') {
    // A read sees one consistent WAL snapshot without taking the write lock other processes queue on.
    response = readTx(ctx.db, handle);
  } else {
    response = writeTx(ctx.db, handle);
  }
  const doc = {
    status: response.status,
    headers: response.headers,
    body: method === 'HEAD' || response.body === undefined ? null : response.body,
  };
  const failed = response.status >= 400;
  return { json: doc, text: bodyText(doc.body), ...(failed ? { exitCode: 1 as const, note: `HTTP ${response.status}` } : {}) };
}
