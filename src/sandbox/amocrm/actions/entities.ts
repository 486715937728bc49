// Per-entity knowledge the record actions need: REST path, record schema, list filters, and the
// mapping from flat friendly inputs (phone, email, contact_ids, …) to AmoCRM request bodies.
import type { EmulatorContext, JsonSchema } from '../../emulator-types.js';
import { InvalidInput } from '../../emulator-types.js';
import { call, embeddedList, expectOk, type QueryPairs } from './client.js';
import { intList, optionalInt, optionalString, partyBody, pushFilter, pushRange, toUnixSeconds } from './inputs.js';
import { arr, bool, companyRecord, contactRecord, int, leadRecord, str, taskRecord, timeInput } from './action-schemas.js';

export type RecordEntityId = 'lead' | 'contact' | 'company' | 'task';
type Input = Record<string, unknown>;

export interface RecordEntity {
  id: RecordEntityId;
  /** REST collection, e.g. 'leads'. */
  plural: 'leads' | 'contacts' | 'companies' | 'tasks';
  label: string;
  labelPlural: string;
  record: JsonSchema;
  /** `with=` for get (related records worth having on a single record). */
  getWith?: string;
  filterProperties: Record<string, JsonSchema>;
  toFilterQuery: (ctx: EmulatorContext, filter: Input) => QueryPairs;
  writeProperties: Record<string, JsonSchema>;
  /** Required on create (besides JSON Schema's own `required`). */
  createRequired: string[];
  /** Semantic checks JSON Schema leaves out (kept out of the schema: top-level anyOf breaks some tool-schema consumers). */
  checkCreate?: (input: Input) => void;
  toBody: (input: Input) => Record<string, unknown>;
  createSummary: string;
  updateSummary: string;
}

const range = (what: string) => ({
  [`${what}_from`]: timeInput(`Only records with ${what} at or after this time.`),
  [`${what}_to`]: timeInput(`Only records with ${what} at or before this time.`),
});

const commonFilters: Record<string, JsonSchema> = {
  ids: arr(int('Record id.', { minimum: 1 }), 'Only these ids.', { minItems: 1 }),
  responsible_user_id: int('Only records of this responsible user (see list-users).', { minimum: 1 }),
  ...range('created_at'),
  ...range('updated_at'),
};

function commonFilterQuery(filter: Input): QueryPairs {
  const query: QueryPairs = [];
  pushFilter(query, 'id', intList(filter, 'ids'));
  pushFilter(query, 'name', optionalString(filter, 'name'));
  pushFilter(query, 'responsible_user_id', optionalInt(filter, 'responsible_user_id'));
  pushRange(query, filter, 'created_at', true);
  pushRange(query, filter, 'updated_at', true);
  return query;
}

/** Pipelines that contain a status (142/143 are in all of them), for `filter[statuses]` pairs. */
function pipelinesWithStatus(ctx: EmulatorContext, statusId: number): number[] {
  const body = expectOk(call(ctx, 'GET', '/leads/pipelines'));
  return embeddedList(body, 'pipelines')
    .filter((p) => {
      const embedded = p._embedded as { statuses?: { id?: unknown }[] } | undefined;
      return (embedded?.statuses ?? []).some((s) => s.id === statusId);
    })
    .map((p) => p.id as number);
}

const responsibleInput = int('Id of the responsible user (see list-users); defaults to the current user.', { minimum: 1 });

