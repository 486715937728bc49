// Who is calling the sandbox API: `Authorization: Bearer <token>`, where the token is a JWT signed
// with the workspace secret (HS256 or HS512; tenant claims `{id, iss}` or `{workspaceKey, tenantKey}`,
// or a manager token `{workspaceKey, isAdmin: true}`), or the server's own `pat-` token. Anything
// else is 401 with Membrane's `not_authenticated` body. Messages never repeat the token.
// With `anyTenant`, a tenant token (signed with the workspace secret) may name any tenant key, not only
// the sandbox's own: the caller is then that tenant, whose data the server keeps in a store of its own.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { badRequest, type SandboxError } from '../error-data.js';
import type { Caller } from '../engine/engine-context.js';

export interface SandboxApiCredentials {
  workspaceKey: string;
  workspaceSecret: string;
  /** The sandbox's one tenant: tenant tokens must name it. */
  tenantKey: string;
  /** A personal access token (`pat-…`) this server accepts as the tenant. */
  accessToken: string;
}

/** Fills what is not given with fresh random values (a new secret and token on every start). */
export function completeCredentials(given: Partial<SandboxApiCredentials> = {}): SandboxApiCredentials {
  const hex = (n: number) => randomBytes(n).toString('hex');
  const accessToken = given.accessToken ?? `pat-${randomBytes(24).toString('base64url')}`;
  if (!accessToken.startsWith('pat-')) throw new Error("The access token must start with 'pat-'");
  return {
    workspaceKey: given.workspaceKey ?? `sandbox-workspace-${hex(4)}`,
    workspaceSecret: given.workspaceSecret ?? hex(32),
    tenantKey: given.tenantKey ?? `sandbox-tenant-${hex(4)}`,
    accessToken,
  };
}

/** How a request authenticated, for the request log (never the token itself). */
export type TokenKind = 'jwt-hs256' | 'jwt-hs512' | 'pat';

export interface Authenticated {
  caller: Caller;
  kind: TokenKind;
  /** Set when the token names a tenant other than the sandbox's own (only with `anyTenant`). */
  otherTenant?: string;
}

/** Tenant keys a store file may be named after: nothing that could leave the directory or hide. */
export const TENANT_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

function unauthenticated(message: string): SandboxError {
  return badRequest(message, 'not_authenticated');
}

const HASH_OF_ALG: Record<string, 'sha256' | 'sha512' | undefined> = { HS256: 'sha256', HS512: 'sha512' };

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function verifyJwt(token: string, creds: SandboxApiCredentials, nowMs: number, anyTenant: boolean): Authenticated {
  const parts = token.split('.');
  const header = parts.length === 3 ? decodeSegment(parts[0]) : undefined;
  const claims = parts.length === 3 ? decodeSegment(parts[1]) : undefined;
  if (!header || !claims) throw unauthenticated('Invalid access token: not a JWT');
  const hash = typeof header.alg === 'string' ? HASH_OF_ALG[header.alg] : undefined;
  if (!hash) throw unauthenticated(`Invalid access token: algorithm '${String(header.alg)}' is not accepted (HS256 or HS512)`);
  const expected = createHmac(hash, creds.workspaceSecret).update(`${parts[0]}.${parts[1]}`).digest();
  if (!sameBytes(Buffer.from(parts[2], 'base64url'), expected)) {
    throw unauthenticated('Invalid access token: the signature does not match the workspace secret');
  }
  const nowS = nowMs / 1000;
  if (claims.exp !== undefined && (typeof claims.exp !== 'number' || claims.exp <= nowS)) throw unauthenticated('Access token expired');
  if (typeof claims.nbf === 'number' && claims.nbf > nowS) throw unauthenticated('Access token is not valid yet (nbf)');

  const workspace = claims.workspaceKey ?? claims.iss;
  if (workspace !== creds.workspaceKey) throw unauthenticated('Invalid access token: it names another workspace');
  const tenant = claims.tenantKey ?? claims.id;
  const kind: TokenKind = hash === 'sha256' ? 'jwt-hs256' : 'jwt-hs512';
  if (tenant === undefined) {
    if (claims.isAdmin === true) return { caller: 'workspace', kind };
    throw unauthenticated('Invalid access token: it names no tenant (claim tenantKey or id) and is not a manager token (isAdmin)');
  }
  if (tenant === creds.tenantKey) return { caller: 'tenant', kind };
  if (anyTenant && typeof tenant === 'string' && TENANT_KEY_PATTERN.test(tenant)) return { caller: 'tenant', kind, otherTenant: tenant };
  throw unauthenticated(
    anyTenant
      ? 'Invalid access token: its tenant key must be 1-64 letters, digits, _ or - (starting with a letter or digit)'
      : 'Invalid access token: it names a tenant this sandbox does not have',
  );
}

/** The caller behind an Authorization header value, or a not_authenticated SandboxError. */
export function authenticate(
  authorization: string | undefined,
  creds: SandboxApiCredentials,
  nowMs: number,
  anyTenant = false,
): Authenticated {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!m) throw unauthenticated('Not authenticated: send Authorization: Bearer <access token>');
  const token = m[1];
  if (token.startsWith('pat-')) {
    if (!sameBytes(Buffer.from(token), Buffer.from(creds.accessToken))) throw unauthenticated('Invalid access token');
    return { caller: 'tenant', kind: 'pat' };
  }
  return verifyJwt(token, creds, nowMs, anyTenant);
}
