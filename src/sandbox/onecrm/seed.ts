// Deterministic seed of the emulated 1CRM: only ctx.random() and ctx.now() are used, and every record
// goes through the same write path as the REST API, so seeded data obeys the same rules as written data.
// References are coherent: contacts, opportunities, cases, quotes and invoices belong to accounts;
// tasks, notes, calls, meetings and emails hang under real parents; everything is assigned to seeded users.
import type { SeedContext } from '../emulator-types.js';
import type { ApiRecord } from './fields.js';
import { seededId } from './record-ids.js';
import { modelByName, type ModelDef } from './models.js';
import { Repo } from './repo.js';
import * as D from './seed-data.js';
import { formatDate, formatDateTime } from './values.js';
import { createRecord, updateRecord } from './writes.js';

const DAY = 86_400_000;

/** Random helpers over the seed PRNG. */
class Gen {
  constructor(
    private readonly random: () => number,
    readonly now: number,
  ) {}

  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
  id(): string {
    return seededId(this.random);
  }
  /** A moment `min`..`max` days before now, on a whole minute. */
  past(minDays: number, maxDays: number): number {
    const ms = this.now - this.int(minDays * 24 * 60, maxDays * 24 * 60) * 60_000;
    return ms - (ms % 60_000);
  }
  /** A working-hours moment `min`..`max` days from now (negative = past), on a quarter hour. */
  slot(minDays: number, maxDays: number): number {
    const day = Math.floor(this.now / DAY) + this.int(minDays, maxDays);
    return day * DAY + this.int(8 * 4, 16 * 4) * 15 * 60_000;
  }
  phone(dial: string): string {
    return `${dial} 555 ${String(this.int(100, 9999)).padStart(4, '0')}`;
  }
  money(min: number, max: number, step = 50): number {
    return Math.round(this.int(min, max) / step) * step;
  }
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '');

/** Writes seed records; any validation failure is a bug in the seed, so it throws. */
class Seeder {
  readonly repo: Repo;

  constructor(
    ctx: SeedContext,
    readonly g: Gen,
  ) {
    this.repo = new Repo(ctx.store);
  }

  model(name: string): ModelDef {
    const m = modelByName(name);
    if (!m) throw new Error(`1CRM seed: no model ${name}`);
    return m;
  }

  /** Creates a record entered `at`, last modified some time between then and now. */
  put(modelName: string, data: Record<string, unknown>, at: number): ApiRecord {
    const model = this.model(modelName);
    const modified = Math.min(this.g.now, at + this.g.int(0, 20) * DAY + this.g.int(0, 600) * 60_000);
    const r = createRecord(this.repo, model, { date_modified: formatDateTime(modified), ...data }, { id: this.g.id(), at, system: true });
    if (!r.ok) throw new Error(`1CRM seed: invalid ${modelName}: ${JSON.stringify(r)}`);
    return this.repo.raw(model, r.id) as ApiRecord;
  }

  /** System update that keeps date_modified (seed bookkeeping such as balances). */
  patch(modelName: string, record: ApiRecord, data: Record<string, unknown>): void {
    const r = updateRecord(
      this.repo,
      this.model(modelName),
      record.id as string,
      { date_modified: record.date_modified, ...data },
      {
        at: this.g.now,
        system: true,
      },
    );
    if (!r.ok) throw new Error(`1CRM seed: invalid ${modelName} update: ${JSON.stringify(r)}`);
  }
}

interface Company {
  record: ApiRecord;
  place: D.Place;
  domain: string;
  contacts: ApiRecord[];
}

