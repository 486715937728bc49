// Action metadata, cached 5 min: filled by search_actions and create_action, and by `getAction` on a miss.
// Shared by every session of the process, so an entry must only ever answer for the action it describes:
// ids and keys live in separate maps, and a selector is resolved the way Membrane resolves it (as an id
// first, then as a key). A key that looks like an id is never used as a key here, so an action built with a
// key equal to another action's id cannot take over calls by that id, in this session or any other.
import { ToolError } from '../errors.js';
import { TtlCache } from './ttl-cache.js';
import { SharedCalls } from './single-flight.js';
import type { Logger } from '../log.js';
import type { Action, MembraneClient } from '../membrane/membrane-client.js';
import { looksLikeObjectId } from '../membrane/identifiers.js';

const ACTION_TTL_MS = 5 * 60_000;

export class ActionMetadata {
  private readonly byId: TtlCache<Action>;
  /** `connection|key` → the id of the action that has that key. */
  private readonly idOfKey: TtlCache<string>;
  /** Concurrent callers asking for the same action share one `action get`. */
  private readonly shared = new SharedCalls<Action>();

  constructor(
    private readonly client: MembraneClient,
    private readonly log: Logger,
    enabled: boolean,
  ) {
    this.byId = new TtlCache(enabled ? ACTION_TTL_MS : 0, 1000);
    this.idOfKey = new TtlCache(enabled ? ACTION_TTL_MS : 0, 1000);
  }

  /** Caches usable actions only: a BUILDING or failed one must be fetched again next time. */
  remember(connectionId: string, actions: Action[]): void {
    for (const a of actions) {
      if (a.state && a.state !== 'READY') continue;
      this.byId.set(`${connectionId}|${a.id}`, a);
      if (a.key && usableAsKey(a.key)) this.idOfKey.set(`${connectionId}|${a.key}`, a.id);
    }
  }

  /** Drops an action whose cached metadata the CLI just contradicted (gone, or its schema changed). */
  forget(connectionId: string, action: Pick<Action, 'id' | 'key'>): void {
    this.byId.delete(`${connectionId}|${action.id}`);
    if (action.key && this.idOfKey.get(`${connectionId}|${action.key}`) === action.id) this.idOfKey.delete(`${connectionId}|${action.key}`);
  }

  /** The cached action a selector names, resolved like the backend does: as an id, else as a key. */
  private cached(connectionId: string, idOrKey: string): Action | undefined {
    const byId = this.byId.get(`${connectionId}|${idOrKey}`);
    if (byId) return byId;
    if (!usableAsKey(idOrKey)) return undefined;
    const id = this.idOfKey.get(`${connectionId}|${idOrKey}`);
    const byKey = id === undefined ? undefined : this.byId.get(`${connectionId}|${id}`);
    // The entry for that id may have been replaced by a fresher copy with another key: then the key is unknown.
    return byKey?.key === idOrKey ? byKey : undefined;
  }

  /** The action by id or key, from the cache or `action get`. */
  async get(connectionId: string, idOrKey: string, signal: AbortSignal): Promise<Action> {
    const hit = this.cached(connectionId, idOrKey);
    if (hit) {
      this.log.debug(`cache hit: action ${idOrKey}`);
      return hit;
    }
    return this.shared.run(`${connectionId}|${idOrKey}`, signal, async (shared) => {
      const action = await this.client.getAction({ id: idOrKey, connectionId }, { signal: shared });
      // Cached under its own id and key only, never under the selector the caller used.
      this.remember(connectionId, [action]);
      return action;
    });
  }
}

/**
 * Whether a key may be looked up as a key. One shaped like an id is not: the backend would resolve it as
 * the id of whatever action has that id, so only the backend can say which action it names.
 */
function usableAsKey(key: string): boolean {
  return !looksLikeObjectId(key);
}

/** How next steps name the tools to call (CallContext.ref). */
export interface ActionStepRefs {
  ref(suffix: string, args?: Record<string, unknown>): string;
  offers(suffix: string): boolean;
}

const FAILED_STATES = new Set(['CONFIGURATION_ERROR', 'SETUP_FAILED']);

/** ACTION_BUILD_FAILED for an action in a failed build state, or undefined when it did not fail. */
export function buildFailed(action: Action, call: ActionStepRefs): ToolError | undefined {
  if (!action.state || !FAILED_STATES.has(action.state)) return undefined;
  return new ToolError(
    'ACTION_BUILD_FAILED',
    `Membrane could not build action ${action.key ?? action.id} (${action.state}): ${action.error ?? 'no reason given'}`,
    {
      nextStep: call.offers('create_action')
        ? `Rephrase the description (name the entity and the operation) for ${call.ref('create_action')}, or call the API with ${call.ref('proxy_request')}.`
        : `Use another action, or call the API with ${call.ref('proxy_request')}.`,
      retryable: false,
      details: { action: { id: action.id, key: action.key, name: action.name, state: action.state, error: action.error } },
    },
  );
}

/** Throws ACTION_NOT_READY or ACTION_BUILD_FAILED unless the action can run now. */
export function assertUsable(action: Action, call: ActionStepRefs): void {
  if (action.state === 'BUILDING') {
    throw new ToolError('ACTION_NOT_READY', `Action ${action.key ?? action.id} is still being built`, {
      nextStep: call.offers('create_action')
        ? `Wait for it: ${call.ref('create_action', { actionId: action.id })}.`
        : 'Wait a minute, then call again.',
      retryable: true,
    });
  }
  const failed = buildFailed(action, call);
  if (failed) throw failed;
}
