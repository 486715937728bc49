// Action factories: each action is a thin client of the emulated REST API (`handle`), so an action and a
// `request` see the same data and the same errors. Outputs follow the sandbox contract:
// list/search {records, cursor?}, get → record, create/update → {id, record}, delete → {id, deleted:true}.
import {
  ACTION_TYPE_OF_OPERATION,
  InvalidInput,
  UpstreamFailure,
  type ActionDef,
  type EmulatorContext,
  type HttpResponse,
  type Operation,
} from '../emulator-types.js';
import { handle } from './api.js';
import type { ApiRecord } from './fields.js';
import { modelByName, MODELS, PARENT_MODELS, type ModelDef } from './models.js';
import type { ListBody } from './query.js';
import * as S from './action-schemas.js';
import { boolString, toApiInput } from './values.js';

export const CRUD_OPERATIONS: Operation[] = ['list', 'get', 'search', 'create', 'update', 'delete'];

/** Operations an action can be built for on `model`. */
export function operationsFor(model: ModelDef): Operation[] {
  const ops = [...CRUD_OPERATIONS];
  if (model.completeWith) ops.push('complete');
  if (PARENT_MODELS.includes(model.name)) ops.push('add-note');
  return ops;
}

// ---- REST client ----

function call(
  ctx: EmulatorContext,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  opts: { query?: URLSearchParams; body?: unknown } = {},
): HttpResponse {
  const res = handle(ctx, {
    method,
    path,
    query: opts.query ?? new URLSearchParams(),
    headers: opts.body === undefined ? {} : { 'content-type': 'application/json' },
    body: opts.body,
  });
  if (res.status >= 400) {
    const message = (res.body as { message?: unknown } | null)?.message;
    throw new UpstreamFailure(res, `1CRM API answered HTTP ${res.status}${typeof message === 'string' ? `: ${message}` : ''}`);
  }
  return res;
}

const recordPath = (model: ModelDef, id: string) => `/data/${model.name}/${encodeURIComponent(id)}`;

function fetchRecord(ctx: EmulatorContext, model: ModelDef, id: string): ApiRecord {
  return (call(ctx, 'GET', recordPath(model, id)).body as { record: ApiRecord }).record;
}

function requireId(input: Record<string, unknown>): string {
  const id = input.id;
  if (typeof id !== 'string' || !id.trim()) throw new InvalidInput('id is required', 'id');
  return id.trim();
}

/** Natural action input (numbers, booleans) → the API's `data` object. */
function toApiData(model: ModelDef, input: Record<string, unknown>): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(input)) {
    if (name === 'id') continue;
    const f = model.fieldMap.get(name);
    data[name] = f ? toApiInput(f, value) : value;
  }
  return data;
}

/** Cursors are the next offset, as an opaque string. */
function offsetFrom(cursor: unknown): number {
  if (cursor === undefined || cursor === null || cursor === '') return 0;
  if (typeof cursor === 'string' && /^\d+$/.test(cursor)) return Number(cursor);
  throw new InvalidInput('cursor must be a cursor returned by the previous page of this action', 'cursor');
}

function pagingQuery(model: ModelDef, input: Record<string, unknown>): URLSearchParams {
  const q = new URLSearchParams();
  q.set('offset', String(offsetFrom(input.cursor)));
  if (input.limit !== undefined) q.set('limit', String(input.limit));
  const fields = Array.isArray(input.fields) && input.fields.length ? (input.fields as unknown[]).map(String) : model.summaryFields;
  for (const f of fields) q.append('fields[]', f);
  return q;
}

function page(res: HttpResponse, offset: number): { records: ApiRecord[]; cursor?: string } {
  const body = res.body as ListBody;
  const next = offset + body.records.length;
  return next < body.total_results && body.records.length > 0 ? { records: body.records, cursor: String(next) } : { records: body.records };
}

