// The 1CRM REST emulation, in process: envelopes, paging, fields, filters, order, CRUD round trips,
// error shapes, method override, metadata and related lists (as the public 1CRM docs describe them).
import { beforeEach, describe, expect, it } from 'vitest';
import { onecrm } from '../../src/sandbox/onecrm/onecrm-emulator.js';
import { openDb, RecordStore } from '../../src/sandbox/store.js';
import type { EmulatorContext, HttpRequest, HttpResponse } from '../../src/sandbox/emulator-types.js';
import { mulberry32 } from '../../src/sandbox/seeding.js';

const SEED_NOW = Date.UTC(2026, 0, 5, 9, 0, 0);
const RUN_NOW = Date.UTC(2026, 1, 1, 12, 30, 0);

const prng = mulberry32;

function seededContext(): EmulatorContext {
  const store = new RecordStore(openDb(':memory:'));
  store.transaction(() => onecrm.seed({ store, connectionId: 'conn-1', now: () => SEED_NOW, random: prng(7) }));
  return { store, connectionId: 'conn-1', now: () => RUN_NOW };
}

type Row = Record<string, string | null>;
interface ListBody {
  records: Row[];
  total_results: number;
}

let ctx: EmulatorContext;
beforeEach(() => {
  ctx = seededContext();
});

function send(
  method: HttpRequest['method'],
  path: string,
  opts: { query?: string | Record<string, string> | [string, string][]; body?: unknown; headers?: Record<string, string> } = {},
): HttpResponse {
  return onecrm.handle(ctx, {
    method,
    path,
    query: new URLSearchParams(opts.query ?? ''),
    headers: opts.headers ?? {},
    body: opts.body,
  });
}

const list = (path: string, query: string | [string, string][] = '') => send('GET', path, { query }).body as ListBody;
const getRecord = (model: string, id: string) => (send('GET', `/data/${model}/${id}`).body as { record: Row }).record;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('list envelope and paging', () => {
  it('returns {records, total_results} as JSON with the default page of 20', () => {
    const res = send('GET', '/data/Account');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const body = res.body as ListBody;
    expect(Object.keys(body).sort()).toEqual(['records', 'total_results']);
    expect(body.total_results).toBe(24);
    expect(body.records).toHaveLength(20);
  });

  it('pages by offset and limit without overlap', () => {
    const first = list('/data/Contact', 'offset=0&limit=15');
    const second = list('/data/Contact', 'offset=15&limit=15');
    const third = list('/data/Contact', 'offset=30&limit=15');
    expect([first, second, third].map((p) => p.records.length)).toEqual([15, 15, 10]);
    const ids = [...first.records, ...second.records, ...third.records].map((r) => r.id);
    expect(new Set(ids).size).toBe(40);
    expect(list('/data/Contact', 'offset=40').records).toEqual([]);
  });

  it('caps limit at 200', () => {
    ctx.store.transaction(() => {
      for (let i = 0; i < 190; i++) {
        const res = send('POST', '/data/Note', { body: { data: { name: `Bulk note ${i}` } } });
        expect(res.status).toBe(200);
      }
    });
    const body = list('/data/Note', 'limit=1000');
    expect(body.total_results).toBe(18 + 190);
    expect(body.records).toHaveLength(200);
  });

  it('answers an empty list with 200 and total_results 0', () => {
    const res = send('GET', '/data/Account', { query: 'filters[name]=NoSuchCompanyAnywhere' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ records: [], total_results: 0 });
  });

  it('rejects a bad limit or offset with 400', () => {
    expect(send('GET', '/data/Account', { query: 'limit=abc' }).status).toBe(400);
    expect((send('GET', '/data/Account', { query: 'offset=-1' }).body as { error: string }).error).toBe('invalid_parameter');
  });
});

