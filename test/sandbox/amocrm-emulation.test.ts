// The AmoCRM REST emulation against the behaviour of the real AmoCRM v4 API (HAL envelopes, problem+json errors, 204 on empty lists).
import { beforeEach, describe, expect, test } from 'vitest';
import type { RecordStore } from '../../src/sandbox/store.js';
import type { EmulatorContext } from '../../src/sandbox/emulator-types.js';
import { body, contextFor, embedded, request, RUN_NOW, seededStore, type J } from './amocrm-fixtures.js';

const BASE = 'https://sandbox.amocrm.ru/api/v4';
const RUN_SEC = Math.floor(RUN_NOW / 1000);

let store: RecordStore;
let ctx: EmulatorContext;

beforeEach(() => {
  store = seededStore();
  ctx = contextFor(store);
});

function expectProblem(response: { status: number; headers: Record<string, string>; body: unknown }, status: number): J {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toBe('application/problem+json');
  const problem = response.body as J;
  expect(problem.status).toBe(status);
  expect(problem.type).toBe(`https://httpstatus.es/${status}`);
  expect(typeof problem.title).toBe('string');
  expect(typeof problem.detail).toBe('string');
  return problem;
}

function allLeads(): J[] {
  return embedded(request(ctx, 'GET', '/api/v4/leads', { query: { limit: 250 } }), 'leads');
}

function mainPipeline(): J {
  return embedded(request(ctx, 'GET', '/api/v4/leads/pipelines'), 'pipelines').find((p) => p.is_main) as J;
}

describe('list envelope and paging', () => {
  test('a first page has _page, absolute self/first/next links, no prev and no total', () => {
    const response = request(ctx, 'GET', '/api/v4/leads', { query: { limit: 10 } });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/hal+json');
    const page = body(response);
    expect(page._page).toBe(1);
    expect(page._links.self.href).toBe(`${BASE}/leads?limit=10&page=1`);
    expect(page._links.first.href).toBe(`${BASE}/leads?limit=10&page=1`);
    expect(page._links.next.href).toBe(`${BASE}/leads?limit=10&page=2`);
    expect(page._links.prev).toBeUndefined();
    expect(page._total_items).toBeUndefined();
    const leads = embedded(response, 'leads');
    expect(leads).toHaveLength(10);
    for (const lead of leads) {
      expect(lead._links.self.href).toBe(`${BASE}/leads/${lead.id}`);
      expect(Array.isArray(lead._embedded.tags)).toBe(true);
      expect(Array.isArray(lead._embedded.companies)).toBe(true);
      expect(lead._embedded.contacts).toBeUndefined();
      // null, never [], when a lead has no custom field values
      expect(lead.custom_fields_values === null || lead.custom_fields_values.length > 0).toBe(true);
    }
    expect(leads.some((l) => l.custom_fields_values === null)).toBe(true);
  });

  test('the last page has prev but no next; the default limit is 50', () => {
    const last = request(ctx, 'GET', '/api/v4/leads', { query: { limit: 20, page: 3 } });
    expect(embedded(last, 'leads')).toHaveLength(5);
    expect(body(last)._links.next).toBeUndefined();
    expect(body(last)._links.prev.href).toBe(`${BASE}/leads?limit=20&page=2`);

    const all = request(ctx, 'GET', '/api/v4/leads');
    expect(embedded(all, 'leads')).toHaveLength(45);
    expect(body(all)._links.next).toBeUndefined();
  });

  test('pages do not overlap and together cover every lead once', () => {
    const ids: number[] = [];
    for (let page = 1; page <= 5; page++) {
      const response = request(ctx, 'GET', '/api/v4/leads', { query: { limit: 10, page } });
      ids.push(...embedded(response, 'leads').map((l) => l.id as number));
    }
    expect(ids).toHaveLength(45);
    expect(new Set(ids).size).toBe(45);
  });

  test('an empty result is 204 with a null body and no content type', () => {
    for (const response of [
      request(ctx, 'GET', '/api/v4/leads', { query: { query: 'no-such-lead-anywhere' } }),
      request(ctx, 'GET', '/api/v4/contacts', { query: { page: 99 } }),
      request(ctx, 'GET', '/api/v4/tasks', { query: { 'filter[id]': 1 } }),
    ]) {
      expect(response.status).toBe(204);
      expect(response.body).toBeNull();
      expect(response.headers['content-type']).toBeUndefined();
    }
  });

  test('limit above 250 is a 400 validation problem; 250 is fine', () => {
    const problem = expectProblem(request(ctx, 'GET', '/api/v4/leads', { query: { limit: 251 } }), 400);
    expect(problem['validation-errors'][0].errors[0].path).toBe('limit');
    expectProblem(request(ctx, 'GET', '/api/v4/contacts', { query: { limit: 0 } }), 400);
    expectProblem(request(ctx, 'GET', '/api/v4/contacts', { query: { page: 'x' } }), 400);
    expect(request(ctx, 'GET', '/api/v4/leads', { query: { limit: 250 } }).status).toBe(200);
  });

  test('users, custom fields and pipelines report _total_items; users also _page_count', () => {
    const users = body(request(ctx, 'GET', '/api/v4/users'));
    expect(users._total_items).toBe(3);
    expect(users._page_count).toBe(1);
    expect(body(request(ctx, 'GET', '/api/v4/contacts/custom_fields'))._total_items).toBe(3);
    expect(body(request(ctx, 'GET', '/api/v4/leads/pipelines'))._total_items).toBe(2);
  });
});

