// The AmoCRM action catalog, buildAction and vocabulary: every action runs through the REST
// handler against a seeded in-memory store.
import { Ajv } from 'ajv';
import { beforeEach, describe, expect, test } from 'vitest';
import { amocrm } from '../../src/sandbox/amocrm/amocrm-emulator.js';
import type { RecordStore } from '../../src/sandbox/store.js';
import { InvalidInput, UpstreamFailure, type ActionDef, type EmulatorContext, type JsonSchema } from '../../src/sandbox/emulator-types.js';
import { contextFor, RUN_NOW, seededStore, type J } from './amocrm-fixtures.js';

const RUN_SEC = Math.floor(RUN_NOW / 1000);

const EXPECTED_KEYS = [
  'list-leads',
  'get-lead',
  'search-leads',
  'create-lead',
  'update-lead',
  'list-contacts',
  'get-contact',
  'search-contacts',
  'create-contact',
  'update-contact',
  'list-companies',
  'get-company',
  'search-companies',
  'create-company',
  'update-company',
  'list-tasks',
  'get-task',
  'search-tasks',
  'create-task',
  'update-task',
  'complete-task',
  'add-note',
  'list-notes',
  'list-pipelines',
  'list-users',
];

let store: RecordStore;
let ctx: EmulatorContext;

beforeEach(() => {
  store = seededStore();
  ctx = contextFor(store);
});

function action(key: string): ActionDef {
  const found = amocrm.actions.find((a) => a.key === key);
  if (!found) throw new Error(`no action ${key}`);
  return found;
}

/** Validates like the sandbox core does (ajv, strict off, a few formats) and then runs the action. */
const ajv = new Ajv({ allErrors: true, strict: false, logger: false, formats: { 'date-time': /^\d{4}-\d{2}-\d{2}T/ } });

function run(key: string | ActionDef, input: Record<string, unknown> = {}): J {
  const def = typeof key === 'string' ? action(key) : key;
  const validate = ajv.compile(def.inputSchema);
  if (!validate(input)) throw new Error(`schema rejected input for ${def.key}: ${ajv.errorsText(validate.errors)}`);
  return def.run(ctx, input) as J;
}

function valid(key: string, input: unknown): boolean {
  return ajv.compile(action(key).inputSchema)(input) as boolean;
}

function upstreamFailure(fn: () => unknown): UpstreamFailure {
  try {
    fn();
  } catch (error) {
    if (error instanceof UpstreamFailure) return error;
    throw error;
  }
  throw new Error('expected an UpstreamFailure');
}

function hasLinks(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasLinks);
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(([k, v]) => k === '_links' || hasLinks(v));
}

function describedEverywhere(schema: unknown, path = ''): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const s = schema as JsonSchema;
  const missing: string[] = [];
  const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
  for (const [name, prop] of Object.entries(properties)) {
    if (typeof prop.description !== 'string' || prop.description.length < 5) missing.push(`${path}${name}`);
    missing.push(...describedEverywhere(prop, `${path}${name}.`));
  }
  return missing;
}

