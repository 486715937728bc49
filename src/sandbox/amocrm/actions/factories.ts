// Action factories. Prebuilt actions and the ones `buildAction` makes come from the same
// functions; only key, name and description differ. Every `run` goes through the REST handler.
import {
  ACTION_TYPE_OF_OPERATION,
  InvalidInput,
  type ActionDef,
  type EmulatorContext,
  type JsonSchema,
  type Operation,
} from '../../emulator-types.js';
import type { EntityType } from '../model.js';
import { NOTE_TYPES } from '../notes.js';
import {
  call,
  decodeCursor,
  embeddedList,
  encodeCursor,
  expectOk,
  firstId,
  hasNextPage,
  isRecord,
  stripLinks,
  type QueryPairs,
} from './client.js';
import type { RecordEntity } from './entities.js';
import { optionalInt, optionalString } from './inputs.js';
import {
  cursorInput,
  DEFAULT_ACTION_LIMIT,
  idInput,
  int,
  limitInput,
  listOutput,
  noteRecord,
  obj,
  pipelineRecord,
  str,
  userRecord,
  writeOutput,
} from './action-schemas.js';

type Input = Record<string, unknown>;

/** What differs between a prebuilt action and a built one. */
export interface ActionMeta {
  key: string;
  name: string;
  description: string;
}

/** An action whose Membrane type follows from its operation (ACTION_TYPE_OF_OPERATION). */
function define(
  meta: ActionMeta,
  operation: Operation,
  entity: string,
  inputSchema: JsonSchema,
  outputSchema: JsonSchema,
  run: (ctx: EmulatorContext, input: Input) => unknown,
): ActionDef {
  return { ...meta, type: ACTION_TYPE_OF_OPERATION[operation], operation, entity, inputSchema, outputSchema, run };
}

// ---------- paging ----------

/** Page and limit for a list call: the cursor (when given) fixes both, so pages never overlap. */
function pageOf(input: Input): { page: number; limit: number } {
  if (typeof input.cursor === 'string') return decodeCursor(input.cursor);
  return { page: 1, limit: optionalInt(input, 'limit') ?? DEFAULT_ACTION_LIMIT };
}

/** GET a list page and shape it as `{records, cursor?}`; a 204 is an empty page. */
function listPage(
  ctx: EmulatorContext,
  path: string,
  key: string,
  input: Input,
  query: QueryPairs,
): { records: unknown[]; cursor?: string } {
  const { page, limit } = pageOf(input);
  const body = expectOk(call(ctx, 'GET', path, { query: [...query, ['page', page], ['limit', limit]] }));
  const records = embeddedList(body, key).map(stripLinks);
  return hasNextPage(body) ? { records, cursor: encodeCursor({ page: page + 1, limit }) } : { records };
}

function filterOf(input: Input): Input {
  return isRecord(input.filter) ? input.filter : {};
}

// ---------- record actions (leads, contacts, companies, tasks) ----------

function getRecord(ctx: EmulatorContext, entity: RecordEntity, id: number): unknown {
  const query: QueryPairs = entity.getWith ? [['with', entity.getWith]] : [];
  return stripLinks(expectOk(call(ctx, 'GET', `/${entity.plural}/${id}`, { query })));
}

export function listRecords(entity: RecordEntity, meta: ActionMeta): ActionDef {
  const input = obj(
    {
      limit: limitInput,
      cursor: cursorInput,
      filter: obj(entity.filterProperties, { closed: true, description: `Narrow the ${entity.labelPlural}; all conditions must hold.` }),
    },
    { closed: true },
  );
  return define(meta, 'list', entity.id, input, listOutput(entity.record, entity.labelPlural), (ctx, args) =>
    listPage(ctx, `/${entity.plural}`, entity.plural, args, entity.toFilterQuery(ctx, filterOf(args))),
  );
}

export function searchRecords(entity: RecordEntity, meta: ActionMeta): ActionDef {
  const input = obj(
    {
      query: str(`Text to find in ${entity.labelPlural}: name, phone, e-mail or other field values.`, { minLength: 1 }),
      limit: limitInput,
      cursor: cursorInput,
    },
    { required: ['query'], closed: true },
  );
  return define(meta, 'search', entity.id, input, listOutput(entity.record, entity.labelPlural), (ctx, args) =>
    listPage(ctx, `/${entity.plural}`, entity.plural, args, [['query', optionalString(args, 'query') ?? '']]),
  );
}

