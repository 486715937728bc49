// Truncated results are kept here so the agent pages through them (same tool, `resultId` + `offset`)
// instead of re-running the CRM call. Bounded: LRU order, a TTL, an entry cap and a character cap.
import { randomBytes } from 'node:crypto';
import type { Pageable } from './budget.js';

export interface StoredResult {
  /** Full tool name that produced it; a resultId is only valid with the same tool. */
  tool: string;
  /** The result with the paged array (items mode) left in place, to re-render each page. */
  template: Record<string, unknown>;
  pageable: Pageable;
}

interface Entry {
  value: StoredResult;
  expiresAt: number;
  chars: number;
}

export interface ResultStoreOptions {
  ttlMs?: number;
  maxEntries?: number;
  maxChars?: number;
  now?: () => number;
}

/** Characters held: the paged items or text, plus the template (which repeats the payload in items mode). */
function weight(r: StoredResult): number {
  const paged = r.pageable.kind === 'text' ? r.pageable.text.length : JSON.stringify(r.pageable.items).length;
  return paged + JSON.stringify(r.template).length;
}

export class ResultStore {
  private readonly entries = new Map<string, Entry>();
  private chars = 0;
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly maxChars: number;
  private readonly now: () => number;

  constructor(opts: ResultStoreOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 10 * 60_000;
    this.maxEntries = opts.maxEntries ?? 100;
    this.maxChars = opts.maxChars ?? 64 * 1024 * 1024;
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Stores a result and returns its id, evicting the least recently used entries beyond the caps. */
  put(value: StoredResult): string | undefined {
    const chars = weight(value);
    if (chars > this.maxChars) return undefined;
    const id = `r_${randomBytes(9).toString('base64url')}`;
    this.entries.set(id, { value, expiresAt: this.now() + this.ttlMs, chars });
    this.chars += chars;
    this.evict();
    return id;
  }

  get(id: string): StoredResult | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.remove(id, entry);
      return undefined;
    }
    // Refresh recency.
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry.value;
  }

  private remove(id: string, entry: Entry): void {
    this.entries.delete(id);
    this.chars -= entry.chars;
  }

  private evict(): void {
    const now = this.now();
    for (const [id, e] of this.entries) if (e.expiresAt <= now) this.remove(id, e);
    for (const [id, e] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.chars <= this.maxChars) break;
      this.remove(id, e);
    }
  }
}
