// What `GET /readyz` reports to a load balancer: whether this replica can serve calls now. Two checks, each
// bounded in time: the state store answers a PING, and the backend answers one cheap call (the credentials'
// check; under --http-auth membrane, whether the API answers at all). A replica is ready when both pass and
// the backend did not refuse the server's credentials. The backend's answer is reused for a few seconds, so
// probes every second cost Membrane one call per interval, and concurrent probes share one call. Messages
// are codes and short reasons: never a URL with a password, never a token.
import { withDeadline } from '../deadline.js';
import { ToolError } from '../errors.js';
import type { MembraneClient } from '../membrane/membrane-client.js';
import { redact } from '../redact.js';
import type { StateStore } from '../state/state-store.js';

export interface CheckOutcome {
  ok: boolean;
  ms: number;
  /** `CODE: reason` when not ok (nothing when ok: who is logged in is not for an unauthenticated probe). */
  detail?: string;
}

export interface Readiness {
  ready: boolean;
  checks: { state: CheckOutcome; backend: CheckOutcome };
}

export interface ReadinessOptions {
  state: StateStore;
  client: MembraneClient;
  /** Longest wait for each check (default 3 s). */
  timeoutMs?: number;
  /** How long a backend answer is reused (default 10 s). */
  backendTtlMs?: number;
}

function reason(e: unknown): string {
  const text = e instanceof ToolError ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
  return redact(text).split('\n')[0].slice(0, 300);
}

/** `p` within `ms`, else a rejection saying so. */
const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  withDeadline(p, ms, () => {
    throw new Error(`${what}: no answer in ${ms} ms`);
  });

async function timed(fn: () => Promise<void>): Promise<CheckOutcome> {
  const started = Date.now();
  try {
    await fn();
    return { ok: true, ms: Date.now() - started };
  } catch (e) {
    return { ok: false, ms: Date.now() - started, detail: reason(e) };
  }
}

/** The readiness check of one replica, for `startHttpServer({ readiness })`. */
export function readinessCheck(opts: ReadinessOptions): () => Promise<Readiness> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  const ttlMs = opts.backendTtlMs ?? 10_000;
  let backend: { at: number; outcome: Promise<CheckOutcome> } | undefined;
  const checkBackend = () =>
    timed(async () => {
      const access = await within(opts.client.checkAccess({ timeoutMs }), timeoutMs + 500, 'backend');
      if (access.loggedIn === false) throw new Error(`LOGIN_REQUIRED: ${access.summary}`);
    });
  return async () => {
    const now = Date.now();
    if (!backend || now - backend.at >= ttlMs) backend = { at: now, outcome: checkBackend() };
    const [state, backendOutcome] = await Promise.all([timed(() => within(opts.state.ping(), timeoutMs, 'state store')), backend.outcome]);
    // A failed backend answer is not reused: the next probe asks again.
    if (!backendOutcome.ok) backend = undefined;
    return { ready: state.ok && backendOutcome.ok, checks: { state, backend: backendOutcome } };
  };
}
