// Turns the tool specs into MCP tools: five per connector (`amocrm_run_action`), or five shared ones with a
// `connector` argument (`crm_run_action`, --tool-mode=shared). The tools are served by our own tools/list
// and tools/call handlers on the SDK's Server, so what agents see is exactly our listed schemas, and every
// call, even to a tool that does not exist, ends as a coded result. Every call goes through one wrapper:
// a depth limit and strict argument validation (coded INVALID_INPUT), the handler, error enrichment,
// rendering within the output budget, and the confirmation dialog as an input_required round.
import {
  CLIENT_CAPABILITIES_META_KEY,
  acceptedContent,
  inputRequired,
  inputResponse,
  type CallToolResult,
  type ClientCapabilities,
  type InputRequiredResult,
  type LoggingLevel,
  type RequestStateCodec,
  type Server,
  type ServerContext as SdkContext,
  type Tool,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import { ProgressHeartbeat, withCallProgress } from '../call-progress.js';
import type { Connector } from '../connectors.js';
import { ToolError } from '../errors.js';
import { type LogLevel, withLogSink } from '../log.js';
import { failure, shortened, success, toToolError } from '../results/tool-result.js';
import type { CallContext, DialogOutcome, DialogRound, RoundState, ServerContext } from './tool-context.js';
import { createAction } from './create-action.js';
import { listConnections } from './list-connections.js';
import { proxyRequest } from './proxy-request.js';
import { runAction } from './run-action.js';
import { MAX_ARGUMENT_DEPTH, invalidArguments, listedSchema, nestingProblem } from './argument-schemas.js';
import { searchActions } from './search-actions.js';
import type { InFlightCalls } from './in-flight.js';
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

/** How next steps, prompts and resources name a tool with arguments: `amocrm_run_action with {…}`, or `crm_…` with the connector. */
export function refFor(connectors: Connector[], shared: boolean) {
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

export function offersFor(settings: ServerContext['settings']): (suffix: string) => boolean {
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

/**
 * The context of work done for a request that is not a tool call (a resource read, an argument completion):
 * the same connection resolution, policy and next steps as the tools, with no dialog and no progress.
 */
export function requestCall(
  ctx: Pick<ServerContext, 'settings' | 'connectors'>,
  connector: Connector,
  operation: string,
  signal: AbortSignal,
): CallContext {
  const shared = ctx.settings.toolMode === 'shared';
  const ref = refFor(shared ? ctx.connectors : [connector], shared);
  return {
    connector,
    tool: operation,
    ref: (suffix, args) => ref(suffix, connector, args),
    offers: offersFor(ctx.settings),
    signal,
    doing: () => undefined,
    dialog: { available: false, urlAvailable: false },
    askUser: () => Promise.reject(new ToolError('INTERNAL_ERROR', `${operation} cannot ask the user`)),
  };
}

/** Adds tool names to next steps and drops cached connections after connection errors (only those). */
export function enrich(error: ToolError, ctx: ServerContext, call: CallContext): ToolError {
  const aboutConnection = error.code === 'LOGIN_REQUIRED' || error.code === 'CONNECTION_NEEDS_USER_ACTION' || error.about === 'connection';
  if (aboutConnection) ctx.connections.invalidate(error.code);
  if (error.code === 'NOT_FOUND' && !error.nextStep) {
    return error.with({
      nextStep: `Check the id: ${call.ref('list_connections')} lists connections, ${call.ref('search_actions')} finds actions.`,
    });
  }
  return error;
}

/** Claude Code's per-tool cap on a result's size (it cuts or files away what is longer; default about 25k tokens). */
export const MAX_RESULT_META_KEY = 'anthropic/maxResultSizeChars';
/** The largest value Claude Code accepts for it. */
const CLAUDE_CODE_MAX_RESULT_CHARS = 500_000;
/** Room above the budget for what a result carries besides its JSON text (a resource_link to the rest). */
const RESULT_META_MARGIN = 1000;

/** The result size to announce: the server budgets every result itself, so the client must not cut below the budget. */
export function announcedResultChars(maxResultChars: number): number {
  return Math.min(CLAUDE_CODE_MAX_RESULT_CHARS, maxResultChars + RESULT_META_MARGIN);
}

/** The tools/list entry of every planned tool, computed once (tools/list is answered on every request). */
export function listedTools(planned: PlannedTool[], ctx: Pick<ServerContext, 'settings'>): Tool[] {
  const resultChars = announcedResultChars(ctx.settings.maxResultChars);
  return planned.map((t) => ({
    name: t.name,
    title: t.title,
    description: t.description,
    inputSchema: listedSchema(t.input, 'input') as Tool['inputSchema'],
    outputSchema: listedSchema(t.spec.output, 'output') as Tool['outputSchema'],
    annotations: t.spec.annotations(ctx.settings),
    _meta: { [MAX_RESULT_META_KEY]: resultChars },
  }));
}

/** The yes/no form of a confirmation dialog. */
const CONFIRM_FORM = {
  type: 'object' as const,
  properties: { confirm: { type: 'boolean' as const, title: 'Run this call', description: 'Yes runs it now; no cancels it.' } },
  required: ['confirm'],
};
const ConfirmAnswer = z.object({ confirm: z.boolean() });
const RoundStateSchema = z.union([z.object({ key: z.string(), ticket: z.string() }), z.object({ connect: z.string() })]);

/** Thrown by CallContext.askUser, caught by the wrapper, which answers input_required instead of a result. */
class AskUser extends Error {
  constructor(
    readonly question: string,
    readonly state: RoundState,
  ) {
    super('the call asks the user');
  }
}

/**
 * What this client can be asked (a form, a page to open), and the answer this round carries, if any.
 * Capabilities come from the request's own envelope (2026) or from initialize (2025); a stateless 2025
 * HTTP request has neither (no way back to the client), so it gets the confirm-token flow and the
 * uiUrl in the error instead.
 */
export function dialogRound(server: Server, sdk: SdkContext): DialogRound {
  const envelope = sdk.mcpReq.envelope as Record<string, unknown> | undefined;
  const caps = (envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined) ?? server.getClientCapabilities();
  const elicitation = caps?.elicitation as { form?: unknown; url?: unknown } | undefined;
  const available = elicitation !== undefined && (elicitation.form !== undefined || elicitation.url === undefined);
  const urlAvailable = elicitation?.url !== undefined;
  // The state was verified (HMAC, expiry) by the SDK before this handler ran; its shape is checked here.
  const state = RoundStateSchema.safeParse(sdk.mcpReq.requestState());
  if (!state.success) return { available, urlAvailable };
  if ('connect' in state.data) {
    const view = inputResponse(sdk.mcpReq.inputResponses, 'connect');
    return { available, urlAvailable, connected: { outcome: view.kind === 'elicit' ? view.action : 'cancel', url: state.data.connect } };
  }
  const view = inputResponse(sdk.mcpReq.inputResponses, 'confirm');
  const outcome: DialogOutcome =
    view.kind !== 'elicit'
      ? 'cancel'
      : view.action !== 'accept'
        ? view.action
        : acceptedContent(sdk.mcpReq.inputResponses, 'confirm', ConfirmAnswer)?.confirm === true
          ? 'accept'
          : 'decline';
  return { available, urlAvailable, answer: { outcome, state: state.data } };
}

/** A page the client may open for the user: https only (the address comes from the backend, not the agent). */
function openablePage(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * A connection that needs the user (expired credentials, a revoked grant) and a client that can open a page:
 * instead of the error, one round that sends the user to the connect page (URL elicitation); the client calls
 * again once they are done there, and the call runs on the repaired connection. Asked once per call: if the
 * connection still needs the user after that, the error says so with the page. Tool calls and resource
 * reads both go through it.
 */
export async function connectRound(
  error: ToolError,
  call: CallContext,
  serving: Pick<ToolServing, 'dialogCodec'>,
): Promise<InputRequiredResult | ToolError> {
  if (error.code !== 'CONNECTION_NEEDS_USER_ACTION' || !error.uiUrl) return error;
  const answered = call.dialog.connected;
  if (answered) {
    const said = answered.outcome === 'accept' ? 'finished there' : answered.outcome === 'decline' ? 'declined to open it' : 'dismissed it';
    return new ToolError(
      error.code,
      `${error.message}; the user was sent to the connect page and ${said}, but the connection is still not READY`,
      {
        nextStep: error.nextStep,
        uiUrl: error.uiUrl,
        retryable: false,
        details: { ...error.details, connectPage: { url: answered.url, answer: answered.outcome } },
      },
    );
  }
  if (!call.dialog.urlAvailable || !openablePage(error.uiUrl)) return error;
  return inputRequired({
    inputRequests: {
      connect: inputRequired.elicitUrl({
        message: `Your ${call.connector.displayName} connection in Membrane needs you to sign in again. Open the page, finish there, then come back: the agent's call continues.`,
        url: error.uiUrl,
      }),
    },
    requestState: await serving.dialogCodec.mint({ connect: error.uiUrl }),
  });
}

/** NOT_FOUND for a tool name that is not ours: the name shortened, the tools that exist listed. */
function unknownTool(name: unknown, planned: PlannedTool[]): ToolError {
  const shown = typeof name === 'string' ? shortened(name, 80) : String(typeof name);
  return new ToolError('NOT_FOUND', `No tool named "${shown}" on this server`, {
    nextStep: `Call one of: ${planned.map((t) => t.name).join(', ')} (tools/list describes them).`,
    retryable: false,
  });
}

export interface ToolServing {
  planned: PlannedTool[];
  listing: Tool[];
  /** Seals and verifies the state a confirmation dialog or a connect round carries to the next round (HMAC). */
  dialogCodec: RequestStateCodec<RoundState>;
  /** Every tool call of the process while it runs (shared by the per-request Server instances). */
  inFlight: InFlightCalls;
}

/** Registers tools/list and tools/call on one Server instance (one per HTTP request, or per stdio connection). */
export function registerTools(server: Server, ctx: ServerContext, serving: ToolServing): void {
  const { planned, listing } = serving;
  const byName = new Map(planned.map((t) => [t.name, t]));
  const listingByName = new Map(listing.map((t) => [t.name, t]));
  const maxChars = ctx.settings.maxResultChars;

  server.setRequestHandler('tools/list', () => ({ tools: listing }));
  server.setRequestHandler('tools/call', async (request, sdk): Promise<CallToolResult | InputRequiredResult> => {
    const tool = byName.get(request.params.name);
    if (!tool) return failure(unknownTool(request.params.name, planned), ctx.client.backend, 'none', maxChars);
    // This call's log lines go to this request only, at the level its client asked for (the SDK filters).
    const sink = (level: LogLevel, message: string, data?: Record<string, unknown>) =>
      void sdk.mcpReq.log(level as LoggingLevel, data ? { message, ...data } : message, 'membrane-crm-mcp').catch(() => undefined);
    const result = await serving.inFlight.track(
      withLogSink(sink, () => callTool(server, ctx, serving, tool, request.params.arguments, sdk)),
    );
    return 'resultType' in result ? result : server.projectCallToolResult(result, listingByName.get(tool.name)?.outputSchema);
  });
}

async function callTool(
  server: Server,
  ctx: ServerContext,
  serving: ToolServing,
  tool: PlannedTool,
  rawArgs: unknown,
  sdk: SdkContext,
): Promise<CallToolResult | InputRequiredResult> {
  const started = Date.now();
  const named = (rawArgs as { connector?: unknown } | undefined)?.connector;
  const fallbackKey = tool.connectors.find((c) => c.key === named)?.key ?? (tool.shared ? 'unknown' : tool.connectors[0].key);
  const maxChars = ctx.settings.maxResultChars;
  // Checked before anything walks the arguments recursively (zod, JSON.stringify): deep input would blow the stack.
  const deep = nestingProblem(rawArgs ?? {}, MAX_ARGUMENT_DEPTH);
  if (deep) return failure(deep, ctx.client.backend, fallbackKey, maxChars);
  const parsed = tool.input.safeParse(rawArgs ?? {});
  if (!parsed.success) return failure(invalidArguments(parsed.error, tool.name), ctx.client.backend, fallbackKey, maxChars);
  const args = parsed.data as Record<string, unknown>;
  const connector = tool.shared ? tool.connectors.find((c) => c.key === args.connector)! : tool.connectors[0];
  const ref = refFor(tool.connectors, tool.shared);
  const progressToken = sdk.mcpReq._meta?.progressToken;
  // Only for a client that asked for progress: a heartbeat while the call runs, stopped before the result goes out.
  const heartbeat =
    progressToken === undefined
      ? undefined
      : new ProgressHeartbeat(
          (progress, total, message) =>
            sdk.mcpReq.notify({
              method: 'notifications/progress',
              params: { progressToken, progress, ...(total !== undefined ? { total } : {}), message },
            }),
          `${tool.title}: waiting for Membrane`,
        ).start();
  const call: CallContext = {
    connector,
    tool: tool.name,
    ref: (suffix, a) => ref(suffix, connector, a),
    offers: offersFor(ctx.settings),
    signal: sdk.mcpReq.signal,
    doing: (message, opts) => heartbeat?.doing(message, opts),
    dialog: dialogRound(server, sdk),
    askUser: (question, state) => Promise.reject(new AskUser(question, state)),
  };
  const handle = () => tool.spec.handle(args, ctx, call);
  try {
    const structured = await (heartbeat ? withCallProgress(heartbeat, handle) : handle());
    heartbeat?.stop();
    ctx.log.debug(`${tool.name} ok in ${Date.now() - started} ms`);
    return success(structured);
  } catch (e) {
    heartbeat?.stop();
    if (e instanceof AskUser) {
      ctx.log.debug(`${tool.name} asks the user to confirm`);
      return inputRequired({
        inputRequests: { confirm: inputRequired.elicit({ message: e.question, requestedSchema: CONFIRM_FORM }) },
        requestState: await serving.dialogCodec.mint(e.state),
      });
    }
    const coded = await connectRound(enrich(toToolError(e), ctx, call), call, serving);
    if (!(coded instanceof ToolError)) {
      ctx.log.info(`${tool.name}: the connection needs the user; sending them to the connect page`);
      return coded;
    }
    const error = coded;
    if (error.code === 'INTERNAL_ERROR') {
      // The stack goes to stderr only (log.ts keeps `stack` off the client); the client reads the code and the message.
      ctx.log.error(`${tool.name} → INTERNAL_ERROR: ${error.message}`, {
        code: 'INTERNAL_ERROR',
        stack: e instanceof Error ? (e.stack ?? e.message) : String(e),
      });
    } else ctx.log.info(`${tool.name} → ${error.code} in ${Date.now() - started} ms`);
    return failure(error, ctx.client.backend, connector.key, maxChars);
  }
}