describe('seeded reference data', () => {
  test('every pipeline has won 142, lost 143 and an incoming stage; exactly one is main', () => {
    const pipelines = embedded(request(ctx, 'GET', '/api/v4/leads/pipelines'), 'pipelines');
    expect(pipelines).toHaveLength(2);
    expect(pipelines.filter((p) => p.is_main)).toHaveLength(1);
    for (const pipeline of pipelines) {
      const statuses = pipeline._embedded.statuses as J[];
      // A Russian account names the system stages in Russian.
      expect(statuses.find((s) => s.id === 142)?.name).toBe('Успешно реализовано');
      expect(statuses.find((s) => s.id === 143)?.name).toBe('Закрыто и не реализовано');
      expect(statuses.filter((s) => s.type === 1)).toHaveLength(1);
      const normal = statuses.filter((s) => s.type === 0 && s.id !== 142 && s.id !== 143);
      expect(normal.length).toBeGreaterThanOrEqual(3);
      expect(normal.length).toBeLessThanOrEqual(5);
      expect(statuses.every((s) => s.pipeline_id === pipeline.id)).toBe(true);
    }
    const one = request(ctx, 'GET', `/api/v4/leads/pipelines/${pipelines[1].id}/statuses`);
    expect(embedded(one, 'statuses').map((s) => s.id)).toContain(143);
  });

  test('a missing pipeline is the documented 404 "Pipeline not found"', () => {
    const problem = expectProblem(request(ctx, 'GET', '/api/v4/leads/pipelines/1'), 404);
    expect(problem).toMatchObject({ title: 'Not Found', detail: 'Pipeline not found' });
  });

  test('contacts carry PHONE and EMAIL as multitext custom fields with enum ids and codes', () => {
    const contacts = embedded(request(ctx, 'GET', '/api/v4/contacts', { query: { limit: 250 } }), 'contacts');
    expect(contacts.length).toBeGreaterThanOrEqual(40);
    for (const contact of contacts) {
      expect(contact.name).toBe(`${contact.first_name} ${contact.last_name}`);
      for (const code of ['PHONE', 'EMAIL']) {
        const field = (contact.custom_fields_values as J[]).find((f) => f.field_code === code) as J;
        expect(field.field_type).toBe('multitext');
        expect(typeof field.field_id).toBe('number');
        for (const value of field.values as J[]) {
          expect(typeof value.value).toBe('string');
          expect(typeof value.enum_id).toBe('number');
          expect(['WORK', 'WORKDD', 'MOB', 'FAX', 'HOME', 'OTHER', 'PRIV']).toContain(value.enum_code);
        }
      }
    }
    const defs = embedded(request(ctx, 'GET', '/api/v4/contacts/custom_fields'), 'custom_fields');
    const phone = defs.find((d) => d.code === 'PHONE') as J;
    expect((phone.enums as J[]).map((e) => e.value)).toEqual(['WORK', 'WORKDD', 'MOB', 'FAX', 'HOME', 'OTHER']);
  });

  test('account and users', () => {
    const account = body(request(ctx, 'GET', '/api/v4/account', { query: { with: 'task_types' } }));
    expect(account).toMatchObject({ subdomain: 'sandbox', currency: 'RUB' });
    expect(account._embedded.task_types.map((t: J) => t.id)).toEqual([1, 2]);
    const users = embedded(request(ctx, 'GET', '/api/v4/users'), 'users');
    expect(users.map((u) => u.id)).toContain(account.current_user_id);
    expect(users.every((u) => typeof u.rights.is_admin === 'boolean' && u.rights.leads.view)).toBe(true);
    expect(body(request(ctx, 'GET', `/api/v4/users/${users[1].id}`, { query: { with: 'role' } }))._embedded.roles).toHaveLength(1);
  });
});

