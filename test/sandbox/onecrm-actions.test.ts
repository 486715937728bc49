// The 1CRM action catalog, vocabulary, buildAction, counts and seed determinism, in process.
// Inputs are validated against each action's inputSchema and outputs against its outputSchema with Ajv,
// as `membrane-sandbox action run` validates inputs.
import { Ajv } from 'ajv';
import { beforeEach, describe, expect, it } from 'vitest';
import { onecrm } from '../../src/sandbox/onecrm/onecrm-emulator.js';
import { openDb, RecordStore } from '../../src/sandbox/store.js';
import { UpstreamFailure, type ActionDef, type EmulatorContext, type JsonSchema } from '../../src/sandbox/emulator-types.js';
import { mulberry32 } from '../../src/sandbox/seeding.js';

const SEED_NOW = Date.UTC(2026, 0, 5, 9, 0, 0);
const RUN_NOW = Date.UTC(2026, 1, 1, 12, 30, 0);

const prng = mulberry32;

function seededStore(seed = 7): RecordStore {
  const store = new RecordStore(openDb(':memory:'));
  store.transaction(() => onecrm.seed({ store, connectionId: 'conn-1', now: () => SEED_NOW, random: prng(seed) }));
  return store;
}

type Row = Record<string, string | null>;
interface Page {
  records: Row[];
  cursor?: string;
}

const ajv = new Ajv({ allErrors: true });
const validators = new Map<JsonSchema, ReturnType<typeof ajv.compile>>();
function assertValid(schema: JsonSchema, value: unknown, what: string): void {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  if (!validate(value)) throw new Error(`${what} does not match its schema: ${ajv.errorsText(validate.errors)}`);
}

let ctx: EmulatorContext;
beforeEach(() => {
  ctx = { store: seededStore(), connectionId: 'conn-1', now: () => RUN_NOW };
});

function action(key: string): ActionDef {
  const a = onecrm.actions.find((x) => x.key === key);
  if (!a) throw new Error(`no action ${key}`);
  return a;
}

/** Runs an action the way the core does: input checked against inputSchema, output against outputSchema. */
function run<T = unknown>(def: ActionDef, input: Record<string, unknown>): T {
  assertValid(def.inputSchema, input, `${def.key} input`);
  const output = def.run(ctx, input);
  assertValid(def.outputSchema, output, `${def.key} output`);
  return output as T;
}

const runKey = <T = unknown>(key: string, input: Record<string, unknown> = {}) => run<T>(action(key), input);

function upstreamError(fn: () => unknown): UpstreamFailure {
  try {
    fn();
  } catch (e) {
    if (e instanceof UpstreamFailure) return e;
    throw e;
  }
  throw new Error('expected an UpstreamFailure');
}

const firstId = (plural: string) => runKey<Page>(`list-${plural}`, { limit: 1 }).records[0].id as string;

