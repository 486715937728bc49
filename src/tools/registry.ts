// Turns the tool specs into registered MCP tools: five per connector (`amocrm_run_action`), or five shared
// ones with a `connector` argument (`crm_run_action`, --tool-mode=shared). Every call goes through one
// wrapper: strict argument validation (coded INVALID_INPUT), the handler, error enrichment, rendering.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { ElicitResultSchema, type CallToolResult, type ServerNotification, type ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Connector } from '../connectors.js';
import { type ToolError } from '../errors.js';
import { logOrigin } from '../log.js';
import { failure, success, toToolError } from '../results/tool-result.js';
import type { CallContext, ElicitOutcome, ServerContext } from './tool-context.js';
import { createAction } from './create-action.js';
import { listConnections } from './list-connections.js';
import { proxyRequest } from './proxy-request.js';
import { runAction } from './run-action.js';
import { invalidArguments, passThrough } from './argument-schemas.js';
import { searchActions } from './search-actions.js';
import type { DescribeTarget, ToolSpec } from './spec.js';

export const TOOL_SPECS: readonly ToolSpec[] = [listConnections, searchActions, createAction, runAction, proxyRequest];

export const SHARED_PREFIX = 'crm';

/** One tool as it will be registered: the same list feeds registration, snapshots and the README. */
export interface PlannedTool {
  name: string;
  title: string;
  description: string;
  spec: ToolSpec;
  /** The strict input schema (with `connector` in shared mode). */
  input: z.ZodObject;
  /** Connectors the tool serves: one per-connector, all in shared mode. */
  connectors: Connector[];
  shared: boolean;
}

/** The registered name of a tool: `amocrm_run_action`, or `crm_run_action` in shared mode. */
export function toolNameOf(shared: boolean, connector: Connector, suffix: string): string {
  return shared ? `${SHARED_PREFIX}_${suffix}` : `${connector.prefix}_${suffix}`;
}

function refFor(connectors: Connector[], shared: boolean) {
  return (suffix: string, connector?: Connector, args?: Record<string, unknown>): string => {
    const name = toolNameOf(shared, connector ?? connectors[0], suffix);
    const allArgs = shared && connector ? { connector: connector.key, ...args } : args;
    return allArgs && Object.keys(allArgs).length ? `${name} with ${JSON.stringify(allArgs)}` : name;
  };
}

/** The specs of the tools offered under these settings. */
function offeredSpecs(settings: ServerContext['settings']): ToolSpec[] {
  return TOOL_SPECS.filter((spec) => spec.offeredWhen?.(settings) !== false);
}

function offersFor(settings: ServerContext['settings']): (suffix: string) => boolean {
  const suffixes = new Set(offeredSpecs(settings).map((s) => s.suffix));
  return (suffix) => suffixes.has(suffix);
}

export function planTools(ctx: Pick<ServerContext, 'settings' | 'connectors'>): PlannedTool[] {
  const { settings, connectors } = ctx;
  const shared = settings.toolMode === 'shared';
  const groups = shared ? [connectors] : connectors.map((c) => [c]);
  const offers = offersFor(settings);
  const planned: PlannedTool[] = [];
  for (const group of groups) {
    const ref = refFor(group, shared);
    const target: DescribeTarget = { connectors: group, settings, ref: (suffix) => ref(suffix), offers };
    for (const spec of offeredSpecs(settings)) {
      const keys = group.map((c) => c.key) as [string, ...string[]];
      const input = shared
        ? z.strictObject({
            connector: z.enum(keys).describe('Which CRM: ' + group.map((c) => `${c.key} (${c.displayName})`).join(', ')),
            ...spec.input.shape,
          })
        : spec.input;
      planned.push({
        name: toolNameOf(shared, group[0], spec.suffix),
        title: shared ? `CRM: ${spec.title}` : `${group[0].displayName}: ${spec.title}`,
        description: spec.description(target),
        spec,
        input,
        connectors: group,
        shared,
      });
    }
  }
  return planned;
}