describe('query, filters, order and with', () => {
  test('query finds a contact by phone, formatted or as bare digits, and by e-mail', () => {
    const contact = embedded(request(ctx, 'GET', '/api/v4/contacts', { query: { limit: 250 } }), 'contacts')[7];
    const valueOf = (code: string) =>
      ((contact.custom_fields_values as J[]).find((f) => f.field_code === code) as J).values[0].value as string;
    const phone = valueOf('PHONE');
    const email = valueOf('EMAIL');
    for (const query of [phone, phone.replace(/\D/g, ''), email.toUpperCase()]) {
      const found = embedded(request(ctx, 'GET', '/api/v4/contacts', { query: { query } }), 'contacts');
      expect(found.map((c) => c.id)).toContain(contact.id);
      expect(found.length).toBeLessThan(5);
    }
  });

  test('filter[id] takes a scalar, a [] list or an indexed list', () => {
    const [a, b] = allLeads();
    expect(embedded(request(ctx, 'GET', '/api/v4/leads', { query: { 'filter[id]': a.id } }), 'leads').map((l) => l.id)).toEqual([a.id]);
    const both = request(ctx, 'GET', '/api/v4/leads', { query: { 'filter[id][]': [a.id, b.id] } });
    expect(embedded(both, 'leads').map((l) => l.id)).toEqual([a.id, b.id]);
    const indexed = request(ctx, 'GET', '/api/v4/leads', { query: { 'filter[id][0]': b.id } });
    expect(embedded(indexed, 'leads').map((l) => l.id)).toEqual([b.id]);
    expectProblem(request(ctx, 'GET', '/api/v4/leads', { query: { 'filter[id]': 'abc' } }), 400);
  });

  test('filter by responsible user, pipeline, statuses, name and created_at range', () => {
    const leads = allLeads();
    const owner = leads[0].responsible_user_id as number;
    const byOwner = embedded(
      request(ctx, 'GET', '/api/v4/leads', { query: { 'filter[responsible_user_id]': owner, limit: 250 } }),
      'leads',
    );
    expect(byOwner.length).toBe(leads.filter((l) => l.responsible_user_id === owner).length);
    expect(byOwner.every((l) => l.responsible_user_id === owner)).toBe(true);

    const main = mainPipeline();
    const inMain = embedded(request(ctx, 'GET', '/api/v4/leads', { query: { 'filter[pipeline_id]': main.id, limit: 250 } }), 'leads');
    expect(inMain.length).toBe(leads.filter((l) => l.pipeline_id === main.id).length);

    const won = embedded(
      request(ctx, 'GET', '/api/v4/leads', {
        query: { 'filter[statuses][0][pipeline_id]': main.id, 'filter[statuses][0][status_id]': 142, limit: 250 },
      }),
      'leads',
    );
    expect(won.length).toBeGreaterThan(0);
    expect(won.every((l) => l.status_id === 142 && l.pipeline_id === main.id && typeof l.closed_at === 'number')).toBe(true);

    const byName = embedded(request(ctx, 'GET', '/api/v4/leads', { query: { 'filter[name]': leads[3].name.toUpperCase() } }), 'leads');
    expect(byName.map((l) => l.name)).toContain(leads[3].name);

    const sorted = leads.map((l) => l.created_at as number).sort((x, y) => x - y);
    const from = sorted[10];
    const to = sorted[20];
    const ranged = embedded(
      request(ctx, 'GET', '/api/v4/leads', { query: { 'filter[created_at][from]': from, 'filter[created_at][to]': to, limit: 250 } }),
      'leads',
    );
    expect(ranged).toHaveLength(11);
    expect(ranged.every((l) => l.created_at >= from && l.created_at <= to)).toBe(true);
  });

  test('tasks filter by completion and by linked entity; entity_id needs entity_type', () => {
    const tasks = embedded(request(ctx, 'GET', '/api/v4/tasks', { query: { limit: 250 } }), 'tasks');
    const open = embedded(request(ctx, 'GET', '/api/v4/tasks', { query: { 'filter[is_completed]': 0, limit: 250 } }), 'tasks');
    expect(open.length).toBe(tasks.filter((t) => !t.is_completed).length);
    expect(open.every((t) => t.is_completed === false && Array.isArray(t.result) && t.result.length === 0)).toBe(true);

    const target = tasks[0];
    const linked = embedded(
      request(ctx, 'GET', '/api/v4/tasks', { query: { 'filter[entity_type]': target.entity_type, 'filter[entity_id]': target.entity_id } }),
      'tasks',
    );
    expect(linked.map((t) => t.id)).toContain(target.id);
    expect(linked.every((t) => t.entity_id === target.entity_id && t.entity_type === target.entity_type)).toBe(true);
    expectProblem(request(ctx, 'GET', '/api/v4/tasks', { query: { 'filter[entity_id]': target.entity_id } }), 400);
  });

  test('order by id desc and updated_at asc; unknown order fields are rejected', () => {
    const desc = embedded(request(ctx, 'GET', '/api/v4/leads', { query: { 'order[id]': 'desc', limit: 5 } }), 'leads');
    expect(desc.map((l) => l.id)).toEqual([...desc.map((l) => l.id as number)].sort((a, b) => b - a));
    expect(desc[0].id).toBe(Math.max(...allLeads().map((l) => l.id as number)));
    const byUpdate = embedded(request(ctx, 'GET', '/api/v4/contacts', { query: { 'order[updated_at]': 'asc', limit: 250 } }), 'contacts');
    const stamps = byUpdate.map((c) => c.updated_at as number);
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
    expectProblem(request(ctx, 'GET', '/api/v4/leads', { query: { 'order[price]': 'asc' } }), 400);
  });

  test('with=contacts embeds a lead’s contacts; with=leads embeds a contact’s leads', () => {
    const lead = embedded(request(ctx, 'GET', '/api/v4/leads', { query: { with: 'contacts', limit: 1 } }), 'leads')[0];
    const main = (lead._embedded.contacts as J[]).find((c) => c.is_main) as J;
    expect(main._links.self.href).toBe(`${BASE}/contacts/${main.id}`);
    const contact = body(request(ctx, 'GET', `/api/v4/contacts/${main.id}`, { query: { with: 'leads' } }));
    expect((contact._embedded.leads as J[]).map((l) => l.id)).toContain(lead.id);
    expect(body(request(ctx, 'GET', `/api/v4/contacts/${main.id}`))._embedded.leads).toBeUndefined();
  });
});

