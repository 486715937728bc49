// `--http-auth membrane`: every HTTP request carries its caller's own Membrane access token, and gets the
// context of that caller (tenant): a Membrane client with that token, its own connection and action caches,
// and a state scope of its own, so nothing one tenant stores (result pages, confirmation tokens, the repeat
// guard) can be read or used by another.
//
// The tenant key is a hash of the token: `t_` + 32 hex digits of SHA-256. It needs no claim to be trusted
// (a JWT's claims cannot be checked without the workspace secret, which this server does not hold) and is
// the same on every replica. Its consequence: a new token is a new tenant here, so when a caller's token is
// rotated, the result pages, confirmation tokens and repeat records made with the old one are not found with
// the new one (NOT_FOUND, a fresh CONFIRMATION_REQUIRED; the repeat window is 60 s).
//
// Admission, before the request body is read: the token must look like a Membrane token (a JWT or `pat-`)
// and not be a JWT past its `exp`; then Membrane must accept it (one cheap call, re-checked at most once a
// minute per token; a refusal is remembered 30 s; at most 8 checks at once, so unknown tokens cannot make
// this server flood Membrane; at most 2 of them for one client address, and an address whose token Membrane
// just refused waits a second before its next new token is checked, so one client flooding bogus tokens
// cannot take the check slots of everyone else). A refused token is 401 with WWW-Authenticate; a token that
// expires between checks gets LOGIN_REQUIRED in the tool result. Tokens live only in memory, in the client
// of their tenant, and that tenant is dropped after 10 idle minutes. No token reaches a log, a result or an
// error (the redaction hides JWTs and `pat-` tokens wherever they appear).
import { createHash } from 'node:crypto';
import type { AuthInfo } from '@modelcontextprotocol/server';
import { ToolError } from '../errors.js';
import type { Logger } from '../log.js';
import { looksLikeToken } from '../membrane/identifiers.js';
import type { MembraneClient } from '../membrane/membrane-client.js';
import type { ServerContext } from '../tools/tool-context.js';

/** One caller's context: built on first use, kept while used. */
export interface Tenant {
  key: string;
  client: MembraneClient;
  ctx: ServerContext;
}

export interface CallerTenantsOptions {
  /** Builds the tenant of `token` (its client, caches and context in scope `key`). */
  create(token: string, key: string): Tenant;
  log: Logger;
  /** How long an accepted token is trusted before Membrane is asked again (default 60 s). */
  verifiedMs?: number;
  /** How long a refused token is refused without asking (default 30 s). */
  refusedMs?: number;
  /** A tenant with no request for this long is dropped, its client closed (default 10 minutes). */
  idleMs?: number;
  /** Tenants kept at most; beyond, the least recently used idle ones go (default 500). */
  maxTenants?: number;
  /** Longest wait for Membrane's answer about a token (default 10 s). */
  checkTimeoutMs?: number;
  /** Tokens checked with Membrane at once at most; beyond, a new token is answered 503 (default 8). */
  maxChecks?: number;
  /** Of those, at most this many for one client address; beyond, 503 for that address only (default 2). */
  maxChecksPerAddress?: number;
  /** After Membrane refused a token from an address, its next new token waits this long (429; default 1 s). */
  refusalPenaltyMs?: number;
  now?: () => number;
}

export type Admission =
  { ok: true; authInfo: AuthInfo; release: () => void } | { ok: false; status: 401 | 429 | 503; message: string; invalidToken: boolean };

interface Entry {
  tenant: Tenant;
  /** Requests being served now: a tenant in use is never dropped. */
  active: number;
  lastUsed: number;
  verifiedUntil: number;
  checking?: Promise<Admission | undefined>;
}

/** The tenant key of a token (see the header: a hash, so the same on every replica, and no claim trusted). */
export function tenantKeyOf(token: string): string {
  return `t_${createHash('sha256').update(`membrane-crm-mcp tenant\0${token}`).digest('hex').slice(0, 32)}`;
}

