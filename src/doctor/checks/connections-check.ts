// The connections of each enabled connector, from the tools' own connection list: is one READY for the
// tools to pick, and if not, what the user does about it (in the backend's words).
import type { Settings } from '../../config.js';
import { resolveConnectors, type Connector } from '../../connectors.js';
import { askUser } from '../../membrane/membrane-errors.js';
import { type Connection, isSandbox } from '../../membrane/membrane-client.js';
import { redact } from '../../redact.js';
import { isReady, type ConnectionDirectory } from '../../lookups/connection-directory.js';
import type { Check, ConnectionSummary } from '../check-types.js';
import { INSTALL_CLI, type Target, userFix } from './check-helpers.js';

/** `connection list` gets at most this long (less when --cli-timeout is lower). */
export const LIST_TIMEOUT_MS = 30_000;

/** The tools' connection directory: it sorts connections by connector. */
export type Directory = Pick<ConnectionDirectory, 'ofConnector'>;

/** What the user does about a connection that is not READY, by state: the CLI's exact commands, or the API backend's words. */
export function connectionFix(c: Connection, connector: Connector, target: Target): string {
  const reconnect = target.hints.reconnect({ id: c.id, clientAction: c.clientAction });
  const connect = target.hints.connect(connector);
  const error = c.error ? ` (${redact(c.error)})` : '';
  switch (c.state) {
    case 'BUILDING':
      return `"${c.name}" is still being set up: wait a moment${target.command ? `, check with \`${target.command} connection get ${c.id}\`` : ''}, then run doctor again.`;
    case 'DISCONNECTING':
      return connect.command
        ? `"${c.name}" is being removed: connect again with \`${connect.command}\`.`
        : `"${c.name}" is being removed: to connect again, ${connect.action}.`;
    case 'CONFIGURATION_ERROR':
    case 'SETUP_FAILED':
      return reconnect.command && connect.command
        ? `"${c.name}" failed to set up${error}: reconnect with \`${reconnect.command}\`, or create a new one with \`${connect.command}\`.`
        : `"${c.name}" failed to set up${error}: ${reconnect.action}, or ${connect.action}.`;
    default: {
      if (!reconnect.command) return `Reconnect "${c.name}"${error}: ${reconnect.action}.`;
      // The sandbox's URLs lead nowhere: its command is the way to reconnect.
      const url = isSandbox(target.backend) ? undefined : reconnect.uiUrl;
      return `Reconnect "${c.name}"${error}: ${url ? `open ${url}, or run \`${reconnect.command}\`` : `run \`${reconnect.command}\``}.`;
    }
  }
}

/** What the user does about a connector without any connection. */
function connectFix(connector: Connector, target: Target): string {
  if (isSandbox(target.backend) && !connector.builtIn) {
    return `The sandbox emulates only AmoCRM and 1CRM: use Membrane for ${connector.key} (its REST API with MEMBRANE_ACCESS_TOKEN, or the CLI: \`${INSTALL_CLI}\`), or drop it from --connectors.`;
  }
  return userFix(askUser(target.hints.connect(connector)))!;
}

function stateOf(c: Connection): string {
  return c.disconnected && c.state === 'READY' ? 'DISCONNECTED' : c.state;
}

/** One line per connection: id, state, name, aligned within the connector. */
function describe(list: Connection[]): string[] {
  const width = Math.max(...list.map((c) => stateOf(c).length));
  return list.map((c) => `${c.id}  ${stateOf(c).padEnd(width)}  ${redact(c.name)}`);
}

/** One check per enabled connector; a connector no READY connection serves fails when no connector has one. */
export function connectorChecks(
  settings: Pick<Settings, 'connectors' | 'defaultConnections'>,
  list: Connection[],
  target: Target,
  directory: Directory,
): { checks: Check[]; connections: Record<string, ConnectionSummary[]> } {
  const connections: Record<string, ConnectionSummary[]> = {};
  const checks: Check[] = [];
  let anyUsable = false;
  for (const connector of resolveConnectors(settings.connectors)) {
    const mine = directory.ofConnector(connector, list);
    connections[connector.key] = mine.map((c) => ({ id: c.id, name: redact(c.name), state: c.state }));
    const ready = mine.filter(isReady);
    const base = { id: `connections:${connector.key}`, title: connector.displayName, ...(mine.length ? { details: describe(mine) } : {}) };
    const defaultId = settings.defaultConnections[connector.key];
    let check: Check;
    if (defaultId) {
      const chosen = list.find((c) => c.id === defaultId || c.key === defaultId);
      const owner = chosen?.connectorKey?.toLowerCase();
      const valid = ready.length ? ` Valid READY ids: ${ready.map((c) => c.id).join(', ')}.` : '';
      if (!chosen) {
        check = {
          ...base,
          status: 'warn',
          summary: `the default connection ${defaultId} (--default-connection) does not exist`,
          fix: `Fix --default-connection ${connector.key}=<id> (MEMBRANE_CRM_DEFAULT_CONNECTION).${valid}`,
        };
      } else if (owner && owner !== connector.key) {
        check = {
          ...base,
          status: 'warn',
          summary: `the default connection ${defaultId} belongs to ${owner}, not ${connector.key}`,
          fix: `Fix --default-connection ${connector.key}=<id> (MEMBRANE_CRM_DEFAULT_CONNECTION).${valid}`,
        };
      } else if (!isReady(chosen)) {
        check = {
          ...base,
          status: 'warn',
          summary: `the default connection "${redact(chosen.name)}" is ${chosen.state}, not READY`,
          fix: connectionFix(chosen, connector, target),
        };
      } else {
        check = { ...base, status: 'ok', summary: `default connection "${redact(chosen.name)}" is READY` };
        anyUsable = true;
      }
    } else if (ready.length === 1) {
      check = {
        ...base,
        status: 'ok',
        summary: `"${redact(ready[0].name)}" is READY${mine.length > 1 ? ` (${mine.length} connections)` : ''}`,
      };
      anyUsable = true;
    } else if (ready.length > 1) {
      check = {
        ...base,
        status: 'warn',
        summary: `${ready.length} connections are READY: tools ask which one on every call without connectionId`,
        fix: `Pick a default: --default-connection ${connector.key}=${ready[0].id} (MEMBRANE_CRM_DEFAULT_CONNECTION); READY ids: ${ready.map((c) => c.id).join(', ')}.`,
      };
      anyUsable = true;
    } else if (mine.length) {
      const worst = mine.find((c) => c.clientAction?.uiUrl) ?? mine[0];
      check = {
        ...base,
        status: 'warn',
        summary: `no READY connection: "${redact(worst.name)}" is ${worst.state}`,
        fix: connectionFix(worst, connector, target),
      };
    } else {
      check = { ...base, status: 'warn', summary: 'no connection', fix: connectFix(connector, target) };
    }
    checks.push(check);
  }
  if (!anyUsable) {
    // Nothing works at all: every connector's problem blocks use.
    for (const c of checks) if (c.status === 'warn') c.status = 'fail';
  }
  return { checks, connections };
}
