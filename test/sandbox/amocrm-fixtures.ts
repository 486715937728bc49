// Shared fixtures for the AmoCRM emulation tests: an in-memory store seeded the way the sandbox
// seeds it (fixed clock, fixed PRNG), and a terse way to send REST requests to the emulator.
import { amocrm } from '../../src/sandbox/amocrm/amocrm-emulator.js';
import { openDb, RecordStore } from '../../src/sandbox/store.js';
import type { EmulatorContext, HttpRequest, HttpResponse } from '../../src/sandbox/emulator-types.js';
import { mulberry32 } from '../../src/sandbox/seeding.js';

/** The sandbox seed clock: 2026-01-05T09:00:00Z. */
export const SEED_NOW = Date.UTC(2026, 0, 5, 9, 0, 0);
/** Runtime clock of the tests: one hour after the seed. */
export const RUN_NOW = SEED_NOW + 3_600_000;

/** The sandbox's own seeded PRNG (mulberry32). */
export const prng = mulberry32;

export function seededStore(seed = 1234): RecordStore {
  const store = new RecordStore(openDb(':memory:'));
  store.transaction(() => amocrm.seed({ store, connectionId: 'conn-amo', now: () => SEED_NOW, random: prng(seed) }));
  return store;
}

export function contextFor(store: RecordStore): EmulatorContext {
  return { store, connectionId: 'conn-amo', now: () => RUN_NOW };
}

export type Query = Record<string, string | number | (string | number)[]>;

export function request(
  ctx: EmulatorContext,
  method: HttpRequest['method'],
  path: string,
  opts: { query?: Query; body?: unknown } = {},
): HttpResponse {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(opts.query ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) query.append(key, String(v));
  }
  return amocrm.handle(ctx, { method, path, query, headers: {}, body: opts.body });
}

/** Loose JSON access for assertions (tests only; the emulator's own code never uses `any`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type J = Record<string, any>;

export function body(response: HttpResponse): J {
  return response.body as J;
}

export function embedded(response: HttpResponse, key: string): J[] {
  return (body(response)._embedded?.[key] ?? []) as J[];
}
