// What every engine call gets: the store, the faults in force and who is calling. The engine holds
// the sandbox's behaviour (connections, actions, runs, the proxy); the CLI (commands/) and the REST
// API (api/) are two fronts that only translate their wire format to engine calls and back.
import type { RecordStore, Db } from '../store.js';
import type { Faults } from '../faults.js';
import { apiRateLimited, tokenExpired, type SandboxError } from '../error-data.js';

/** A tenant (the CLI's login, tenant tokens, `pat-` tokens) or a workspace manager token. */
export type Caller = 'tenant' | 'workspace';

export interface EngineContext {
  db: Db;
  store: RecordStore;
  faults: Faults;
  /** How long a new action stays BUILDING, in ms. */
  buildMs: number;
  caller: Caller;
  /** Wall clock in ms (runtime writes use the real clock; only the seed uses a fixed one). */
  now(): number;
}

export const DEFAULT_BUILD_MS = 1500;

/** MEMBRANE_SANDBOX_BUILD_MS, or the default when it is unset or not a number ≥ 0. */
export function buildMsFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.MEMBRANE_SANDBOX_BUILD_MS;
  const n = raw === undefined || raw === '' ? DEFAULT_BUILD_MS : Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : DEFAULT_BUILD_MS;
}

/**
 * The Membrane-side refusal a fault imposes on every tenant call before it reaches the engine
 * (expired token, Membrane's own rate limit), or undefined. Both fronts ask this first.
 */
export function refusalByFault(faults: Faults): SandboxError | undefined {
  if (faults.expiredToken) return tokenExpired();
  if (faults.apiRateLimit) return apiRateLimited(1);
  if (faults.apiRateLimitNoRetryAfter) return apiRateLimited(undefined);
  return undefined;
}