describe('create (POST arrays)', () => {
  test('an object body is a 400 with the validation-errors shape', () => {
    const problem = expectProblem(request(ctx, 'POST', '/api/v4/leads', { body: { name: 'Not in an array' } }), 400);
    expect(problem).toMatchObject({ title: 'Bad Request', detail: 'Request validation failed', status: 400 });
    const [item] = problem['validation-errors'] as J[];
    expect(typeof item.request_id).toBe('string');
    expect(item.errors[0]).toEqual({ code: 'InvalidType', path: '', detail: 'This value should be of type array.' });
  });

  test('an array creates leads, echoing request_id or defaulting it to the index', () => {
    const before = allLeads();
    const maxSeeded = Math.max(...before.map((l) => l.id as number));
    const response = request(ctx, 'POST', '/api/v4/leads', {
      body: [{ name: 'Fleet pilot', price: 120000, request_id: 'first' }, { name: 'Second deal' }],
    });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/hal+json');
    const created = embedded(response, 'leads');
    expect(body(response)._links.self.href).toBe(`${BASE}/leads`);
    expect(created.map((c) => c.request_id)).toEqual(['first', '1']);
    expect(created[0].id).toBe(maxSeeded + 1);
    expect(created[1].id).toBe(maxSeeded + 2);
    expect(created[0]._links.self.href).toBe(`${BASE}/leads/${created[0].id}`);

    const lead = body(request(ctx, 'GET', `/api/v4/leads/${created[0].id}`));
    const main = mainPipeline();
    const firstStage = (main._embedded.statuses as J[]).find((s) => s.type === 0);
    expect(lead).toMatchObject({ name: 'Fleet pilot', price: 120000, pipeline_id: main.id, status_id: firstStage?.id });
    expect(lead.created_at).toBe(RUN_SEC);
    expect(lead.updated_at).toBe(RUN_SEC);
    expect(lead.custom_fields_values).toBeNull();
    expect(allLeads()).toHaveLength(before.length + 2);
  });

  test('unknown status, pipeline or user is a 400 per element and nothing is written', () => {
    const before = allLeads().length;
    const tagsBefore = embedded(request(ctx, 'GET', '/api/v4/leads/tags', { query: { limit: 250 } }), 'tags').length;
    const problem = expectProblem(
      request(ctx, 'POST', '/api/v4/leads', {
        body: [
          { name: 'valid one', _embedded: { tags: [{ name: 'brand-new-tag' }] } },
          { name: 'bad', status_id: 999, responsible_user_id: 5 },
          { name: 'bad pipeline', pipeline_id: 1, request_id: 'p' },
        ],
      }),
      400,
    );
    const items = problem['validation-errors'] as J[];
    expect(items.map((i) => i.request_id)).toEqual(['1', 'p']);
    expect(items[0].errors.map((e: J) => e.path).sort()).toEqual(['responsible_user_id', 'status_id']);
    expect(items[0].errors[0].code).toBe('NotSupportedChoice');
    expect(items[1].errors[0].path).toBe('pipeline_id');
    expect(allLeads()).toHaveLength(before);
    expect(embedded(request(ctx, 'GET', '/api/v4/leads/tags', { query: { limit: 250 } }), 'tags')).toHaveLength(tagsBefore);
  });

  test('a status of another pipeline is rejected; 142 alone puts a lead into the main pipeline, closed', () => {
    const pipelines = embedded(request(ctx, 'GET', '/api/v4/leads/pipelines'), 'pipelines');
    const other = pipelines.find((p) => !p.is_main) as J;
    const main = mainPipeline();
    const foreign = (other._embedded.statuses as J[]).find((s) => s.type === 0 && s.id !== 142 && s.id !== 143) as J;
    expectProblem(request(ctx, 'POST', '/api/v4/leads', { body: [{ name: 'x', pipeline_id: main.id, status_id: foreign.id }] }), 400);
    const created = embedded(request(ctx, 'POST', '/api/v4/leads', { body: [{ name: 'won', status_id: 142 }] }), 'leads')[0];
    const lead = body(request(ctx, 'GET', `/api/v4/leads/${created.id}`));
    expect(lead).toMatchObject({ pipeline_id: main.id, status_id: 142, closed_at: RUN_SEC });
  });

  test('contacts: first/last name build the name; PHONE/EMAIL by field_code are stored in the read shape', () => {
    const companyId = embedded(request(ctx, 'GET', '/api/v4/companies', { query: { limit: 1 } }), 'companies')[0].id;
    const response = request(ctx, 'POST', '/api/v4/contacts', {
      body: [
        {
          first_name: 'Ngozi',
          last_name: 'Okafor',
          custom_fields_values: [
            { field_code: 'PHONE', values: [{ value: '+234 803 555 0199', enum_code: 'MOB' }] },
            { field_code: 'EMAIL', values: [{ value: 'ngozi@okafor.example' }] },
          ],
          _embedded: { companies: [{ id: companyId }], tags: [{ name: 'vip-contact' }] },
        },
      ],
    });
    expect(response.status).toBe(200);
    const item = embedded(response, 'contacts')[0];
    expect(item).toMatchObject({ is_deleted: false, is_unsorted: false, request_id: '0' });
    const contact = body(request(ctx, 'GET', `/api/v4/contacts/${item.id}`));
    expect(contact.name).toBe('Ngozi Okafor');
    const phone = (contact.custom_fields_values as J[]).find((f) => f.field_code === 'PHONE') as J;
    expect(phone).toMatchObject({ field_name: 'Phone', field_type: 'multitext' });
    expect(typeof phone.field_id).toBe('number');
    expect(phone.values[0]).toMatchObject({ value: '+234 803 555 0199', enum_code: 'MOB' });
    expect(typeof phone.values[0].enum_id).toBe('number');
    const email = (contact.custom_fields_values as J[]).find((f) => f.field_code === 'EMAIL') as J;
    expect(email.values[0].enum_code).toBe('WORK');
    expect(contact._embedded.companies[0].id).toBe(companyId);
    expect(contact._embedded.tags[0].name).toBe('vip-contact');

    const byPhone = embedded(request(ctx, 'GET', '/api/v4/contacts', { query: { query: '2348035550199' } }), 'contacts');
    expect(byPhone.map((c) => c.id)).toEqual([item.id]);
  });

  test('custom field values are validated: unknown field and unknown enum code', () => {
    const problem = expectProblem(
      request(ctx, 'POST', '/api/v4/contacts', {
        body: [
          { name: 'A', custom_fields_values: [{ field_id: 1, values: [{ value: 'x' }] }] },
          { name: 'B', custom_fields_values: [{ field_code: 'PHONE', values: [{ value: '1', enum_code: 'PAGER' }] }] },
        ],
      }),
      400,
    );
    const paths = (problem['validation-errors'] as J[]).map((i) => i.errors[0].path);
    expect(paths).toEqual(['custom_fields_values.0.field_id', 'custom_fields_values.0.values.0.enum_code']);
  });

  test('tasks need text and complete_till; linked entities must exist', () => {
    const problem = expectProblem(request(ctx, 'POST', '/api/v4/tasks', { body: [{ task_type_id: 1 }] }), 400);
    const paths = (problem['validation-errors'][0].errors as J[]).map((e) => e.path).sort();
    expect(paths).toEqual(['complete_till', 'text']);
    expectProblem(
      request(ctx, 'POST', '/api/v4/tasks', { body: [{ text: 'x', complete_till: RUN_SEC, entity_type: 'leads', entity_id: 1 }] }),
      400,
    );
    const lead = allLeads()[0];
    const created = request(ctx, 'POST', '/api/v4/tasks', {
      body: [{ text: 'Call Hans', complete_till: RUN_SEC + 86400, entity_type: 'leads', entity_id: lead.id }],
    });
    expect(created.status).toBe(200);
    const task = body(request(ctx, 'GET', `/api/v4/tasks/${embedded(created, 'tasks')[0].id}`));
    expect(task).toMatchObject({ text: 'Call Hans', is_completed: false, task_type_id: 1, entity_id: lead.id, result: [] });
    expect(body(request(ctx, 'GET', `/api/v4/leads/${lead.id}`)).closest_task_at).toBeLessThanOrEqual(RUN_SEC + 86400);
  });
});

