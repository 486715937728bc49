// The connection list (cached 30 s, dropped on connection errors) and connection resolution (DESIGN.md §4):
// explicit connectionId, else the configured default, else the only READY connection of the connector,
// else an error that lists the candidates or says how to connect.
import { TtlCache } from '../cache.js';
import type { Connector } from '../connectors.js';
import { ToolError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Connection, MembraneClient } from '../membrane/types.js';
import { SharedCalls } from './shared-calls.js';
import type { CallContext } from './context.js';

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

  /** Connections of this connector: by connector key, else (a CLI that omits keys) by name. */
  ofConnector(connector: Connector, list: Connection[]): Connection[] {
    const byKey = list.filter((c) => c.connectorKey?.toLowerCase() === connector.key);
    if (byKey.length || list.some((c) => c.connectorKey)) return byKey;
    const name = connector.displayName.toLowerCase();
    return list.filter((c) => c.name.toLowerCase().includes(name) || c.name.toLowerCase().includes(connector.key));
  }

  defaultFor(connector: Connector): string | undefined {
    return this.defaults[connector.key];
  }

  connectCommand(connector: Connector): string {
    return `${this.client.commandName} connect --connectorKey=${connector.key}`;
  }

  /** The connection id to use for a call. */
  async resolve(connector: Connector, connectionId: string | undefined, call: CallContext): Promise<string> {
    if (connectionId) return connectionId;
    const configured = this.defaultFor(connector);
    if (configured) return configured;

    const mine = this.ofConnector(connector, await this.all(call.signal));
    const ready = mine.filter((c) => c.state === 'READY' && !c.disconnected);
    if (ready.length === 1) return ready[0].id;
    const candidates = mine.map((c) => ({ id: c.id, name: c.name, state: c.state }));
    if (ready.length > 1) {
      throw new ToolError('CONNECTION_AMBIGUOUS', `${ready.length} ${connector.displayName} connections are READY; pick one`, {
        nextStep: `Ask the user which one to use and pass its id as connectionId (or start the server with --default-connection ${connector.key}=<id>).`,
        retryable: false,
        details: { candidates },
      });
    }
    const needsUser = mine.find((c) => c.clientAction?.uiUrl) ?? mine[0];
    if (needsUser) {
      const uiUrl = needsUser.clientAction?.uiUrl;
      throw new ToolError('CONNECTION_NEEDS_USER_ACTION', `The ${connector.displayName} connection "${needsUser.name}" is ${needsUser.state}, not READY`, {
        nextStep: uiUrl
          ? `Ask the user to open ${uiUrl} to reconnect, then call ${call.ref('list_connections', { refresh: true })}.`
          : `Ask the user to run \`${this.client.commandName} connect --connectionId=${needsUser.id}\`, then call ${call.ref('list_connections', { refresh: true })}.`,
        uiUrl,
        retryable: false,
        details: { candidates },
      });
    }
    throw new ToolError('CONNECTION_REQUIRED', `There is no ${connector.displayName} connection yet`, {
      nextStep: `Ask the user to run \`${this.connectCommand(connector)}\` (it opens a browser to authorize ${connector.displayName}), then call ${call.ref('list_connections', { refresh: true })}.`,
      retryable: false,
      details: { command: this.connectCommand(connector) },
    });
  }
}