export function getRecordAction(entity: RecordEntity, meta: ActionMeta): ActionDef {
  const input = obj({ id: idInput(entity.label) }, { required: ['id'], closed: true });
  return define(meta, 'get', entity.id, input, entity.record, (ctx, args) => getRecord(ctx, entity, args.id as number));
}

export function createRecord(entity: RecordEntity, meta: ActionMeta): ActionDef {
  const input = obj(entity.writeProperties, { required: entity.createRequired, closed: true });
  return define(meta, 'create', entity.id, input, writeOutput(entity.record, entity.label), (ctx, args) => {
    entity.checkCreate?.(args);
    const body = expectOk(call(ctx, 'POST', `/${entity.plural}`, { body: [entity.toBody(args)] }));
    const id = firstId(body, entity.plural);
    return { id, record: getRecord(ctx, entity, id) };
  });
}

export function updateRecord(entity: RecordEntity, meta: ActionMeta): ActionDef {
  const input = obj({ id: idInput(entity.label), ...entity.writeProperties }, { required: ['id'], closed: true });
  return define(meta, 'update', entity.id, input, writeOutput(entity.record, entity.label), (ctx, args) => {
    const { id, ...fields } = args;
    expectOk(call(ctx, 'PATCH', `/${entity.plural}/${id as number}`, { body: entity.toBody(fields) }));
    return { id, record: getRecord(ctx, entity, id as number) };
  });
}

// ---------- tasks ----------

export function completeTask(taskEntity: RecordEntity, meta: ActionMeta): ActionDef {
  const input = obj(
    {
      id: idInput('task'),
      result_text: str('What came of it, e.g. "Client agreed to the offer" (stored as result.text).', { minLength: 1 }),
    },
    { required: ['id'], closed: true },
  );
  return define(meta, 'complete', 'task', input, writeOutput(taskEntity.record, 'task'), (ctx, args) => {
    const id = args.id as number;
    const resultText = optionalString(args, 'result_text');
    const body: Input = { is_completed: true, ...(resultText !== undefined ? { result: { text: resultText } } : {}) };
    expectOk(call(ctx, 'PATCH', `/tasks/${id}`, { body }));
    return { id, record: getRecord(ctx, taskEntity, id) };
  });
}

// ---------- notes ----------

const ENTITY_TYPES: EntityType[] = ['leads', 'contacts', 'companies'];
const ADDABLE_NOTE_TYPES = ['common', 'call_in', 'call_out', 'service_message'] as const;
const entityTypeInput = str('Where the note lives: leads, contacts or companies.', { enum: ENTITY_TYPES });

function notePath(entityType: string, id: number): string {
  return `/${entityType}/notes/${id}`;
}

/** AmoCRM `params` for the note type: text for common notes, call details for calls. */
function noteParams(noteType: string, args: Input): Input {
  const text = optionalString(args, 'text') ?? '';
  if (noteType === 'call_in' || noteType === 'call_out') {
    return {
      phone: optionalString(args, 'phone') ?? '',
      duration: optionalInt(args, 'duration') ?? 0,
      source: 'membrane',
      call_result: text,
    };
  }
  if (noteType === 'service_message') return { service: 'Membrane', text };
  return { text };
}

/** add-note; with `fixedEntityType` (built "add a note to a lead") the entity_type input disappears. */
export function addNote(meta: ActionMeta, fixedEntityType?: EntityType): ActionDef {
  const properties: Record<string, JsonSchema> = {
    ...(fixedEntityType ? {} : { entity_type: entityTypeInput }),
    entity_id: idInput(fixedEntityType ? fixedEntityType.replace(/ies$/, 'y').replace(/s$/, '') : 'lead, contact or company'),
    text: str('Note text (for calls: the call result).', { minLength: 1 }),
    note_type: str('common (default) for a plain note, call_in/call_out to log a call, service_message for a system-style message.', {
      enum: [...ADDABLE_NOTE_TYPES],
      default: 'common',
    }),
    phone: str('Phone number of the call (call_in/call_out only).'),
    duration: int('Call duration in seconds (call_in/call_out only).', { minimum: 0 }),
  };
  const required = fixedEntityType ? ['entity_id', 'text'] : ['entity_type', 'entity_id', 'text'];
  const input = obj(properties, { required, closed: true });
  return define(meta, 'add-note', 'note', input, writeOutput(noteRecord, 'note'), (ctx, args) => {
    const entityType = fixedEntityType ?? (args.entity_type as string);
    const entityId = args.entity_id as number;
    const noteType = optionalString(args, 'note_type') ?? 'common';
    const body = expectOk(
      call(ctx, 'POST', `/${entityType}/${entityId}/notes`, { body: [{ note_type: noteType, params: noteParams(noteType, args) }] }),
    );
    const id = firstId(body, 'notes');
    return { id, record: stripLinks(expectOk(call(ctx, 'GET', notePath(entityType, id)))) };
  });
}