function filterQuery(q: URLSearchParams, filter: unknown): void {
  if (filter === undefined || filter === null) return;
  if (typeof filter !== 'object' || Array.isArray(filter)) throw new InvalidInput('filter must be an object', 'filter');
  for (const [name, value] of Object.entries(filter)) {
    const values = Array.isArray(value) ? value : [value];
    const key = Array.isArray(value) ? `filters[${name}][]` : `filters[${name}]`;
    for (const v of values) q.append(key, typeof v === 'boolean' ? (boolString(v) as string) : String(v));
  }
}

// ---- runners per operation ----

type Runner = (ctx: EmulatorContext, input: Record<string, unknown>) => unknown;

function runnerFor(operation: Operation, model: ModelDef): Runner {
  switch (operation) {
    case 'list':
      return (ctx, input) => {
        const q = pagingQuery(model, input);
        filterQuery(q, input.filter);
        if (typeof input.order === 'string' && input.order.trim()) q.set('order', input.order);
        return page(call(ctx, 'GET', `/data/${model.name}`, { query: q }), Number(q.get('offset')));
      };
    case 'search':
      return (ctx, input) => {
        if (typeof input.query !== 'string' || !input.query.trim()) throw new InvalidInput('query is required', 'query');
        const q = pagingQuery(model, input);
        q.set('filter_text', input.query);
        return page(call(ctx, 'GET', `/data/${model.name}`, { query: q }), Number(q.get('offset')));
      };
    case 'get':
      return (ctx, input) => fetchRecord(ctx, model, requireId(input));
    case 'create':
      return (ctx, input) => {
        const { id } = call(ctx, 'POST', `/data/${model.name}`, { body: { data: toApiData(model, input) } }).body as { id: string };
        return { id, record: fetchRecord(ctx, model, id) };
      };
    case 'update':
      return (ctx, input) => {
        const id = requireId(input);
        const data = toApiData(model, input);
        if (!Object.keys(data).length) throw new InvalidInput('Give at least one field to change besides id');
        call(ctx, 'PATCH', recordPath(model, id), { body: { data } });
        return { id, record: fetchRecord(ctx, model, id) };
      };
    case 'delete':
      return (ctx, input) => {
        const id = requireId(input);
        call(ctx, 'DELETE', recordPath(model, id));
        return { id, deleted: true };
      };
    case 'complete':
      return (ctx, input) => {
        const id = requireId(input);
        call(ctx, 'PATCH', recordPath(model, id), { body: { data: model.completeWith ?? {} } });
        return { id, record: fetchRecord(ctx, model, id) };
      };
    case 'add-note':
      return (ctx, input) => {
        const note = modelByName('Note') as ModelDef;
        const parentId = requireId(input);
        const data = { name: input.name, description: input.description ?? null, parent_type: model.name, parent_id: parentId };
        const { id } = call(ctx, 'POST', '/data/Note', { body: { data } }).body as { id: string };
        return { id, record: fetchRecord(ctx, note, id) };
      };
  }
}

// ---- schemas, names and descriptions per operation ----

function addNoteInputSchema(model: ModelDef) {
  return {
    type: 'object',
    properties: {
      id: { type: 'string', minLength: 1, description: `Id of the ${model.label} the note is about.` },
      name: { type: 'string', minLength: 1, maxLength: 255, description: 'Subject of the note.' },
      description: { type: 'string', description: 'Text of the note.' },
    },
    required: ['id', 'name'],
    additionalProperties: false,
  };
}

function schemasFor(operation: Operation, model: ModelDef) {
  const note = modelByName('Note') as ModelDef;
  switch (operation) {
    case 'list':
      return { inputSchema: S.listInputSchema(model), outputSchema: S.listOutputSchema(model) };
    case 'search':
      return { inputSchema: S.searchInputSchema(model), outputSchema: S.listOutputSchema(model) };
    case 'get':
      return { inputSchema: S.idInputSchema(model), outputSchema: S.recordSchema(model) };
    case 'create':
      return { inputSchema: S.createInputSchema(model), outputSchema: S.writeOutputSchema(model) };
    case 'update':
      return { inputSchema: S.updateInputSchema(model), outputSchema: S.writeOutputSchema(model) };
    case 'delete':
      return { inputSchema: S.idInputSchema(model), outputSchema: S.deleteOutputSchema(model) };
    case 'complete':
      return { inputSchema: S.idInputSchema(model), outputSchema: S.writeOutputSchema(model) };
    case 'add-note':
      return { inputSchema: addNoteInputSchema(model), outputSchema: S.writeOutputSchema(note) };
  }
}

