import { z } from 'zod';
import { ToolError } from '../errors.js';
import type { Action } from '../membrane/types.js';
import { actionRef } from '../policy/rules.js';
import { inputsSummary } from '../results/cards.js';
import { budgetResult, getAt } from '../results/paging.js';
import { changingToolAnnotations, connectionIdField, crmName, defineTool, idString, offsetField, outputSchema, resultIdField, truncatedOut, missingArgument, nextPart } from './spec.js';
import { buildFailed } from './create-action.js';
import { gatedWrite, summarize } from './write-gate.js';

/** Arrays the CRM actions return records in; paged by item when an output is too large. */
const RECORD_ARRAYS = [['output', 'records'], ['output', 'items'], ['output', 'data'], ['output']];

function recordsPath(payload: Record<string, unknown>): (string | number)[] | undefined {
  return RECORD_ARRAYS.find((p) => Array.isArray(getAt(payload, p)));
}

function usable(action: Action, call: { ref(s: string, a?: Record<string, unknown>): string }): void {
  if (action.state === 'BUILDING') {
    throw new ToolError('ACTION_NOT_READY', `Action ${action.key ?? action.id} is still being built`, {
      nextStep: `Wait for it: ${call.ref('create_action', { actionId: action.id })}.`,
      retryable: true,
    });
  }
  const failed = buildFailed(action, call);
  if (failed) throw failed;
}

export const runAction = defineTool({
  suffix: 'run_action',
  title: 'Run action',
  description: (t) =>
    `Run an action in ${crmName(t)} by id or key; input is checked against its schema first. ` +
    `Big outputs are cut: page with truncated.resultId instead of re-running.`,
  input: z.strictObject({
    actionId: idString('an action id or key').optional().describe('Id or key from search (unless resultId)'),
    input: z.looseObject({}).optional().describe('Per the card\'s inputs'),
    connectionId: connectionIdField,
    confirm: z.string().max(100).optional().describe('Token from CONFIRMATION_REQUIRED'),
    allowRepeat: z.boolean().optional().describe('Repeat an identical write within 60 s'),
    resultId: resultIdField,
    offset: offsetField,
  }),
  output: outputSchema({
    connectionId: z.string().optional(),
    actionId: z.string().optional(),
    actionRunId: z.string().optional(),
    output: z.unknown(),
    truncated: truncatedOut,
  }),
  annotations: changingToolAnnotations,

  async handle(args, ctx, call) {
    const { connector } = call;
    const backend = ctx.client.backend;
    if (args.resultId) return nextPart(args, ctx, call);
    if (!args.actionId) throw missingArgument('actionId', `Find one with ${call.ref('search_actions', { intent: '…' })}.`);
    const connectionId = await ctx.connections.resolve(connector, args.connectionId, call);
    const action = await ctx.catalog.get(connectionId, args.actionId, call.signal);
    usable(action, call);
    const ref = actionRef(action);
    const kind = ref.kind;
    const denial = ctx.policy.actionDenial(connector.key, ref);
    if (denial) throw denial;

    const input = args.input ?? {};
    const problems = await ctx.catalog.validate(action, input);
    if (problems.length) {
      throw new ToolError('INVALID_INPUT', `Input for ${action.key ?? action.id} is invalid: ${problems.map((p) => `${p.field} ${p.problem}`).join('; ')}`, {
        nextStep: 'Fix the listed fields (inputs shows every field; "?" marks optional ones) and call again. Nothing was run.',
        retryable: false,
        details: { fields: problems, inputs: inputsSummary(action.inputSchema), inputSchema: action.inputSchema },
      });
    }

    const result = await gatedWrite(
      ctx,
      call,
      {
        kind,
        fingerprint: { connector: connector.key, connectionId, action: action.id, input },
        preview: { connector: connector.displayName, connectionId, action: `${action.key ?? action.id} (${action.name})`, kind, input: summarize(input) },
        confirm: args.confirm,
        allowRepeat: args.allowRepeat,
      },
      () =>
        ctx.client.runAction({ actionId: action.id, connectionId, input }, { signal: call.signal, kind: kind === 'read' && ref.trusted ? 'read' : 'write' }).catch((e: unknown) => {
          // The CLI says the action is gone or its input changed: the cached metadata is stale.
          if (e instanceof ToolError && (e.code === 'NOT_FOUND' || e.code === 'INVALID_INPUT')) ctx.catalog.forget(connectionId, action);
          throw e;
        }),
    );

    const fixed = {
      backend,
      connector: connector.key,
      connectionId,
      actionId: action.id,
      ...(result.actionRunId ? { actionRunId: result.actionRunId } : {}),
    };
    const payload = { output: result.output ?? null };
    return budgetResult(call.tool, fixed, payload, ctx.settings.maxResultChars, ctx.results, recordsPath(payload));
  },
});
