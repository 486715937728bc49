// What the server needs from Membrane, independent of how it is reached (CLI today).
// Shapes are normalized from the CLI's tolerant parsing (response-schemas.ts); unknown fields are dropped here.

export type Backend = 'membrane' | 'sandbox';

export type JsonSchema = Record<string, unknown>;

export interface ClientAction {
  type?: string;
  description?: string;
  uiUrl?: string;
  agentInstructions?: string;
}

export interface Connection {
  id: string;
  /** The connection's own key, when it has one (selectors accept ids and keys). */
  key?: string;
  name: string;
  /** READY, BUILDING, CLIENT_ACTION_REQUIRED, CONFIGURATION_ERROR, SETUP_FAILED, DISCONNECTING, or what the CLI says. */
  state: string;
  disconnected: boolean;
  /** Connector key when the CLI tells it (connectorKey, integrationKey or integration.key). */
  connectorKey?: string;
  clientAction?: ClientAction;
  error?: string;
}

export interface Action {
  id: string;
  key?: string;
  name: string;
  description?: string;
  /** Membrane action type, e.g. create-data-record. */
  type?: string;
  /** BUILDING, READY, CONFIGURATION_ERROR, SETUP_FAILED; absent means usable. */
  state?: string;
  inputSchema?: JsonSchema;
  outputSchema?: JsonSchema;
  /** Build failure detail (`error.message` or the first of `errors`). */
  error?: string;
  connectionId?: string;
  /** Membrane's own statement that the action only reads, when the CLI gives it. */
  isReadOnly?: boolean;
  /**
   * Relevance to the intent of a search, 0–1, when the backend scores its ranking (the sandbox does:
   * 0.5 and up means the intent names the action's record type and operation). Membrane's API gives
   * only an order, so this is absent there.
   */
  score?: number;
}

export interface RunResult {
  output: unknown;
  actionRunId?: string;
}

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ProxyRequest {
  connectionId: string;
  path: string;
  method: HttpMethod;
  headers?: Record<string, string>;
  /** Repeated keys as arrays: `{ 'filter[id][]': ['1', '2'] }`. */
  query?: Record<string, string | string[]>;
  /** JSON body; sent as `--data=<json>` with a JSON Content-Type. */
  body?: unknown;
}

export interface ProxyResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export type CallKind = 'read' | 'write';

export interface CallOptions {
  /** The MCP request's signal: aborting kills the CLI process. */
  signal?: AbortSignal;
  /** Overrides the configured CLI timeout for this call (create_action's long-poll). */
  timeoutMs?: number;
  /** For `runAction`: 'read' when the action is known to only read, so it may be retried (default 'write'). */
  kind?: CallKind;
}

export interface MembraneClient {
  readonly backend: Backend;
  /** The command a user types for this backend in next steps: `membrane` or `membrane-sandbox`. */
  readonly commandName: string;
  listConnections(opts?: CallOptions): Promise<Connection[]>;
  listActions(q: { connectionId: string; intent: string; limit: number }, opts?: CallOptions): Promise<Action[]>;
  getAction(q: { id: string; connectionId?: string; wait?: boolean; timeoutSeconds?: number }, opts?: CallOptions): Promise<Action>;
  createAction(q: { description: string; connectionId: string; name?: string }, opts?: CallOptions): Promise<Action>;
  runAction(q: { actionId: string; connectionId: string; input?: Record<string, unknown> }, opts?: CallOptions): Promise<RunResult>;
  request(q: ProxyRequest, opts?: CallOptions): Promise<ProxyResponse>;
  /** Kills running CLI processes and refuses new calls. */
  close(): Promise<void>;
}
