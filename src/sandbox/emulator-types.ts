// The contract between the sandbox CLI core (commands, store, faults) and the two CRM emulations.
// An emulation is plain data plus pure functions over the RecordStore: it never prints, never exits.
import type { RecordStore } from './store.js';

export type ConnectorKey = 'amocrm' | '1crm';

export type JsonSchema = Record<string, unknown>;

/** Membrane action `type` values (SDK ActionType enum). */
export type ActionType =
  | 'list-data-records'
  | 'find-data-record-by-id'
  | 'match-data-record'
  | 'create-data-record'
  | 'find-or-create-data-record'
  | 'update-data-record'
  | 'delete-data-record'
  | 'search-data-record'
  | 'connector-operation'
  | 'api-request-to-external-app'
  | 'http-request'
  | 'run-javascript'
  | 'api-request';

/** What an action or a REST call does to data; used by intent search and `action create`. */
export type Operation = 'list' | 'get' | 'search' | 'create' | 'update' | 'delete' | 'complete' | 'add-note';

/**
 * The Membrane type of an action doing `operation`, the same for both emulations and for failed builds:
 * completing a task updates a record, adding a note creates one.
 */
export const ACTION_TYPE_OF_OPERATION: Record<Operation, ActionType> = {
  list: 'list-data-records',
  get: 'find-data-record-by-id',
  search: 'search-data-record',
  create: 'create-data-record',
  update: 'update-data-record',
  delete: 'delete-data-record',
  complete: 'update-data-record',
  'add-note': 'create-data-record',
};

/** A REST request as it reaches an emulated CRM (after Membrane would have prefixed the base URL). */
export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path only, starting with '/', path params already substituted and percent-decoded per segment. */
  path: string;
  /** Raw query: keeps repeated keys and bracket keys such as `filter[id][]` or `fields[]`. */
  query: URLSearchParams;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  /** Parsed JSON when the body parses as JSON, the raw string otherwise, undefined when there is none. */
  body: unknown;
}

/** A REST response. `body` is a JSON value, a string, or null for an empty body (204). */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface EmulatorContext {
  store: RecordStore;
  connectionId: string;
  /** Current time in ms; the seed passes a fixed clock so seeds are deterministic. */
  now(): number;
}

export interface SeedContext extends EmulatorContext {
  /** Deterministic PRNG in [0, 1). */
  random(): number;
}

/** An action the emulation can run. Prebuilt ones are listed in `Emulator.actions`; built ones come from `buildAction`. */
export interface ActionDef {
  key: string;
  name: string;
  description: string;
  type: ActionType;
  operation: Operation;
  /** Entity id from `Emulator.entities`. */
  entity: string;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
  /** Runs against the store. Throws UpstreamFailure when the CRM would answer with an error. */
  run(ctx: EmulatorContext, input: Record<string, unknown>): unknown;
}

/** Vocabulary for intent search and `action create`: how people name an entity of this CRM. */
export interface EntityVocab {
  /** Stable id, e.g. 'lead', 'account', 'case'. */
  id: string;
  /** Display name, e.g. 'Lead', 'Case'. */
  name: string;
  /** Words that mean this entity here, singular, lower case (synonyms included: deal → lead on AmoCRM). */
  words: string[];
  /** Operations `action create` can build for it. */
  operations: Operation[];
}

export type BuildResult = { ok: true; action: ActionDef } | { ok: false; reason: string };

export interface Emulator {
  key: ConnectorKey;
  /** Display name: 'AmoCRM' or '1CRM'. */
  name: string;
  /** Base URL the emulated API lives at; used in HAL `_links` and shown in `request` output. */
  baseUrl: string;
  /** Writes the deterministic seed for this connector. Called inside a transaction on an empty store. */
  seed(ctx: SeedContext): void;
  /** REST emulation: routes, envelopes, status codes and content types of the real API. */
  handle(ctx: EmulatorContext, req: HttpRequest): HttpResponse;
  /** Prebuilt action catalog. */
  actions: ActionDef[];
  entities: EntityVocab[];
  /** Builds an action for (operation, entity), or says why it cannot (e.g. AmoCRM has no DELETE for leads). */
  buildAction(operation: Operation, entity: string, name: string, description: string): BuildResult;
  /** Record counts per model, for `sandbox info` and tests. */
  counts(store: RecordStore): Record<string, number>;
}

/** Thrown by ActionDef.run when the emulated CRM answers with an error; the core wraps it in ErrorData. */
export class UpstreamFailure extends Error {
  constructor(
    readonly response: HttpResponse,
    message?: string,
  ) {
    super(message ?? `CRM API answered HTTP ${response.status}`);
    this.name = 'UpstreamFailure';
  }
}

/** Thrown by ActionDef.run when the input is wrong in a way JSON Schema could not catch (e.g. unknown pipeline id). */
export class InvalidInput extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'InvalidInput';
  }
}