describe('catalog', () => {
  test('has exactly the agreed keys with Membrane types, operations and entities', () => {
    expect(amocrm.actions.map((a) => a.key)).toEqual(EXPECTED_KEYS);
    const byKey = Object.fromEntries(amocrm.actions.map((a) => [a.key, a]));
    expect(byKey['list-leads']).toMatchObject({ type: 'list-data-records', operation: 'list', entity: 'lead' });
    expect(byKey['search-contacts']).toMatchObject({ type: 'search-data-record', operation: 'search', entity: 'contact' });
    expect(byKey['get-company']).toMatchObject({ type: 'find-data-record-by-id', operation: 'get', entity: 'company' });
    expect(byKey['create-task']).toMatchObject({ type: 'create-data-record', operation: 'create', entity: 'task' });
    expect(byKey['update-lead']).toMatchObject({ type: 'update-data-record', operation: 'update', entity: 'lead' });
    expect(byKey['complete-task']).toMatchObject({ type: 'update-data-record', operation: 'complete', entity: 'task' });
    expect(byKey['add-note']).toMatchObject({ type: 'create-data-record', operation: 'add-note', entity: 'note' });
    expect(byKey['list-pipelines']).toMatchObject({ type: 'list-data-records', entity: 'pipeline' });
    expect(byKey['list-users']).toMatchObject({ type: 'list-data-records', entity: 'user' });
    const entityIds = amocrm.entities.map((e) => e.id);
    for (const a of amocrm.actions) expect(entityIds).toContain(a.entity);
  });

  test('schemas are real: typed objects, every property described, closed writes, bounded limits', () => {
    for (const a of amocrm.actions) {
      expect(a.inputSchema.type).toBe('object');
      // Tool-schema consumers (e.g. the Anthropic API) reject combinators at the top level.
      expect(
        Object.keys(a.inputSchema).filter((k) => ['anyOf', 'oneOf', 'allOf'].includes(k)),
        a.key,
      ).toEqual([]);
      expect(a.outputSchema.type).toBe('object');
      expect(describedEverywhere(a.inputSchema), a.key).toEqual([]);
      expect(a.description.length).toBeGreaterThan(30);
      expect(a.description).not.toContain('\n');
      if (a.operation === 'create' || a.operation === 'update' || a.operation === 'complete' || a.operation === 'add-note') {
        expect(a.inputSchema.additionalProperties, a.key).toBe(false);
      }
      const limit = (a.inputSchema.properties as Record<string, JsonSchema>).limit;
      if (limit) expect(limit).toMatchObject({ type: 'integer', minimum: 1, maximum: 250 });
      ajv.compile(a.inputSchema);
      ajv.compile(a.outputSchema);
    }
    expect(action('create-lead').inputSchema.required).toEqual(['name']);
    expect(action('create-task').inputSchema.required).toEqual(['text', 'complete_till']);
    expect((action('add-note').inputSchema.properties as J).entity_type.enum).toEqual(['leads', 'contacts', 'companies']);
    expect(action('create-lead').description).toContain('Required: name');
  });

  test('input schemas reject what the API would not take', () => {
    expect(valid('create-lead', { price: 5 })).toBe(false);
    expect(valid('create-lead', { name: 'x', colour: 'red' })).toBe(false);
    expect(valid('create-contact', { last_name: 'Okafor', phone: '+1 555' })).toBe(true);
    expect(valid('create-contact', { last_name: 'Okafor', fax: '+1 555' })).toBe(false);
    expect(valid('create-task', { text: 'x', complete_till: 'tomorrow' })).toBe(false);
    expect(valid('create-task', { text: 'x', complete_till: '2026-01-20T10:00:00Z' })).toBe(true);
    expect(valid('list-leads', { limit: 251 })).toBe(false);
    expect(valid('add-note', { entity_type: 'deals', entity_id: 1, text: 'x' })).toBe(false);
  });
});