export function seedOneCrm(ctx: SeedContext): void {
  const g = new Gen(() => ctx.random(), ctx.now());
  const s = new Seeder(ctx, g);

  // Users first: every other record is assigned to one.
  const users = D.USERS.map((u, i) =>
    s.put(
      'User',
      {
        ...u,
        email1: `${u.user_name === 'admin' ? 'alex.morgan' : u.user_name}@sandbox-crm.example`,
        phone_work: `+1 415 555 01${10 + i}`,
        status: 'Active',
      },
      g.past(700, 720),
    ),
  );
  const sales = users.filter((u) => u.department === 'Sales').map((u) => u.id as string);
  const support = users.filter((u) => u.department === 'Support' || u.user_name === 'admin').map((u) => u.id as string);
  const anyUser = () => g.pick(users).id as string;

  const campaigns = D.CAMPAIGNS.map((c, i) =>
    s.put(
      'Campaign',
      {
        ...c,
        start_date: formatDate(g.now + (i - 2) * 45 * DAY),
        end_date: formatDate(g.now + (i - 1) * 45 * DAY),
        expected_cost: c.budget,
        actual_cost: c.status === 'Planning' ? null : Math.round(c.budget * 0.8),
        objective: `Generate qualified pipeline through ${c.campaign_type.toLowerCase()} outreach.`,
        assigned_user_id: g.pick(sales),
      },
      g.past(200, 300),
    ),
  );

  // Accounts: 24, every 8th a supplier; names unique by stem.
  const industries = Object.keys(D.INDUSTRY_SUFFIXES);
  const stems = g.shuffle(D.COMPANY_STEMS);
  const companies: Company[] = [];
  for (let i = 0; i < 24; i++) {
    const industry = g.pick(industries);
    const place = g.pick(D.PLACES);
    const supplier = i % 8 === 5;
    const name = `${stems[i]} ${g.pick(D.INDUSTRY_SUFFIXES[industry])} ${place.legal}`;
    const domain = `${slug(stems[i])}.example`;
    const address = (prefix: string) => ({
      [`${prefix}_street`]: `${g.int(1, 980)} ${g.pick(D.STREETS)}`,
      [`${prefix}_city`]: place.city,
      [`${prefix}_state`]: place.state,
      [`${prefix}_postalcode`]: place.postalcode,
      [`${prefix}_country`]: place.country,
    });
    const record = s.put(
      'Account',
      {
        name,
        account_type: supplier ? 'Supplier' : g.pick(['Customer', 'Customer', 'Customer', 'Prospect', 'Partner', 'Reseller']),
        industry,
        annual_revenue: `${g.int(1, 250)}M`,
        employees: g.pick([12, 45, 80, 150, 320, 900, 2400, 7800]),
        website: `https://www.${domain}`,
        email1: `info@${domain}`,
        phone_office: g.phone(place.dial),
        phone_fax: g.chance(0.3) ? g.phone(place.dial) : null,
        ...address('billing_address'),
        ...(g.chance(0.5) ? address('shipping_address') : {}),
        description: g.chance(0.5) ? `${industry} company based in ${place.city}.` : null,
        is_supplier: supplier,
        credit_limit: supplier ? null : g.money(5000, 50000, 1000),
        currency_id: place.country === 'Germany' ? 'EUR' : place.country === 'United Kingdom' ? 'GBP' : '-99',
        temperature: g.pick(['Hot', 'Warm', 'Cold', null]),
        assigned_user_id: g.pick(sales),
      },
      g.past(300, 700),
    );
    companies.push({ record, place, domain, contacts: [] });
  }
  // A few subsidiaries.
  for (const i of [3, 11, 17]) s.patch('Account', companies[i].record, { parent_id: companies[i - 1].record.id });
  const customers = companies.filter((c) => c.record.is_supplier !== '1');

  // Contacts: 40, spread over accounts (each account gets at least one), unique names.
  const firstNames = g.shuffle(D.FIRST_NAMES);
  const lastNames = g.shuffle(D.LAST_NAMES);
  const contacts: ApiRecord[] = [];
  for (let i = 0; i < 40; i++) {
    const company = i < companies.length ? companies[i] : g.pick(companies);
    const [title, role] = g.pick(D.TITLES);
    const first = firstNames[i % firstNames.length];
    const last = lastNames[i % lastNames.length];
    const contact = s.put(
      'Contact',
      {
        salutation: g.chance(0.3) ? g.pick(['Mr.', 'Ms.', 'Dr.']) : null,
        first_name: first,
        last_name: last,
        title,
        business_role: role,
        department: g.pick(D.DEPARTMENTS),
        primary_account_id: company.record.id,
        lead_source: g.pick(['Cold Call', 'Existing Customer', 'Web Site', 'Trade Show', 'Partner', 'Word of mouth', 'Email']),
        email1: `${slug(first)}.${slug(last)}@${company.domain}`,
        phone_work: g.phone(company.place.dial),
        phone_mobile: g.chance(0.6) ? g.phone(company.place.dial) : null,
        primary_address_street: company.record.billing_address_street,
        primary_address_city: company.place.city,
        primary_address_state: company.place.state,
        primary_address_postalcode: company.place.postalcode,
        primary_address_country: company.place.country,
        birthdate: g.chance(0.3) ? formatDate(Date.UTC(g.int(1960, 1998), g.int(0, 11), g.int(1, 28))) : null,
        do_not_call: g.chance(0.1),
        campaign_id: g.chance(0.2) ? g.pick(campaigns).id : null,
        assigned_user_id: company.record.assigned_user_id,
      },
      g.past(100, 600),
    );
    company.contacts.push(contact);
    contacts.push(contact);
  }
  for (const c of companies) {
    if (c.contacts.length > 1) s.patch('Contact', c.contacts[1], { reports_to_id: c.contacts[0].id });
    s.patch('Account', c.record, { primary_contact_id: c.contacts[0].id });
  }

  // Leads: 24, people not (yet) in the CRM as contacts.
  const leadStems = g.shuffle(D.COMPANY_STEMS).slice(0, 24);
  for (let i = 0; i < 24; i++) {
    const place = g.pick(D.PLACES);
    const first = firstNames[(i + 7) % firstNames.length];
    const last = lastNames[(i + 17) % lastNames.length];
    const accountName = `${leadStems[i]} ${g.pick(['Group', 'Holdings', 'Solutions', 'Trading', 'Services'])}`;
    const status = g.pick(['New', 'New', 'Assigned', 'In Process', 'In Process', 'Recycled', 'Dead', 'Converted']);
    s.put(
      'Lead',
      {
        salutation: g.chance(0.2) ? g.pick(['Mr.', 'Ms.']) : null,
        first_name: first,
        last_name: last,
        title: g.pick(D.TITLES)[0],
        account_name: accountName,
        status,
        lead_source: g.pick(['Web Site', 'Trade Show', 'Cold Call', 'Conference', 'Email', 'Partner']),
        temperature: g.pick(['Hot', 'Warm', 'Cold']),
        email1: `${slug(first)}@${slug(accountName)}.example`,
        phone_work: g.phone(place.dial),
        primary_address_city: place.city,
        primary_address_state: place.state,
        primary_address_country: place.country,
        campaign_id: g.chance(0.4) ? g.pick(campaigns).id : null,
        description: g.chance(0.4) ? 'Asked for a call back about pricing for their team.' : null,
        assigned_user_id: g.pick(sales),
      },
      g.past(1, 200),
    );
  }

  // Opportunities: 24, on customer accounts.
  const opportunities: ApiRecord[] = [];
  for (let i = 0; i < 24; i++) {
    const company = i < customers.length ? customers[i] : g.pick(customers);
    const stage = g.pick([
      'Prospecting',
      'Qualification',
      'Needs Analysis',
      'Value Proposition',
      'Proposal/Price Quote',
      'Negotiation/Review',
      'Closed Won',
      'Closed Won',
      'Closed Lost',
    ]);
    const closed = stage.startsWith('Closed');
    opportunities.push(
      s.put(
        'Opportunity',
        {
          name: `${company.record.name?.split(' ').slice(0, -2).join(' ') || company.record.name} - ${g.pick(D.DEAL_TOPICS)}`,
          account_id: company.record.id,
          contact_id: g.pick(company.contacts).id,
          amount: g.money(2000, 180000, 500),
          currency_id: company.record.currency_id,
          sales_stage: stage,
          date_closed: formatDate(closed ? g.past(5, 200) : g.now + g.int(7, 150) * DAY),
          opportunity_type: g.pick(['New Business', 'Existing Business']),
          lead_source: g.pick(['Existing Customer', 'Web Site', 'Trade Show', 'Partner', 'Cold Call']),
          next_step: closed ? null : g.pick(D.NEXT_STEPS),
          campaign_id: g.chance(0.25) ? g.pick(campaigns).id : null,
          assigned_user_id: company.record.assigned_user_id,
        },
        g.past(10, 300),
      ),
    );
  }

  // Cases: 22.
  const cases: ApiRecord[] = [];
  const caseSubjects = g.shuffle(D.CASE_SUBJECTS);
  for (let i = 0; i < 22; i++) {
    const company = g.pick(customers);
    const status = g.pick(['New', 'New', 'Assigned', 'Assigned', 'Pending Input', 'Closed', 'Closed', 'Rejected']);
    const contact = g.pick(company.contacts);
    const entered = g.past(1, 120);
    cases.push(
      s.put(
        'aCase',
        {
          name: caseSubjects[i % caseSubjects.length],
          status,
          priority: g.pick(['P1', 'P2', 'P2', 'P3']),
          type: g.pick(['Administration', 'Product', 'User', 'Billing']),
          account_id: company.record.id,
          cust_contact_id: contact.id,
          cust_phone_no: contact.phone_work,
          cust_req_no: g.chance(0.4) ? `REF-${g.int(10000, 99999)}` : null,
          description: `Reported by ${contact.first_name} ${contact.last_name}.`,
          resolution: status === 'Closed' ? g.pick(D.RESOLUTIONS) : null,
          date_closed: status === 'Closed' || status === 'Rejected' ? formatDate(Math.min(g.now, entered + g.int(1, 10) * DAY)) : null,
          assigned_user_id: g.pick(support),
        },
        entered,
      ),
    );
  }

  // Products: 12.
  const products = D.PRODUCTS.map((p, i) =>
    s.put(
      'Product',
      {
        ...p,
        vendor_part_no: `SKU-${1000 + i * 7}`,
        url: null,
        is_available: i !== 7,
        description: `${p.name}.`,
        assigned_user_id: users[0].id,
      },
      g.past(400, 650),
    ),
  );

  // Quotes: 12, from open or won opportunities; Invoices: 12, from accepted quotes and direct sales.
  const quotes: ApiRecord[] = [];
  for (let i = 0; i < 12; i++) {
    const opp = opportunities[i * 2];
    const product = g.pick(products);
    const qty = g.int(1, 20);
    const stage =
      opp.sales_stage === 'Closed Won'
        ? 'Closed Accepted'
        : opp.sales_stage === 'Closed Lost'
          ? 'Closed Lost'
          : g.pick(['Draft', 'Negotiation', 'Delivered', 'On Hold']);
    quotes.push(
      s.put(
        'Quote',
        {
          name: `${qty} x ${product.name}`,
          account_id: opp.account_id,
          contact_id: opp.contact_id,
          opportunity_id: opp.id,
          quote_stage: stage,
          valid_until: formatDate(g.now + g.int(-30, 60) * DAY),
          amount: qty * Number(product.list_price),
          currency_id: opp.currency_id,
          terms: g.pick(['Net 30', 'Net 30', 'Net 15', 'Due on Receipt']),
          assigned_user_id: opp.assigned_user_id,
        },
        g.past(5, 150),
      ),
    );
  }
  const invoices: ApiRecord[] = [];
  for (let i = 0; i < 12; i++) {
    const quote = i < quotes.length && quotes[i].quote_stage === 'Closed Accepted' ? quotes[i] : undefined;
    const company = quote ? (companies.find((c) => c.record.id === quote.account_id) ?? g.pick(customers)) : g.pick(customers);
    const amount = quote ? Number(quote.amount) : g.money(300, 25000, 10);
    const status = g.pick(['Draft', 'Sent', 'Sent', 'Partially Paid', 'Paid', 'Paid', 'Overdue']);
    const issued = g.past(3, 120);
    invoices.push(
      s.put(
        'Invoice',
        {
          name: quote ? quote.name : `Services ${formatDate(issued).slice(0, 7)}`,
          account_id: company.record.id,
          contact_id: company.contacts[0].id,
          quote_id: quote?.id ?? null,
          status,
          invoice_date: formatDate(issued),
          due_date: formatDate(issued + 30 * DAY),
          terms: 'Net 30',
          amount,
          amount_due: status === 'Paid' ? 0 : status === 'Partially Paid' ? Math.round(amount / 2) : amount,
          currency_id: company.record.currency_id,
          assigned_user_id: company.record.assigned_user_id,
        },
        issued,
      ),
    );
  }
  // Account balances follow the open invoices.
  for (const c of companies) {
    const open = invoices.filter((inv) => inv.account_id === c.record.id && inv.status !== 'Draft');
    const balance = open.reduce((sum, inv) => sum + Number(inv.amount_due), 0);
    if (balance) s.patch('Account', c.record, { balance });
  }

  // Projects and their tasks.
  const projects = D.PROJECTS.map((p, i) => {
    const company = customers[i * 3];
    const start = g.now + (i - 2) * 30 * DAY;
    const project = s.put(
      'Project',
      {
        name: p.name,
        account_id: company.record.id,
        status: p.status,
        priority: g.pick(['High', 'Medium', 'Low']),
        date_starting: formatDate(start),
        date_ending: formatDate(start + p.tasks.length * 21 * DAY),
        description: `${p.name} for ${company.record.name}.`,
        assigned_user_id: g.pick(sales),
      },
      g.past(60, 120),
    );
    p.tasks.forEach((taskName, n) => {
      const taskStart = start + n * 21 * DAY;
      const done = taskStart + 21 * DAY < g.now;
      s.put(
        'ProjectTask',
        {
          name: taskName,
          parent_id: project.id,
          status: done ? 'Completed' : taskStart < g.now ? 'In Progress' : 'Not Started',
          priority: 'Medium',
          date_start: formatDate(taskStart),
          date_due: formatDate(taskStart + 20 * DAY),
          percent_complete: done ? 100 : taskStart < g.now ? g.pick([20, 40, 60]) : 0,
          milestone_flag: n === p.tasks.length - 1,
          order_number: n + 1,
          assigned_user_id: anyUser(),
        },
        g.past(30, 60),
      );
    });
    return project;
  });

  // Parents for activities.
  const parentPool: { type: string; record: ApiRecord }[] = [
    ...companies.map((c) => ({ type: 'Account', record: c.record })),
    ...contacts.map((record) => ({ type: 'Contact', record })),
    ...opportunities.map((record) => ({ type: 'Opportunity', record })),
    ...cases.map((record) => ({ type: 'aCase', record })),
  ];
  const contactFor = (p: { type: string; record: ApiRecord }): ApiRecord | undefined => {
    if (p.type === 'Contact') return p.record;
    if (p.type === 'Opportunity') return contacts.find((c) => c.id === p.record.contact_id);
    if (p.type === 'aCase') return contacts.find((c) => c.id === p.record.cust_contact_id);
    return companies.find((c) => c.record.id === p.record.id)?.contacts[0];
  };
  const accountFor = (p: { type: string; record: ApiRecord }): string | null =>
    p.type === 'Account' ? (p.record.id as string) : p.type === 'Contact' ? p.record.primary_account_id : p.record.account_id;

  // Tasks: 30.
  for (let i = 0; i < 30; i++) {
    const p = g.pick(parentPool);
    const due = g.slot(-20, 30);
    const status =
      due < g.now
        ? g.pick(['Completed', 'Completed', 'In Progress', 'Deferred'])
        : g.pick(['Not Started', 'Not Started', 'In Progress', 'Pending Input']);
    s.put(
      'Task',
      {
        name: g.pick(D.TASK_SUBJECTS),
        status,
        priority: g.pick(['High', 'Medium', 'Medium', 'Low']),
        date_start: formatDateTime(due - g.int(1, 5) * DAY),
        date_due: formatDateTime(due),
        parent_type: p.type,
        parent_id: p.record.id,
        account_id: accountFor(p),
        contact_id: contactFor(p)?.id ?? null,
        description: g.chance(0.4) ? 'See the latest note on the parent record.' : null,
        assigned_user_id: p.record.assigned_user_id ?? anyUser(),
      },
      g.past(1, 40),
    );
  }

  // Meetings: 12; Calls: 14.
  for (let i = 0; i < 12; i++) {
    const p = g.pick(parentPool.filter((x) => x.type !== 'aCase'));
    const start = g.slot(-30, 30);
    s.put(
      'Meeting',
      {
        name: `${g.pick(D.MEETING_SUBJECTS)}: ${p.type === 'Contact' ? p.record.last_name : p.record.name}`,
        status: start < g.now ? g.pick(['Held', 'Held', 'Not Held']) : 'Planned',
        date_start: formatDateTime(start),
        duration: g.pick([30, 45, 60, 60, 90, 120]),
        location: g.pick(D.MEETING_LOCATIONS),
        parent_type: p.type,
        parent_id: p.record.id,
        assigned_user_id: p.record.assigned_user_id ?? anyUser(),
      },
      g.past(1, 45),
    );
  }
  for (let i = 0; i < 14; i++) {
    const p = g.pick(parentPool);
    const start = g.slot(-30, 14);
    s.put(
      'Call',
      {
        name: g.pick(D.CALL_SUBJECTS),
        direction: g.pick(['Inbound', 'Outbound', 'Outbound']),
        status: start < g.now ? g.pick(['Held', 'Held', 'Not Held']) : 'Planned',
        date_start: formatDateTime(start),
        duration: g.pick([5, 10, 15, 15, 30, 45]),
        parent_type: p.type,
        parent_id: p.record.id,
        description: start < g.now && g.chance(0.5) ? 'Left a voicemail; will try again.' : null,
        assigned_user_id: p.record.assigned_user_id ?? anyUser(),
      },
      g.past(1, 45),
    );
  }

  // Notes: 18.
  for (let i = 0; i < 18; i++) {
    const p = g.pick(parentPool);
    const [subject, body] = g.pick(D.NOTE_SUBJECTS);
    s.put(
      'Note',
      {
        name: subject,
        description: body,
        parent_type: p.type,
        parent_id: p.record.id,
        account_id: accountFor(p),
        contact_id: contactFor(p)?.id ?? null,
        assigned_user_id: p.record.assigned_user_id ?? anyUser(),
      },
      g.past(1, 200),
    );
  }

  // Documents: 6.
  D.DOCUMENTS.forEach((d) =>
    s.put(
      'Document',
      {
        ...d,
        revision: String(g.int(1, 4)),
        filename: `${slug(d.name)}.pdf`,
        active_date: formatDate(g.past(30, 300)),
        exp_date: d.category === 'Sales' ? formatDate(g.now + 330 * DAY) : null,
        assigned_user_id: anyUser(),
      },
      g.past(30, 400),
    ),
  );

  // Emails: 10, to and from contacts.
  for (let i = 0; i < 10; i++) {
    const contact = g.pick(contacts);
    const owner = users.find((u) => u.id === contact.assigned_user_id) ?? users[0];
    const inbound = g.chance(0.4);
    const sent = g.past(1, 60);
    s.put(
      'Email',
      {
        name: D.EMAIL_SUBJECTS[i % D.EMAIL_SUBJECTS.length],
        date_start: formatDateTime(sent),
        from_addr: inbound ? contact.email1 : owner.email1,
        to_addrs: inbound ? owner.email1 : contact.email1,
        type: inbound ? 'inbound' : 'out',
        status: inbound ? g.pick(['read', 'replied', 'received']) : 'sent',
        description: `Hello ${contact.first_name},\n\nThank you for your time.\n\nBest regards,\n${owner.first_name}`,
        parent_type: 'Contact',
        parent_id: contact.id,
        assigned_user_id: owner.id,
      },
      sent,
    );
  }

  // Purchase orders: 5, to supplier accounts.
  const suppliers = companies.filter((c) => c.record.is_supplier === '1');
  for (let i = 0; i < 5; i++) {
    const supplier = suppliers[i % suppliers.length];
    const product = g.pick(products.filter((p) => p.product_type === 'Inventory' || p.product_type === 'Non-Inventory'));
    const qty = g.int(10, 200);
    s.put(
      'PurchaseOrder',
      {
        name: `${qty} x ${product.name}`,
        supplier_id: supplier.record.id,
        shipping_stage: g.pick(['Pending', 'Ordered', 'Partially Received', 'Received']),
        due_date: formatDate(g.now + g.int(-10, 40) * DAY),
        amount: qty * Number(product.cost),
        currency_id: supplier.record.currency_id,
        terms: 'Net 45',
        assigned_user_id: users[0].id,
      },
      g.past(5, 90),
    );
  }

  // Time entries: 8, on projects and cases.
  for (let i = 0; i < 8; i++) {
    const onProject = i % 2 === 0;
    const parent = onProject ? g.pick(projects) : g.pick(cases);
    const start = g.slot(-20, -1);
    s.put(
      'Booking',
      {
        name: onProject ? `Work on ${parent.name}` : `Support: ${parent.name}`,
        date_start: formatDateTime(start),
        quantity: g.pick([0.5, 1, 1.5, 2, 3, 4]),
        booking_category: onProject ? 'Billable' : g.pick(['Billable', 'Non-billable']),
        status: g.pick(['Pending Approval', 'Approved', 'Billed']),
        parent_type: onProject ? 'Project' : 'aCase',
        parent_id: parent.id,
        assigned_user_id: parent.assigned_user_id ?? anyUser(),
      },
      start,
    );
  }
}
