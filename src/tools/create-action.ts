import { z } from 'zod';
import { ToolError } from '../errors.js';
import type { Action } from '../membrane/membrane-client.js';
import { classifyAction } from '../policy/action-kind.js';
import { inputsSummary } from '../results/cards.js';
import { buildFailed } from '../lookups/action-metadata.js';
import { crmName, defineTool } from './spec.js';
import { connectionIdField, idString, outputSchema } from './fields.js';

/**
 * `action get --wait` long-polls at most this long per CLI call (the API allows 1–60 s). Short enough
 * that a build does not hold one of the --max-concurrency CLI slots for long at a time.
 */
const POLL_SECONDS = 10;
/** Time a CLI needs to start and answer, on top of its long-poll. */
const CLI_MARGIN_MS = 5000;
/**
 * Progress while waiting, so clients that reset their timeout on progress keep waiting. None is sent with
 * the result: SDK clients handle a notification that arrives together with the response after it, and drop it.
 */
const PROGRESS_EVERY_MS = 3000;

function isBuilding(a: Action): boolean {
  return a.state === 'BUILDING';
}

export const createAction = defineTool({
  suffix: 'create_action',
  title: 'Create action',
  description: (t) =>
    `Build an action in ${crmName(t)} from a description ("list the tasks of a lead") when search finds none. ` +
    `Waits up to waitSeconds; if done is false, call again with actionId. Next: ${t.ref('run_action')}.`,
  input: z.strictObject({
    description: z.string().min(3).max(1000).optional().describe('What the action should do'),
    actionId: idString('an action id').optional().describe('Resume a build'),
    name: z.string().min(1).max(200).optional(),
    connectionId: connectionIdField,
    waitSeconds: z.number().int().min(1).max(55).optional().describe('Default 45'),
  }),
  output: outputSchema({
    connectionId: z.string(),
    action: z.looseObject({}),
    done: z.boolean(),
    nextStep: z.string().optional(),
  }),
  annotations: () => ({ readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true }),

  async handle(args, ctx, call) {
    const { connector } = call;
    if (!args.description === !args.actionId) {
      throw new ToolError('INVALID_INPUT', 'Pass exactly one of description (to build) or actionId (to keep waiting)', {
        retryable: false,
        details: {
          fields: [
            {
              field: args.description ? 'actionId' : 'description',
              problem: args.description ? 'cannot be combined with description' : 'description or actionId is required',
            },
          ],
        },
      });
    }
    const connectionId = await ctx.connections.resolve(connector, args.connectionId, call);
    const waitMs = (args.waitSeconds ?? 45) * 1000;
    const deadline = Date.now() + waitMs;

    // Every CLI call stays inside the waitSeconds budget (the client's own timeout is usually 60 s).
    const budget = () => ({ signal: call.signal, timeoutMs: Math.max(CLI_MARGIN_MS, deadline - Date.now() + CLI_MARGIN_MS) });
    let action = args.description
      ? await ctx.client.createAction({ description: args.description, connectionId, name: args.name }, budget())
      : await ctx.client.getAction({ id: args.actionId!, connectionId }, budget());
    ctx.log.info(`action ${action.id} ${args.description ? 'created' : 'resumed'}: ${action.state ?? 'no state'}`);

    const started = Date.now();
    if (isBuilding(action)) {
      const name = action.name;
      const report = () => {
        const elapsed = Math.round((Date.now() - started) / 1000);
        void call.progress(elapsed, Math.round(waitMs / 1000), `Membrane is building "${name}" (${elapsed} s)`);
      };
      report();
      const heartbeat = setInterval(report, PROGRESS_EVERY_MS);
      try {
        while (isBuilding(action)) {
          const remaining = Math.floor((deadline - Date.now()) / 1000);
          if (remaining < 1) break;
          const seconds = Math.min(POLL_SECONDS, remaining);
          action = await ctx.client.getAction(
            { id: action.id, connectionId, wait: true, timeoutSeconds: seconds },
            { signal: call.signal, timeoutMs: seconds * 1000 + CLI_MARGIN_MS },
          );
        }
      } finally {
        clearInterval(heartbeat);
      }
    }

    const { kind, trusted } = classifyAction(action);
    const summary = {
      id: action.id,
      ...(action.key ? { key: action.key } : {}),
      name: action.name,
      state: action.state ?? 'READY',
    };
    const failed = buildFailed(action, call);
    if (failed) throw failed;
    const base = { backend: ctx.client.backend, connector: connector.key, connectionId };
    if (isBuilding(action)) {
      return {
        ...base,
        action: summary,
        done: false,
        nextStep: `Still building after ${Math.round(waitMs / 1000)} s. Call ${call.ref('create_action', { actionId: action.id })} to keep waiting.`,
      };
    }
    ctx.actions.remember(connectionId, [action]);
    const warning =
      ctx.settings.readOnly && (kind !== 'read' || !trusted)
        ? `This action is ${kind === 'read' ? 'not proven read-only by its type' : kind}; the server runs with --read-only and will refuse to run it.`
        : undefined;
    return {
      ...base,
      action: { ...summary, kind, inputs: inputsSummary(action.inputSchema) },
      done: true,
      nextStep: `Run it: ${call.ref('run_action', { actionId: action.key ?? action.id, input: {} })} with the inputs above.`,
      ...(warning ? { warning } : {}),
    };
  },
});