describe('record actions', () => {
  test('list-leads pages with an opaque cursor, records without _links', () => {
    const first = run('list-leads', { limit: 20 });
    expect(first.records).toHaveLength(20);
    expect(typeof first.cursor).toBe('string');
    expect(hasLinks(first.records)).toBe(false);
    const second = run('list-leads', { cursor: first.cursor });
    const third = run('list-leads', { cursor: second.cursor });
    expect(third.records).toHaveLength(5);
    expect(third.cursor).toBeUndefined();
    const ids = [...first.records, ...second.records, ...third.records].map((r: J) => r.id);
    expect(new Set(ids).size).toBe(45);
  });

  test('list-leads filters by stage (142 in any pipeline) and an empty result is {records: []}', () => {
    const won = run('list-leads', { filter: { status_id: 142 }, limit: 250 });
    expect(won.records.length).toBeGreaterThan(0);
    expect(won.records.every((r: J) => r.status_id === 142)).toBe(true);
    expect(new Set(won.records.map((r: J) => r.pipeline_id)).size).toBe(2);
    expect(run('list-leads', { filter: { ids: [1] } })).toEqual({ records: [] });
  });

  test('a bad cursor and a nameless contact are InvalidInput', () => {
    expect(() => run('list-contacts', { cursor: 'not-a-cursor' })).toThrow(InvalidInput);
    expect(() => run('create-contact', { phone: '+1 555 0100', first_name: ' ' })).toThrow(/needs a name/);
  });

  test('search-contacts finds by e-mail and by phone', () => {
    const [contact] = run('list-contacts', { limit: 1 }).records as J[];
    const email = contact.custom_fields_values.find((f: J) => f.field_code === 'EMAIL').values[0].value;
    const phone = contact.custom_fields_values.find((f: J) => f.field_code === 'PHONE').values[0].value;
    expect(run('search-contacts', { query: email }).records.map((r: J) => r.id)).toEqual([contact.id]);
    expect(run('search-contacts', { query: phone }).records.map((r: J) => r.id)).toContain(contact.id);
    expect(run('search-leads', { query: 'zzz-none' })).toEqual({ records: [] });
    expect(run('search-companies', { query: 'Fjord' }).records[0].name).toBe('Fjord Seafood AS');
  });

  test('get-lead returns the record with its contacts; a missing id is an UpstreamFailure 404', () => {
    const [first] = run('list-leads', { limit: 1 }).records as J[];
    const lead = run('get-lead', { id: first.id });
    expect(lead.id).toBe(first.id);
    expect(lead._embedded.contacts.length).toBeGreaterThan(0);
    expect(hasLinks(lead)).toBe(false);
    const failure = upstreamFailure(() => run('get-lead', { id: 1 }));
    expect(failure.response.status).toBe(404);
    expect((failure.response.body as J).detail).toBe('Lead not found');
  });

  test('create-lead → get-lead round-trips, linking contacts, company and tags', () => {
    const contacts = run('list-contacts', { limit: 2 }).records as J[];
    const [company] = run('list-companies', { limit: 1 }).records as J[];
    const created = run('create-lead', {
      name: 'Cold-chain sensors',
      price: 250000,
      contact_ids: contacts.map((c) => c.id),
      company_id: company.id,
      tags: ['IoT', 'VIP'],
    });
    expect(typeof created.id).toBe('number');
    expect(created.record).toMatchObject({ id: created.id, name: 'Cold-chain sensors', price: 250000, created_at: RUN_SEC });
    const fetched = run('get-lead', { id: created.id });
    expect(fetched).toEqual(created.record);
    expect(fetched._embedded.contacts).toEqual([
      { id: contacts[0].id, is_main: true },
      { id: contacts[1].id, is_main: false },
    ]);
    expect(fetched._embedded.companies).toEqual([{ id: company.id }]);
    expect(fetched._embedded.tags.map((t: J) => t.name).sort()).toEqual(['IoT', 'VIP']);
  });

  test('update-lead moves a lead to lost; an unknown pipeline is an UpstreamFailure 400', () => {
    const [lead] = run('list-leads', { limit: 1 }).records as J[];
    const updated = run('update-lead', { id: lead.id, status_id: 143, price: 10 });
    expect(updated.record).toMatchObject({ id: lead.id, status_id: 143, price: 10, closed_at: RUN_SEC, updated_at: RUN_SEC });
    const failure = upstreamFailure(() => run('update-lead', { id: lead.id, pipeline_id: 1 }));
    expect(failure.response.status).toBe(400);
    expect((failure.response.body as J)['validation-errors'][0].errors[0].path).toBe('pipeline_id');
    expect(upstreamFailure(() => run('update-lead', { id: 1, name: 'x' })).response.status).toBe(404);
  });

  test('create-contact maps phone/email/position to custom fields; update-contact replaces them', () => {
    const [company] = run('list-companies', { limit: 1 }).records as J[];
    const created = run('create-contact', {
      first_name: 'Ngozi',
      last_name: 'Okafor',
      phone: '+234 803 555 0199',
      email: 'ngozi@okafor.example',
      position: 'Buyer',
      company_id: company.id,
    });
    const values = Object.fromEntries((created.record.custom_fields_values as J[]).map((f) => [f.field_code, f.values]));
    expect(created.record.name).toBe('Ngozi Okafor');
    expect(values.PHONE).toEqual([{ value: '+234 803 555 0199', enum_id: expect.any(Number), enum_code: 'WORK' }]);
    expect(values.EMAIL[0]).toMatchObject({ value: 'ngozi@okafor.example', enum_code: 'WORK' });
    expect(values.POSITION).toEqual([{ value: 'Buyer' }]);
    expect(created.record._embedded.companies).toEqual([{ id: company.id }]);
    expect(run('search-contacts', { query: '2348035550199' }).records.map((r: J) => r.id)).toEqual([created.id]);

    const updated = run('update-contact', { id: created.id, email: 'n.okafor@okafor.example', position: '' });
    const after = Object.fromEntries((updated.record.custom_fields_values as J[]).map((f) => [f.field_code, f.values]));
    expect(after.EMAIL[0].value).toBe('n.okafor@okafor.example');
    expect(after.POSITION).toBeUndefined();
    expect(after.PHONE[0].value).toBe('+234 803 555 0199');
  });

  test('create-company and update-company', () => {
    const created = run('create-company', {
      name: 'Kilimanjaro Coffee Ltd',
      website: 'https://kilicoffee.example',
      phone: '+255 22 123 4567',
    });
    expect(created.record.name).toBe('Kilimanjaro Coffee Ltd');
    const web = (created.record.custom_fields_values as J[]).find((f) => f.field_code === 'WEB');
    expect(web?.values).toEqual([{ value: 'https://kilicoffee.example' }]);
    const updated = run('update-company', { id: created.id, name: 'Kilimanjaro Coffee Co.' });
    expect(updated).toEqual({ id: created.id, record: run('get-company', { id: created.id }) });
    expect(updated.record.name).toBe('Kilimanjaro Coffee Co.');
  });

  test('create-task with an ISO due date, complete-task, and task filters', () => {
    const [lead] = run('list-leads', { limit: 1 }).records as J[];
    const created = run('create-task', {
      text: 'Send the contract',
      complete_till: '2026-01-20T15:00:00Z',
      entity_type: 'leads',
      entity_id: lead.id,
      task_type_id: 2,
    });
    expect(created.record).toMatchObject({
      text: 'Send the contract',
      complete_till: Date.UTC(2026, 0, 20, 15) / 1000,
      entity_type: 'leads',
      entity_id: lead.id,
      task_type_id: 2,
      is_completed: false,
    });
    const ofLead = run('list-tasks', { filter: { entity_type: 'leads', entity_id: lead.id } });
    expect(ofLead.records.map((t: J) => t.id)).toContain(created.id);

    const done = run('complete-task', { id: created.id, result_text: 'Contract sent by DHL' });
    expect(done.record).toMatchObject({ id: created.id, is_completed: true, result: { text: 'Contract sent by DHL' } });
    const open = run('list-tasks', { filter: { is_completed: false }, limit: 250 });
    expect(open.records.map((t: J) => t.id)).not.toContain(created.id);
    expect(open.records.every((t: J) => t.is_completed === false)).toBe(true);
    expect(run('search-tasks', { query: 'DHL' }).records.map((t: J) => t.id)).toEqual([created.id]);
    expect(run('get-task', { id: created.id }).is_completed).toBe(true);
    expect(run('update-task', { id: created.id, text: 'Send the signed contract' }).record.text).toBe('Send the signed contract');
  });

  test('add-note and list-notes on a contact; a call note keeps the call details', () => {
    const [contact] = run('list-contacts', { limit: 1 }).records as J[];
    const note = run('add-note', { entity_type: 'contacts', entity_id: contact.id, text: 'Prefers calls after 3 pm' });
    expect(note.record).toMatchObject({
      id: note.id,
      entity_id: contact.id,
      note_type: 'common',
      params: { text: 'Prefers calls after 3 pm' },
    });
    const call = run('add-note', {
      entity_type: 'contacts',
      entity_id: contact.id,
      text: 'Agreed on a demo',
      note_type: 'call_out',
      phone: '+49 30 1234',
      duration: 95,
    });
    expect(call.record.params).toMatchObject({ phone: '+49 30 1234', duration: 95, call_result: 'Agreed on a demo' });
    const listed = run('list-notes', { entity_type: 'contacts', entity_id: contact.id });
    expect(listed.records.map((n: J) => n.id)).toEqual(expect.arrayContaining([note.id, call.id]));
    expect(hasLinks(listed.records)).toBe(false);
    const onlyCalls = run('list-notes', { entity_type: 'contacts', entity_id: contact.id, note_type: 'call_out' });
    expect(onlyCalls.records.every((n: J) => n.note_type === 'call_out')).toBe(true);
    expect(upstreamFailure(() => run('add-note', { entity_type: 'leads', entity_id: 1, text: 'x' })).response.status).toBe(404);
  });

  test('list-pipelines returns pipelines with statuses; list-users returns the three users', () => {
    const pipelines = run('list-pipelines').records as J[];
    expect(pipelines).toHaveLength(2);
    for (const p of pipelines) expect(p._embedded.statuses.map((s: J) => s.id)).toEqual(expect.arrayContaining([142, 143]));
    expect(hasLinks(pipelines)).toBe(false);
    const users = run('list-users');
    expect(users.records).toHaveLength(3);
    expect(users.cursor).toBeUndefined();
    expect(users.records.every((u: J) => typeof u.email === 'string' && typeof u.rights === 'object')).toBe(true);
  });
});