describe('catalog', () => {
  const models = ['account', 'contact', 'lead', 'opportunity', 'case', 'task', 'meeting', 'call', 'note', 'product', 'quote', 'invoice'];
  const plural = (s: string) => (s === 'opportunity' ? 'opportunities' : `${s}s`);

  it('has list/get/search/create/update/delete for the 12 models, with Membrane types', () => {
    const expected = models.flatMap((m) => [
      `list-${plural(m)}`,
      `get-${m}`,
      `search-${plural(m)}`,
      `create-${m}`,
      `update-${m}`,
      `delete-${m}`,
    ]);
    expect(onecrm.actions.map((a) => a.key).sort()).toEqual(expected.sort());
    const types = Object.fromEntries(onecrm.actions.map((a) => [a.key, a.type]));
    expect(types['list-accounts']).toBe('list-data-records');
    expect(types['get-case']).toBe('find-data-record-by-id');
    expect(types['search-opportunities']).toBe('search-data-record');
    expect(types['create-invoice']).toBe('create-data-record');
    expect(types['update-task']).toBe('update-data-record');
    expect(types['delete-invoice']).toBe('delete-data-record');
  });

  it('gives every action an operation, an entity from the vocabulary, a one-line description and object schemas', () => {
    const entityIds = new Set(onecrm.entities.map((e) => e.id));
    for (const a of onecrm.actions) {
      expect(a.key.split('-')[0]).toBe(a.operation);
      expect(entityIds.has(a.entity)).toBe(true);
      expect(a.description).not.toContain('\n');
      expect(a.description.length).toBeGreaterThan(30);
      expect(a.inputSchema.type).toBe('object');
      expect(a.outputSchema.type).toBe('object');
    }
  });

  it('derives create/update schemas from the model: required fields, enums, natural types, no extra properties', () => {
    const create = action('create-opportunity').inputSchema as {
      required: string[];
      additionalProperties: boolean;
      properties: Record<string, { type: unknown; enum?: unknown[]; description: string }>;
    };
    expect(create.required.sort()).toEqual(['account_id', 'amount', 'date_closed', 'name']);
    expect(create.additionalProperties).toBe(false);
    expect(create.properties.amount.type).toBe('number');
    expect(create.properties.sales_stage.enum).toContain('Closed Won');
    expect(create.properties.account_id.description).toContain('Account');
    expect(create.properties).not.toHaveProperty('id');
    expect(create.properties).not.toHaveProperty('account');
    expect((action('create-account').inputSchema as { properties: Record<string, { type: unknown }> }).properties.is_supplier.type).toBe(
      'boolean',
    );
    expect(action('create-account').inputSchema.required).toEqual(['name']);

    const update = action('update-case').inputSchema as {
      required: string[];
      additionalProperties: boolean;
      properties: Record<string, { enum?: unknown[] }>;
    };
    expect(update.required).toEqual(['id']);
    expect(update.additionalProperties).toBe(false);
    expect(update.properties.priority.enum).toEqual(['P1', 'P2', 'P3']);

    const listSchema = action('list-contacts').inputSchema as {
      properties: { filter: { properties: Record<string, unknown>; additionalProperties: boolean } };
    };
    const filterNames = Object.keys(listSchema.properties.filter.properties);
    expect(filterNames).toEqual(expect.arrayContaining(['filter_text', 'last_name', 'primary_account', 'any_email']));
    expect(listSchema.properties.filter.additionalProperties).toBe(false);
    expect(action('search-accounts').inputSchema.required).toEqual(['query']);
  });
});

describe('Account actions', () => {
  it('list pages with an opaque cursor until the last page', () => {
    const first = runKey<Page>('list-accounts', {});
    expect(first.records).toHaveLength(20);
    expect(first.cursor).toBe('20');
    const second = runKey<Page>('list-accounts', { cursor: first.cursor });
    expect(second.records).toHaveLength(4);
    expect(second).not.toHaveProperty('cursor');
    expect(new Set([...first.records, ...second.records].map((r) => r.id)).size).toBe(24);
    expect(first.records[0]).toMatchObject({ name: expect.any(String), account_type: expect.any(String), _display: expect.any(String) });
  });

  it('list filters and orders', () => {
    const suppliers = runKey<Page>('list-accounts', { filter: { is_supplier: true }, order: 'name DESC' });
    expect(suppliers.records).toHaveLength(3);
    for (const r of suppliers.records) expect(r.is_supplier).toBe('1');
    const names = suppliers.records.map((r) => (r.name as string).toLowerCase());
    expect(names).toEqual([...names].sort().reverse());
  });

  it('search finds by name and by email', () => {
    const some = runKey<Page>('list-accounts', { limit: 1 }).records[0];
    expect(runKey<Page>('search-accounts', { query: (some.name as string).slice(0, 5) }).records.map((r) => r.id)).toContain(some.id);
    expect(runKey<Page>('search-accounts', { query: some.email1 as string }).records.map((r) => r.id)).toEqual([some.id]);
    expect(runKey<Page>('search-accounts', { query: 'zzzz-nothing' })).toEqual({ records: [] });
  });

  it('get, create, update and delete round trip', () => {
    const id = firstId('accounts');
    expect(runKey<Row>('get-account', { id })).toMatchObject({ id, deleted: '0' });

    const created = runKey<{ id: string; record: Row }>('create-account', {
      name: 'Orbit Freight LLC',
      industry: 'Transportation',
      employees: 85,
      is_supplier: false,
      credit_limit: 2500.5,
      website: 'https://orbit.example',
    });
    expect(created.record).toMatchObject({
      id: created.id,
      name: 'Orbit Freight LLC',
      employees: '85',
      is_supplier: '0',
      credit_limit: '2500.5',
    });

    const updated = runKey<{ id: string; record: Row }>('update-account', { id: created.id, industry: 'Energy', website: null });
    expect(updated).toMatchObject({ id: created.id, record: { industry: 'Energy', website: null, name: 'Orbit Freight LLC' } });

    expect(runKey('delete-account', { id: created.id })).toEqual({ id: created.id, deleted: true });
    const failure = upstreamError(() => runKey('get-account', { id: created.id }));
    expect(failure.response.status).toBe(404);
    expect(failure.response.body).toEqual({ message: 'Not found', error: 'not_found' });
  });

  it('surfaces the CRM error body when a write is rejected', () => {
    const failure = upstreamError(() => action('update-account').run(ctx, { id: firstId('accounts'), name: null }));
    expect(failure.response.status).toBe(400);
    expect(failure.message).toBe('1CRM API answered HTTP 400: Validation failed for Account: name: Required field');
    expect(failure.response.body).toMatchObject({
      error: 'validation_error',
      fields: { name: 'Required field' },
      hint: expect.any(String),
    });
  });
});

