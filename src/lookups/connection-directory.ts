// The connection list (cached 30 s, dropped on connection errors) and connection resolution:
// explicit connectionId, else the configured default, else the only READY connection of the connector,
// else an error that lists the candidates or says how to connect.
import { TtlCache } from './ttl-cache.js';
import type { Connector } from '../connectors.js';
import { ToolError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Connection, MembraneClient, UserStep } from '../membrane/membrane-client.js';
import { SharedCalls } from './single-flight.js';
import type { CallContext } from '../tools/tool-context.js';

const CONNECTION_TTL_MS = 30_000;

export class ConnectionDirectory {
  private readonly cache: TtlCache<Connection[]>;
  /** Concurrent calls with a cold cache share one `connection list`. */
  private readonly shared = new SharedCalls<Connection[]>();

  constructor(
    private readonly client: MembraneClient,
    private readonly defaults: Record<string, string>,
    private readonly log: Logger,
    enabled: boolean,
  ) {
    this.cache = new TtlCache(enabled ? CONNECTION_TTL_MS : 0, 1);
  }

  async all(signal: AbortSignal, refresh = false): Promise<Connection[]> {
    if (!refresh) {
      const hit = this.cache.get('all');
      if (hit) {
        this.log.debug('cache hit: connection list');
        return hit;
      }
    }
    return this.shared.run('all', signal, async (shared) => {
      const list = await this.client.listConnections({ signal: shared });
      this.cache.set('all', list);
      return list;
    });
  }

  /** Called after any connection error, so the next call sees the current state. */
  invalidate(reason: string): void {
    this.cache.clear();
    this.log.debug(`connection cache dropped: ${reason}`);
  }

  /**
   * Connections of this connector: by connector key, else (a backend that omits keys) by name. A connection
   * found by name is listed, but not used until the user vouches for it (see `verified`).
   */
  ofConnector(connector: Connector, list: Connection[]): Connection[] {
    const byKey = list.filter((c) => c.connectorKey?.toLowerCase() === connector.key);
    if (byKey.length || list.some((c) => c.connectorKey)) return byKey;
    const name = connector.displayName.toLowerCase();
    return list.filter((c) => c.name.toLowerCase().includes(name) || c.name.toLowerCase().includes(connector.key));
  }

  defaultFor(connector: Connector): string | undefined {
    return this.defaults[connector.key];
  }

  /**
   * Whether the connection is known to belong to the connector: the backend says so (its connector key),
   * or the user set it as the connector's --default-connection. A name proves nothing.
   */
  verified(connector: Connector, c: Pick<Connection, 'id' | 'key' | 'connectorKey'>): boolean {
    if (c.connectorKey) return c.connectorKey.toLowerCase() === connector.key;
    const chosen = this.defaultFor(connector);
    return chosen !== undefined && (chosen === c.id || chosen === c.key);
  }

  /** POLICY_DENIED for a connection whose connector the backend does not name: fail closed, say how to fix it. */
  private ownerUnknown(connector: Connector, c: Connection, call: CallContext): ToolError {
    return new ToolError(
      'POLICY_DENIED',
      `The backend does not say which connector connection "${c.id}" belongs to, so the ${connector.displayName} tools will not use it`,
      {
        nextStep:
          `If it is the user's ${connector.displayName} connection, ask them to start the server with ` +
          `--default-connection ${connector.key}=${c.id} (or to update the Membrane CLI so that its connection list names the connector), ` +
          `then call ${call.ref('list_connections', { refresh: true })}.`,
        retryable: false,
        details: { setting: 'defaultConnections', connectionId: c.id },
      },
    );
  }

  /** How the user connects this connector, in the backend's terms (a command, or the Membrane console). */
  connectHint(connector: Connector): UserStep {
    return this.client.hints.connect(connector);
  }

  /** How the user reconnects this connection: its uiUrl when Membrane gave one, else the backend's way. */
  reconnectHint(c: Pick<Connection, 'id' | 'clientAction'>): UserStep {
    return this.client.hints.reconnect(c);
  }

  /** What to ask the user when a connection needs them. */
  reconnectStep(c: Connection, call: CallContext): string {
    return `Ask the user to ${this.reconnectHint(c).action}, then call ${call.ref('list_connections', { refresh: true })}.`;
  }

