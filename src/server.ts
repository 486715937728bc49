// The server factory: one MCP server instance per HTTP request (transports/streamable-http.ts) or per stdio
// connection (transports/stdio-transport.ts), for 2025-era and 2026-era clients alike (MCP TypeScript SDK
// v2). Everything expensive is built once per process and shared by every instance: the Membrane client
// (CLI runner, concurrency cap), the connection and action caches, the tool listing. Everything that must
// outlive one request (result pages, confirmation tokens, the repeat guard) is in the state store, so an
// instance holds nothing between requests.
import { randomBytes } from 'node:crypto';
import { type McpRequestContext, type McpServerFactory, Server, createRequestStateCodec } from '@modelcontextprotocol/server';
import type { Settings } from './config.js';
import { type Connector, resolveConnectors } from './connectors.js';
import type { Logger } from './log.js';
import { isSandbox, type MembraneClient } from './membrane/membrane-client.js';
import { CONFIRM_TTL_MS, Confirmations } from './policy/confirm.js';
import { RepeatGuard } from './policy/repeat-guard.js';
import { Policy } from './policy/rules.js';
import { ResultStore } from './results/result-store.js';
import { ActionMetadata } from './lookups/action-metadata.js';
import { ActionCatalog } from './lookups/action-catalog.js';
import { InputValidator } from './lookups/input-validator.js';
import { ConnectionDirectory } from './lookups/connection-directory.js';
import { MemoryStateStore } from './state/memory-state-store.js';
import { DEFAULT_SCOPE, type StateStore } from './state/state-store.js';
import type { RoundState, ServerContext } from './tools/tool-context.js';
import { type PlannedTool, SHARED_PREFIX, type ToolServing, listedTools, planTools, registerTools } from './tools/registry.js';
import { InFlightCalls } from './tools/in-flight.js';
import { registerResources } from './resources/resource-handlers.js';
import { type PromptServing, promptServing, registerPrompts } from './prompts/prompt-handlers.js';
import { workflowPrompts } from './prompts/workflow-prompts.js';

export function serverInstructions(settings: Settings, connectors: Connector[], client: Pick<MembraneClient, 'backend'>): string {
  const shared = settings.toolMode === 'shared';
  const tools = shared
    ? `Tools: ${SHARED_PREFIX}_* with a connector argument (${connectors.map((c) => `"${c.key}" = ${c.displayName}`).join(', ')}).`
    : `Tools per CRM: ${connectors.map((c) => `${c.prefix}_* (${c.displayName})`).join(', ')}; below, <p> is that prefix.`;
  const t = (suffix: string) => (shared ? `${SHARED_PREFIX}_${suffix}` : `<p>_${suffix}`);
  const lines = [
    `CRM tools over Membrane for: ${connectors.map((x) => x.displayName).join(', ')}. ${tools}`,
    `Flow: 1) ${t('list_connections')} to get a READY connection (none: follow nextStep; the user must connect). ` +
      `2) ${t('search_actions')} with an intent ("create a lead") returns action cards. ` +
      `3) ${t('run_action')} with actionId and input. ` +
      (settings.readOnly
        ? `No action fits: ${t('proxy_request')} calls the CRM REST API.`
        : `No action fits: ${t('create_action')} builds one from a description, or ${t('proxy_request')} calls the CRM REST API.`),
    'Errors read "CODE: what happened. Next: what to do"; do the Next step. A truncated result says how to page it (resultId + offset); do not re-run the call. ' +
      'A change may return CONFIRMATION_REQUIRED with a preview: confirm with the user, then repeat the call with the confirm token. Identical writes within 60 s need allowRepeat.',
  ];
  lines.push(
    'Resources: membrane://{connector}/actions (catalog), …/actions/{actionId} (full schemas), membrane://results/{resultId} (rest of a cut result). ' +
      `Prompts: ${workflowPrompts(false)
        .map((p) => p.name)
        .join(', ')}.`,
  );
  if (settings.readOnly) lines.push('This server is READ-ONLY: only read actions and GET/HEAD requests run; actions cannot be built.');
  if (isSandbox(client.backend)) {
    lines.push(
      `BACKEND: SANDBOX. Data comes from a local emulation of AmoCRM and 1CRM (membrane-sandbox), not from the user's real CRM. Say so when you report results; every result carries backend: "${client.backend}".`,
    );
  }
  return lines.join('\n');
}

/** The caches every instance of one process shares: the connection list and action metadata do not depend on the client. */
export interface SharedLookups {
  connections: ConnectionDirectory;
  actions: ActionMetadata;
  catalog: ActionCatalog;
  validator: InputValidator;
}

