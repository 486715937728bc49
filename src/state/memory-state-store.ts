// The state store of one process (stdio, or one HTTP replica): plain maps with expiry times. JavaScript
// runs one callback at a time, so each method is atomic as long as it does not await in the middle.
// Result documents are bounded (entry count and characters, least recently used first out) because a
// shared Redis would be bounded by its own memory policy, and this process has only its heap.
import type { StateStore, StoredDocument, TakeOutcome, WriteClaim, WriteRecord } from './state-store.js';

interface Timed<T> {
  value: T;
  expiresAt: number;
}

interface StoredResultEntry extends Timed<string> {
  /** Characters of the serialised document. */
  chars: number;
}

export interface MemoryStateStoreOptions {
  /** Result documents kept at most (default 1,000). */
  maxResults?: number;
  /** Characters of result documents kept at most (default 64 Mi). */
  maxResultChars?: number;
  now?: () => number;
}

/** Scope and key in one map key; the NUL cannot occur in a scope we build. */
const at = (scope: string, key: string) => `${scope}\u0000${key}`;

export class MemoryStateStore implements StateStore {
  private readonly results = new Map<string, StoredResultEntry>();
  private resultChars = 0;
  private readonly tokens = new Map<string, Timed<string>>();
  private readonly writes = new Map<string, Timed<WriteRecord>>();
  private readonly maxResults: number;
  private readonly maxResultChars: number;
  private readonly now: () => number;
  private writesSinceSweep = 0;

  constructor(opts: MemoryStateStoreOptions = {}) {
    this.maxResults = opts.maxResults ?? 1000;
    this.maxResultChars = opts.maxResultChars ?? 64 * 1024 * 1024;
    this.now = opts.now ?? Date.now;
  }

  putResult(scope: string, id: string, doc: StoredDocument, ttlMs: number): Promise<void> {
    // Stored as text, as a shared store would: a caller can never mutate what it stored.
    const text = JSON.stringify(doc);
    const key = at(scope, id);
    this.dropResult(key);
    this.results.set(key, { value: text, expiresAt: this.now() + ttlMs, chars: text.length });
    this.resultChars += text.length;
    this.evictResults();
    return Promise.resolve();
  }

  getResult(scope: string, id: string): Promise<StoredDocument | undefined> {
    const key = at(scope, id);
    const entry = this.results.get(key);
    if (!entry) return Promise.resolve(undefined);
    if (entry.expiresAt <= this.now()) {
      this.dropResult(key);
      return Promise.resolve(undefined);
    }
    // Most recently used last: eviction takes from the front.
    this.results.delete(key);
    this.results.set(key, entry);
    return Promise.resolve(JSON.parse(entry.value) as StoredDocument);
  }

  putToken(scope: string, token: string, callKey: string, ttlMs: number): Promise<void> {
    this.sweep();
    this.tokens.set(at(scope, token), { value: callKey, expiresAt: this.now() + ttlMs });
    return Promise.resolve();
  }

  takeToken(scope: string, token: string, callKey: string): Promise<TakeOutcome> {
    const key = at(scope, token);
    const entry = this.live(this.tokens, key);
    if (!entry) return Promise.resolve('missing');
    if (entry.value !== callKey) return Promise.resolve('mismatch');
    this.tokens.delete(key);
    return Promise.resolve('taken');
  }

  claimWrite(scope: string, key: string, claim: WriteClaim): Promise<WriteRecord | undefined> {
    this.sweep();
    const k = at(scope, key);
    const held = this.live(this.writes, k)?.value;
    const ownClaim = held && held.owner === claim.owner && (held.phase === 'confirming' || held.phase === 'running');
    if (held && !ownClaim && !claim.force) return Promise.resolve({ ...held });
    const now = this.now();
    this.writes.set(k, { value: { phase: claim.phase, owner: claim.owner, at: now }, expiresAt: now + claim.ttlMs });
    return Promise.resolve(undefined);
  }

  settleWrite(scope: string, key: string, owner: string, outcome: 'succeeded' | 'unknown' | 'forget', ttlMs: number): Promise<void> {
    const k = at(scope, key);
    const held = this.live(this.writes, k)?.value;
    if (!held || held.owner !== owner) return Promise.resolve();
    if (outcome === 'forget') {
      if (held.phase === 'confirming' || held.phase === 'running') this.writes.delete(k);
    } else {
      const now = this.now();
      this.writes.set(k, { value: { phase: outcome, owner, at: now }, expiresAt: now + ttlMs });
    }
    return Promise.resolve();
  }

  getWrite(scope: string, key: string): Promise<WriteRecord | undefined> {
    const held = this.live(this.writes, at(scope, key))?.value;
    return Promise.resolve(held ? { ...held } : undefined);
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.results.clear();
    this.tokens.clear();
    this.writes.clear();
    this.resultChars = 0;
    return Promise.resolve();
  }

  /** The entry when present and not expired (an expired one is removed). */
  private live<T>(map: Map<string, Timed<T>>, key: string): Timed<T> | undefined {
    const entry = map.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      map.delete(key);
      return undefined;
    }
    return entry;
  }

  private dropResult(key: string): void {
    const entry = this.results.get(key);
    if (!entry) return;
    this.results.delete(key);
    this.resultChars -= entry.chars;
  }

  private evictResults(): void {
    const now = this.now();
    for (const [key, e] of this.results) if (e.expiresAt <= now) this.dropResult(key);
    for (const key of this.results.keys()) {
      if (this.results.size <= this.maxResults && this.resultChars <= this.maxResultChars) break;
      this.dropResult(key);
    }
  }

  /** Drops expired tokens and write records now and then, so an idle key cannot linger forever. */
  private sweep(): void {
    if (++this.writesSinceSweep < 100) return;
    this.writesSinceSweep = 0;
    const now = this.now();
    for (const map of [this.tokens, this.writes] as Map<string, Timed<unknown>>[])
      for (const [key, e] of map) if (e.expiresAt <= now) map.delete(key);
  }
}