  /** What to ask the user when the connector has no connection at all. */
  connectStep(connector: Connector, call: CallContext): string {
    return `Ask the user to ${this.connectHint(connector).action}, then call ${call.ref('list_connections', { refresh: true })}.`;
  }

  /**
   * A connection named by the agent (or the configuration) must belong to this tool's connector:
   * otherwise the allow/deny rules, --deny-methods and --connectors of one connector could be
   * sidestepped through another's tools. Unknown ids are NOT_FOUND before any action runs.
   */
  private async checkOwned(connector: Connector, connectionId: string, call: CallContext): Promise<string> {
    const find = (list: Connection[]) => list.find((c) => c.id === connectionId || c.key === connectionId);
    const found = find(await this.all(call.signal)) ?? find(await this.all(call.signal, true));
    if (!found) {
      throw new ToolError('NOT_FOUND', `Connection "${connectionId}" not found`, {
        nextStep: `Call ${call.ref('list_connections', { refresh: true })} for the valid ids.`,
        retryable: false,
        about: 'connection',
      });
    }
    const owner = found.connectorKey?.toLowerCase();
    if (owner && owner !== connector.key) {
      throw new ToolError('INVALID_INPUT', `Connection "${connectionId}" belongs to ${owner}, not ${connector.key}`, {
        nextStep: `Use the ${owner} tools for it, or call ${call.ref('list_connections')} for ${connector.displayName} connections.`,
        retryable: false,
        details: { fields: [{ field: 'connectionId', problem: `belongs to connector ${owner}` }] },
      });
    }
    if (!this.verified(connector, found)) throw this.ownerUnknown(connector, found, call);
    return found.id;
  }

  private needsUser(connector: Connector, c: Connection, call: CallContext, candidates: unknown[]): ToolError {
    return new ToolError('CONNECTION_NEEDS_USER_ACTION', `The ${connector.displayName} connection "${c.name}" is ${c.state}, not READY`, {
      nextStep: this.reconnectStep(c, call),
      uiUrl: this.reconnectHint(c).uiUrl,
      retryable: false,
      details: { candidates },
    });
  }

  /**
   * Checks with the backend (not the cache) that the connection is READY: before a person is asked to
   * confirm a call, so they are not asked about a call that cannot run (and asked again after reconnecting).
   */
  async checkReady(connector: Connector, connectionId: string, call: CallContext): Promise<void> {
    const found = (await this.all(call.signal, true)).find((c) => c.id === connectionId);
    if (found && !isReady(found)) throw this.needsUser(connector, found, call, [{ id: found.id, name: found.name, state: found.state }]);
  }

  /** The connection id to use for a call. */
  async resolve(connector: Connector, connectionId: string | undefined, call: CallContext): Promise<string> {
    const named = connectionId ?? this.defaultFor(connector);
    if (named) return this.checkOwned(connector, named, call);

    const mine = this.ofConnector(connector, await this.all(call.signal));
    const ready = mine.filter(isReady);
    if (ready.length === 1) {
      if (!this.verified(connector, ready[0])) throw this.ownerUnknown(connector, ready[0], call);
      return ready[0].id;
    }
    const candidates = mine.map((c) => ({ id: c.id, name: c.name, state: c.state }));
    if (ready.length > 1) {
      throw new ToolError('CONNECTION_AMBIGUOUS', `${ready.length} ${connector.displayName} connections are READY; pick one`, {
        nextStep: `Ask the user which one to use and pass its id as connectionId (or start the server with --default-connection ${connector.key}=<id>).`,
        retryable: false,
        details: { candidates },
      });
    }
    const needsUser = mine.find((c) => c.clientAction?.uiUrl) ?? mine[0];
    if (needsUser) throw this.needsUser(connector, needsUser, call, candidates);
    const command = this.connectHint(connector).command;
    throw new ToolError('CONNECTION_REQUIRED', `There is no ${connector.displayName} connection yet`, {
      nextStep: this.connectStep(connector, call),
      retryable: false,
      ...(command ? { details: { command } } : {}),
    });
  }
}

/** A connection the tools can use now. */
export function isReady(c: Connection): boolean {
  return c.state === 'READY' && !c.disconnected;
}
