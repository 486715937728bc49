// What the server needs from Membrane, independent of how it is reached (the `membrane` CLI, or the REST API).
// Shapes are normalized from tolerant parsing (response-schemas.ts); unknown fields are dropped here.

/** What answered a call: Membrane or the bundled sandbox, through a CLI process or the REST API. Every result says it. */
export type Backend = 'membrane-api' | 'membrane-cli' | 'sandbox-api' | 'sandbox-cli';

/** True for the offline emulation (its data is not a real CRM). */
export function isSandbox(backend: Backend): boolean {
  return backend.startsWith('sandbox-');
}

/** The six calls, named the same on every backend (log lines and error messages use these names). */
export type MembraneOperation = 'connection list' | 'action list' | 'action get' | 'action create' | 'action run' | 'request';

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
  /** READY, BUILDING, CLIENT_ACTION_REQUIRED, CONFIGURATION_ERROR, SETUP_FAILED, DISCONNECTING, or what Membrane says. */
  state: string;
  disconnected: boolean;
  /** Connector key when Membrane tells it (connectorKey, integrationKey or integration.key). */
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
  /** Membrane's own statement that the action only reads, when it gives one. */
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
  /** JSON body, sent with a JSON Content-Type. */
  body?: unknown;
}

export interface ProxyResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export type CallKind = 'read' | 'write';

export interface CallOptions {
  /** The MCP request's signal: aborting kills the CLI process or aborts the request. */
  signal?: AbortSignal;
  /** Overrides the configured timeout for this call (create_action's long-poll). */
  timeoutMs?: number;
  /** For `runAction`: 'read' when the action is known to only read, so it may be retried (default 'write'). */
  kind?: CallKind;
}

/** Something only the user can do (log in, connect a CRM, reconnect, fix credentials), as the backend knows how. */
export interface UserStep {
  /** What the user does, phrased to follow "Ask the user to": "run `membrane login --tenant`", "open https://… to reconnect". */
  action: string;
  /** The exact command that does it, when a command does. */
  command?: string;
  /** The page that does it, when a page does. */
  uiUrl?: string;
}

/** The backend's words for what users must do: a CLI gives its exact command, the API the variable to fix or a page. */
export interface UserActionHints {
  /** Membrane refused the login or the credentials (HTTP 401). */
  login(): UserStep;
  /** The connector has no connection yet. */
  connect(connector: { key: string; displayName: string }): UserStep;
  /** The connection must be re-authorized (its uiUrl, when Membrane gave one, is the way). */
  reconnect(connection: { id?: string; clientAction?: Pick<ClientAction, 'uiUrl'> }): UserStep;
  /** Membrane refused the operation for these credentials (HTTP 403): which permission, workspace or tenant to check. */
  checkAccess(operation: MembraneOperation): UserStep;
}

/** What runs the calls, for the doctor: no network, no side effect. */
export interface BackendInfo {
  /** e.g. `membrane 1.0.1`, `@membranehq/sdk 0.28.3`; undefined when it could not be told. */
  version?: string;
  /** The REST API's address (API backends). */
  apiUri?: string;
  /** Why the version is unknown, and what to do about it. */
  versionProblem?: { summary: string; fix: string };
  /** Lines for the doctor: the command, the API address, which credential variables were found (names, never values). */
  details: string[];
}

/** Whether the credentials work, from one cheap call. */
export interface AccessCheck {
  /** true: accepted; false: Membrane (or the CLI) said they are not; undefined: could not tell. */
  loggedIn?: boolean;
  /** One line: "logged in as Ann (workspace w, tenant t)", "credentials accepted", "not logged in (…)". */
  summary: string;
  details?: string[];
  /** What to do when loggedIn is not true. */
  fix?: string;
  /** The round trip, when the call answered. */
  durationMs?: number;
}

// The queries of the action calls, named once for the interface, its backends, the call-safety decorator and CLI argv.
export interface ActionListQuery {
  connectionId: string;
  intent?: string;
  limit: number;
}

/** One action; `wait` long-polls while it builds, for `timeoutSeconds` (see longPollSeconds). */
export interface ActionGetQuery {
  id: string;
  connectionId?: string;
  wait?: boolean;
  timeoutSeconds?: number;
}

/** A new action built from a description of what it should do. */
export interface ActionCreateQuery {
  description: string;
  connectionId: string;
  name?: string;
}

export interface ActionRunQuery {
  actionId: string;
  connectionId: string;
  input?: Record<string, unknown>;
}

export interface MembraneClient {
  readonly backend: Backend;
  /** What users must do, in this backend's terms (next steps of errors, the doctor's fixes). */
  readonly hints: UserActionHints;
  listConnections(opts?: CallOptions): Promise<Connection[]>;
  /** Actions of a connection ranked for `intent`; without an intent, the connection's actions (its catalog), up to `limit`. */
  listActions(q: ActionListQuery, opts?: CallOptions): Promise<Action[]>;
  getAction(q: ActionGetQuery, opts?: CallOptions): Promise<Action>;
  createAction(q: ActionCreateQuery, opts?: CallOptions): Promise<Action>;
  runAction(q: ActionRunQuery, opts?: CallOptions): Promise<RunResult>;
  request(q: ProxyRequest, opts?: CallOptions): Promise<ProxyResponse>;
  /** What runs the calls (version, command or API address); throws a ToolError when the backend cannot run at all. */
  describe(opts?: CallOptions): Promise<BackendInfo>;
  /** One cheap authenticated call; throws a ToolError when it fails for another reason than the credentials. */
  checkAccess(opts?: CallOptions): Promise<AccessCheck>;
  /** Stops running calls (kills CLI processes, aborts requests) and refuses new ones. */
  close(): Promise<void>;
}

/** Membrane long-polls an action for 1 to 60 seconds (`wait` + `timeout`); undefined when the call does not wait. */
export function longPollSeconds(q: Pick<ActionGetQuery, 'wait' | 'timeoutSeconds'>): number | undefined {
  return q.wait && q.timeoutSeconds ? Math.max(1, Math.min(60, Math.round(q.timeoutSeconds))) : undefined;
}
