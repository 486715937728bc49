// All actions of a connection (its catalog), cached for a minute and shared by concurrent callers: the
// resources that list and show a connector's actions and the prompts' argument completion read it, so a
// client browsing resources costs one `action list` per connection and minute, not one per request.
// Each entry is also remembered as action metadata (the run path then needs no `action get`).
import { TtlCache } from './ttl-cache.js';
import { SharedCalls } from './single-flight.js';
import type { ActionMetadata } from './action-metadata.js';
import type { Logger } from '../log.js';
import type { Action, MembraneClient } from '../membrane/membrane-client.js';

const CATALOG_TTL_MS = 60_000;
/** Actions read per connection; the backend may hold more (then the catalog says so). */
export const CATALOG_LIMIT = 100;

export class ActionCatalog {
  private readonly cache: TtlCache<Action[]>;
  private readonly shared = new SharedCalls<Action[]>();

  constructor(
    private readonly client: MembraneClient,
    private readonly metadata: ActionMetadata,
    private readonly log: Logger,
    enabled: boolean,
  ) {
    this.cache = new TtlCache(enabled ? CATALOG_TTL_MS : 0, 50);
  }

  /** The connection's actions, in the backend's order (at most CATALOG_LIMIT). */
  async list(connectionId: string, signal: AbortSignal): Promise<Action[]> {
    const hit = this.cache.get(connectionId);
    if (hit) {
      this.log.debug(`cache hit: action catalog of ${connectionId}`);
      return hit;
    }
    return this.shared.run(connectionId, signal, async (sharedSignal) => {
      const actions = await this.client.listActions({ connectionId, limit: CATALOG_LIMIT }, { signal: sharedSignal });
      this.cache.set(connectionId, actions);
      this.metadata.remember(connectionId, actions);
      return actions;
    });
  }
}
