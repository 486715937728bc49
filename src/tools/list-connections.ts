import { z } from 'zod';
import type { Connection } from '../membrane/membrane-client.js';
import { isReady } from '../lookups/connection-directory.js';
import { crmName, defineTool } from './spec.js';
import { listOf, outputSchema } from './fields.js';
import { resultHead } from './handler-helpers.js';

export const listConnections = defineTool({
  suffix: 'list_connections',
  title: 'List connections',
  description: (t) =>
    `List ${crmName(t)} connections and their state. Call first; then ${t.ref('search_actions')}. Not READY: do nextStep.`,
  input: z.strictObject({
    refresh: z.boolean().optional().describe('Bypass the 30 s cache'),
  }),
  output: outputSchema({
    connections: listOf(),
    nextStep: z.string().optional(),
  }),
  annotations: () => ({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true }),

  async handle(args, ctx, call) {
    const { connector } = call;
    const all = await ctx.connections.all(call.signal, args.refresh === true);
    const mine = ctx.connections.ofConnector(connector, all);
    const ready = mine.filter(isReady);
    const configured = ctx.connections.defaultFor(connector);
    const defaultId = configured ?? (ready.length === 1 ? ready[0].id : undefined);

    const connections = mine.map((c: Connection) => ({
      id: c.id,
      name: c.name,
      state: c.state,
      disconnected: c.disconnected,
      isDefault: c.id === defaultId,
      // Only when the backend does not name the connector: found by name, used only once the user vouches for it.
      ...(c.connectorKey ? {} : { connectorVerified: ctx.connections.verified(connector, c) }),
      ...(c.clientAction ? { clientAction: c.clientAction } : {}),
      ...(c.error ? { error: c.error } : {}),
    }));

    let nextStep: string | undefined;
    const unverified = mine.filter((c) => !ctx.connections.verified(connector, c));
    if (unverified.length > 0) {
      nextStep =
        `The backend does not say which connector ${unverified.map((c) => c.id).join(', ')} belong(s) to, so these tools will not use ` +
        `${unverified.length > 1 ? 'them' : 'it'}. If one is the user's ${connector.displayName} connection, ask them to start the server with ` +
        `--default-connection ${connector.key}=<id>.`;
    } else if (mine.length === 0) {
      nextStep = `No ${connector.displayName} connection. ${ctx.connections.connectStep(connector, call)}`;
    } else if (ready.length === 0) {
      nextStep = `No connection is READY. ${ctx.connections.reconnectStep(mine.find((c) => c.clientAction?.uiUrl) ?? mine[0], call)}`;
    } else if (ready.length > 1 && !configured) {
      nextStep = `Several connections are READY: pass connectionId to the other ${connector.displayName} tools.`;
    } else {
      nextStep = `Call ${call.ref('search_actions', { intent: 'what you want to do' })}.`;
    }
    return { ...resultHead(ctx, call), connections, nextStep };
  },
});
