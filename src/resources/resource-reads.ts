// What each resource holds, read through the same paths as the tools: connection resolution (default
// connection, the only READY one, or an error saying what to do), the server's rules (an action the rules
// refuse is neither listed nor readable; read-only shows reads only) and the output budget (a large
// catalog or schema is cut, and the rest is a stored result read as membrane://results/…).
import type { Resource } from '@modelcontextprotocol/server';
import type { Connector } from '../connectors.js';
import { ToolError } from '../errors.js';
import type { Action } from '../membrane/membrane-client.js';
import { classifyAction } from '../policy/action-kind.js';
import { actionRef } from '../policy/rules.js';
import { AS_TEXT } from '../results/budget.js';
import { oneLine } from '../results/cards.js';
import { budgetResult, missingResult, pageResult } from '../results/paging.js';
import { RESOURCE_READER, resultUri } from '../results/result-store.js';
import { CATALOG_LIMIT } from '../lookups/action-catalog.js';
import type { CallContext, ServerContext } from '../tools/tool-context.js';
import { ACTION_URI_TEMPLATE, actionUri, catalogUri } from './resource-uris.js';

/** A connector this server serves, by key; NOT_FOUND names the ones it does. */
export function servedConnector(ctx: Pick<ServerContext, 'connectors'>, key: string): Connector {
  const found = ctx.connectors.find((c) => c.key === key);
  if (found) return found;
  throw new ToolError('NOT_FOUND', `This server does not serve a connector "${oneLine(key, 60)}"`, {
    nextStep: `Use one of: ${ctx.connectors.map((c) => catalogUri(c.key)).join(', ')}.`,
    retryable: false,
  });
}

/** Actions that can be used now (a build still running or failed is not shown) and that the rules allow. */
function allowed(ctx: ServerContext, connector: Connector, actions: Action[]): { shown: Action[]; hidden: number } {
  const usable = actions.filter((a) => !a.state || a.state === 'READY');
  const shown = usable.filter((a) => !ctx.policy.actionDenial(connector.key, actionRef(a)));
  return { shown, hidden: usable.length - shown.length };
}

/** membrane://{connector}/actions: every allowed action of the connection, one line each; the schemas are one resource per action. */
export async function readCatalog(ctx: ServerContext, call: CallContext): Promise<Record<string, unknown>> {
  const { connector } = call;
  const connectionId = await ctx.connections.resolve(connector, undefined, call);
  const actions = await ctx.catalog.list(connectionId, call.signal);
  const { shown, hidden } = allowed(ctx, connector, actions);
  const fixed = {
    backend: ctx.client.backend,
    connector: connector.key,
    connectionId,
    actionUri: ACTION_URI_TEMPLATE.replace('{connector}', connector.key),
  };
  const payload = {
    actions: shown.map((a) => ({ id: a.id, ...(a.key ? { key: a.key } : {}), name: a.name, kind: classifyAction(a).kind })),
    ...(hidden > 0 ? { hidden, hiddenWhy: 'not allowed on this server (read-only or allow/deny rules)' } : {}),
    ...(actions.length >= CATALOG_LIMIT
      ? { more: `The backend returned its first ${CATALOG_LIMIT} actions; ${call.ref('search_actions')} finds any action by intent.` }
      : {}),
  };
  return budgetResult(RESOURCE_READER, fixed, payload, ctx.settings.maxResultChars, ctx.results, ['actions']);
}

/** membrane://{connector}/actions/{actionId}: one action with its full input and output schemas. */
export async function readAction(ctx: ServerContext, call: CallContext, actionId: string): Promise<Record<string, unknown>> {
  const { connector } = call;
  const connectionId = await ctx.connections.resolve(connector, undefined, call);
  const action = await ctx.actions.get(connectionId, actionId, call.signal);
  const denial = ctx.policy.actionDenial(connector.key, actionRef(action));
  if (denial) throw denial;
  const fixed = { backend: ctx.client.backend, connector: connector.key, connectionId };
  const payload = {
    action: {
      id: action.id,
      ...(action.key ? { key: action.key } : {}),
      name: action.name,
      ...(action.description ? { description: action.description } : {}),
      ...(action.type ? { type: action.type } : {}),
      kind: classifyAction(action).kind,
      ...(action.state && action.state !== 'READY' ? { state: action.state } : {}),
      ...(action.inputSchema ? { inputSchema: action.inputSchema } : {}),
      ...(action.outputSchema ? { outputSchema: action.outputSchema } : {}),
    },
    nextStep: `Run it with ${call.ref('run_action', { actionId: action.id, input: {} })}, the input per inputSchema.`,
  };
  // A schema is paged as JSON text: cutting one of its arrays (an enum, `required`) would misstate it.
  return budgetResult(RESOURCE_READER, fixed, payload, ctx.settings.maxResultChars, ctx.results, AS_TEXT);
}

/** membrane://results/{resultId}?offset=N: a page of a stored result, with the URI of the next page. */
export async function readStoredResult(ctx: ServerContext, resultId: string, offset: number): Promise<Record<string, unknown>> {
  const stored = await ctx.results.get(resultId);
  if (!stored) throw missingResult(resultId);
  const page = await pageResult(stored.tool, { backend: ctx.client.backend }, resultId, offset, ctx.settings.maxResultChars, ctx.results);
  const t = page.truncated as { resultId?: string; nextOffset?: number } | undefined;
  return t?.resultId && t.nextOffset !== undefined ? { ...page, next: resultUri(t.resultId, t.nextOffset) } : page;
}

/** The resources/list entries of one connector: its catalog, and each allowed action when its connection can be read now. */
export async function connectorResources(ctx: ServerContext, call: CallContext): Promise<Resource[]> {
  const { connector } = call;
  const entries: Resource[] = [
    {
      uri: catalogUri(connector.key),
      name: `${connector.key}-actions`,
      title: `${connector.displayName}: action catalog`,
      description: `Every ${connector.displayName} action this server allows (id, key, name, kind); each action's schemas are a resource of their own.`,
      mimeType: 'application/json',
    },
  ];
  let actions: Action[];
  try {
    const connectionId = await ctx.connections.resolve(connector, undefined, call);
    actions = await ctx.catalog.list(connectionId, call.signal);
  } catch (e) {
    // Listing must not fail because one CRM is not connected: reading its catalog says what to do.
    ctx.log.debug(`resources/list: no actions of ${connector.key}: ${e instanceof Error ? e.message : String(e)}`);
    return entries;
  }
  for (const a of allowed(ctx, connector, actions).shown) {
    entries.push({
      uri: actionUri(connector.key, a.id),
      name: a.key ?? a.id,
      title: `${connector.displayName}: ${oneLine(a.name, 80)}`,
      description: `${oneLine(a.description, 200)} (${classifyAction(a).kind})`,
      mimeType: 'application/json',
    });
  }
  return entries;
}