/** The `exp` of a JWT in ms, undefined when it has none or is not a JWT (only used to refuse early, never to accept). */
function jwtExpiryMs(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

const refused = (message: string): Admission => ({ ok: false, status: 401, message, invalidToken: true });
const busy = (fromHere: boolean): Admission => ({
  ok: false,
  status: 503,
  message: `Too many new access tokens${fromHere ? ' from this address' : ''} are being checked with Membrane right now; retry shortly.`,
  invalidToken: false,
});
const penalised = (): Admission => ({
  ok: false,
  status: 429,
  message: 'Membrane just refused an access token from this address; retry in a second with a valid token.',
  invalidToken: false,
});

export class CallerTenants {
  private readonly entries = new Map<string, Entry>();
  /** Tenant keys Membrane refused, until when. */
  private readonly refusals = new Map<string, number>();
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout;
  /** Checks with Membrane in flight: new tokens cannot make this server send Membrane unbounded work. */
  private checks = 0;
  /** Checks in flight per client address, and addresses whose token was just refused (until when). */
  private readonly checksFrom = new Map<string, number>();
  private readonly penalties = new Map<string, number>();

  constructor(private readonly opts: CallerTenantsOptions) {
    this.now = opts.now ?? Date.now;
    this.timer = setInterval(() => this.sweep(), 60_000);
    this.timer.unref();
  }

  /**
   * The tenant behind an Authorization header value, checked; `release` when the request is answered.
   * `address` is the client's (its socket's) address: the per-address limits on new tokens count by it.
   */
  async admit(authorization: string | undefined, address = 'unknown'): Promise<Admission> {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m)
      return {
        ok: false,
        status: 401,
        message: 'Missing bearer token: send Authorization: Bearer <your Membrane access token>.',
        invalidToken: false,
      };
    const token = m[1];
    if (!looksLikeToken(token)) return refused('The bearer token is not a Membrane access token (a JWT or a `pat-` token).');
    const now = this.now();
    const exp = jwtExpiryMs(token);
    if (exp !== undefined && exp <= now) return refused('The Membrane access token has expired: get a new one.');
    const key = tenantKeyOf(token);
    const refusedUntil = this.refusals.get(key);
    if (refusedUntil !== undefined) {
      if (refusedUntil > now) return refused('Membrane refused this access token (wrong, revoked or expired).');
      this.refusals.delete(key);
    }

    let entry = this.entries.get(key);
    const startsCheck = !entry || (entry.verifiedUntil <= now && !entry.checking);
    if (startsCheck) {
      // A known token being served, or one already being checked, costs no new check and is never held up here.
      const penalty = this.penalties.get(address);
      if (penalty !== undefined && penalty > now) return penalised();
      if ((this.checksFrom.get(address) ?? 0) >= (this.opts.maxChecksPerAddress ?? 2)) return busy(true);
      if (this.checks >= (this.opts.maxChecks ?? 8)) return busy(false);
    }
    if (!entry) {
      entry = { tenant: this.opts.create(token, key), active: 0, lastUsed: now, verifiedUntil: 0 };
      this.entries.set(key, entry);
      this.evictOverflow();
    }
    // Held from here, so the tenant cannot be dropped while its token is checked or its request served.
    entry.active++;
    entry.lastUsed = now;
    const lease = entry;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      lease.active--;
      lease.lastUsed = this.now();
    };
    if (entry.verifiedUntil <= now) {
      if (!entry.checking) {
        this.checks++;
        this.checksFrom.set(address, (this.checksFrom.get(address) ?? 0) + 1);
        entry.checking = this.check(entry, address).finally(() => {
          this.checks--;
          const left = (this.checksFrom.get(address) ?? 1) - 1;
          if (left > 0) this.checksFrom.set(address, left);
          else this.checksFrom.delete(address);
          lease.checking = undefined;
        });
      }
      const failed = await entry.checking;
      if (failed) {
        release();
        return failed;
      }
    }
    return {
      ok: true,
      // The token rides along for the SDK's request context; the tenant key is what the factory looks up.
      authInfo: { token, clientId: key, scopes: [], ...(exp !== undefined ? { expiresAt: Math.floor(exp / 1000) } : {}) },
      release,
    };
  }

  /** The tenant of an admitted request (held by its lease until the request is answered). */
  tenant(key: string): Tenant | undefined {
    return this.entries.get(key)?.tenant;
  }

  /** Tenants held now (for tests and logs). */
  size(): number {
    return this.entries.size;
  }

  /** Asks Membrane about the entry's token; undefined when accepted, else the refusal to answer with. */
  private async check(entry: Entry, address: string): Promise<Admission | undefined> {
    const { key, client } = entry.tenant;
    try {
      const access = await client.checkAccess({ timeoutMs: this.opts.checkTimeoutMs ?? 10_000 });
      if (access.loggedIn === false) {
        this.refusals.set(key, this.now() + (this.opts.refusedMs ?? 30_000));
        this.penalties.set(address, this.now() + (this.opts.refusalPenaltyMs ?? 1000));
        this.drop(key);
        this.opts.log.info(`HTTP: Membrane refused a caller's token (tenant ${key})`);
        return refused('Membrane refused this access token (wrong, revoked or expired).');
      }
      entry.verifiedUntil = this.now() + (this.opts.verifiedMs ?? 60_000);
      return undefined;
    } catch (e) {
      // Membrane knew the token but refused the listing: the token is good, the calls will say what it may not do.
      if (e instanceof ToolError && e.code === 'ACCESS_DENIED') {
        entry.verifiedUntil = this.now() + (this.opts.verifiedMs ?? 60_000);
        return undefined;
      }
      this.opts.log.warning(`HTTP: could not check a caller's token with Membrane: ${e instanceof Error ? e.message : String(e)}`);
      return {
        ok: false,
        status: 503,
        message: 'Membrane could not be reached to check the access token; retry shortly.',
        invalidToken: false,
      };
    }
  }

  /** Drops a tenant now if nothing uses it, else as soon as the sweep finds it idle. */
  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry || entry.active > 1) return;
    this.entries.delete(key);
    void entry.tenant.client.close().catch(() => undefined);
  }

  /** Drops the least recently used idle tenants beyond the maximum. */
  private evictOverflow(): void {
    const max = this.opts.maxTenants ?? 500;
    if (this.entries.size <= max) return;
    const idle = [...this.entries.entries()].filter(([, e]) => e.active === 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [key, e] of idle) {
      if (this.entries.size <= max) break;
      this.entries.delete(key);
      void e.tenant.client.close().catch(() => undefined);
    }
  }

  /** Drops tenants idle too long, and refusals that ran out. */
  sweep(now = this.now()): void {
    const idleMs = this.opts.idleMs ?? 10 * 60_000;
    for (const [key, e] of this.entries) {
      if (e.active > 0 || now - e.lastUsed < idleMs) continue;
      this.entries.delete(key);
      void e.tenant.client.close().catch(() => undefined);
    }
    for (const [key, until] of this.refusals) if (until <= now) this.refusals.delete(key);
    for (const [address, until] of this.penalties) if (until <= now) this.penalties.delete(address);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    const clients = [...this.entries.values()].map((e) => e.tenant.client);
    this.entries.clear();
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  }
}
