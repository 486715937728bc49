// Action metadata, cached 5 min: filled by search_actions and create_action, and by `getAction` on a miss.
import { ToolError } from '../errors.js';
import { TtlCache } from './ttl-cache.js';
import { SharedCalls } from './single-flight.js';
import type { Logger } from '../log.js';
import type { Action, MembraneClient } from '../membrane/membrane-client.js';

const ACTION_TTL_MS = 5 * 60_000;

export class ActionMetadata {
  private readonly meta: TtlCache<Action>;
  /** Concurrent callers asking for the same action share one `action get`. */
  private readonly shared = new SharedCalls<Action>();

  constructor(
    private readonly client: MembraneClient,
    private readonly log: Logger,
    enabled: boolean,
  ) {
    this.meta = new TtlCache(enabled ? ACTION_TTL_MS : 0, 1000);
  }

  /** Caches usable actions only: a BUILDING or failed one must be fetched again next time. */
  remember(connectionId: string, actions: Action[]): void {
    for (const a of actions) {
      if (a.state && a.state !== 'READY') continue;
      this.meta.set(`${connectionId}|${a.id}`, a);
      if (a.key) this.meta.set(`${connectionId}|${a.key}`, a);
    }
  }

  /** Drops an action whose cached metadata the CLI just contradicted (gone, or its schema changed). */
  forget(connectionId: string, action: Pick<Action, 'id' | 'key'>): void {
    this.meta.delete(`${connectionId}|${action.id}`);
    if (action.key) this.meta.delete(`${connectionId}|${action.key}`);
  }

  /** The action by id or key, from the cache or `action get`. */
  async get(connectionId: string, idOrKey: string, signal: AbortSignal): Promise<Action> {
    const hit = this.meta.get(`${connectionId}|${idOrKey}`);
    if (hit) {
      this.log.debug(`cache hit: action ${idOrKey}`);
      return hit;
    }
    return this.shared.run(`${connectionId}|${idOrKey}`, signal, async (shared) => {
      const action = await this.client.getAction({ id: idOrKey, connectionId }, { signal: shared });
      this.remember(connectionId, [action]);
      return action;
    });
  }
}

/** How next steps name the tools to call (CallContext.ref). */
export interface ActionStepRefs {
  ref(suffix: string, args?: Record<string, unknown>): string;
}

const FAILED_STATES = new Set(['CONFIGURATION_ERROR', 'SETUP_FAILED']);

/** ACTION_BUILD_FAILED for an action in a failed build state, or undefined when it did not fail. */
export function buildFailed(action: Action, call: ActionStepRefs): ToolError | undefined {
  if (!action.state || !FAILED_STATES.has(action.state)) return undefined;
  return new ToolError(
    'ACTION_BUILD_FAILED',
    `Membrane could not build action ${action.key ?? action.id} (${action.state}): ${action.error ?? 'no reason given'}`,
    {
      nextStep: `Rephrase the description (name the entity and the operation) for ${call.ref('create_action')}, or call the API with ${call.ref('proxy_request')}.`,
      retryable: false,
      details: { action: { id: action.id, key: action.key, name: action.name, state: action.state, error: action.error } },
    },
  );
}

/** Throws ACTION_NOT_READY or ACTION_BUILD_FAILED unless the action can run now. */
export function assertUsable(action: Action, call: ActionStepRefs): void {
  if (action.state === 'BUILDING') {
    throw new ToolError('ACTION_NOT_READY', `Action ${action.key ?? action.id} is still being built`, {
      nextStep: `Wait for it: ${call.ref('create_action', { actionId: action.id })}.`,
      retryable: true,
    });
  }
  const failed = buildFailed(action, call);
  if (failed) throw failed;
}
