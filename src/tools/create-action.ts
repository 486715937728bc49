import { z } from 'zod';
import { ToolError } from '../errors.js';
import type { Action } from '../membrane/membrane-client.js';
import { actionRef } from '../policy/rules.js';
import { type ActionCard, BUILT_CARD_CHARS, actionCard, inputNames } from '../results/cards.js';
import { buildFailed } from '../lookups/action-metadata.js';
import { ID_PATTERN, looksLikeObjectId } from '../membrane/identifiers.js';
import { quoted } from '../policy/call-preview.js';
import type { MembraneClient } from '../membrane/membrane-client.js';
import { crmName, defineTool } from './spec.js';
import type { CallContext } from './tool-context.js';
import { connectionIdField, freeText, idString, outputSchema } from './fields.js';
import { resultHead } from './handler-helpers.js';

/**
 * `action get --wait` long-polls at most this long per CLI call (the API allows 1–60 s). Short enough
 * that a build does not hold one of the --max-concurrency CLI slots for long at a time.
 */
const POLL_SECONDS = 10;
/** Time a CLI needs to start and answer, on top of its long-poll. */
const CLI_MARGIN_MS = 5000;

function isBuilding(a: Action): boolean {
  return a.state === 'BUILDING';
}

// Names are shown to people (confirmation dialogs, progress) and become keys: one line, no control,
// format or line-separator characters.
const UNSAFE_IN_NAME = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/**
 * A name whose key could read as an action id: the whole name, or a word of it, shaped like one (keys are
 * derived from names, and Membrane resolves a selector as an id before a key).
 */
function idShaped(name: string): boolean {
  return looksLikeObjectId(name.replace(/[^0-9a-z]/gi, '')) || name.split(/[^0-9a-z]+/i).some(looksLikeObjectId);
}

const nameField = z
  .string()
  .min(1)
  .max(200)
  .refine((v) => !UNSAFE_IN_NAME.test(v), 'must be one line without control or formatting characters')
  .refine(
    (v) => !idShaped(v),
    'must not look like an action id (24 hexadecimal characters, alone or as one word), since actions are called by id or key: ' +
      'name it in plain words (e.g. "Complete overdue tasks") or leave name out',
  );

/** INVALID_INPUT when the backend resolves `name` as the id of an existing action (a key equal to it would be ambiguous). */
async function refuseNameThatIsAnId(client: MembraneClient, name: string, connectionId: string, signal: AbortSignal): Promise<void> {
  if (!ID_PATTERN.test(name)) return;
  const existing = await client.getAction({ id: name, connectionId }, { signal }).catch((e: unknown) => {
    if (e instanceof ToolError && e.code === 'NOT_FOUND') return undefined;
    throw e;
  });
  if (existing?.id === name) {
    throw new ToolError('INVALID_INPUT', `name ${quoted(name)} is the id of an existing action`, {
      nextStep:
        'Call again with a name in plain words (e.g. "Complete overdue tasks"), or without name; actions are called by id or key, so a name may not be an id.',
      retryable: false,
      details: { fields: [{ field: 'name', problem: 'is the id of an existing action' }] },
    });
  }
}

/**
 * How to run a built action: by id (unambiguous), with its required inputs, and with the conditions of the
 * description ("due this week", "owned by Anna") carried in its inputs: run with an empty input, a list action
 * returns everything.
 */
function runStep(card: ActionCard, call: CallContext): string {
  const fields = inputNames(card.inputs);
  const required = Object.keys(card.inputs).filter((k) => fields.includes(k));
  const input = Object.fromEntries(required.map((k) => [k, '…']));
  const run = call.ref('run_action', required.length ? { actionId: card.id, input } : { actionId: card.id });
  if (fields.length === 0) return `Run it: ${run}.`;
  const named = `${fields.slice(0, 8).join(', ')}${fields.length > 8 ? ', …' : ''}`;
  return (
    `Run it: ${run}. Put every condition of your description (dates, owners, stages, amounts, names) into its inputs ` +
    `(action.inputs: ${named}); left out, a condition does not apply.`
  );
}

export const createAction = defineTool({
  suffix: 'create_action',
  title: 'Create action',
  description: (t) =>
    `Build an action in ${crmName(t)} from a description ("list the tasks of a lead") when search finds none. ` +
    `Waits up to waitSeconds; done false: call again with actionId. Next: ${t.ref('run_action')}.`,
  input: z.strictObject({
    description: freeText(3, 1000).optional().describe('What the action should do'),
    actionId: idString('an action id').optional().describe('Resume a build'),
    name: nameField.optional(),
    connectionId: connectionIdField,
    waitSeconds: z.number().int().min(1).max(55).optional().describe('Default 45'),
  }),
  output: outputSchema({
    action: z.looseObject({}),
    done: z.boolean(),
    nextStep: z.string().optional(),
  }),
  annotations: () => ({ readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true }),
  // Building an action writes it to the Membrane workspace: not a read.
  offeredWhen: (settings) => !settings.readOnly,

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
    if (args.description && args.name) await refuseNameThatIsAnId(ctx.client, args.name, connectionId, call.signal);
    let action = args.description
      ? await ctx.client.createAction({ description: args.description, connectionId, name: args.name }, budget())
      : await ctx.client.getAction({ id: args.actionId!, connectionId }, budget());
    ctx.log.info(`action ${action.id} ${args.description ? 'created' : 'resumed'}: ${action.state ?? 'no state'}`);

    if (isBuilding(action)) {
      // The call's progress heartbeat keeps reporting this while the build runs (clients reset their timeout on it).
      call.doing(`Membrane is building ${quoted(action.name, 80)}`, { total: Math.round(waitMs / 1000), now: true });
      while (isBuilding(action)) {
        const remaining = Math.floor((deadline - Date.now()) / 1000);
        if (remaining < 1) break;
        const seconds = Math.min(POLL_SECONDS, remaining);
        action = await ctx.client.getAction(
          { id: action.id, connectionId, wait: true, timeoutSeconds: seconds },
          { signal: call.signal, timeoutMs: seconds * 1000 + CLI_MARGIN_MS },
        );
      }
    }

    const summary = {
      id: action.id,
      ...(action.key ? { key: action.key } : {}),
      name: action.name,
      state: action.state ?? 'READY',
    };
    const failed = buildFailed(action, call);
    if (failed) throw failed;
    const base = resultHead(ctx, call, connectionId);
    if (isBuilding(action)) {
      return {
        ...base,
        action: summary,
        done: false,
        nextStep: `Still building after ${Math.round(waitMs / 1000)} s. Call ${call.ref('create_action', { actionId: action.id })} to keep waiting.`,
      };
    }
    ctx.actions.remember(connectionId, [action]);
    // Said now rather than on the first run: the server's rules (an allow list, deny rules) will refuse it.
    const denial = ctx.policy.actionDenial(connector.key, actionRef(action));
    const card = actionCard(action, { maxChars: BUILT_CARD_CHARS });
    return {
      ...base,
      action: { ...card, state: summary.state },
      done: true,
      nextStep: runStep(card, call),
      ...(denial ? { warning: `The server's rules will refuse to run it: ${denial.message}.` } : {}),
    };
  },
});