export function createSharedLookups(settings: Settings, client: MembraneClient, log: Logger): SharedLookups {
  const actions = new ActionMetadata(client, log, settings.cache);
  return {
    connections: new ConnectionDirectory(client, settings.defaultConnections, log, settings.cache),
    actions,
    catalog: new ActionCatalog(client, actions, log, settings.cache),
    validator: new InputValidator(log),
  };
}

export interface ServerDeps {
  settings: Settings;
  client: MembraneClient;
  log: Logger;
  version: string;
  lookups?: SharedLookups;
  /** Where state that outlives a request lives (default: this process's memory). */
  state?: StateStore;
  /**
   * Key that signs the state a confirmation dialog carries between rounds (at least 32 bytes). Replicas
   * that share a state store must share it too; default: random per process.
   */
  stateSecret?: string;
  /**
   * Per-caller credentials (--http-auth membrane): the context of the caller of each request (its client,
   * caches and state scope). A request it has no context for (and every request without it) gets the one
   * context built from `client`.
   */
  contextFor?: (request: McpRequestContext) => ServerContext | undefined;
}

export interface ServerFactory {
  /** Builds the instance that serves one HTTP request or one stdio connection. */
  factory: McpServerFactory;
  tools: PlannedTool[];
  /** The context tool handlers get (tests reach the stores through it). */
  ctx: ServerContext;
  state: StateStore;
  /** The tool calls running now, across every Server instance the factory built (shutdown waits on them). */
  inFlight: InFlightCalls;
}

/** The services tool handlers get, for one client and one state scope (a tenant, or DEFAULT_SCOPE). */
export function createServerContext(deps: {
  settings: Settings;
  client: MembraneClient;
  log: Logger;
  lookups: SharedLookups;
  state: StateStore;
  scope: string;
}): ServerContext {
  const { settings, client, log, lookups, state, scope } = deps;
  return {
    scope,
    settings,
    client,
    log,
    connectors: resolveConnectors(settings.connectors),
    results: new ResultStore({ state, scope }),
    connections: lookups.connections,
    actions: lookups.actions,
    catalog: lookups.catalog,
    validator: lookups.validator,
    policy: new Policy(settings),
    confirmations: new Confirmations(CONFIRM_TTL_MS, Date.now, state, scope),
    repeats: new RepeatGuard(60_000, Date.now, state, scope),
  };
}

export function createServerFactory(deps: ServerDeps): ServerFactory {
  const { settings, client, log } = deps;
  const lookups = deps.lookups ?? createSharedLookups(settings, client, log);
  const state = deps.state ?? new MemoryStateStore();
  const ctx = createServerContext({ settings, client, log, lookups, state, scope: DEFAULT_SCOPE });
  const { connectors } = ctx;
  const planned = planTools(ctx);
  const serving: ToolServing = {
    planned,
    listing: listedTools(planned, ctx),
    dialogCodec: createRequestStateCodec<RoundState>({
      key: deps.stateSecret ?? randomBytes(32),
      ttlSeconds: CONFIRM_TTL_MS / 1000,
    }),
    inFlight: new InFlightCalls(),
  };
  // Prompt completions cache CRM names: one cache per context, so tenants never share them.
  const promptings = new WeakMap<ServerContext, PromptServing>();
  const promptingFor = (c: ServerContext): PromptServing => {
    let p = promptings.get(c);
    if (!p) promptings.set(c, (p = promptServing(c)));
    return p;
  };
  const instructions = serverInstructions(settings, connectors, client);

  const factory: McpServerFactory = (request) => {
    const server = new Server(
      { name: 'membrane-crm-mcp', title: 'Membrane CRM', version: deps.version },
      {
        capabilities: { tools: {}, logging: {}, resources: {}, prompts: {}, completions: {} },
        instructions,
        // A tampered or expired dialog state is refused (-32602) before any handler runs.
        requestState: { verify: serving.dialogCodec.verify },
      },
    );
    server.onerror = (e) => log.debug(`MCP: ${e.message}`);
    // Per-caller mode gives each tenant its own context (caches, state scope, Membrane client).
    const requestCtx = deps.contextFor?.(request) ?? ctx;
    registerTools(server, requestCtx, serving);
    registerResources(server, requestCtx, serving);
    registerPrompts(server, requestCtx, promptingFor(requestCtx));
    return server;
  };
  return { factory, tools: planned, ctx, state, inFlight: serving.inFlight };
}
