// Everything that must outlive one MCP request sits behind this interface: result pages, confirmation
// tokens and the repeat guard. Any replica can then answer any request, as long as the replicas share
// one store. memory-state-store.ts is the default (stdio, one process); redis-state-store.ts is the shared
// one (`--state redis://…`), with the same contract (test/helpers/state-store-contract.ts runs against any implementation).
//
// Rules every implementation keeps:
// - Every method is async and every record lives under a `scope` (a tenant key; DEFAULT_SCOPE for a
//   single-user server): nothing written in one scope is visible in another.
// - TTLs are set by the caller, in milliseconds; an expired record reads as absent.
// - The single-use and claim operations are atomic: two callers racing for the same record never both win.
// - One store instance applies operations in the order it was given them, also when the caller stopped waiting
//   for an answer: a stalled Redis runs a command that timed out late, and whatever was sent after it, after it.
// Each method says which Redis primitive it maps to, so a Redis store needs no change in the callers.

/** The scope of a single-user server (no tenants). */
export const DEFAULT_SCOPE = 'default';

/** A JSON document as stored (a result page template, a write record). */
export type StoredDocument = Record<string, unknown>;

/** Outcome of taking a confirmation token. */
export type TakeOutcome =
  /** It existed for this call and is now gone: the caller may proceed, once. */
  | 'taken'
  /** Never issued, expired or already used. */
  | 'missing'
  /** Issued for a different call: it stays valid for that call. */
  | 'mismatch';

/** Where an identical write stands in the repeat guard. */
export type WritePhase =
  /** Waiting for the user's answer to the confirmation dialog (the call asked and will come back). */
  | 'confirming'
  /** Running now. */
  | 'running'
  /** Done and applied. */
  | 'succeeded'
  /** Ended without a definite answer (timeout, cancel, crash): it may have been applied. */
  | 'unknown';

export interface WriteRecord {
  phase: WritePhase;
  /** Who holds a `confirming` or `running` claim: the call (or dialog) that made it. */
  owner: string;
  /** Epoch ms of the last change. */
  at: number;
}

export interface WriteClaim {
  owner: string;
  phase: 'confirming' | 'running';
  ttlMs: number;
  /** Take the claim whatever holds it (the agent said allowRepeat). */
  force?: boolean;
}

export interface StateStore {
  /** Stores a result document under `id` for `ttlMs`. Redis: SET key value PX ttl. */
  putResult(scope: string, id: string, doc: StoredDocument, ttlMs: number): Promise<void>;
  /** The document, or undefined when unknown or expired. Redis: GET. */
  getResult(scope: string, id: string): Promise<StoredDocument | undefined>;

  /** Issues a single-use token bound to `callKey`. Redis: SET key callKey PX ttl. */
  putToken(scope: string, token: string, callKey: string, ttlMs: number): Promise<void>;
  /**
   * Uses the token up if it was issued for `callKey`; a token for another call is left as it was.
   * Atomic: of two concurrent takes, at most one gets 'taken'. Redis: a Lua script (GET, compare, DEL).
   */
  takeToken(scope: string, token: string, callKey: string): Promise<TakeOutcome>;

  /**
   * Claims the write `key` for `claim.owner`: succeeds (returns undefined) when no record is live, when
   * the live record is a `confirming` or `running` claim of the same owner, or with `force`. Otherwise
   * returns the record that holds it. Atomic. Redis: a Lua script (GET, decide, SET PX).
   */
  claimWrite(scope: string, key: string, claim: WriteClaim): Promise<WriteRecord | undefined>;
  /**
   * Ends `owner`'s claim: records the outcome for `ttlMs` (the repeat window), or deletes the record
   * (`forget`: the write cannot have happened). A record another owner holds now is left alone, and `forget`
   * deletes only a live claim (`confirming` or `running`): an outcome already recorded stays for its window.
   * Atomic. Redis: a Lua script (GET, compare owner and phase, SET PX or DEL).
   */
  settleWrite(scope: string, key: string, owner: string, outcome: 'succeeded' | 'unknown' | 'forget', ttlMs: number): Promise<void>;
  /** The live record of the write `key`, or undefined. Reads only (what a used confirmation reports). Redis: GET. */
  getWrite(scope: string, key: string): Promise<WriteRecord | undefined>;

  /** Resolves when the store can answer now (readiness checks); throws STATE_UNAVAILABLE otherwise. Redis: PING. */
  ping(): Promise<void>;

  /** Releases what the store holds (connections, timers). */
  close(): Promise<void>;
}
