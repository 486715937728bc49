import { z } from 'zod';
import { entityList } from '../connectors.js';
import { isSandbox } from '../membrane/membrane-client.js';
import { actionCard, matchStrength } from '../results/cards.js';
import { actionRef } from '../policy/rules.js';
import { quoted } from '../policy/call-preview.js';
import { crmName, defineTool } from './spec.js';
import { connectionIdField, freeText, listOf, outputSchema, pagingFields, truncatedOut } from './fields.js';
import { budgeted, missingArgument, resultHead } from './handler-helpers.js';

/** Cards shown when nothing matches strongly: enough to see what is near, not a page of guesses. */
const WEAK_ONLY_CARDS = 3;

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
      `Cards: id, kind, match, inputs (x? = optional). ` +
      `Next: ${t.ref('run_action')}; none fits: ${t.offers('create_action') ? `${t.ref('create_action')} or ` : ''}${t.ref('proxy_request')}.`
    );
  },
  input: z.strictObject({
    intent: freeText(1, 200).optional().describe('What you want to do'),
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
    if (!args.intent) throw missingArgument('intent', `Call ${call.tool} with an intent such as "create a lead".`);
    const connectionId = await ctx.connections.resolve(connector, args.connectionId, call);
    const limit = args.limit ?? 5;
    call.doing(`Searching ${connector.displayName} actions for ${quoted(args.intent, 80)}`);
    // Ask for a few more when rules hide some, so the agent still gets `limit` usable actions.
    const restrictive = ctx.settings.readOnly || ctx.settings.denyActions.length > 0 || ctx.settings.allowActions.length > 0;
    const found = await ctx.client.listActions(
      { connectionId, intent: args.intent, limit: restrictive ? Math.min(limit * 3, 50) : limit },
      { signal: call.signal },
    );
    ctx.actions.remember(connectionId, found);

    // Denied actions (and, read-only, all but reads) are not shown: the agent could not run them.
    const visible = found.filter((a) => !ctx.policy.actionDenial(connector.key, actionRef(a)));
    const hidden = found.length - visible.length;
    const hiddenStrong = found.filter((a) => !visible.includes(a) && matchStrength(a) === 'strong').length;
    // Relevance comes from the backend: a score when it gives one (the sandbox), else only its order.
    const scored = visible.some((a) => a.score !== undefined);
    const strong = visible.filter((a) => matchStrength(a) === 'strong').length;
    // Without a strong match, a few weak cards are context for the next step, not answers.
    const shown = scored && strong === 0 ? visible.slice(0, Math.min(limit, WEAK_ONLY_CARDS)) : visible.slice(0, limit);
    const actions = shown.map((a) => actionCard(a, { includeSchemas: args.includeSchemas === true, withMatch: true }));
    const build = call.offers('create_action')
      ? `build one with ${call.ref('create_action', { description: args.intent })}, or call the API with ${call.ref('proxy_request')}`
      : `call the API with ${call.ref('proxy_request')} (GET)`;
    const notAllowed = (n: number) =>
      `${n} matching action(s) are not allowed on this server (read-only or allow/deny rules): tell the user`;
    let nextStep: string | undefined;
    if (actions.length === 0) {
      nextStep =
        hidden > 0 ? `${notAllowed(hidden)}, or try ${call.ref('proxy_request')} if the rules allow it.` : `No action matches; ${build}.`;
    } else if (scored && strong === 0) {
      nextStep =
        hiddenStrong > 0
          ? `No strong match allowed here: ${notAllowed(hiddenStrong)}; the cards are weak matches.`
          : `No strong match: these cards only share words with the intent. If none does it, ${build}.`;
    } else if (!scored) {
      nextStep = `${isSandbox(ctx.client.backend) ? 'The backend' : 'Membrane'} ranks without a relevance score (match "unknown"): check that a card does what you want before running it; if none does, ${build}.`;
    }
    const payload = { actions, ...(hidden > 0 ? { hidden } : {}), ...(nextStep ? { nextStep } : {}) };
    return budgeted(ctx, call, resultHead(ctx, call, connectionId), payload, ['actions']);
  },
});
