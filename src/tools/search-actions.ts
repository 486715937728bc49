import { z } from 'zod';
import { entityList } from '../connectors.js';
import { actionCard } from '../results/cards.js';
import { actionRef } from '../policy/rules.js';
import { budgetResult } from '../results/paging.js';
import { crmName, defineTool } from './spec.js';
import { connectionIdField, listOf, outputSchema, pagingFields, truncatedOut } from './fields.js';
import { missingArgument, nextPart } from './handler-helpers.js';

export const searchActions = defineTool({
  suffix: 'search_actions',
  title: 'Search actions',
  description: (t) => {
    const entities =
      t.connectors.length === 1
        ? ` Entities: ${entityList(t.connectors[0])}.`
        : ` Entities: ${t.connectors.map((c) => `${c.displayName}: ${entityList(c)}`).join('; ')}.`;
    return (
      `Find ${crmName(t)} actions for an intent ("create a lead").${entities} ` +
      `Cards: id, kind, inputs (x? = optional). ` +
      `Next: ${t.ref('run_action')}; none fits: ${t.offers('create_action') ? `${t.ref('create_action')} or ` : ''}${t.ref('proxy_request')}.`
    );
  },
  input: z.strictObject({
    intent: z.string().min(1).max(200).optional().describe('What you want to do'),
    limit: z.number().int().min(1).max(20).optional().describe('Default 5'),
    connectionId: connectionIdField,
    includeSchemas: z.boolean().optional().describe('Full JSON Schemas (large)'),
    ...pagingFields,
  }),
  output: outputSchema({
    actions: listOf(),
    truncated: truncatedOut,
  }),
  annotations: () => ({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true }),

  async handle(args, ctx, call) {
    const { connector } = call;
    if (args.resultId) return nextPart(args, ctx, call);
    if (!args.intent) throw missingArgument('intent', `Call ${call.tool} with an intent such as "create a lead".`);
    const connectionId = await ctx.connections.resolve(connector, args.connectionId, call);
    const limit = args.limit ?? 5;
    // Ask for a few more when rules hide some, so the agent still gets `limit` usable actions.
    const restrictive = ctx.settings.readOnly || ctx.settings.denyActions.length > 0 || ctx.settings.allowActions.length > 0;
    const found = await ctx.client.listActions(
      { connectionId, intent: args.intent, limit: restrictive ? Math.min(limit * 3, 50) : limit },
      { signal: call.signal },
    );
    ctx.actions.remember(connectionId, found);

    // Denied actions (and, read-only, all but reads) are not shown: the agent could not run them.
    const visible = found.filter((a) => !ctx.policy.actionDenial(connector.key, actionRef(a)));
    const actions = visible.slice(0, limit).map((a) => actionCard(a, args.includeSchemas === true));
    const hidden = found.length - visible.length;
    const fixed = { backend: ctx.client.backend, connector: connector.key, connectionId };
    const nextStep =
      actions.length > 0
        ? undefined
        : hidden > 0
          ? `The ${hidden} matching action(s) are not allowed on this server (read-only or allow/deny rules); tell the user, or try ${call.ref('proxy_request')} if the rules allow it.`
          : call.offers('create_action')
            ? `No action matches; build one with ${call.ref('create_action', { description: args.intent })}, or call the API with ${call.ref('proxy_request')}.`
            : `No action matches; call the API with ${call.ref('proxy_request')} (GET).`;
    const payload = { actions, ...(hidden > 0 ? { hidden } : {}), ...(nextStep ? { nextStep } : {}) };
    return budgetResult(call.tool, fixed, payload, ctx.settings.maxResultChars, ctx.results, ['actions']);
  },
});