describe('buildAction and vocabulary', () => {
  test('builds working actions for combinations without a prebuilt action', () => {
    const getPipeline = amocrm.buildAction('get', 'pipeline', '', '');
    expect(getPipeline.ok).toBe(true);
    if (!getPipeline.ok) return;
    expect(getPipeline.action).toMatchObject({
      key: 'custom-get-pipeline',
      type: 'find-data-record-by-id',
      operation: 'get',
      entity: 'pipeline',
    });
    const [pipeline] = run('list-pipelines').records as J[];
    expect(run(getPipeline.action, { id: pipeline.id }).name).toBe(pipeline.name);

    const noteOnLead = amocrm.buildAction('add-note', 'lead', 'Note on a deal', 'Add a note to a deal');
    expect(noteOnLead.ok).toBe(true);
    if (!noteOnLead.ok) return;
    expect(noteOnLead.action).toMatchObject({ name: 'Note on a deal', description: 'Add a note to a deal', key: 'custom-add-note-lead' });
    const [lead] = run('list-leads', { limit: 1 }).records as J[];
    const note = run(noteOnLead.action, { entity_id: lead.id, text: 'Built action note' });
    const getNote = amocrm.buildAction('get', 'note', '', '');
    expect(getNote.ok && run(getNote.action, { entity_type: 'leads', id: note.id }).params.text).toBe('Built action note');
    const updateNote = amocrm.buildAction('update', 'note', '', '');
    expect(updateNote.ok && run(updateNote.action, { entity_type: 'leads', id: note.id, text: 'Edited' }).record.params.text).toBe(
      'Edited',
    );

    const getUser = amocrm.buildAction('get', 'user', '', '');
    const [user] = run('list-users').records as J[];
    expect(getUser.ok && run(getUser.action, { id: user.id }).email).toBe(user.email);
  });

  test('every operation an entity advertises can be built', () => {
    for (const entity of amocrm.entities) {
      for (const operation of entity.operations) {
        const result = amocrm.buildAction(operation, entity.id, '', '');
        expect(result.ok, `${operation} ${entity.id}`).toBe(true);
      }
    }
  });

  test('refuses what AmoCRM cannot do, with a precise reason', () => {
    const deleteLead = amocrm.buildAction('delete', 'lead', '', '');
    expect(deleteLead).toEqual({
      ok: false,
      reason: 'AmoCRM API v4 has no DELETE for leads; archive or move the lead to status 143 (lost) instead',
    });
    for (const entity of ['contact', 'company', 'task', 'note']) {
      const result = amocrm.buildAction('delete', entity, '', '');
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(/no DELETE/);
    }
    const completeLead = amocrm.buildAction('complete', 'lead', '', '');
    expect(!completeLead.ok && completeLead.reason).toContain('142');
    const unknown = amocrm.buildAction('list', 'invoice', '', '');
    expect(!unknown.ok && unknown.reason).toContain('known entities');
    const searchUsers = amocrm.buildAction('search', 'user', '', '');
    expect(searchUsers.ok).toBe(false);
  });

  test('vocabulary maps synonyms onto entities', () => {
    const wordsOf = (id: string) => amocrm.entities.find((e) => e.id === id)?.words ?? [];
    expect(wordsOf('lead')).toEqual(expect.arrayContaining(['deal', 'opportunity']));
    expect(wordsOf('contact')).toEqual(expect.arrayContaining(['person', 'customer']));
    expect(wordsOf('company')).toEqual(expect.arrayContaining(['organization', 'account']));
    expect(wordsOf('pipeline')).toEqual(expect.arrayContaining(['stage', 'funnel']));
    expect(amocrm.entities.find((e) => e.id === 'lead')?.operations).not.toContain('delete');
  });
});
