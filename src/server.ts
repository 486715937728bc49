// createServer: the McpServer with its services and tools, independent of the transport. index.ts
// connects one to stdio; transports/streamable-http.ts makes one per HTTP session; tests and the bench connect it to anything.
// The MembraneClient (CLI runner, concurrency cap, shared lookups) is shared by every session.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Settings } from './config.js';
import { type Connector, resolveConnectors } from './connectors.js';
import { LOG_LEVELS, type Logger, logOrigin } from './log.js';
import type { MembraneClient } from './membrane/membrane-client.js';
import { Confirmations } from './policy/confirm.js';
import { RepeatGuard } from './policy/repeat-guard.js';
import { Policy } from './policy/rules.js';
import { ResultStore } from './results/result-store.js';
import { ActionMetadata } from './lookups/action-metadata.js';
import { InputValidator } from './lookups/input-validator.js';
import { ConnectionDirectory } from './lookups/connection-directory.js';
import type { ServerContext } from './tools/tool-context.js';
import { type PlannedTool, SHARED_PREFIX, registerTools } from './tools/registry.js';

export interface CreatedServer {
  server: McpServer;
  ctx: ServerContext;
  tools: PlannedTool[];
  /** Closes the MCP session and stops its log notifications (HTTP sessions come and go; the process stays). */
  close(): Promise<void>;
}

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
  if (settings.readOnly) lines.push('This server is READ-ONLY: only read actions and GET/HEAD requests run; actions cannot be built.');
  if (client.backend === 'sandbox') {
    lines.push(
      'BACKEND: SANDBOX. Data comes from a local emulation of AmoCRM and 1CRM (membrane-sandbox), not from the user\'s real CRM. Say so when you report results; every result carries backend: "sandbox".',
    );
  }
  return lines.join('\n');
}

/** The caches every session of one process shares: the connection list and action metadata do not depend on the client. */
export interface SharedLookups {
  connections: ConnectionDirectory;
  actions: ActionMetadata;
  validator: InputValidator;
}

export function createSharedLookups(settings: Settings, client: MembraneClient, log: Logger): SharedLookups {
  return {
    connections: new ConnectionDirectory(client, settings.defaultConnections, log, settings.cache),
    actions: new ActionMetadata(client, log, settings.cache),
    validator: new InputValidator(log),
  };
}

export function createServer(opts: {
  settings: Settings;
  client: MembraneClient;
  log: Logger;
  version: string;
  lookups?: SharedLookups;
}): CreatedServer {
  const { settings, client, log } = opts;
  const lookups = opts.lookups ?? createSharedLookups(settings, client, log);
  const connectors = resolveConnectors(settings.connectors);
  const server = new McpServer(
    { name: 'membrane-crm-mcp', title: 'Membrane CRM', version: opts.version },
    { capabilities: { logging: {} }, instructions: serverInstructions(settings, connectors, client) },
  );
  const session = Symbol('mcp-session');
  const ctx: ServerContext = {
    session,
    settings,
    client,
    log,
    connectors,
    results: new ResultStore(),
    connections: lookups.connections,
    actions: lookups.actions,
    validator: lookups.validator,
    policy: new Policy(settings),
    confirmations: new Confirmations(),
    repeats: new RepeatGuard(),
  };
  const tools = registerTools(server, ctx);

  // Log lines at or above the configured level also go to the client as MCP logging notifications
  // (the SDK then applies the level the client chose with logging/setLevel).
  // Nothing may be sent before the client's `initialized` notification.
  const threshold = LOG_LEVELS.indexOf(settings.logLevel);
  let initialized = false;
  server.server.oninitialized = () => {
    initialized = true;
  };
  const detach = log.attach((level, message, data) => {
    if (LOG_LEVELS.indexOf(level) < threshold || !initialized || !server.isConnected()) return;
    const origin = logOrigin.getStore();
    if (origin !== undefined && origin !== session) return;
    // The session id makes the SDK apply the level this session's client set (HTTP keeps one per session).
    server
      .sendLoggingMessage(
        { level, logger: 'membrane-crm-mcp', data: data ? { message, ...data } : message },
        server.server.transport?.sessionId,
      )
      .catch(() => undefined);
  });
  const close = async () => {
    detach();
    await server.close();
  };
  return { server, ctx, tools, close };
}
