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
import type { ActionCatalog } from '../lookups/action-catalog.js';
import type { InputValidator } from '../lookups/input-validator.js';
import type { ConnectionDirectory } from '../lookups/connection-directory.js';

export interface ServerContext {
  /** Tenant key of everything this context keeps in the state store (`default` for a single-user server). */
  scope: string;
  settings: Settings;
  client: MembraneClient;
  log: Logger;
  connectors: Connector[];
  /** Result pages, confirmation tokens and the repeat guard live in the state store (src/state/), not in this process. */
  results: ResultStore;
  connections: ConnectionDirectory;
  actions: ActionMetadata;
  /** Every action of a connection, for resources and completions (cached a minute). */
  catalog: ActionCatalog;
  validator: InputValidator;
  policy: Policy;
  confirmations: Confirmations;
  repeats: RepeatGuard;
}

/**
 * What a confirmation dialog carries from the round that asks to the round that answers (sealed by the
 * SDK's HMAC codec, so the client cannot alter it): the exact call, and the dialog's single-use ticket.
 */
export interface DialogState {
  /** callKey of the call the user is asked about. */
  key: string;
  ticket: string;
}

/** What a connect round carries to the next: the page the user was sent to (to reconnect a connection). */
export interface ConnectState {
  connect: string;
}

/** The state one round of a call carries to the next: a confirmation dialog's, or a connect round's. */
export type RoundState = DialogState | ConnectState;

export type DialogOutcome = 'accept' | 'decline' | 'cancel';

export interface DialogRound {
  /** The client can show a yes/no form for this call (it declared form elicitation, and its transport can carry it). */
  available: boolean;
  /** The client can open a page for the user (URL elicitation), and its transport can carry the request. */
  urlAvailable: boolean;
  /** The user's answer and the asking round's state, when this round carries them. */
  answer?: { outcome: DialogOutcome; state: DialogState };
  /** When this round follows a connect page the user was sent to: what they answered, and the page. */
  connected?: { outcome: DialogOutcome; url: string };
}

export interface CallContext {
  connector: Connector;
  /** Full name of the tool being called (for next steps and result ids). */
  tool: string;
  /** How next steps name a sibling tool with arguments, in per-connector or shared mode. */
  ref(suffix: string, args?: Record<string, unknown>): string;
  /** Whether a sibling tool is offered on this server (create_action is not under --read-only). */
  offers(suffix: string): boolean;
  signal: AbortSignal;
  /**
   * Says what the call does now. When the client gave a progress token, a heartbeat reports it (with the
   * elapsed time) once the call has run for 2 s, then every 3 s; `now` reports at once. A no-op otherwise.
   */
  doing(message: string, opts?: { total?: number; now?: boolean }): void;
  /** This round of the call's confirmation dialog. */
  dialog: DialogRound;
  /**
   * Ends this round with a yes/no question to the user: the client shows it and calls again with the
   * answer (2026 clients), or the SDK asks and re-enters the handler (2025 clients). Never returns.
   */
  askUser(message: string, state: DialogState): Promise<never>;
}