export const LEAD: RecordEntity = {
  id: 'lead',
  plural: 'leads',
  label: 'lead',
  labelPlural: 'leads',
  record: leadRecord,
  getWith: 'contacts',
  filterProperties: {
    ...commonFilters,
    name: str('Exact lead name (case-insensitive).'),
    pipeline_id: int('Only leads in this pipeline (see list-pipelines).', { minimum: 1 }),
    status_id: int('Only leads in this stage; 142 = won, 143 = lost (see list-pipelines).', { minimum: 1 }),
    price_from: int('Minimum budget.', { minimum: 0 }),
    price_to: int('Maximum budget.', { minimum: 0 }),
  },
  toFilterQuery(ctx, filter) {
    const query = commonFilterQuery(filter);
    const pipelineId = optionalInt(filter, 'pipeline_id');
    const statusId = optionalInt(filter, 'status_id');
    if (statusId !== undefined) {
      const pipelines = pipelineId !== undefined ? [pipelineId] : pipelinesWithStatus(ctx, statusId);
      (pipelines.length > 0 ? pipelines : [0]).forEach((pid, i) => {
        query.push([`filter[statuses][${i}][pipeline_id]`, pid], [`filter[statuses][${i}][status_id]`, statusId]);
      });
    } else pushFilter(query, 'pipeline_id', pipelineId);
    pushRange(query, filter, 'price', false);
    return query;
  },
  writeProperties: {
    name: str('Lead name, e.g. "Website redesign for Acme".', { minLength: 1, maxLength: 255 }),
    price: int('Budget (deal value) in the account currency.', { minimum: 0 }),
    pipeline_id: int('Pipeline id (see list-pipelines); default: the main pipeline.', { minimum: 1 }),
    status_id: int('Stage id within the pipeline (see list-pipelines); 142 = won, 143 = lost. Default: the first stage.', { minimum: 1 }),
    responsible_user_id: responsibleInput,
    contact_ids: arr(
      int('Contact id.', { minimum: 1 }),
      'Contacts to link; the first becomes the main contact. On update, replaces the linked contacts.',
    ),
    company_id: int('Company to link (see search-companies).', { minimum: 1 }),
    tags: arr(str('Tag name.', { minLength: 1 }), 'Tag names (created when new). On update, replaces the tags.'),
  },
  createRequired: ['name'],
  toBody(input) {
    const body: Record<string, unknown> = {};
    for (const key of ['name', 'price', 'pipeline_id', 'status_id', 'responsible_user_id'])
      if (input[key] !== undefined) body[key] = input[key];
    const embedded: Record<string, unknown> = {};
    const contactIds = intList(input, 'contact_ids');
    if (contactIds) embedded.contacts = contactIds.map((id, i) => ({ id, is_main: i === 0 }));
    const companyId = optionalInt(input, 'company_id');
    if (companyId !== undefined) embedded.companies = [{ id: companyId }];
    if (Array.isArray(input.tags)) embedded.tags = input.tags.filter((t): t is string => typeof t === 'string').map((name) => ({ name }));
    if (Object.keys(embedded).length > 0) body._embedded = embedded;
    return body;
  },
  createSummary:
    'Create a lead (deal) in AmoCRM. Required: name. Optional: price, pipeline_id, status_id, responsible_user_id, contact_ids, company_id, tags.',
  updateSummary:
    'Update a lead (deal) in AmoCRM by id: rename, change price, move to another stage (status_id 142 = won, 143 = lost), reassign, relink contacts/company, retag.',
};

export const CONTACT: RecordEntity = {
  id: 'contact',
  plural: 'contacts',
  label: 'contact',
  labelPlural: 'contacts',
  record: contactRecord,
  getWith: 'leads',
  filterProperties: { ...commonFilters, name: str('Exact full name (case-insensitive).') },
  toFilterQuery: (_ctx, filter) => commonFilterQuery(filter),
  writeProperties: {
    first_name: str('First name.', { maxLength: 255 }),
    last_name: str('Last name.', { maxLength: 255 }),
    name: str('Full name; default: first_name + last_name.', { maxLength: 255 }),
    phone: str('Work phone number, e.g. "+49 151 23456789" (stored in the PHONE custom field; on update replaces the phones, "" clears).'),
    email: str('Work e-mail (stored in the EMAIL custom field; on update replaces the e-mails, "" clears).'),
    position: str('Job title (POSITION custom field; "" clears).'),
    company_id: int('Company the contact works for (see search-companies).', { minimum: 1 }),
    responsible_user_id: responsibleInput,
  },
  createRequired: [],
  checkCreate(input) {
    const named = ['name', 'first_name', 'last_name'].some((key) => typeof input[key] === 'string' && (input[key] as string).trim() !== '');
    if (!named) throw new InvalidInput('A contact needs a name: give first_name, last_name or name', 'name');
  },
  toBody(input) {
    const body = partyBody(
      input,
      ['first_name', 'last_name', 'name', 'responsible_user_id'],
      [
        ['phone', 'PHONE', 'multitext'],
        ['email', 'EMAIL', 'multitext'],
        ['position', 'POSITION', 'text'],
      ],
    );
    const companyId = optionalInt(input, 'company_id');
    if (companyId !== undefined) body._embedded = { companies: [{ id: companyId }] };
    return body;
  },
  createSummary:
    'Create a contact (person) in AmoCRM. Required: first_name, last_name or name. Optional: phone, email, position, company_id, responsible_user_id.',
  updateSummary: 'Update a contact in AmoCRM by id: name parts, phone, email, position, company_id, responsible_user_id.',
};