export function listNotes(meta: ActionMeta): ActionDef {
  const input = obj(
    {
      entity_type: entityTypeInput,
      entity_id: idInput('lead, contact or company whose notes to list; omit for all notes of that type'),
      note_type: str('Only notes of this type.', { enum: [...NOTE_TYPES] }),
      limit: limitInput,
      cursor: cursorInput,
    },
    { required: ['entity_type'], closed: true },
  );
  return define(meta, 'list', 'note', input, listOutput(noteRecord, 'notes'), (ctx, args) => {
    const entityType = args.entity_type as string;
    const entityId = optionalInt(args, 'entity_id');
    const path = entityId === undefined ? `/${entityType}/notes` : `/${entityType}/${entityId}/notes`;
    const noteType = optionalString(args, 'note_type');
    return listPage(ctx, path, 'notes', args, noteType ? [['filter[note_type]', noteType]] : []);
  });
}

export function getNote(meta: ActionMeta): ActionDef {
  const input = obj({ entity_type: entityTypeInput, id: idInput('note') }, { required: ['entity_type', 'id'], closed: true });
  return define(meta, 'get', 'note', input, noteRecord, (ctx, args) =>
    stripLinks(expectOk(call(ctx, 'GET', notePath(args.entity_type as string, args.id as number)))),
  );
}

export function updateNote(meta: ActionMeta): ActionDef {
  const input = obj(
    { entity_type: entityTypeInput, id: idInput('note'), text: str('New note text.', { minLength: 1 }) },
    { required: ['entity_type', 'id', 'text'], closed: true },
  );
  return define(meta, 'update', 'note', input, writeOutput(noteRecord, 'note'), (ctx, args) => {
    const entityType = args.entity_type as string;
    const id = args.id as number;
    const current = expectOk(call(ctx, 'GET', notePath(entityType, id)));
    if (!isRecord(current) || !isRecord(current.params)) throw new InvalidInput('note has no params', 'id');
    const textKey = current.note_type === 'call_in' || current.note_type === 'call_out' ? 'call_result' : 'text';
    const params = { ...current.params, [textKey]: args.text };
    expectOk(call(ctx, 'PATCH', `/${entityType}/notes`, { body: [{ id, note_type: current.note_type, params }] }));
    return { id, record: stripLinks(expectOk(call(ctx, 'GET', notePath(entityType, id)))) };
  });
}

// ---------- pipelines and users ----------

export function listPipelines(meta: ActionMeta): ActionDef {
  const input = obj({}, { closed: true });
  return define(meta, 'list', 'pipeline', input, listOutput(pipelineRecord, 'pipelines'), (ctx) => ({
    records: embeddedList(expectOk(call(ctx, 'GET', '/leads/pipelines')), 'pipelines').map(stripLinks),
  }));
}

export function getPipeline(meta: ActionMeta): ActionDef {
  const input = obj({ id: idInput('pipeline') }, { required: ['id'], closed: true });
  return define(meta, 'get', 'pipeline', input, pipelineRecord, (ctx, args) =>
    stripLinks(expectOk(call(ctx, 'GET', `/leads/pipelines/${args.id as number}`))),
  );
}

export function listUsers(meta: ActionMeta): ActionDef {
  const input = obj({ limit: limitInput, cursor: cursorInput }, { closed: true });
  return define(meta, 'list', 'user', input, listOutput(userRecord, 'users'), (ctx, args) => listPage(ctx, '/users', 'users', args, []));
}

export function getUser(meta: ActionMeta): ActionDef {
  const input = obj({ id: idInput('user') }, { required: ['id'], closed: true });
  return define(meta, 'get', 'user', input, userRecord, (ctx, args) =>
    stripLinks(expectOk(call(ctx, 'GET', `/users/${args.id as number}`))),
  );
}