describe('Contact actions', () => {
  it('list, search, get, create, update, delete', () => {
    const page = runKey<Page>('list-contacts', { limit: 5, filter: { last_name: 'a' }, order: 'last_name' });
    for (const r of page.records) expect((r.name as string).split(' ').pop()?.toLowerCase().startsWith('a')).toBe(true);

    const someone = runKey<Row>('get-contact', { id: firstId('contacts') });
    expect(runKey<Page>('search-contacts', { query: someone.email1 as string }).records.map((r) => r.id)).toEqual([someone.id]);

    const account = firstId('accounts');
    const created = runKey<{ id: string; record: Row }>('create-contact', {
      first_name: 'Grace',
      last_name: 'Hopper',
      primary_account_id: account,
      email1: 'grace@navy.example',
      do_not_call: true,
    });
    expect(created.record).toMatchObject({ name: 'Grace Hopper', primary_account_id: account, do_not_call: '1', assigned_user: 'admin' });
    expect(created.record.primary_account).toEqual(expect.any(String));

    const updated = runKey<{ record: Row }>('update-contact', { id: created.id, title: 'Rear Admiral', salutation: 'Dr.' });
    expect(updated.record).toMatchObject({ title: 'Rear Admiral', name: 'Dr. Grace Hopper' });
    expect(runKey('delete-contact', { id: created.id })).toEqual({ id: created.id, deleted: true });
    expect(runKey<Page>('search-contacts', { query: 'Hopper' }).records).toEqual([]);
  });
});

describe('Opportunity actions', () => {
  it('list, search, get, create, update, delete', () => {
    const won = runKey<Page>('list-opportunities', { filter: { sales_stage: 'Closed Won' }, limit: 200 });
    expect(won.records.length).toBeGreaterThan(0);
    for (const r of won.records) expect(r).toMatchObject({ sales_stage: 'Closed Won', probability: '100' });

    const some = runKey<Row>('get-opportunity', { id: firstId('opportunities') });
    expect(runKey<Page>('search-opportunities', { query: some.name as string }).records.map((r) => r.id)).toContain(some.id);

    const created = runKey<{ id: string; record: Row }>('create-opportunity', {
      name: 'Orbit - Fleet Upgrade',
      account_id: some.account_id,
      amount: 12500,
      date_closed: '2026-03-31',
      currency_id: 'EUR',
    });
    expect(created.record).toMatchObject({
      amount: '12500',
      currency: 'Euro: €',
      sales_stage: 'Prospecting',
      probability: '10',
      account: some.account,
    });
    const updated = runKey<{ record: Row }>('update-opportunity', { id: created.id, sales_stage: 'Negotiation/Review' });
    expect(updated.record).toMatchObject({ sales_stage: 'Negotiation/Review', probability: '80', forecast_category: 'Commit' });
    expect(runKey('delete-opportunity', { id: created.id })).toEqual({ id: created.id, deleted: true });
  });

  it('rejects a create without the required fields through the REST layer', () => {
    const failure = upstreamError(() => action('create-opportunity').run(ctx, { name: 'No account' }));
    expect(failure.response.status).toBe(400);
    expect(failure.response.headers['content-type']).toBe('application/json');
    expect(Object.keys((failure.response.body as { fields: object }).fields).sort()).toEqual(['account_id', 'amount', 'date_closed']);
  });
});