export const COMPANY: RecordEntity = {
  id: 'company',
  plural: 'companies',
  label: 'company',
  labelPlural: 'companies',
  record: companyRecord,
  getWith: 'contacts,leads',
  filterProperties: { ...commonFilters, name: str('Exact company name (case-insensitive).') },
  toFilterQuery: (_ctx, filter) => commonFilterQuery(filter),
  writeProperties: {
    name: str('Company name.', { minLength: 1, maxLength: 255 }),
    phone: str('Main phone number (PHONE custom field; "" clears).'),
    email: str('Main e-mail (EMAIL custom field; "" clears).'),
    website: str('Website URL, e.g. https://example.com (WEB custom field; "" clears).'),
    responsible_user_id: responsibleInput,
  },
  createRequired: ['name'],
  toBody: (input) =>
    partyBody(
      input,
      ['name', 'responsible_user_id'],
      [
        ['phone', 'PHONE', 'multitext'],
        ['email', 'EMAIL', 'multitext'],
        ['website', 'WEB', 'text'],
      ],
    ),
  createSummary: 'Create a company in AmoCRM. Required: name. Optional: phone, email, website, responsible_user_id.',
  updateSummary: 'Update a company in AmoCRM by id: name, phone, email, website, responsible_user_id.',
};

const taskEntityType = str('Type of the record the task is about.', { enum: ['leads', 'contacts', 'companies'] });

export const TASK: RecordEntity = {
  id: 'task',
  plural: 'tasks',
  label: 'task',
  labelPlural: 'tasks',
  record: taskRecord,
  filterProperties: {
    ids: commonFilters.ids,
    responsible_user_id: commonFilters.responsible_user_id,
    is_completed: bool('true: only completed tasks; false: only open tasks.'),
    task_type_id: int('1 = follow-up/call, 2 = meeting.', { minimum: 1 }),
    entity_type: { ...taskEntityType, description: 'Only tasks about this record type (required with entity_id).' },
    entity_id: int('Only tasks about this record (set entity_type too).', { minimum: 1 }),
    ...range('updated_at'),
    complete_till_from: timeInput('Only tasks due at or after this time.'),
    complete_till_to: timeInput('Only tasks due at or before this time (e.g. now, for overdue open tasks).'),
  },
  toFilterQuery(_ctx, filter) {
    const query: QueryPairs = [];
    pushFilter(query, 'id', intList(filter, 'ids'));
    pushFilter(query, 'responsible_user_id', optionalInt(filter, 'responsible_user_id'));
    pushFilter(query, 'is_completed', typeof filter.is_completed === 'boolean' ? filter.is_completed : undefined);
    pushFilter(query, 'task_type_id', optionalInt(filter, 'task_type_id'));
    pushFilter(query, 'entity_type', optionalString(filter, 'entity_type'));
    pushFilter(query, 'entity_id', optionalInt(filter, 'entity_id'));
    pushRange(query, filter, 'updated_at', true);
    pushRange(query, filter, 'complete_till', true);
    return query;
  },
  writeProperties: {
    text: str('What to do, e.g. "Call back about the proposal".', { minLength: 1 }),
    complete_till: timeInput('Due time.'),
    entity_type: taskEntityType,
    entity_id: int('Id of the lead, contact or company the task is about (set entity_type too).', { minimum: 1 }),
    task_type_id: int('1 = follow-up/call (default), 2 = meeting.', { minimum: 1, maximum: 2 }),
    responsible_user_id: responsibleInput,
  },
  createRequired: ['text', 'complete_till'],
  toBody(input) {
    const body: Record<string, unknown> = {};
    for (const key of ['text', 'entity_type', 'entity_id', 'task_type_id', 'responsible_user_id'])
      if (input[key] !== undefined) body[key] = input[key];
    if (input.complete_till !== undefined) body.complete_till = toUnixSeconds(input.complete_till, 'complete_till');
    return body;
  },
  createSummary:
    'Create a task in AmoCRM. Required: text, complete_till (unix seconds or ISO date-time). Optional: entity_type + entity_id (lead, contact or company), task_type_id, responsible_user_id.',
  updateSummary:
    'Update a task in AmoCRM by id: text, complete_till, linked record, task_type_id, responsible_user_id (use complete-task to close it).',
};

export const RECORD_ENTITIES: Record<RecordEntityId, RecordEntity> = { lead: LEAD, contact: CONTACT, company: COMPANY, task: TASK };