describe('update (PATCH)', () => {
  test('single PATCH answers the flat {id, updated_at, _links}', () => {
    const lead = allLeads()[5];
    const response = request(ctx, 'PATCH', `/api/v4/leads/${lead.id}`, { body: { name: 'Renamed', price: 777 } });
    expect(response.status).toBe(200);
    expect(body(response)).toEqual({ id: lead.id, updated_at: RUN_SEC, _links: { self: { href: `${BASE}/leads/${lead.id}` } } });
    expect(body(request(ctx, 'GET', `/api/v4/leads/${lead.id}`))).toMatchObject({ name: 'Renamed', price: 777, updated_at: RUN_SEC });
  });

  test('single PATCH of a contact adds name; changing first_name rebuilds it', () => {
    const contact = embedded(request(ctx, 'GET', '/api/v4/contacts', { query: { limit: 1 } }), 'contacts')[0];
    const response = request(ctx, 'PATCH', `/api/v4/contacts/${contact.id}`, { body: { first_name: 'Johann' } });
    expect(body(response)).toEqual({
      id: contact.id,
      name: `Johann ${contact.last_name}`,
      updated_at: RUN_SEC,
      _links: { self: { href: `${BASE}/contacts/${contact.id}` } },
    });
  });

  test('batch PATCH answers _embedded items with request_id when sent', () => {
    const [a, b] = allLeads();
    const response = request(ctx, 'PATCH', '/api/v4/leads', {
      body: [
        { id: a.id, price: 1, request_id: 'r1' },
        { id: b.id, price: 2 },
      ],
    });
    expect(response.status).toBe(200);
    const items = embedded(response, 'leads');
    expect(items[0]).toEqual({ id: a.id, updated_at: RUN_SEC, request_id: 'r1', _links: { self: { href: `${BASE}/leads/${a.id}` } } });
    expect(items[1]).toEqual({ id: b.id, updated_at: RUN_SEC, _links: { self: { href: `${BASE}/leads/${b.id}` } } });
    expect(body(request(ctx, 'GET', `/api/v4/leads/${b.id}`)).price).toBe(2);
  });

  test('batch PATCH with an unknown id or without id fails as a whole', () => {
    const [a] = allLeads();
    const problem = expectProblem(
      request(ctx, 'PATCH', '/api/v4/leads', { body: [{ id: a.id, price: 5 }, { id: 42, price: 6 }, { price: 7 }] }),
      400,
    );
    expect((problem['validation-errors'] as J[]).map((i) => i.request_id)).toEqual(['1', '2']);
    expect(body(request(ctx, 'GET', `/api/v4/leads/${a.id}`)).price).toBe(a.price);
  });

  test('moving a lead to 143 sets closed_at; moving it back clears it', () => {
    const open = allLeads().find((l) => l.closed_at === null) as J;
    request(ctx, 'PATCH', `/api/v4/leads/${open.id}`, { body: { status_id: 143, loss_reason_id: 7 } });
    expect(body(request(ctx, 'GET', `/api/v4/leads/${open.id}`))).toMatchObject({ status_id: 143, closed_at: RUN_SEC, loss_reason_id: 7 });
    request(ctx, 'PATCH', `/api/v4/leads/${open.id}`, { body: { status_id: open.status_id } });
    expect(body(request(ctx, 'GET', `/api/v4/leads/${open.id}`))).toMatchObject({ closed_at: null, loss_reason_id: null });
  });

  test('completing a task is is_completed + result.text', () => {
    const task = embedded(request(ctx, 'GET', '/api/v4/tasks', { query: { 'filter[is_completed]': 0, limit: 1 } }), 'tasks')[0];
    const response = request(ctx, 'PATCH', `/api/v4/tasks/${task.id}`, { body: { is_completed: true, result: { text: 'Signed' } } });
    expect(body(response).id).toBe(task.id);
    expect(body(request(ctx, 'GET', `/api/v4/tasks/${task.id}`))).toMatchObject({ is_completed: true, result: { text: 'Signed' } });
  });

  test('PATCH of a missing id is a 404 problem; an array on the single route is a 400', () => {
    expectProblem(request(ctx, 'PATCH', '/api/v4/leads/1', { body: { name: 'x' } }), 404);
    const lead = allLeads()[0];
    expectProblem(request(ctx, 'PATCH', `/api/v4/leads/${lead.id}`, { body: [{ name: 'x' }] }), 400);
  });
});

