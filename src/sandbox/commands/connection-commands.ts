// connect, connection list, connection get: argv in, engine call, text or JSON out.
import { parseIntFlag, parseSecondsFlag, ArgvProblem, type ParsedArgs } from '../args.js';
import type { Connection } from '../connection-model.js';
import { connect as connectConnection, findConnector, getConnection, listConnections } from '../engine/connection-engine.js';
import { engineOf, output, type CommandContext, type CommandOutput } from './command-context.js';

export function connectionLine(c: Connection): string {
  const line = `${c.id}  ${c.state.padEnd(22)} ${c.connectorKey.padEnd(10)} ${c.name}`;
  return c.clientAction ? `${line}\n  ${c.clientAction.description} ${c.clientAction.uiUrl}` : line;
}

export async function connect(ctx: CommandContext, args: ParsedArgs): Promise<CommandOutput> {
  const name = args.string('name');
  const selector = args.string('connectionId') ?? args.string('connectionKey');
  const connector = findConnector({
    key: args.string('connectorKey') ?? args.string('integrationKey'),
    id: args.string('connectorId') ?? args.string('integrationId'),
    intent: args.string('intent'),
  });
  let view: Connection;
  if (selector !== undefined) {
    view = connectConnection(engineOf(ctx), { reconnect: selector, connector, name });
  } else if (connector) {
    view = connectConnection(engineOf(ctx), {
      connector,
      name,
      allowMultiple: args.flag('allowMultipleConnections'),
      nonInteractive: args.flag('non-interactive'),
    });
  } else {
    throw new ArgvProblem(
      'connect needs --connectorKey=<key>, --connectorId=<id> or --intent=<text> (or --connectionId=<id> to reconnect)',
    );
  }
  return output(view, connectionLine(view));
}

export async function connectionList(ctx: CommandContext, args: ParsedArgs): Promise<CommandOutput> {
  const page = listConnections(engineOf(ctx), {
    limit: parseIntFlag(args.string('limit'), 'limit', 1, 1000),
    search: args.string('search'),
    integrationKey: args.string('integrationKey'),
    cursor: args.string('cursor'),
  });
  const text = page.items.length ? page.items.map(connectionLine).join('\n') : 'No connections';
  return output(page, page.cursor ? `${text}\n(more: --cursor=${page.cursor})` : text);
}

export async function connectionGet(ctx: CommandContext, args: ParsedArgs): Promise<CommandOutput> {
  const id = args.rest(2)[0];
  // Membrane long-polls with --wait while a connection is BUILDING. Sandbox connections are never
  // BUILDING (authentication is instant), so there is nothing to wait for; --timeout is still checked.
  parseSecondsFlag(args.string('timeout'), 'timeout', 30, 60);
  const view = getConnection(engineOf(ctx), id);
  return output(view, connectionLine(view));
}