describe('Case actions', () => {
  it('list, search, get, create, update, delete', () => {
    const open = runKey<Page>('list-cases', { filter: { status: 'New', priority: 'P2' }, limit: 200 });
    for (const r of open.records) expect(r).toMatchObject({ status: 'New', priority: 'P2' });

    const some = runKey<Row>('get-case', { id: firstId('cases') });
    expect(runKey<Page>('search-cases', { query: some.case_number as string }).records.map((r) => r.id)).toContain(some.id);

    const created = runKey<{ id: string; record: Row }>('create-case', {
      name: 'Scanner will not pair',
      account_id: some.account_id,
      priority: 'P1',
    });
    expect(created.record).toMatchObject({ case_number: '23', status: 'New', priority: 'P1' });
    const closed = runKey<{ record: Row }>('update-case', { id: created.id, status: 'Closed', resolution: 'Firmware update.' });
    expect(closed.record).toMatchObject({ status: 'Closed', date_closed: '2026-02-01', resolution: 'Firmware update.' });
    expect(runKey('delete-case', { id: created.id })).toEqual({ id: created.id, deleted: true });
  });
});

describe('one run of every prebuilt model', () => {
  const accountId = () => firstId('accounts');
  const inputs: Record<string, () => Record<string, unknown>> = {
    lead: () => ({ last_name: 'Turing', account_name: 'Bletchley Systems', status: 'Assigned' }),
    task: () => ({ name: 'Send contract', parent_type: 'Account', parent_id: accountId(), date_due: '2026-02-10 17:00:00' }),
    meeting: () => ({ name: 'Kickoff', date_start: '2026-02-03 09:00:00', duration: 30 }),
    call: () => ({ name: 'Intro call', date_start: '2026-02-03T15:30:00Z', direction: 'Inbound' }),
    note: () => ({ name: 'Prefers email', description: 'No calls please', parent_type: 'Account', parent_id: accountId() }),
    product: () => ({ name: 'Widget', list_price: 19.99, cost: 7, is_available: true }),
    quote: () => ({ name: '10 widgets', account_id: accountId(), amount: 199.9, valid_until: '2026-03-01' }),
    invoice: () => ({ name: 'Widgets', account_id: accountId(), amount: 199.9, invoice_date: '2026-02-01' }),
  };
  const plurals = (entity: string) => `${entity}s`;

  for (const [entity, input] of Object.entries(inputs)) {
    it(`${entity}: list, get, search, create, update, delete`, () => {
      const page = runKey<Page>(`list-${plurals(entity)}`, { limit: 3 });
      expect(page.records).toHaveLength(3);
      expect(page.cursor).toBe('3');
      const record = runKey<Row>(`get-${entity}`, { id: page.records[0].id });
      expect(record.id).toBe(page.records[0].id);
      expect(runKey<Page>(`search-${plurals(entity)}`, { query: record.name as string }).records.map((r) => r.id)).toContain(record.id);

      const created = runKey<{ id: string; record: Row }>(`create-${entity}`, input());
      expect(created.record.id).toBe(created.id);
      expect(created.record.deleted).toBe('0');
      const updated = runKey<{ record: Row }>(`update-${entity}`, { id: created.id, description: 'Changed by test' });
      expect(updated.record.description).toBe('Changed by test');
      expect(runKey(`delete-${entity}`, { id: created.id })).toEqual({ id: created.id, deleted: true });
    });
  }

  it('fills derived values: invoice numbers and amount due, call end time', () => {
    const invoice = runKey<{ record: Row }>('create-invoice', inputs.invoice()).record;
    expect(invoice).toMatchObject({ invoice_number: '13', full_number: 'INV-13', amount: '199.9', amount_due: '199.9', status: 'Draft' });
    const call = runKey<{ record: Row }>('create-call', inputs.call()).record;
    expect(call).toMatchObject({
      date_start: '2026-02-03 15:30:00',
      duration: '15',
      date_end: '2026-02-03 15:45:00',
      direction: 'Inbound',
    });
  });
});

