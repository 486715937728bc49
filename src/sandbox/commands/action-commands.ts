// action list / get / create / run: argv in, engine call, text or JSON out.
import { ArgvProblem, parseIntFlag, parseSecondsFlag, type ParsedArgs } from '../args.js';
import { invalidInput } from '../error-data.js';
import type { ConnectionRow } from '../connection-model.js';
import { actionLine } from '../action-model.js';
import { resolveConnection } from '../engine/connection-engine.js';
import { createAction, getAction, INTENT_MAX_CHARS, listActions, runAction } from '../engine/action-engine.js';
import { engineOf, output, pretty, type CommandContext, type CommandOutput } from './command-context.js';

/** --connectionId, or --connectionKey (a connection id, or a connector key meaning its first connection). */
function connectionArg(ctx: CommandContext, args: ParsedArgs, required: boolean): ConnectionRow | undefined {
  const row = resolveConnection(engineOf(ctx), { id: args.string('connectionId'), key: args.string('connectionKey') });
  if (!row && required) throw new ArgvProblem('--connectionId=<id> is required');
  return row;
}

export async function actionList(ctx: CommandContext, args: ParsedArgs): Promise<CommandOutput> {
  const connection = connectionArg(ctx, args, false);
  const intent = args.string('intent')?.slice(0, INTENT_MAX_CHARS);
  const page = await listActions(engineOf(ctx), {
    connection,
    // The CLI cuts an intent over the API's cap rather than rejecting it.
    intent,
    limit: parseIntFlag(args.string('limit'), 'limit', 1, 1000),
    cursor: args.string('cursor'),
  });
  const ranked = Boolean(connection && intent?.trim());
  const text = page.items.length ? page.items.map(actionLine).join('\n') : ranked ? 'No action matches' : 'No actions';
  return output(page, page.cursor ? `${text}\n(more: --cursor=${page.cursor})` : text);
}

export async function actionGet(ctx: CommandContext, args: ParsedArgs): Promise<CommandOutput> {
  const idOrKey = args.rest(2)[0];
  const connection = connectionArg(ctx, args, false);
  const timeoutS = parseSecondsFlag(args.string('timeout'), 'timeout', 30, 60);
  // --wait long-polls while BUILDING; on timeout the action is printed as it is (still BUILDING), exit 0.
  const view = await getAction(engineOf(ctx), idOrKey, connection, args.flag('wait') ? { timeoutMs: timeoutS * 1000 } : undefined);
  return output(view, `${actionLine(view)}\n${view.description}`);
}

export async function actionCreate(ctx: CommandContext, args: ParsedArgs): Promise<CommandOutput> {
  const description = (args.rest(2).join(' ') || args.string('intent') || '').trim();
  if (!description) throw new ArgvProblem('action create needs a "<description>"');
  const connection = connectionArg(ctx, args, true) as ConnectionRow;
  const view = await createAction(engineOf(ctx), { description, connection, name: args.string('name') });
  return output(view, `${actionLine(view)}\nWait for it: membrane-sandbox action get ${view.id} --wait`);
}

function parseInputJson(raw: string | undefined): unknown {
  if (raw === undefined) return {};
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw invalidInput(`Invalid JSON in --input: ${(err as Error).message}`);
  }
}

export async function actionRun(ctx: CommandContext, args: ParsedArgs): Promise<CommandOutput> {
  const idOrKey = args.rest(2)[0];
  const connection = connectionArg(ctx, args, true) as ConnectionRow;
  const result = await runAction(engineOf(ctx), { idOrKey, connection, input: () => parseInputJson(args.string('input')) });
  return output(result, pretty(result.output));
}
