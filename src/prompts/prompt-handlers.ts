// prompts/list, prompts/get and completion/complete on one Server instance. Prompt arguments arrive as
// strings from whoever fills the form: checked here (known prompt, required ones present, a configured
// connector, lengths), and refused with -32602 naming the argument, as the protocol asks.
import { ProtocolError, ProtocolErrorCode, type GetPromptResult, type Prompt, type Server } from '@modelcontextprotocol/server';
import { refFor } from '../tools/registry.js';
import type { ServerContext } from '../tools/tool-context.js';
import { ACTION_URI_TEMPLATE, CATALOG_URI_TEMPLATE } from '../resources/resource-uris.js';
import { CrmCompletions, budgetedCompletion } from './crm-completions.js';
import { quoted } from '../policy/call-preview.js';
import { type WorkflowPrompt, promptText, workflowPrompts } from './workflow-prompts.js';

/** The prompts offered with these connectors (a connector argument is required when there are several). */
export function offeredPrompts(ctx: Pick<ServerContext, 'connectors'>): WorkflowPrompt[] {
  return workflowPrompts(ctx.connectors.length > 1);
}

function listed(p: WorkflowPrompt): Prompt {
  return {
    name: p.name,
    title: p.title,
    description: p.description,
    arguments: p.arguments.map((a) => ({ name: a.name, description: a.description, required: a.required })),
  };
}

const invalid = (message: string) => new ProtocolError(ProtocolErrorCode.InvalidParams, message);

/** Longest completed value of a resource template variable (a connector key, an action id or key). */
const RESOURCE_ARGUMENT_CHARS = 200;
/** Unknown argument names named in a refusal, each quoted, escaped and capped; the rest are counted. */
const UNKNOWN_NAMES_SHOWN = 5;
const UNKNOWN_NAME_CHARS = 40;

/** Agent-chosen argument names as a refusal shows them. */
function unknownNames(names: string[]): string {
  const shown = names.slice(0, UNKNOWN_NAMES_SHOWN).map((n) => quoted(n, UNKNOWN_NAME_CHARS));
  const more = names.length - shown.length;
  return shown.join(', ') + (more > 0 ? ` and ${more} more` : '');
}

/** The messages of a prompt for these arguments; -32602 for a prompt or argument that does not fit. */
export function renderPrompt(
  ctx: Pick<ServerContext, 'connectors' | 'settings'>,
  prompts: WorkflowPrompt[],
  name: string,
  args: Record<string, string>,
): GetPromptResult {
  const prompt = prompts.find((p) => p.name === name);
  if (!prompt) throw invalid(`Unknown prompt ${quoted(name, 80)}; prompts/list names the prompts of this server.`);
  const known = new Set(prompt.arguments.map((a) => a.name));
  const unknown = Object.keys(args).filter((k) => !known.has(k));
  if (unknown.length) {
    const names = prompt.arguments.map((a) => a.name).join(', ');
    throw invalid(`Prompt ${prompt.name} has no argument ${unknownNames(unknown)}; its arguments are: ${names}.`);
  }
  const values: Record<string, string> = {};
  for (const a of prompt.arguments) {
    const value = args[a.name]?.trim();
    if (!value) {
      if (a.required) throw invalid(`Prompt ${prompt.name} needs the argument "${a.name}" (${a.description}).`);
      continue;
    }
    if (value.length > a.maxChars) throw invalid(`Argument "${a.name}" of ${prompt.name} is longer than ${a.maxChars} characters.`);
    values[a.name] = value;
  }
  const connector = values.connector
    ? ctx.connectors.find((c) => c.key === values.connector)
    : ctx.connectors.length === 1
      ? ctx.connectors[0]
      : undefined;
  if (!connector) throw invalid(`Argument "connector" must be one of: ${ctx.connectors.map((c) => c.key).join(', ')}.`);
  const shared = ctx.settings.toolMode === 'shared';
  const ref = refFor(shared ? ctx.connectors : [connector], shared);
  const text = promptText(prompt, {
    connector,
    ref: (suffix, a) => ref(suffix, connector, a),
    canBuild: !ctx.settings.readOnly,
    values,
  });
  return { description: `${prompt.title} in ${connector.displayName}`, messages: [{ role: 'user', content: { type: 'text', text } }] };
}

/** What every instance of one process shares: the prompt list, and the completion cache. */
export interface PromptServing {
  prompts: WorkflowPrompt[];
  completions: CrmCompletions;
}

export function promptServing(ctx: ServerContext): PromptServing {
  return { prompts: offeredPrompts(ctx), completions: new CrmCompletions(ctx) };
}

export function registerPrompts(server: Server, ctx: ServerContext, serving: PromptServing): void {
  const { prompts, completions } = serving;

  server.setRequestHandler('prompts/list', () => ({ prompts: prompts.map(listed) }));
  server.setRequestHandler('prompts/get', (request) => renderPrompt(ctx, prompts, request.params.name, request.params.arguments ?? {}));

  server.setRequestHandler('completion/complete', async (request, sdk) => {
    const { ref, argument } = request.params;
    const context = request.params.context?.arguments ?? {};
    const signal = sdk.mcpReq.signal;
    let values: string[] = [];
    let maxValueChars = RESOURCE_ARGUMENT_CHARS;
    if (ref.type === 'ref/prompt') {
      const promptArgument = prompts.find((p) => p.name === ref.name)?.arguments.find((a) => a.name === argument.name);
      if (promptArgument?.complete) {
        maxValueChars = promptArgument.maxChars;
        values = await completions.complete(promptArgument.complete, argument.value, context, signal);
      }
    } else if (ref.uri === CATALOG_URI_TEMPLATE || ref.uri === ACTION_URI_TEMPLATE) {
      if (argument.name === 'connector') values = await completions.complete('connector', argument.value, context, signal);
      else if (argument.name === 'actionId') {
        const connector = completions.connectorOf(context.connector);
        if (connector) values = await completions.actionKeys(connector, argument.value, signal);
      }
    }
    return { completion: budgetedCompletion(values, maxValueChars) };
  });
}
