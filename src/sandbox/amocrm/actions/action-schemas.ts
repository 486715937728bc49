// JSON Schema building blocks for action inputs and outputs (draft-07 style; every property
// described). Record schemas document the AmoCRM read shapes that action outputs carry.
import type { JsonSchema } from '../../emulator-types.js';
import { MAX_LIMIT } from '../constants.js';

export const DEFAULT_ACTION_LIMIT = 20;

export function str(description: string, extra: JsonSchema = {}): JsonSchema {
  return { type: 'string', description, ...extra };
}

export function int(description: string, extra: JsonSchema = {}): JsonSchema {
  return { type: 'integer', description, ...extra };
}

export function bool(description: string): JsonSchema {
  return { type: 'boolean', description };
}

export function arr(items: JsonSchema, description: string, extra: JsonSchema = {}): JsonSchema {
  return { type: 'array', items, description, ...extra };
}

export function nullable(schema: JsonSchema): JsonSchema {
  const { description, ...rest } = schema;
  return { anyOf: [rest, { type: 'null' }], description };
}

export function obj(
  properties: Record<string, JsonSchema>,
  opts: { required?: string[]; closed?: boolean; description?: string } = {},
): JsonSchema {
  return {
    type: 'object',
    ...(opts.description ? { description: opts.description } : {}),
    properties,
    ...(opts.required && opts.required.length > 0 ? { required: opts.required } : {}),
    ...(opts.closed ? { additionalProperties: false } : {}),
  };
}

/** A point in time: unix seconds, or an ISO 8601 date-time string (converted to unix seconds). */
export function timeInput(description: string): JsonSchema {
  return {
    description: `${description} Unix seconds or an ISO 8601 date-time such as 2026-01-20T15:00:00Z.`,
    anyOf: [
      { type: 'integer', minimum: 0 },
      { type: 'string', format: 'date-time' },
    ],
  };
}

export const idInput = (what: string): JsonSchema => int(`Numeric AmoCRM id of the ${what}.`, { minimum: 1 });

export const limitInput: JsonSchema = int(`Records per page, 1–${MAX_LIMIT} (default ${DEFAULT_ACTION_LIMIT}).`, {
  minimum: 1,
  maximum: MAX_LIMIT,
  default: DEFAULT_ACTION_LIMIT,
});

export const cursorInput: JsonSchema = str('Cursor from the previous page’s output; omit for the first page.');

export function listOutput(record: JsonSchema, what: string): JsonSchema {
  return obj(
    {
      records: arr(record, `The ${what} on this page.`),
      cursor: str('Pass as `cursor` to get the next page; absent on the last page.'),
    },
    { required: ['records'] },
  );
}

export function writeOutput(record: JsonSchema, what: string): JsonSchema {
  return obj(
    { id: int(`Id of the ${what}.`), record: { ...record, description: `The ${what} as stored after the write.` } },
    { required: ['id', 'record'] },
  );
}

// ---------- record shapes ----------

const customFieldsValues = nullable(
  arr(
    obj({
      field_id: int('Custom field id.'),
      field_name: str('Custom field name.'),
      field_code: nullable(str('Field code, e.g. PHONE, EMAIL, POSITION, WEB.')),
      field_type: str('Field type, e.g. multitext, text, select, url.'),
      values: arr(
        obj({
          value: { description: 'The value (string, number or boolean by field type).' },
          enum_id: int('Enum option id (multitext, select).'),
          enum_code: str('Enum code for multitext fields, e.g. WORK, MOB, PRIV.'),
        }),
        'Values of the field.',
      ),
    }),
    'Custom field values; null when the record has none. Phones and emails live here (codes PHONE and EMAIL).',
  ),
);

const tagList = arr(obj({ id: int('Tag id.'), name: str('Tag name.'), color: nullable(str('Tag color.')) }), 'Tags.');
const idList = (what: string) => arr(obj({ id: int(`${what} id.`) }), `Linked ${what.toLowerCase()}s.`);
const audit = {
  responsible_user_id: int('Id of the responsible user (see list-users).'),
  created_by: int('Id of the user who created it (0 = system/API).'),
  updated_by: int('Id of the user who last updated it.'),
  created_at: int('Creation time, unix seconds.'),
  updated_at: int('Last update time, unix seconds.'),
  account_id: int('AmoCRM account id.'),
};

