// prompts/list, prompts/get and completion/complete on one Server instance. Prompt arguments arrive as
// strings from whoever fills the form: checked here (known prompt, required ones present, a configured
// connector, lengths), and refused with -32602 naming the argument, as the protocol asks.
import { ProtocolError, ProtocolErrorCode, type GetPromptResult, type Prompt, type Server } from '@modelcontextprotocol/server';
import { refFor } from '../tools/registry.js';
import type { ServerContext } from '../tools/tool-context.js';
import { ACTION_URI_TEMPLATE, CATALOG_URI_TEMPLATE } from '../resources/resource-uris.js';
import { CrmCompletions } from './crm-completions.js';
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

/** The messages of a prompt for these arguments; -32602 for a prompt or argument that does not fit. */
export function renderPrompt(
  ctx: Pick<ServerContext, 'connectors' | 'settings'>,
  prompts: WorkflowPrompt[],
  name: string,
  args: Record<string, string>,
): GetPromptResult {
  const prompt = prompts.find((p) => p.name === name);
  if (!prompt) throw invalid(`Unknown prompt "${name.slice(0, 80)}"; prompts/list names the prompts of this server.`);
  const known = new Set(prompt.arguments.map((a) => a.name));
  const unknown = Object.keys(args).filter((k) => !known.has(k));
  if (unknown.length) throw invalid(`Prompt ${prompt.name} has no argument ${unknown.map((k) => `"${k.slice(0, 40)}"`).join(', ')}.`);
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
    if (ref.type === 'ref/prompt') {
      const source = prompts.find((p) => p.name === ref.name)?.arguments.find((a) => a.name === argument.name)?.complete;
      if (source) values = await completions.complete(source, argument.value, context, signal);
    } else if (ref.uri === CATALOG_URI_TEMPLATE || ref.uri === ACTION_URI_TEMPLATE) {
      if (argument.name === 'connector') values = await completions.complete('connector', argument.value, context, signal);
      else if (argument.name === 'actionId') {
        const connector = completions.connectorOf(context.connector);
        if (connector) values = await completions.actionKeys(connector, argument.value, signal);
      }
    }
    return { completion: { values, total: values.length, hasMore: false } };
  });
}
