// Truncated results are kept so the agent pages through them (same tool, `resultId` + `offset`) instead
// of re-running the CRM call. They live in the state store (src/state/), so the next page can be served
// by any replica that shares it; ids are random, valid 10 minutes, and only within their scope.
import { randomBytes } from 'node:crypto';
import { MemoryStateStore } from '../state/memory-state-store.js';
import { DEFAULT_SCOPE, type StateStore } from '../state/state-store.js';
import type { Pageable } from './budget.js';

export interface StoredResult {
  /** Full tool name that produced it; a resultId is only valid with the same tool. */
  tool: string;
  /** The result with the paged array (items mode) left in place, to re-render each page. */
  template: Record<string, unknown>;
  pageable: Pageable;
}

export interface ResultStoreOptions {
  /** Where results live (default: a store of their own, in this process). */
  state?: StateStore;
  scope?: string;
  ttlMs?: number;
  /** A result whose JSON text is longer is not kept (the agent is told to narrow the call). */
  maxChars?: number;
  /** For the default in-process store: entries kept at most, and its clock. */
  maxEntries?: number;
  now?: () => number;
}

export const RESULT_TTL_MS = 10 * 60_000;

/** The resource a stored result is read through (resources/read), page by page from `offset`. */
export const RESULT_URI_TEMPLATE = 'membrane://results/{resultId}{?offset}';

export function resultUri(resultId: string, offset = 0): string {
  return `membrane://results/${resultId}${offset > 0 ? `?offset=${offset}` : ''}`;
}

/** The reader named by results kept for a resource (an action catalog, a schema): the rest is read as a resource too. */
export const RESOURCE_READER = 'resources/read';

function isStoredResult(doc: Record<string, unknown>): doc is Record<string, unknown> & StoredResult {
  const p = doc.pageable as { kind?: unknown } | undefined;
  return typeof doc.tool === 'string' && typeof doc.template === 'object' && (p?.kind === 'items' || p?.kind === 'text');
}

export class ResultStore {
  private readonly state: StateStore;
  private readonly scope: string;
  private readonly ttlMs: number;
  private readonly maxChars: number;

  constructor(opts: ResultStoreOptions = {}) {
    this.maxChars = opts.maxChars ?? 32 * 1024 * 1024;
    this.state = opts.state ?? new MemoryStateStore({ maxResults: opts.maxEntries, maxResultChars: opts.maxChars, now: opts.now });
    this.scope = opts.scope ?? DEFAULT_SCOPE;
    this.ttlMs = opts.ttlMs ?? RESULT_TTL_MS;
  }

  /** Stores a result and returns its id; undefined when it is too large to keep. */
  async put(value: StoredResult): Promise<string | undefined> {
    if (JSON.stringify(value).length > this.maxChars) return undefined;
    const id = `r_${randomBytes(9).toString('base64url')}`;
    await this.state.putResult(this.scope, id, { ...value }, this.ttlMs);
    return id;
  }

  async get(id: string): Promise<StoredResult | undefined> {
    const doc = await this.state.getResult(this.scope, id);
    return doc && isStoredResult(doc) ? doc : undefined;
  }
}
