// Faults on demand (MEMBRANE_SANDBOX_FAULT, a comma list) so the server's error paths can be tested
// against a real process, and the argv log (MEMBRANE_SANDBOX_ARGV_LOG) for argument-safety tests.
// One list for both fronts: the CLI applies a fault to each tenant command, `serve` to each request
// (the fault names mean the same Membrane-side failure on both; the engine applies the shared ones).
import { appendFileSync } from 'node:fs';
import { prepared, writeTx, type Db } from './store.js';

export interface Faults {
  /** Sleep this long before doing anything. */
  latencyMs: number;
  notLoggedIn: boolean;
  expiredConnection: boolean;
  rateLimit: boolean;
  crash: boolean;
  garbage: boolean;
  hang: boolean;
  stderrNoise: boolean;
  /** The access token is expired: not_authenticated (HTTP 401). */
  expiredToken: boolean;
  /** Membrane's own rate limit on every tenant call: rate_limit_exceeded (HTTP 429) with Retry-After. */
  apiRateLimit: boolean;
  /** The same without a Retry-After header. */
  apiRateLimitNoRetryAfter: boolean;
  /** Every call that names a connection or an action by id or key: not_found (HTTP 404). */
  notFound: boolean;
  /** Creating an action needs a workspace (manager) token: tenant callers get access_denied (HTTP 403). */
  actionCreateForbidden: boolean;
  /** A new action stays BUILDING forever. */
  buildHangs: boolean;
  /** A new action's build ends in SETUP_FAILED (with `errors[]`). */
  buildFails: boolean;
}

export const NO_FAULTS: Readonly<Faults> = {
  latencyMs: 0,
  notLoggedIn: false,
  expiredConnection: false,
  rateLimit: false,
  crash: false,
  garbage: false,
  hang: false,
  stderrNoise: false,
  expiredToken: false,
  apiRateLimit: false,
  apiRateLimitNoRetryAfter: false,
  notFound: false,
  actionCreateForbidden: false,
  buildHangs: false,
  buildFails: false,
};

const FLAG_FAULTS = {
  'not-logged-in': 'notLoggedIn',
  'expired-connection': 'expiredConnection',
  'rate-limit': 'rateLimit',
  crash: 'crash',
  garbage: 'garbage',
  hang: 'hang',
  'stderr-noise': 'stderrNoise',
  'expired-token': 'expiredToken',
  'api-rate-limit': 'apiRateLimit',
  'api-rate-limit-no-retry-after': 'apiRateLimitNoRetryAfter',
  'not-found': 'notFound',
  'action-create-forbidden': 'actionCreateForbidden',
  'build-hangs': 'buildHangs',
  'build-fails': 'buildFails',
} as const satisfies Record<string, keyof Faults>;

export const FAULT_NAMES = ['latency=<ms>', ...Object.keys(FLAG_FAULTS)];

export class FaultSpecError extends Error {
  override name = 'FaultSpecError';
}

/** Parses `latency=200,rate-limit,stderr-noise`. Unknown names are an error, never silently ignored. */
export function parseFaults(spec: string | undefined): Faults {
  const faults: Faults = { ...NO_FAULTS };
  for (const raw of (spec ?? '').split(',')) {
    const item = raw.trim();
    if (!item) continue;
    const latency = /^latency=(\d+)$/.exec(item);
    if (latency) {
      faults.latencyMs = Number(latency[1]);
      continue;
    }
    const field = (FLAG_FAULTS as Record<string, keyof Faults>)[item];
    if (!field) throw new FaultSpecError(`Unknown fault '${item}' in MEMBRANE_SANDBOX_FAULT (known: ${FAULT_NAMES.join(', ')})`);
    (faults as unknown as Record<string, boolean>)[field] = true;
  }
  return faults;
}

/**
 * Appends the argv as one JSON line. Runs first thing, before anything else can fail; a log that
 * cannot be written is reported on stderr and does not stop the command.
 */
export function appendArgvLog(env: NodeJS.ProcessEnv, argv: string[]): void {
  const file = env.MEMBRANE_SANDBOX_ARGV_LOG;
  if (!file) return;
  try {
    appendFileSync(file, JSON.stringify(argv) + '\n');
  } catch (err) {
    process.stderr.write(`membrane-sandbox: cannot write MEMBRANE_SANDBOX_ARGV_LOG: ${(err as Error).message}\n`);
  }
}

// AmoCRM allows 7 requests per second per account; the window is shared by every process through
// the store, which is what makes parallel callers meet the limit.
export const RATE_LIMIT_REQUESTS = 7;
export const RATE_LIMIT_WINDOW_MS = 1000;
const RATE_EVENTS_KEEP_MS = 10_000;

/** The counter of requests still to refuse (`rate-fill --requests`), per connector. */
const refusalsCounter = (connectorKey: string) => `rate-refusals:${connectorKey}`;

/**
 * Counts one request against the connector's window. Call inside a write transaction.
 * Returns false (and records nothing) when the window is already full, or when a refusal armed by
 * `rate-fill --requests` is still pending (one used per request, whatever the clock).
 */