describe('buildAction', () => {
  it('builds working actions for models without prebuilt ones', () => {
    const listProjects = onecrm.buildAction('list', 'project', 'List projects', '');
    expect(listProjects.ok).toBe(true);
    if (!listProjects.ok) return;
    expect(listProjects.action).toMatchObject({
      key: 'custom-list-project',
      name: 'List projects',
      type: 'list-data-records',
      operation: 'list',
      entity: 'project',
    });
    expect(listProjects.action.description).toContain('Project');
    const projects = run<Page>(listProjects.action, {});
    expect(projects.records).toHaveLength(4);

    const createCampaign = onecrm.buildAction('create', 'campaign', 'New campaign', 'Create a marketing campaign');
    if (!createCampaign.ok) throw new Error(createCampaign.reason);
    expect(createCampaign.action.inputSchema.required).toEqual(['name']);
    const created = run<{ id: string; record: Row }>(createCampaign.action, { name: 'Autumn promo', campaign_type: 'Email', budget: 1200 });
    expect(created.record).toMatchObject({ name: 'Autumn promo', status: 'Planning', budget: '1200' });
    expect(onecrm.counts(ctx.store).Campaign).toBe(5);

    const tasks = onecrm.buildAction('list', 'project-task', '', '');
    if (!tasks.ok) throw new Error(tasks.reason);
    expect(tasks.action.name).toBe('List project tasks');
    const projectId = projects.records[0].id;
    const ofProject = run<Page>(tasks.action, { filter: { parent: projectId as string }, limit: 200 });
    expect(ofProject.records.length).toBeGreaterThan(0);
    for (const t of ofProject.records) expect(t.parent_id).toBe(projectId);
  });

  it('builds complete and add-note actions', () => {
    const complete = onecrm.buildAction('complete', 'task', '', '');
    if (!complete.ok) throw new Error(complete.reason);
    const open = runKey<Page>('list-tasks', { filter: { status: 'Not Started' }, limit: 1 }).records[0];
    expect(run<{ record: Row }>(complete.action, { id: open.id }).record.status).toBe('Completed');

    const addNote = onecrm.buildAction('add-note', 'account', '', '');
    if (!addNote.ok) throw new Error(addNote.reason);
    const account = firstId('accounts');
    const note = run<{ record: Row }>(addNote.action, { id: account, name: 'Called', description: 'Left a message' }).record;
    expect(note).toMatchObject({ parent_type: 'Account', parent_id: account, name: 'Called' });
  });

  it('resolves entity words and model names too', () => {
    const byWord = onecrm.buildAction('search', 'ticket', '', '');
    expect(byWord.ok && byWord.action.entity).toBe('case');
    const byModel = onecrm.buildAction('get', 'aCase', '', '');
    expect(byModel.ok && byModel.action.key).toBe('custom-get-case');
  });

  it('says precisely why it cannot build an action', () => {
    const dashboard = onecrm.buildAction('list', 'dashboard', '', '');
    expect(dashboard.ok).toBe(false);
    if (!dashboard.ok) expect(dashboard.reason).toMatch(/Dashboard.*not a data model/);
    const mass = onecrm.buildAction('update', 'mass-update', '', '');
    if (mass.ok) throw new Error('mass update should fail');
    expect(mass.reason).toContain('Mass Update');
    const unknown = onecrm.buildAction('list', 'spaceship', '', '');
    if (unknown.ok) throw new Error('spaceship should fail');
    expect(unknown.reason).toContain('does not emulate "spaceship"');
    expect(unknown.reason).toContain('Case (aCase)');
    const wrongOp = onecrm.buildAction('complete', 'account', '', '');
    if (wrongOp.ok) throw new Error('completing an account should fail');
    expect(wrongOp.reason).toContain('Task');
  });
});