/** Adds tool names to next steps and drops cached connections after connection errors (only those). */
function enrich(error: ToolError, ctx: ServerContext, call: CallContext): ToolError {
  const aboutConnection = error.code === 'LOGIN_REQUIRED' || error.code === 'CONNECTION_NEEDS_USER_ACTION' || error.about === 'connection';
  if (aboutConnection) ctx.connections.invalidate(error.code);
  if (error.code === 'NOT_FOUND' && !error.nextStep) {
    return error.with({
      nextStep: `Check the id: ${call.ref('list_connections')} lists connections, ${call.ref('search_actions')} finds actions.`,
    });
  }
  return error;
}

export function registerTools(server: McpServer, ctx: ServerContext): PlannedTool[] {
  const planned = planTools(ctx);
  const offers = offersFor(ctx.settings);
  for (const tool of planned) {
    const ref = refFor(tool.connectors, tool.shared);
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: passThrough(tool.input, 'input'),
        // Our results are built to the strict output schema (checked in unit tests); clients validate against the listing.
        outputSchema: passThrough(tool.spec.output, 'output'),
        annotations: tool.spec.annotations(ctx.settings),
      },
      (rawArgs, extra): Promise<CallToolResult> =>
        logOrigin.run(ctx.session, async () => {
          const started = Date.now();
          const parsed = tool.input.safeParse(rawArgs ?? {});
          if (!parsed.success) {
            const named = (rawArgs as { connector?: unknown } | undefined)?.connector;
            const connectorKey = tool.connectors.find((c) => c.key === named)?.key ?? (tool.shared ? 'unknown' : tool.connectors[0].key);
            return failure(invalidArguments(parsed.error, tool.name), ctx.client.backend, connectorKey, ctx.settings.maxResultChars);
          }
          const args = parsed.data as Record<string, unknown>;
          const connector = tool.shared ? tool.connectors.find((c) => c.key === args.connector)! : tool.connectors[0];
          const progressToken = extra._meta?.progressToken;
          const call: CallContext = {
            connector,
            tool: tool.name,
            ref: (suffix, a) => ref(suffix, connector, a),
            offers,
            signal: extra.signal,
            async progress(progress, total, message) {
              if (progressToken === undefined) return;
              await extra
                .sendNotification({
                  method: 'notifications/progress',
                  params: { progressToken, progress, ...(total !== undefined ? { total } : {}), message },
                })
                .catch(() => undefined);
            },
            confirmWithUser: (message) => askUser(server, extra, message),
          };
          try {
            const structured = await tool.spec.handle(args, ctx, call);
            ctx.log.debug(`${tool.name} ok in ${Date.now() - started} ms`);
            return success(structured);
          } catch (e) {
            const error = enrich(toToolError(e), ctx, call);
            if (error.code === 'INTERNAL_ERROR')
              ctx.log.error(`${tool.name} failed unexpectedly`, { error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
            else ctx.log.info(`${tool.name} → ${error.code} in ${Date.now() - started} ms`);
            return failure(error, ctx.client.backend, connector.key, ctx.settings.maxResultChars);
          }
        }),
    );
  }
  return planned;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** A yes/no elicitation; 'unavailable' when the client lacks the capability or the request fails. */
async function askUser(server: McpServer, extra: Extra, message: string): Promise<ElicitOutcome> {
  const caps = server.server.getClientCapabilities()?.elicitation as { form?: unknown; url?: unknown } | undefined;
  if (!caps || (caps.url !== undefined && caps.form === undefined)) return 'unavailable';
  try {
    const result = await extra.sendRequest(
      {
        method: 'elicitation/create',
        params: {
          message,
          requestedSchema: {
            type: 'object',
            properties: { confirm: { type: 'boolean', title: 'Run this call', description: 'Yes runs it now; no cancels it.' } },
            required: ['confirm'],
          },
        },
      },
      ElicitResultSchema,
      { timeout: 10 * 60_000 },
    );
    if (result.action === 'accept') return result.content?.confirm === true ? 'accept' : 'decline';
    return result.action;
  } catch {
    return 'unavailable';
  }
}