describe('errors and methods', () => {
  test('GET of a missing id is a 404 problem+json', () => {
    for (const path of ['/api/v4/leads/1', '/api/v4/contacts/1', '/api/v4/companies/1', '/api/v4/tasks/1', '/api/v4/users/1']) {
      expect(expectProblem(request(ctx, 'GET', path), 404).title).toBe('Not Found');
    }
  });

  test('DELETE on leads, contacts, companies, tasks and notes is 405 "Method not allowed"', () => {
    const lead = allLeads()[0];
    for (const path of [
      `/api/v4/leads/${lead.id}`,
      '/api/v4/leads',
      '/api/v4/contacts/1',
      '/api/v4/companies',
      '/api/v4/tasks/1',
      '/api/v4/leads/notes',
    ]) {
      expect(expectProblem(request(ctx, 'DELETE', path), 405).detail).toBe('Method not allowed');
    }
    expect(request(ctx, 'GET', `/api/v4/leads/${lead.id}`).status).toBe(200);
  });

  test('unknown paths are 404', () => {
    for (const path of ['/api/v4/deals', '/api/v4/leads/abc', '/api/v4/leads/1/2', '/api/v4/users/1/x']) {
      expect(expectProblem(request(ctx, 'GET', path), 404).detail).toBe('Route not found');
    }
    for (const path of ['/leads', '/api/v3/leads', '/']) {
      expect(expectProblem(request(ctx, 'GET', path), 404).detail).toContain('start with /api/v4/');
    }
  });

  test('HEAD answers like GET without a body', () => {
    const response = request(ctx, 'HEAD', '/api/v4/leads');
    expect(response.status).toBe(200);
    expect(response.body).toBeNull();
  });
});

