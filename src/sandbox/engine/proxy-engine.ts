// The connection proxy: a REST call to the emulated CRM behind a READY connection, answered with the
// CRM's own status, headers and body. The path can never leave the connector's base URL.
import { readTx, writeTx } from '../store.js';
import type { HttpRequest, HttpResponse } from '../emulator-types.js';
import { badRequest } from '../error-data.js';
import { isEmulatedKey, loadEmulator } from '../emulators.js';
import { requireUsableConnection } from '../connection-model.js';
import { meetsRateLimit, tooManyRequestsResponse } from '../faults.js';
import { refuseNamedElement } from './connection-engine.js';
import type { EngineContext } from './engine-context.js';

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a stray % stays as typed
  }
}

/**
 * Path and query for the emulation: a query string in the path kept, the CRM's base URL accepted as
 * a prefix, `fill` applied to the path part (the CLI's `{k}` placeholders). Absolute URLs elsewhere,
 * `.`/`..` segments and encoded slashes are refused.
 */
export function resolvePath(rawPath: string, baseUrl: string, fill?: (path: string) => string): { path: string; query: URLSearchParams } {
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
  if (fill) path = fill(path);

  const segments = path.split('/').map(decodeSegment);
  if (segments.some((s) => s === '.' || s === '..')) throw badRequest(`The path must not contain '.' or '..' segments, got '${rawPath}'`);
  // An encoded slash (%2F, or a filled-in value with '/') would add segments after the check above.
  if (segments.some((s) => s.includes('/'))) throw badRequest(`A path segment must not contain an encoded '/', got '${rawPath}'`);
  return { path: segments.join('/'), query };
}

export interface ProxyRequest {
  connectionId: string;
  method: HttpRequest['method'];
  /** Relative to the connector's base URL (or that URL itself as a prefix), query string allowed. */
  rawPath: string;
  /** Applied to the path part before it is checked (the CLI fills `{k}` placeholders). */
  fillPath?: (path: string) => string;
  /** Query pairs added after the path's own. */
  extraQuery?: readonly [string, string][];
  /** Names lower-cased. */
  headers: Record<string, string>;
  /** Parsed JSON, a string, or undefined for none. */
  body: unknown;
}

export async function proxyRequest(ctx: EngineContext, req: ProxyRequest): Promise<HttpResponse> {
  refuseNamedElement(ctx, `Connection with id '${req.connectionId}'`);
  const connection = requireUsableConnection(ctx.db, req.connectionId, ctx.faults.expiredConnection);
  // requireUsableConnection only passes READY connections, and only emulated ones can be READY.
  if (!isEmulatedKey(connection.connector_key)) throw badRequest(`Connector '${connection.connector_key}' is not emulated`);
  const emulator = await loadEmulator(connection.connector_key);
  const { path, query } = resolvePath(req.rawPath, emulator.baseUrl, req.fillPath);
  for (const [k, v] of req.extraQuery ?? []) query.append(k, v);
  const request: HttpRequest = { method: req.method, path, query, headers: req.headers, body: req.body };

  const handle = () => emulator.handle({ store: ctx.store, connectionId: connection.id, now: () => ctx.now() }, request);
  if (meetsRateLimit(ctx.db, ctx.faults, connection.connector_key, ctx.now())) return tooManyRequestsResponse();
  // A read sees one consistent WAL snapshot without taking the write lock other processes queue on.
  if (req.method === 'GET' || req.method === 'HEAD') return readTx(ctx.db, handle);
  return writeTx(ctx.db, handle);
}
