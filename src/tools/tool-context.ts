// What every tool handler gets: the server-wide services (ServerContext) and the per-call context.
import type { Settings } from '../config.js';
import type { Connector } from '../connectors.js';
import type { Logger } from '../log.js';
import type { MembraneClient } from '../membrane/membrane-client.js';
import type { Confirmations } from '../policy/confirm.js';
import type { RepeatGuard } from '../policy/repeat-guard.js';
import type { Policy } from '../policy/rules.js';
import type { ResultStore } from '../results/result-store.js';
import type { ActionMetadata } from '../lookups/action-metadata.js';
import type { InputValidator } from '../lookups/input-validator.js';
import type { ConnectionDirectory } from '../lookups/connection-directory.js';

export interface ServerContext {
  /** This MCP session, for log lines (log.ts logOrigin). */
  session: symbol;
  settings: Settings;
  client: MembraneClient;
  log: Logger;
  connectors: Connector[];
  results: ResultStore;
  connections: ConnectionDirectory;
  actions: ActionMetadata;
  validator: InputValidator;
  policy: Policy;
  confirmations: Confirmations;
  repeats: RepeatGuard;
}

export type ElicitOutcome = 'accept' | 'decline' | 'cancel' | 'unavailable';

export interface CallContext {
  connector: Connector;
  /** Full name of the tool being called (for next steps and result ids). */
  tool: string;
  /** How next steps name a sibling tool with arguments, in per-connector or shared mode. */
  ref(suffix: string, args?: Record<string, unknown>): string;
  /** Whether a sibling tool is offered on this server (create_action is not under --read-only). */
  offers(suffix: string): boolean;
  signal: AbortSignal;
  /** Sends a progress notification when the client asked for progress; a no-op otherwise. */
  progress(progress: number, total: number | undefined, message: string): Promise<void>;
  /** Asks the user a yes/no question through elicitation; 'unavailable' when the client cannot. */
  confirmWithUser(message: string): Promise<ElicitOutcome>;
}