describe('notes', () => {
  test('add, list and read notes of a lead through both route styles', () => {
    const lead = allLeads()[2];
    const created = request(ctx, 'POST', `/api/v4/leads/${lead.id}/notes`, {
      body: [{ note_type: 'common', params: { text: 'Asked for a discount' } }],
    });
    expect(created.status).toBe(200);
    const item = embedded(created, 'notes')[0];
    expect(item).toMatchObject({ entity_id: lead.id, request_id: '0' });

    const viaType = request(ctx, 'POST', '/api/v4/leads/notes', {
      body: [{ entity_id: lead.id, note_type: 'call_in', params: { phone: '+7 912 000-00-00', duration: 60, source: 'test' } }],
    });
    expect(viaType.status).toBe(200);

    const list = embedded(request(ctx, 'GET', `/api/v4/leads/${lead.id}/notes`), 'notes');
    expect(list.map((n) => n.note_type)).toEqual(expect.arrayContaining(['common', 'call_in']));
    expect(list.every((n) => n.entity_id === lead.id && n.entity_type === undefined)).toBe(true);
    const call = list.find((n) => n.note_type === 'call_in') as J;
    expect(typeof call.params.uniq).toBe('string');

    const one = body(request(ctx, 'GET', `/api/v4/leads/notes/${item.id}`));
    expect(one).toMatchObject({ id: item.id, note_type: 'common', params: { text: 'Asked for a discount' }, created_at: RUN_SEC });
    expect(request(ctx, 'GET', `/api/v4/contacts/notes/${item.id}`).status).toBe(404);

    const patched = request(ctx, 'PATCH', `/api/v4/leads/${lead.id}/notes/${item.id}`, { body: { params: { text: 'Edited' } } });
    expect(body(patched)).toMatchObject({ id: item.id, updated_at: RUN_SEC });
    expect(body(request(ctx, 'GET', `/api/v4/leads/notes/${item.id}`)).params.text).toBe('Edited');
  });

  test('note validation: note_type, params per type, entity existence', () => {
    const lead = allLeads()[0];
    const problem = expectProblem(
      request(ctx, 'POST', `/api/v4/leads/${lead.id}/notes`, {
        body: [
          { note_type: 'telegram', params: {} },
          { note_type: 'common', params: {} },
          { note_type: 'call_out', params: { phone: '1' } },
        ],
      }),
      400,
    );
    const paths = (problem['validation-errors'] as J[]).map((i) => (i.errors as J[]).map((e) => e.path));
    expect(paths[0]).toEqual(['note_type']);
    expect(paths[1]).toEqual(['params.text']);
    expect(paths[2]).toEqual(['params.source', 'params.duration']);
    expectProblem(
      request(ctx, 'POST', '/api/v4/contacts/notes', { body: [{ entity_id: 1, note_type: 'common', params: { text: 'x' } }] }),
      400,
    );
    expectProblem(request(ctx, 'GET', '/api/v4/companies/1/notes'), 404);
  });

  test('notes filter by note_type', () => {
    const all = embedded(request(ctx, 'GET', '/api/v4/leads/notes', { query: { limit: 250 } }), 'notes');
    const common = embedded(request(ctx, 'GET', '/api/v4/leads/notes', { query: { 'filter[note_type]': 'common', limit: 250 } }), 'notes');
    expect(common.length).toBeGreaterThan(0);
    expect(common.length).toBeLessThan(all.length);
    expect(common.every((n) => n.note_type === 'common')).toBe(true);
  });
});