const lower = (model: ModelDef) => model.label.toLowerCase();
const lowerPlural = (model: ModelDef) => model.plural.replace(/-/g, ' ');

export function defaultName(operation: Operation, model: ModelDef): string {
  const names: Record<Operation, string> = {
    list: `List ${lowerPlural(model)}`,
    search: `Search ${lowerPlural(model)}`,
    get: `Get ${lower(model)}`,
    create: `Create ${lower(model)}`,
    update: `Update ${lower(model)}`,
    delete: `Delete ${lower(model)}`,
    complete: `Complete ${lower(model)}`,
    'add-note': `Add note to ${lower(model)}`,
  };
  return names[operation];
}

export function defaultDescription(operation: Operation, model: ModelDef): string {
  const what = model.label.replace(/ /g, '') === model.name ? `1CRM ${model.label}` : `1CRM ${model.label} (${model.name})`;
  // The model's own filters first; the schema lists them all, the description only a taste.
  const own = [...model.filterMap.keys()].filter((n) => !['filter_text', 'filter_owner', 'assigned_user_id'].includes(n));
  const filterNames = [...own.slice(0, 6), ...(own.length > 6 ? ['…'] : []), ...(model.assigned ? ['filter_owner'] : [])];
  const required = S.writableFields(model)
    .filter(S.requiredOnCreate)
    .map((f) => f.name);
  switch (operation) {
    case 'list':
      return `List ${what} records, a page at a time; optional filter {${filterNames.join(', ')}}, order ("field DESC"), limit (1–200) and cursor.`;
    case 'search':
      return `Search ${what} records by text in ${model.searchFields.join(', ')}; input query, optional limit and cursor.`;
    case 'get':
      return `Get one ${what} record with all its fields; input id.`;
    case 'create':
      return `Create a ${what} record; required ${required.join(', ') || 'nothing'}, other fields optional; returns {id, record}.`;
    case 'update':
      return `Update a ${what} record; input id plus only the fields to change (null clears one); returns {id, record}.`;
    case 'delete':
      return `Delete a ${what} record (soft delete: it disappears from lists and gets); input id.`;
    case 'complete':
      return `Mark a ${what} record done (sets ${Object.entries(model.completeWith ?? {})
        .map(([k, v]) => `${k} "${v}"`)
        .join(', ')}); input id.`;
    case 'add-note':
      return `Add a Note to a ${what} record; input id of the ${lower(model)}, name (subject), optional description.`;
  }
}

export function makeAction(operation: Operation, model: ModelDef, meta: { key: string; name: string; description: string }): ActionDef {
  return {
    key: meta.key,
    name: meta.name,
    description: meta.description,
    type: ACTION_TYPE_OF_OPERATION[operation],
    operation,
    entity: model.entity,
    ...schemasFor(operation, model),
    run: runnerFor(operation, model),
  };
}

/** Prebuilt key: list-accounts, get-account, …, delete-invoice. */
export function prebuiltKey(operation: Operation, model: ModelDef): string {
  return operation === 'list' || operation === 'search' ? `${operation}-${model.plural}` : `${operation}-${model.singular}`;
}

let catalog: ActionDef[] | undefined;

/**
 * The prebuilt catalog: list/get/search/create/update/delete for every model flagged `prebuilt`.
 * Built on first use, so sandbox commands that never touch actions do not pay for 72 schemas.
 */
export function prebuiltActions(): ActionDef[] {
  catalog ??= MODELS.filter((m) => m.prebuilt).flatMap((model) =>
    CRUD_OPERATIONS.map((op) =>
      makeAction(op, model, { key: prebuiltKey(op, model), name: defaultName(op, model), description: defaultDescription(op, model) }),
    ),
  );
  return catalog;
}
