import { z } from 'zod';
import { ToolError } from '../errors.js';
import type { Action } from '../membrane/membrane-client.js';
import type { CallContext } from './tool-context.js';
import { actionRef } from '../policy/rules.js';
import { inputsSummary } from '../results/cards.js';
import { getAt } from '../results/budget.js';
import { changingToolAnnotations, crmName, defineTool } from './spec.js';
import { changingCallFields, idString, outputSchema, truncatedOut } from './fields.js';
import { shapeOutput } from '../results/shape.js';
import { budgeted, missingArgument, resultHead } from './handler-helpers.js';
import { assertUsable } from '../lookups/action-metadata.js';
import { gatedWrite } from '../policy/write-gate.js';
import { actionPreview, quoted } from '../policy/call-preview.js';

/** Arrays the CRM actions return records in; paged by item when an output is too large. */
const RECORD_ARRAYS = [['output', 'records'], ['output', 'items'], ['output', 'data'], ['output']];

function recordsPath(payload: Record<string, unknown>): (string | number)[] | undefined {
  return RECORD_ARRAYS.find((p) => Array.isArray(getAt(payload, p)));
}

/**
 * The CRM answered 404 inside an action: a record the input names does not exist. NOT_FOUND names the ids
 * the input carried (top-level `id` and `*_id` fields) and how to find the right one.
 */
function missingRecord(e: ToolError, action: Action, input: Record<string, unknown>, call: CallContext): ToolError {
  const ids = Object.fromEntries(
    Object.entries(input).filter(([k, v]) => (k === 'id' || k.endsWith('_id')) && (typeof v === 'string' || typeof v === 'number')),
  );
  const named = Object.entries(ids)
    .map(([k, v]) => `${k} ${JSON.stringify(v).slice(0, 100)}`)
    .join(', ');
  return new ToolError(
    'NOT_FOUND',
    `${action.key ?? action.id} found no record${named ? ` for ${named}` : ''} (the CRM answered HTTP 404); nothing was changed`,
    {
      nextStep: `Check the id: find the record with a list or search action (${call.ref('search_actions', { intent: 'find …' })}), then call again with its id.`,
      retryable: false,
      about: 'record',
      details: { ...e.details, ...(named ? { ids } : {}) },
    },
  );
}

export const runAction = defineTool({
  suffix: 'run_action',
  title: 'Run action',
  description: (t) =>
    `Run an action in ${crmName(t)} by id or key; input is checked against its schema first. ` +
    `A cut output: page it with truncated.resultId, do not re-run.`,
  input: z.strictObject({
    actionId: idString('an action id or key').optional().describe('Id or key from search'),
    input: z.looseObject({}).optional().describe("Per the card's inputs"),
    ...changingCallFields,
  }),
  output: outputSchema({
    actionId: z.string().optional(),
    actionRunId: z.string().optional(),
    output: z.unknown(),
    truncated: truncatedOut,
  }),
  annotations: changingToolAnnotations,

  async handle(args, ctx, call) {
    const { connector } = call;
    if (!args.actionId) throw missingArgument('actionId', `Find one with ${call.ref('search_actions', { intent: '…' })}.`);
    const connectionId = await ctx.connections.resolve(connector, args.connectionId, call);
    const action = await ctx.actions.get(connectionId, args.actionId, call.signal);
    assertUsable(action, call);
    const ref = actionRef(action);
    const kind = ref.kind;
    const denial = ctx.policy.actionDenial(connector.key, ref);
    if (denial) throw denial;

    const input = args.input ?? {};
    const problems = await ctx.validator.validate(action, input);
    if (problems.length) {
      throw new ToolError(
        'INVALID_INPUT',
        `Input for ${action.key ?? action.id} is invalid: ${problems.map((p) => `${p.field} ${p.problem}`).join('; ')}`,
        {
          nextStep: 'Fix the listed fields (inputs shows every field; "?" marks optional ones) and call again. Nothing was run.',
          retryable: false,
          details: { fields: problems, inputs: inputsSummary(action.inputSchema), inputSchema: action.inputSchema },
        },
      );
    }

    call.doing(`Running ${quoted(action.key ?? action.name, 80)} in ${connector.displayName}`);
    const result = await gatedWrite(
      ctx,
      call,
      {
        kind,
        connectionId,
        fingerprint: { connector: connector.key, connectionId, action: action.id, input },
        preview: actionPreview({ kind, connector: connector.displayName, connectionId, action, input }),
        confirm: args.confirm,
        allowRepeat: args.allowRepeat,
      },
      () =>
        ctx.client
          .runAction(
            { actionId: action.id, connectionId, input },
            { signal: call.signal, kind: kind === 'read' && ref.trusted ? 'read' : 'write' },
          )
          .catch((e: unknown) => {
            // The CLI says the action is gone or its input changed: the cached metadata is stale.
            if (e instanceof ToolError && (e.code === 'NOT_FOUND' || e.code === 'INVALID_INPUT')) ctx.actions.forget(connectionId, action);
            if (e instanceof ToolError && e.code === 'UPSTREAM_ERROR' && e.details?.status === 404)
              throw missingRecord(e, action, input, call);
            throw e;
          }),
    );

    const head = {
      ...resultHead(ctx, call, connectionId),
      actionId: action.id,
      ...(result.actionRunId ? { actionRunId: result.actionRunId } : {}),
    };
    const payload = { output: shapeOutput(result.output ?? null, args.shape ?? 'compact', input) };
    return budgeted(ctx, call, head, payload, recordsPath(payload));
  },
});