describe('row fields', () => {
  it('holds id, the default list fields and _display without fields[]', () => {
    const rows = list('/data/Contact').records;
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(['id', 'name', 'first_name', 'last_name', 'salutation', '_display']);
      expect(row._display).toBe(row.name);
    }
  });

  it('holds exactly the requested fields plus id and _display with fields[]', () => {
    const rows = list('/data/Contact', [
      ['fields[]', 'email1'],
      ['fields[]', 'primary_account'],
    ]).records;
    expect(Object.keys(rows[0])).toEqual(['email1', 'primary_account', 'id', '_display']);
    expect(rows[0].email1).toMatch(/@/);
    expect(rows[0].primary_account).toEqual(expect.any(String));
  });

  it('serves every value as a string or null', () => {
    const rows = list('/data/Opportunity', [
      ['fields[]', 'amount'],
      ['fields[]', 'probability'],
      ['fields[]', 'deleted'],
      ['fields[]', 'campaign_id'],
    ]).records;
    for (const row of rows) {
      for (const v of Object.values(row)) expect(v === null || typeof v === 'string').toBe(true);
      expect(row.deleted).toBe('0');
      expect(row.amount).toMatch(/^\d+(\.\d+)?$/);
    }
  });

  it('rejects an unknown field with 400', () => {
    const res = send('GET', '/data/Account', { query: 'fields[]=no_such_field' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_field' });
  });
});

describe('filters and order', () => {
  it('filters on an enum filter', () => {
    const body = list('/data/Account', 'filters[account_type]=Supplier&fields[]=account_type&fields[]=is_supplier');
    expect(body.total_results).toBe(3);
    for (const r of body.records) expect(r).toMatchObject({ account_type: 'Supplier', is_supplier: '1' });
  });

  it('accepts several values of one filter as any-of', () => {
    const body = list('/data/aCase', 'filters[status][]=New&filters[status][]=Closed&fields[]=status&limit=200');
    expect(body.total_results).toBeGreaterThan(0);
    expect(new Set(body.records.map((r) => r.status))).toEqual(new Set(['New', 'Closed']));
  });

  it('matches name filters by prefix, case-insensitively', () => {
    const someone = list('/data/Contact', 'limit=1').records[0];
    const prefix = (someone.last_name as string).slice(0, 3).toLowerCase();
    const body = list('/data/Contact', `filters[last_name]=${prefix}&limit=200`);
    expect(body.records.map((r) => r.id)).toContain(someone.id);
    for (const r of body.records) expect((r.last_name as string).toLowerCase().startsWith(prefix)).toBe(true);
  });

  it('searches name, email and phone fields with filter_text', () => {
    const account = list('/data/Account', 'limit=1&fields[]=email1&fields[]=name').records[0];
    const byEmail = list('/data/Account', `filter_text=${account.email1}`);
    expect(byEmail.records.map((r) => r.id)).toEqual([account.id]);
    const byName = list('/data/Account', [['filters[filter_text]', (account.name as string).split(' ')[0].toUpperCase()]]);
    expect(byName.records.map((r) => r.id)).toContain(account.id);
  });

  it('filters on a reference by id or by the start of its name', () => {
    const account = list('/data/Account', 'limit=1').records[0];
    const byId = list('/data/Contact', `filters[primary_account]=${account.id}&fields[]=primary_account_id`);
    expect(byId.total_results).toBeGreaterThan(0);
    for (const r of byId.records) expect(r.primary_account_id).toBe(account.id);
    const byName = list('/data/Contact', [['filters[primary_account]', (account.name as string).slice(0, 6)]]);
    expect(byName.records.map((r) => r.id)).toEqual(expect.arrayContaining(byId.records.map((r) => r.id)));
  });

  it('filters by owner relative to the API user', () => {
    const me = (send('GET', '/me').body as { id: string }).id.replace('Users:', '');
    const contact = list('/data/Contact', 'limit=1').records[0];
    send('PATCH', `/data/Contact/${contact.id}`, { body: { data: { assigned_user_id: me } } });
    const mine = list('/data/Contact', 'filters[filter_owner]=mine&fields[]=assigned_user&limit=200');
    expect(mine.records.map((r) => r.id)).toContain(contact.id);
    const notMine = list('/data/Contact', 'filters[filter_owner]=not_mine&fields[]=assigned_user&limit=200');
    expect(mine.total_results + notMine.total_results).toBe(40);
    for (const r of mine.records) expect(r.assigned_user).toBe('admin');
  });

  it('rejects a filter the model does not define with 400 invalid_filter and a hint', () => {
    const res = send('GET', '/data/Contact', { query: 'filters[favourite_colour]=blue' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_filter', message: expect.stringContaining('favourite_colour') });
    expect((res.body as { hint: string }).hint).toContain('last_name');
  });

  it('rejects an enum filter value outside the options', () => {
    const res = send('GET', '/data/Opportunity', { query: 'filters[sales_stage]=Won' });
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toContain('Closed Won');
  });

  it('orders by a text field, descending', () => {
    const names = list('/data/Contact', 'order=last_name DESC&limit=200').records.map((r) => (r.last_name as string).toLowerCase());
    expect(names).toEqual([...names].sort().reverse());
  });

  it('orders numeric fields numerically and accepts lower-case direction', () => {
    const amounts = list('/data/Opportunity', 'order=amount desc&fields[]=amount&limit=200').records.map((r) => Number(r.amount));
    expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
    const ascending = list('/data/Opportunity', 'order=amount&fields[]=amount&limit=200').records.map((r) => Number(r.amount));
    expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
  });

  it('rejects ordering by an unknown field', () => {
    expect(send('GET', '/data/Contact', { query: 'order=shoe_size' }).body).toMatchObject({ error: 'invalid_order' });
  });
});

describe('create, read, update, delete', () => {
  it('round-trips a record with the exact response shapes', () => {
    const created = send('POST', '/data/Account', {
      body: { data: { name: 'Test Harbor Ltd.', employees: 12, is_supplier: true, annual_revenue: '5M', account_type: 'Partner' } },
    });
    expect(created.status).toBe(200);
    expect(Object.keys(created.body as object)).toEqual(['id']);
    const id = (created.body as { id: string }).id;
    expect(id).toHaveLength(36);

    const read = send('GET', `/data/Account/${id}`);
    expect(read.status).toBe(200);
    expect(Object.keys(read.body as object)).toEqual(['record']);
    const record = (read.body as { record: Row }).record;
    expect(record).toMatchObject({
      id,
      name: 'Test Harbor Ltd.',
      employees: '12',
      is_supplier: '1',
      deleted: '0',
      balance: '0',
      currency_id: '-99',
      currency: 'US Dollar: $',
      assigned_user: 'admin',
      created_by_user: 'admin',
      date_entered: '2026-02-01 12:30:00',
      date_modified: '2026-02-01 12:30:00',
      industry: null,
    });
    expect(record.assigned_user_id).toMatch(UUID);

    const patched = send('PATCH', `/data/Account/${id}`, { body: { data: { industry: 'Energy', employees: '15' } } });
    expect(patched.status).toBe(200);
    expect(patched.body).toEqual({ result: true });
    expect(getRecord('Account', id)).toMatchObject({ industry: 'Energy', employees: '15', name: 'Test Harbor Ltd.' });

    const put = send('PUT', `/data/Account/${id}`, { body: { data: { industry: null } } });
    expect(put.body).toEqual({ result: true });
    expect(getRecord('Account', id).industry).toBeNull();

    const deleted = send('DELETE', `/data/Account/${id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ result: true });
  });

  it('hides a soft-deleted record from gets and lists, and answers 404 on a second delete', () => {
    const victim = list('/data/Lead', 'limit=1').records[0];
    expect(send('DELETE', `/data/Lead/${victim.id}`).status).toBe(200);
    const gone = send('GET', `/data/Lead/${victim.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ message: 'Not found', error: 'not_found' });
    const leads = list('/data/Lead', 'limit=200');
    expect(leads.total_results).toBe(23);
    expect(leads.records.map((r) => r.id)).not.toContain(victim.id);
    expect(send('DELETE', `/data/Lead/${victim.id}`).status).toBe(404);
    expect(send('PATCH', `/data/Lead/${victim.id}`, { body: { data: { title: 'x' } } }).status).toBe(404);
    expect(onecrm.counts(ctx.store).Lead).toBe(23);
  });

  it('returns only the requested fields plus id on GET with fields[]', () => {
    const id = list('/data/Contact', 'limit=1').records[0].id as string;
    const res = send('GET', `/data/Contact/${id}`, { query: 'fields[]=first_name&fields[]=last_name' });
    expect(Object.keys((res.body as { record: Row }).record)).toEqual(['first_name', 'last_name', 'id']);
  });

  it('upserts with PATCH create:true and 404s without it', () => {
    const id = 'a1b2c3d4-0000-4000-8000-000000000001';
    const missing = send('PATCH', `/data/Contact/${id}`, { body: { data: { last_name: 'Nobody' } } });
    expect(missing.status).toBe(404);
    const upsert = send('PATCH', `/data/Contact/${id}`, { body: { data: { first_name: 'Ada', last_name: 'Lovelace' }, create: true } });
    expect(upsert.body).toEqual({ result: true });
    expect(getRecord('Contact', id)).toMatchObject({ id, name: 'Ada Lovelace', deleted: '0' });
  });

  it('answers 400 validation_error naming every missing required field', () => {
    const res = send('POST', '/data/Opportunity', { body: { data: { name: 'Half a deal' } } });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/json');
    const body = res.body as { message: string; error: string; hint: string; fields: Record<string, string> };
    expect(body.error).toBe('validation_error');
    expect(body.hint).toContain('/meta/fields/Opportunity');
    expect(Object.keys(body.fields).sort()).toEqual(['account_id', 'amount', 'date_closed']);
    expect(body.fields.amount).toBe('Required field');
  });

  it('rejects bad enum values, bad types, unknown and read-only fields, and dangling references', () => {
    const res = send('POST', '/data/aCase', {
      body: {
        data: {
          name: 'Broken',
          status: 'Solved',
          priority: 'P9',
          account_id: 'no-such-account',
          colour: 'red',
          case_number: 5,
          account: 'Acme',
        },
      },
    });
    expect(res.status).toBe(400);
    const fields = (res.body as { fields: Record<string, string> }).fields;
    expect(fields.status).toContain('Pending Input');
    expect(fields.priority).toContain('P1');
    expect(fields.account_id).toBe("No Account record with id 'no-such-account'");
    expect(fields.colour).toBe('Unknown field for aCase');
    expect(fields.case_number).toBe('Read-only field');
    expect(fields.account).toBe('Read-only; set account_id instead');
    const dates = send('POST', '/data/Task', { body: { data: { name: 'T', date_due: 'tomorrow', is_private: 'maybe' } } });
    expect(dates.body).toMatchObject({ fields: { date_due: expect.stringContaining('YYYY-MM-DD'), is_private: expect.any(String) } });
  });

  it('rejects a body without a data object', () => {
    const res = send('POST', '/data/Account', { body: { name: 'No envelope' } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_request' });
    expect(send('POST', '/data/Account', { body: 'not json' }).body).toMatchObject({ error: 'invalid_json' });
  });

  it('stores ISO datetimes in GMT and numbers and booleans as strings', () => {
    const id = (
      send('POST', '/data/Meeting', {
        body: { data: { name: 'Demo', date_start: '2026-03-02T10:00:00+02:00', duration: 45, parent_type: null } },
      }).body as { id: string }
    ).id;
    expect(getRecord('Meeting', id)).toMatchObject({
      date_start: '2026-03-02 08:00:00',
      duration: '45',
      date_end: '2026-03-02 08:45:00',
      status: 'Planned',
    });
  });

  it('assigns case numbers in sequence and fills derived values on stage and status changes', () => {
    const account = list('/data/Account', 'limit=1').records[0].id as string;
    const caseId = (send('POST', '/data/aCase', { body: { data: { name: 'New case', account_id: account } } }).body as { id: string }).id;
    const c = getRecord('aCase', caseId);
    expect(c).toMatchObject({ case_number: '23', status: 'New', priority: 'P2', date_closed: null });
    send('PATCH', `/data/aCase/${caseId}`, { body: { data: { status: 'Closed' } } });
    expect(getRecord('aCase', caseId).date_closed).toBe('2026-02-01');

    const opp = (
      send('POST', '/data/Opportunity', { body: { data: { name: 'D', account_id: account, amount: 1000.5, date_closed: '2026-04-01' } } })
        .body as { id: string }
    ).id;
    expect(getRecord('Opportunity', opp)).toMatchObject({
      amount: '1000.5',
      sales_stage: 'Prospecting',
      probability: '10',
      forecast_category: 'Pipeline',
    });
    send('PATCH', `/data/Opportunity/${opp}`, { body: { data: { sales_stage: 'Closed Won' } } });
    expect(getRecord('Opportunity', opp)).toMatchObject({ probability: '100', forecast_category: 'Closed' });
  });

  it('resolves reference display names on read, so a rename shows on linked records', () => {
    const contact = list('/data/Contact', 'limit=1&fields[]=primary_account_id').records[0];
    send('PATCH', `/data/Account/${contact.primary_account_id}`, { body: { data: { name: 'Renamed Holdings' } } });
    expect(getRecord('Contact', contact.id as string).primary_account).toBe('Renamed Holdings');
  });
});

describe('method override', () => {
  it('treats POST with X-HTTP-Method-Override as PATCH or DELETE', () => {
    const id = list('/data/Product', 'limit=1').records[0].id as string;
    const patch = send('POST', `/data/Product/${id}`, {
      headers: { 'x-http-method-override': 'PATCH' },
      body: { data: { list_price: 10 } },
    });
    expect(patch.body).toEqual({ result: true });
    expect(getRecord('Product', id).list_price).toBe('10');
    const del = send('POST', `/data/Product/${id}`, { headers: { 'x-http-method-override': 'delete' } });
    expect(del.body).toEqual({ result: true });
    expect(send('GET', `/data/Product/${id}`).status).toBe(404);
  });

  it('answers 405 for a POST on a record without an override', () => {
    const id = list('/data/Product', 'limit=1').records[0].id as string;
    const res = send('POST', `/data/Product/${id}`, { body: { data: {} } });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toContain('PATCH');
  });
});

describe('errors on unknown things', () => {
  it('404s an unknown model with the 1CRM message', () => {
    const res = send('GET', '/data/Acount');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ message: 'Model Acount not found', error: 'not_found' });
    expect(send('GET', '/data/Case').body).toMatchObject({ message: 'Model Case not found', hint: 'Did you mean aCase?' });
  });

  it('404s a missing id', () => {
    expect(send('GET', '/data/Account/00000000-0000-0000-0000-000000000000').body).toEqual({ message: 'Not found', error: 'not_found' });
  });

  it('404s an unknown endpoint and 405s a wrong method', () => {
    const unknown = send('GET', '/nothing/here');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: 'not_found' });
    expect(send('DELETE', '/data/Account').status).toBe(405);
    expect(send('POST', '/version').status).toBe(405);
  });

  it('answers HEAD like GET without a body', () => {
    const res = send('HEAD', '/data/Account');
    expect(res.status).toBe(200);
    expect(res.body).toBeNull();
    expect(send('HEAD', '/data/Nope').status).toBe(404);
  });

  it('tolerates a leading /api.php in the path', () => {
    expect(send('GET', '/api.php/data/Account').status).toBe(200);
  });
});

describe('metadata and utility endpoints', () => {
  it('describes fields and filters of a model', () => {
    const res = send('GET', '/meta/fields/Opportunity');
    expect(res.status).toBe(200);
    const meta = res.body as { fields: Record<string, Record<string, unknown>>; filters: Record<string, Record<string, unknown>> };
    expect(meta.fields.sales_stage).toMatchObject({ vname: 'Sales Stage', type: 'enum', required: true, editable: true });
    expect(meta.fields.sales_stage.options).toContainEqual({ label: 'Closed Won', value: 'Closed Won' });
    expect(meta.fields.account).toMatchObject({ type: 'ref', bean_name: 'Account', id_name: 'account_id', editable: false });
    expect(meta.fields.account_id).toMatchObject({ type: 'id', editable: true, len: 36 });
    expect(meta.fields.id).toMatchObject({ type: 'id', editable: false });
    expect(Object.keys(meta.filters)).toEqual(expect.arrayContaining(['filter_text', 'filter_owner', 'sales_stage', 'account']));
    expect(meta.filters.sales_stage.options).toMatchObject({ 'Closed Won': 'Closed Won' });
    expect(send('GET', '/meta/fields/Nope').status).toBe(404);
  });

  it('answers /version and /me', () => {
    expect(send('GET', '/version').body).toEqual({ version: '8.5.0', authenticated: true, products: ['enterprise'] });
    const me = send('GET', '/me').body as Record<string, unknown>;
    expect(me).toMatchObject({ name: 'Alex Morgan', last_name: 'Morgan', role: 'admin', groups: [] });
    expect(me.id).toMatch(/^Users:[0-9a-f-]{36}$/);
  });
});

describe('related records', () => {
  it('lists an account’s contacts, opportunities and cases with list semantics', () => {
    const accounts = list('/data/Account', 'limit=200').records;
    const contacts = list('/data/Contact', 'limit=200&fields[]=primary_account_id').records;
    for (const account of accounts.slice(0, 5)) {
      const related = list(`/data/Account/${account.id}/contacts`, 'fields[]=primary_account_id');
      const expected = contacts.filter((c) => c.primary_account_id === account.id).map((c) => c.id);
      expect(related.total_results).toBe(expected.length);
      expect(related.records.map((r) => r.id).sort()).toEqual(expected.sort());
    }
    const withDeals = accounts.find((a) => list(`/data/Account/${a.id}/opportunities`).total_results > 0);
    expect(withDeals).toBeDefined();
    const deals = list(`/data/Account/${withDeals?.id}/opportunities`, 'fields[]=account_id').records;
    for (const d of deals) expect(d.account_id).toBe(withDeals?.id);
    expect(send('GET', `/data/Account/${accounts[0].id}/cases`).status).toBe(200);
  });

  it('lists a contact’s account', () => {
    const contact = list('/data/Contact', 'limit=1&fields[]=primary_account_id').records[0];
    const accounts = list(`/data/Contact/${contact.id}/accounts`);
    expect(accounts.records.map((r) => r.id)).toEqual([contact.primary_account_id]);
  });

  it('links and unlinks records, and 404s an unknown link', () => {
    const [a, b] = list('/data/Account', 'limit=2').records;
    const contact = list(`/data/Account/${a.id}/contacts`).records[0];
    expect(send('POST', `/data/Account/${b.id}/contacts`, { body: { records: [contact.id] } }).body).toEqual({ result: true });
    expect(getRecord('Contact', contact.id as string).primary_account_id).toBe(b.id);
    expect(send('DELETE', `/data/Account/${b.id}/contacts/${contact.id}`).body).toEqual({ result: true });
    expect(getRecord('Contact', contact.id as string).primary_account_id).toBeNull();
    const unknown = send('GET', `/data/Account/${a.id}/spaceships`);
    expect(unknown.status).toBe(404);
    expect((unknown.body as { hint: string }).hint).toContain('contacts');
  });
});