describe('vocabulary and counts', () => {
  it('names every emulated model with its words and buildable operations', () => {
    const byId = Object.fromEntries(onecrm.entities.map((e) => [e.id, e]));
    expect(byId.account.words).toEqual(expect.arrayContaining(['account', 'company', 'organization', 'customer']));
    expect(byId.case.words).toEqual(expect.arrayContaining(['case', 'ticket', 'issue', 'support request']));
    expect(byId.opportunity.words).toEqual(expect.arrayContaining(['deal', 'sale']));
    expect(byId.invoice.words).toContain('bill');
    expect(byId.user.words).toEqual(expect.arrayContaining(['employee', 'owner']));
    expect(byId.task.operations).toEqual(expect.arrayContaining(['list', 'get', 'search', 'create', 'update', 'delete', 'complete']));
    expect(byId.project.operations).toContain('create');
    expect(byId.dashboard.operations).toEqual([]);
    for (const e of onecrm.entities) for (const w of e.words) expect(w).toBe(w.toLowerCase());
  });

  it('counts live records per model', () => {
    const counts = onecrm.counts(ctx.store);
    expect(counts).toMatchObject({
      Account: 24,
      Contact: 40,
      Lead: 24,
      Opportunity: 24,
      aCase: 22,
      Task: 30,
      Meeting: 12,
      Call: 14,
      Note: 18,
      Product: 12,
      Quote: 12,
      Invoice: 12,
      User: 5,
      Project: 4,
      Campaign: 4,
    });
    for (const model of ['ProjectTask', 'Document', 'Email', 'PurchaseOrder', 'Booking']) expect(counts[model]).toBeGreaterThan(0);
    runKey('delete-note', { id: firstId('notes') });
    expect(onecrm.counts(ctx.store).Note).toBe(17);
  });
});

describe('seed', () => {
  const dump = (store: RecordStore) => ({
    records: store.db.prepare('SELECT model, id, seq, data FROM records ORDER BY model, seq').all(),
    counters: store.db.prepare('SELECT name, value FROM counters ORDER BY name').all(),
  });

  it('is deterministic for the same random and clock', () => {
    const a = dump(seededStore(7));
    expect(a.records).toHaveLength(300);
    expect(dump(seededStore(7))).toEqual(a);
    expect(dump(seededStore(8)).records).not.toEqual(a.records);
  });

  it('references only existing records, assigns every record to a seeded user and uses 1CRM value formats', () => {
    const store = seededStore(7);
    const rows = store.db.prepare("SELECT model, id, data FROM records WHERE connector_key = '1crm'").all() as {
      model: string;
      id: string;
      data: string;
    }[];
    const ids = new Set(rows.map((r) => `${r.model}:${r.id}`));
    const users = new Set(rows.filter((r) => r.model === 'User').map((r) => r.id));
    const refs: [string, string][] = [
      ['primary_account_id', 'Account'],
      ['account_id', 'Account'],
      ['contact_id', 'Contact'],
      ['cust_contact_id', 'Contact'],
      ['opportunity_id', 'Opportunity'],
      ['quote_id', 'Quote'],
      ['supplier_id', 'Account'],
    ];
    for (const row of rows) {
      const data = JSON.parse(row.data) as Record<string, string | null>;
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(data.date_entered).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      expect(data.deleted).toBe('0');
      for (const v of Object.values(data)) expect(v === null || typeof v === 'string').toBe(true);
      if (row.model !== 'User') expect(users.has(data.assigned_user_id as string)).toBe(true);
      for (const [field, model] of refs) {
        if (data[field] && !(row.model === 'Lead')) expect(ids.has(`${model}:${data[field]}`)).toBe(true);
      }
      if (data.parent_type) expect(ids.has(`${data.parent_type}:${data.parent_id}`)).toBe(true);
    }
  });
});