export function takeRateSlot(db: Db, connectorKey: string, nowMs: number): boolean {
  const armed = prepared(db, 'UPDATE counters SET value = value - 1 WHERE name = ? AND value > 0').run(refusalsCounter(connectorKey));
  if (armed.changes > 0) return false;
  prepared(db, 'DELETE FROM rate_events WHERE at_ms < ?').run(nowMs - RATE_EVENTS_KEEP_MS);
  const { n } = prepared(db, 'SELECT COUNT(*) AS n FROM rate_events WHERE connector_key = ? AND at_ms > ?').get(
    connectorKey,
    nowMs - RATE_LIMIT_WINDOW_MS,
  ) as { n: number };
  if (n >= RATE_LIMIT_REQUESTS) return false;
  prepared(db, 'INSERT INTO rate_events (connector_key, at_ms) VALUES (?, ?)').run(connectorKey, nowMs);
  return true;
}

/**
 * Under the `rate-limit` fault, whether this request meets AmoCRM's limit. Counted in a write transaction of its
 * own, so a refusal is committed (and uses up one armed by `rate-fill --requests`) even when the refused call
 * then writes nothing.
 */
export function meetsRateLimit(db: Db, faults: Faults, connectorKey: string, nowMs: number): boolean {
  return faults.rateLimit && connectorKey === 'amocrm' && !writeTx(db, () => takeRateSlot(db, connectorKey, nowMs));
}

/**
 * `sandbox rate-fill`: a full window at `atMs`. Call inside a write transaction. The window counts
 * every event newer than one second ago, future ones included, so events stamped in the future keep
 * it full until `atMs` + 1 s (how `--holdMs` keeps slow test machines inside the window).
 */
export function fillRateWindow(db: Db, connectorKey: string, atMs: number): number {
  const insert = prepared(db, 'INSERT INTO rate_events (connector_key, at_ms) VALUES (?, ?)');
  for (let i = 0; i < RATE_LIMIT_REQUESTS; i++) insert.run(connectorKey, atMs);
  return RATE_LIMIT_REQUESTS;
}

/**
 * `sandbox rate-fill --requests=<n>`: the next n requests of the connector meet the limit, then the window
 * decides again. Counted per request, not per millisecond, so a test on a loaded machine is deterministic.
 * Call inside a write transaction.
 */
export function refuseNextRequests(db: Db, connectorKey: string, requests: number): void {
  prepared(db, 'INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value').run(
    refusalsCounter(connectorKey),
    requests,
  );
}

/** The 429 AmoCRM answers over the limit (problem+json, like its other errors). */
export function tooManyRequestsResponse(): { status: number; headers: Record<string, string>; body: unknown } {
  return {
    status: 429,
    headers: { 'content-type': 'application/problem+json', 'retry-after': '1' },
    body: {
      title: 'Too Many Requests',
      type: 'https://httpstatus.es/429',
      status: 429,
      detail: `Rate limit exceeded: at most ${RATE_LIMIT_REQUESTS} requests per second`,
    },
  };
}

export const GRANDCHILD_MARKER = 'membrane-sandbox-grandchild';

/**
 * `hang`: leave a grandchild behind (same process group, stdio detached from ours) so a caller
 * that kills only its direct child leaks a process; callers must kill the whole group.
 */
export async function spawnHangGrandchild(): Promise<void> {
  // Imported here: only this fault needs child_process.
  const { spawn } = await import('node:child_process');
  spawn(process.execPath, ['-e', 'setInterval(()=>{},1e9)', GRANDCHILD_MARKER], { stdio: 'ignore' });
}

/** Never settles; a long interval keeps the event loop (and the process) alive. */
export function hangForever(): Promise<never> {
  setInterval(() => {}, 1 << 30);
  return new Promise<never>(() => {});
}

/** `stderr-noise`: chatter a real CLI might print, including secrets a caller must never echo. */
export function noiseLines(): string[] {
  // Fake secrets: they only have to look like tokens.
  const hex = () => Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
  return [
    '[membrane] debug: using cached tenant token',
    `Authorization: Bearer sbx_secret_${hex()}`,
    `[membrane] debug: GET https://api.getmembrane.com/connections?access_token=sbx_at_${hex()}`,
    '[membrane] warning: stderr noise injected by MEMBRANE_SANDBOX_FAULT=stderr-noise',
  ];
}

/** `garbage`: stdout that is not JSON (what a proxy error page or a banner would look like). */
export const GARBAGE_TEXT =
  'Welcome to Membrane CLI!\n<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>\n';

/** `crash`: the first half of what would have been printed (never a complete JSON document). */
export function crashPrefix(output: string): string {
  const half = output.slice(0, Math.floor(output.length / 2));
  return half.length > 0 ? half : '{"';
}

export const CRASH_EXIT_CODE = 137;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Like sleep, but settles early (without throwing) when `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return sleep(ms);
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
