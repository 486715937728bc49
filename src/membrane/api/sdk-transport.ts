// One HTTP exchange with Membrane's REST API through the official SDK (@membranehq/sdk): it adds the bearer token
// (minting and renewing a tenant token from a workspace key and secret), the API version header, and keeps the
// connection alive. The SDK is large (about 0.3-0.7 s and 50 MB to load), so it is imported on first use only:
// the CLI and sandbox modes never load it.
//
// Every request asks axios for the whole response (status, headers, body) whatever the status: the SDK's typed
// errors keep only the body, which would lose a 429's Retry-After and a proxied response's status and headers.
// Failures that are not HTTP answers (network, abort, token) are thrown as they come; api-failures.ts maps them.
import type * as Sdk from '@membranehq/sdk';
import type { ApiCredentials } from './api-credentials.js';

type SdkModule = typeof Sdk;
type SdkClient = Sdk.MembraneClient;
type RequestConfig = NonNullable<Parameters<SdkClient['get']>[2]>;

export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiRequest {
  method: ApiMethod;
  /** Path and query, relative to the API address (ids already validated and encoded). */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal: AbortSignal;
  /** Response size cap: beyond it the request fails (axios `maxContentLength`). */
  maxBytes: number;
}

export interface ApiResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Parsed JSON, else the text; undefined when empty. */
  body: unknown;
}

/** Sends one request; throws only when there is no HTTP answer. */
export type ApiTransport = (req: ApiRequest) => Promise<ApiResponse>;

let sdkModule: Promise<SdkModule> | undefined;

/** The SDK, imported once on first use (and pre-warmed by index.ts once the MCP client is connected). */
export function loadSdk(): Promise<SdkModule> {
  sdkModule ??= import('@membranehq/sdk');
  return sdkModule;
}

function flatHeaders(headers: unknown): Record<string, string> {
  const source = (headers as { toJSON?: () => unknown } | undefined)?.toJSON?.() ?? headers ?? {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(source as Record<string, unknown>)) {
    if (v === undefined || v === null) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.map(String).join(', ') : String(v);
  }
  return out;
}

/** JSON when it parses (whatever the Content-Type claims), else the text as it came. */
function parseBody(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  if (!data.trim()) return undefined;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}

/** An ApiTransport over the SDK's client for these credentials; the client is built on the first request. */
export function sdkTransport(credentials: ApiCredentials, apiUri: string | undefined): ApiTransport {
  let client: Promise<SdkClient> | undefined;
  const connect = async (): Promise<SdkClient> => {
    const { MembraneClient } = await loadSdk();
    const where = apiUri ? { apiUri } : {};
    return credentials.kind === 'token'
      ? new MembraneClient({ token: credentials.token, ...where })
      : new MembraneClient({
          workspaceKey: credentials.workspaceKey,
          workspaceSecret: credentials.workspaceSecret,
          tenantKey: credentials.tenantKey,
          ...where,
        });
  };

  return async (req) => {
    client ??= connect().catch((e: unknown) => {
      client = undefined; // a failed import or construction is retried by the next call
      throw e;
    });
    const sdk = await client;
    const config: RequestConfig = {
      headers: req.headers,
      signal: req.signal,
      validateStatus: () => true,
      // A redirect is an answer to pass on (a proxied 302), never one to follow with the token attached.
      maxRedirects: 0,
      maxContentLength: req.maxBytes,
      responseType: 'text',
      transformResponse: [
        (data: unknown, headers: unknown, status?: number) => ({ status, headers: flatHeaders(headers), body: parseBody(data) }),
      ],
    };
    try {
      switch (req.method) {
        case 'GET':
          return await sdk.get<ApiResponse>(req.path, undefined, config);
        case 'POST':
          return await sdk.post<ApiResponse>(req.path, req.body, config);
        case 'PUT':
          return await sdk.put<ApiResponse>(req.path, req.body, config);
        case 'PATCH':
          return await sdk.patch<ApiResponse>(req.path, req.body, config);
        case 'DELETE':
          return await sdk.delete<ApiResponse>(req.path, req.body, config);
      }
    } finally {
      // The SDK keeps a record of every request until someone reads it: drop them, or a long-running server grows.
      sdk.retrieveLogs();
    }
  };
}