export const leadRecord = obj(
  {
    id: int('Lead id.'),
    name: nullable(str('Lead name.')),
    price: nullable(int('Budget (deal value) in the account currency.')),
    status_id: int('Stage id; 142 = won, 143 = lost.'),
    pipeline_id: int('Pipeline id.'),
    group_id: int('Group of the responsible user (0 = none).'),
    loss_reason_id: nullable(int('Loss reason id (lost leads only).')),
    closed_at: nullable(int('When the lead was won or lost, unix seconds.')),
    closest_task_at: nullable(int('Due time of the nearest open task, unix seconds.')),
    is_deleted: bool('Whether the lead is in the trash.'),
    custom_fields_values: customFieldsValues,
    score: nullable(int('Lead score.')),
    labor_cost: nullable(int('Labor cost in seconds.')),
    ...audit,
    _embedded: obj(
      {
        tags: tagList,
        companies: idList('Company'),
        contacts: arr(
          obj({ id: int('Contact id.'), is_main: bool('Main contact of the lead.') }),
          'Linked contacts (get-lead includes them).',
        ),
      },
      { description: 'Related records.' },
    ),
  },
  { description: 'An AmoCRM lead (deal).' },
);

export const contactRecord = obj(
  {
    id: int('Contact id.'),
    name: str('Full name.'),
    first_name: str('First name.'),
    last_name: str('Last name.'),
    group_id: int('Group of the responsible user.'),
    closest_task_at: nullable(int('Due time of the nearest open task, unix seconds.')),
    is_deleted: bool('Whether the contact is in the trash.'),
    is_unsorted: bool('Whether the contact came from unsorted.'),
    custom_fields_values: customFieldsValues,
    ...audit,
    _embedded: obj({ tags: tagList, companies: idList('Company'), leads: idList('Lead') }, { description: 'Related records.' }),
  },
  { description: 'An AmoCRM contact (person).' },
);

export const companyRecord = obj(
  {
    id: int('Company id.'),
    name: str('Company name.'),
    group_id: int('Group of the responsible user.'),
    closest_task_at: nullable(int('Due time of the nearest open task, unix seconds.')),
    is_deleted: bool('Whether the company is in the trash.'),
    custom_fields_values: customFieldsValues,
    ...audit,
    _embedded: obj({ tags: tagList, contacts: idList('Contact'), leads: idList('Lead') }, { description: 'Related records.' }),
  },
  { description: 'An AmoCRM company.' },
);

export const taskRecord = obj(
  {
    id: int('Task id.'),
    text: str('What to do.'),
    complete_till: int('Due time, unix seconds.'),
    task_type_id: int('1 = follow-up/call, 2 = meeting.'),
    is_completed: bool('Whether the task is done.'),
    result: { description: 'Completion result `{text}`; an empty array while the task has none.' },
    entity_type: nullable(str('Type of the linked record: leads, contacts, companies.')),
    entity_id: nullable(int('Id of the linked record.')),
    duration: int('Duration in seconds.'),
    group_id: int('Group of the responsible user.'),
    ...audit,
  },
  { description: 'An AmoCRM task.' },
);

export const noteRecord = obj(
  {
    id: int('Note id.'),
    entity_id: int('Id of the lead, contact or company the note belongs to.'),
    note_type: str('common, call_in, call_out, service_message, …'),
    params: obj(
      { text: str('Text of a common or service note.') },
      { description: 'Type-specific content, e.g. {text} for common notes.' },
    ),
    group_id: int('Group of the responsible user.'),
    ...audit,
  },
  { description: 'An AmoCRM note.' },
);

export const pipelineRecord = obj(
  {
    id: int('Pipeline id.'),
    name: str('Pipeline name.'),
    sort: int('Sort order.'),
    is_main: bool('Whether it is the main pipeline (new leads land here by default).'),
    is_unsorted_on: bool('Whether the incoming (unsorted) stage is on.'),
    is_archive: bool('Whether the pipeline is archived.'),
    account_id: int('Account id.'),
    _embedded: obj(
      {
        statuses: arr(
          obj({
            id: int('Status id (142 won, 143 lost in every pipeline).'),
            name: str('Stage name.'),
            sort: int('Sort order.'),
            type: int('0 normal stage, 1 incoming (unsorted).'),
            color: str('Stage color.'),
            is_editable: bool('Whether the stage can be edited.'),
            pipeline_id: int('Pipeline id.'),
          }),
          'Stages in order.',
        ),
      },
      { description: 'Stages of the pipeline.' },
    ),
  },
  { description: 'A lead pipeline with its stages.' },
);

export const userRecord = obj(
  {
    id: int('User id.'),
    name: str('Full name.'),
    email: str('Login e-mail.'),
    lang: str('Interface language: ru, en or es.'),
    rights: obj(
      { is_admin: bool('Account administrator.'), is_active: bool('Active user.'), is_free: bool('Free (read-only) seat.') },
      { description: 'Access rights per entity (A all, G group, M own, D denied) and flags.' },
    ),
  },
  { description: 'An AmoCRM user.' },
);
