// The model table of the emulated 1CRM: one row per model. Everything else (seed, REST routes, metadata,
// action schemas, vocabulary) is derived from these rows, so adding a model is adding a row (plus, if it
// should hold data, a generator in seed.ts).
//
// Model names confirmed by public sources: Account, Contact, Lead, Opportunity, aCase,
// Task, Note, Project, ProjectTask, Quote, Invoice, Product, User, Campaign, Document; Call and Meeting are
// inferred from the calendar event types; Email from Membrane's 1CRM skill. NOT VERIFIED: PurchaseOrder
// (Purchase Order) and Booking (Time Entry) — the names are guesses.
import {
  address,
  bool,
  commonFields,
  currencyFields,
  date,
  datetime,
  documentNumber,
  email,
  enumOf,
  field,
  int,
  money,
  parent,
  personFields,
  personName,
  phone,
  ref,
  text,
  url,
  usDollar,
  varchar,
  type ApiRecord,
  type FieldDef,
} from './fields.js';
import { addressFilters, anyOf, fieldFilter, standardFilters, type FilterDef } from './filters.js';
import * as O from './options.js';
import { formatDate, formatDateTime, parseDateTime } from './values.js';

/** How a related list (`GET /data/{Model}/{id}/{link}`) finds its records. */
export type LinkDef =
  /** Records of `model` whose `field` holds this record's id. */
  | { model: string; via: 'fk'; field: string }
  /** Records of `model` whose parent_type/parent_id point at this record. */
  | { model: string; via: 'parent' }
  /** The record of `model` whose id this record holds in `field` (at most one). */
  | { model: string; via: 'local'; field: string };

/** Called on every write after validation, before storing: derived values a real 1CRM fills in. */
export type SaveHook = (next: ApiRecord, written: ReadonlySet<string>, isNew: boolean, nowMs: number) => void;

export interface ModelSpec {
  /** Model name in `/data/{Model}`. */
  name: string;
  /** Entity id used by the vocabulary and action keys. */
  entity: string;
  /** Display name of the entity. */
  label: string;
  /** For action keys: get-<singular>, list-<plural>. */
  singular: string;
  plural: string;
  /** Words people use for it (singular, lower case). */
  words: string[];
  /** Prebuilt list/get/search/create/update/delete actions. */
  prebuilt: boolean;
  /** Has an assigned user (every model but User). */
  assigned?: boolean;
  /** Model-specific fields (common fields are added). */
  fields: FieldDef[];
  /** Default REST list row fields (besides id and _display) when no `fields[]` is given. */
  listFields: string[];
  /** Fields of list/search action rows: enough to recognise a record and decide what to open. */
  summaryFields: string[];
  /** Fields `filter_text` searches. */
  searchFields: string[];
  /** Model-specific filters: a field name (filter typed after the field) or a full definition. */
  filters: (string | FilterDef)[];
  links?: Record<string, LinkDef>;
  /** Field used for `_display` and for the display name of references to this model. */
  displayField?: string;
  /** Display of references to this model when it differs from `_display` (User: user_name, as in C-php examples). */
  refDisplayField?: string;
  onSave?: SaveHook;
  /** What "complete" writes (tasks, activities, cases); absent = the model cannot be completed. */
  completeWith?: Record<string, string>;
}

export interface ModelDef extends ModelSpec {
  assigned: boolean;
  displayField: string;
  refDisplayField: string;
  links: Record<string, LinkDef>;
  /** Common + model fields, in metadata order. */
  allFields: FieldDef[];
  fieldMap: ReadonlyMap<string, FieldDef>;
  filterMap: ReadonlyMap<string, FilterDef>;
}

/** Models a Task, Note, Call, Meeting or Email can hang under (parent_type values). */
export const PARENT_MODELS = ['Account', 'Contact', 'Lead', 'Opportunity', 'aCase', 'Project', 'Quote', 'Invoice'];

/** The usual activity links of a record that can be a parent. */
const ACTIVITY_LINKS: Record<string, LinkDef> = {
  tasks: { model: 'Task', via: 'parent' },
  notes: { model: 'Note', via: 'parent' },
  calls: { model: 'Call', via: 'parent' },
  meetings: { model: 'Meeting', via: 'parent' },
};

const ASSIGNED_SUMMARY = ['assigned_user', 'assigned_user_id', 'date_modified'];

/** A stage change fills probability and forecast category unless the same write sets them. */
const opportunityStageDefaults: SaveHook = (next, written, isNew) => {
  if (!isNew && !written.has('sales_stage')) return;
  const stage = O.SALES_STAGES.find((s) => s.value === next.sales_stage);
  if (!stage) return;
  if (!written.has('probability')) next.probability = String(stage.probability);
  if (!written.has('forecast_category')) next.forecast_category = stage.forecast;
};

const closeDateOnClose =
  (closedStatuses: string[]): SaveHook =>
  (next, written, _isNew, nowMs) => {
    if (written.has('status') && closedStatuses.includes(next.status ?? '') && !next.date_closed) {
      next.date_closed = formatDate(nowMs);
    }
  };

/** `date_end` of calls and meetings: date_start + duration minutes. */
function activityEnd(r: ApiRecord): string | null {
  const start = r.date_start ? parseDateTime(r.date_start) : undefined;
  if (start === undefined) return null;
  return formatDateTime(start + Number(r.duration ?? 0) * 60_000);
}

const activityFields = (defaultDuration: string): FieldDef[] => [
  datetime('date_start', 'Start Date', { required: true }),
  int('duration', 'Duration (minutes)', { default: defaultDuration, min: 0, max: 14400 }),
  datetime('date_end', 'End Date', { editable: false, compute: activityEnd }),
];

export const MODEL_SPECS: ModelSpec[] = [
  {
    name: 'Account',
    entity: 'account',
    label: 'Account',
    singular: 'account',
    plural: 'accounts',
    words: ['account', 'company', 'organization', 'organisation', 'business', 'customer', 'client', 'supplier', 'vendor'],
    prebuilt: true,
    fields: [
      varchar('name', 'Name', 150, { required: true }),
      enumOf('account_type', 'Type', O.ACCOUNT_TYPES),
      enumOf('industry', 'Industry', O.INDUSTRIES),
      varchar('annual_revenue', 'Annual Revenue', 100),
      int('employees', 'Employees', { min: 0 }),
      varchar('rating', 'Rating', 100),
      varchar('ownership', 'Ownership', 100),
      varchar('sic_code', 'SIC Code', 10),
      varchar('ticker_symbol', 'Ticker Symbol', 10),
      url('website', 'Website'),
      email('email1', 'Email'),
      email('email2', 'Other Email'),
      phone('phone_office', 'Office Phone'),
      phone('phone_alternate', 'Alternate Phone'),
      phone('phone_fax', 'Fax'),
      ...address('billing_address', 'Billing Address'),
      ...address('shipping_address', 'Shipping Address'),
      text('description', 'Description'),
      ...ref('member_of', 'Member of', 'Account', { idName: 'parent_id', comment: 'Id of the parent Account' }),
      bool('is_supplier', 'Is Supplier'),
      money('balance', 'Balance', { editable: false, default: '0', comment: 'Open receivables, kept by invoicing' }),
      money('balance_payable', 'Balance Payable', { editable: false, default: '0' }),
      money('credit_limit', 'Credit Limit', { min: 0 }),
      ...currencyFields(),
      ...ref('primary_contact', 'Primary Contact', 'Contact'),
      enumOf('temperature', 'Temperature', O.TEMPERATURES),
      bool('email_opt_out', 'Email Opt Out'),
      bool('invalid_email', 'Invalid Email'),
      datetime('last_activity_date', 'Last Activity', { editable: false }),
    ],
    // As in C-php related.md (Contact → accounts rows).
    listFields: ['name', 'balance', 'balance_payable', 'is_supplier', 'credit_limit', 'currency_id', 'currency', 'exchange_rate'],
    summaryFields: [
      'name',
      'account_type',
      'industry',
      'email1',
      'phone_office',
      'website',
      'billing_address_city',
      'billing_address_country',
      'is_supplier',
      'balance',
      ...ASSIGNED_SUMMARY,
    ],
    searchFields: ['name', 'email1', 'email2', 'phone_office', 'phone_alternate', 'website', 'ticker_symbol'],
    filters: [
      'name',
      'account_type',
      'industry',
      'is_supplier',
      'member_of',
      'temperature',
      anyOf('any_email', 'Any Email', 'email', ['email1', 'email2']),
      anyOf('any_phone', 'Any Phone', 'phone', ['phone_office', 'phone_alternate', 'phone_fax']),
      ...addressFilters(['billing_address', 'shipping_address']),
    ],
    links: {
      contacts: { model: 'Contact', via: 'fk', field: 'primary_account_id' },
      opportunities: { model: 'Opportunity', via: 'fk', field: 'account_id' },
      cases: { model: 'aCase', via: 'fk', field: 'account_id' },
      quotes: { model: 'Quote', via: 'fk', field: 'account_id' },
      invoices: { model: 'Invoice', via: 'fk', field: 'account_id' },
      projects: { model: 'Project', via: 'fk', field: 'account_id' },
      purchase_orders: { model: 'PurchaseOrder', via: 'fk', field: 'supplier_id' },
      members: { model: 'Account', via: 'fk', field: 'parent_id' },
      ...ACTIVITY_LINKS,
    },
  },
  {
    name: 'Contact',
    entity: 'contact',
    label: 'Contact',
    singular: 'contact',
    plural: 'contacts',
    words: ['contact', 'person', 'people', 'individual'],
    prebuilt: true,
    fields: [
      ...personFields(),
      varchar('title', 'Title', 50),
      varchar('department', 'Department'),
      date('birthdate', 'Birthdate'),
      ...ref('primary_account', 'Primary Account', 'Account'),
      ...ref('reports_to', 'Reports To', 'Contact'),
      enumOf('lead_source', 'Lead Source', O.LEAD_SOURCES),
      enumOf('business_role', 'Business Role', O.BUSINESS_ROLES),
      email('email1', 'Email'),
      email('email2', 'Other Email'),
      phone('phone_work', 'Office Phone'),
      phone('phone_mobile', 'Mobile'),
      phone('phone_home', 'Home Phone'),
      phone('phone_other', 'Other Phone'),
      phone('phone_fax', 'Fax'),
      varchar('assistant', 'Assistant', 75),
      phone('assistant_phone', 'Assistant Phone'),
      ...address('primary_address', 'Primary Address'),
      ...address('alt_address', 'Alternate Address'),
      bool('do_not_call', 'Do Not Call'),
      bool('email_opt_out', 'Email Opt Out'),
      bool('invalid_email', 'Invalid Email'),
      bool('portal_active', 'Portal Active'),
      ...ref('campaign', 'Campaign', 'Campaign'),
      text('description', 'Description'),
      datetime('last_activity_date', 'Last Activity', { editable: false }),
    ],
    // As in C-php data/list.md.
    listFields: ['name', 'first_name', 'last_name', 'salutation'],
    summaryFields: [
      'name',
      'title',
      'primary_account',
      'primary_account_id',
      'email1',
      'phone_work',
      'phone_mobile',
      'primary_address_city',
      ...ASSIGNED_SUMMARY,
    ],
    searchFields: ['name', 'email1', 'email2', 'phone_work', 'phone_mobile', 'phone_home', 'phone_other', 'assistant'],
    // As in C-php meta.md (Contact filters), minus favourites and categories.
    filters: [
      'primary_account',
      'first_name',
      'last_name',
      'lead_source',
      'do_not_call',
      anyOf('any_phone', 'Any Phone', 'phone', ['phone_home', 'phone_mobile', 'phone_work', 'phone_other', 'phone_fax', 'assistant_phone']),
      anyOf('any_email', 'Any Email', 'email', ['email1', 'email2']),
      'email_opt_out',
      ...addressFilters(['primary_address', 'alt_address']),
      'title',
      'business_role',
      'campaign',
    ],
    links: {
      accounts: { model: 'Account', via: 'local', field: 'primary_account_id' },
      cases: { model: 'aCase', via: 'fk', field: 'cust_contact_id' },
      opportunities: { model: 'Opportunity', via: 'fk', field: 'contact_id' },
      direct_reports: { model: 'Contact', via: 'fk', field: 'reports_to_id' },
      ...ACTIVITY_LINKS,
    },
  },
  {
    name: 'Lead',
    entity: 'lead',
    label: 'Lead',
    singular: 'lead',
    plural: 'leads',
    words: ['lead', 'prospect', 'inquiry', 'enquiry'],
    prebuilt: true,
    fields: [
      ...personFields(),
      varchar('title', 'Title', 50),
      varchar('department', 'Department'),
      varchar('account_name', 'Account Name', 150),
      enumOf('status', 'Status', O.LEAD_STATUSES, { required: true, default: 'New' }),
      text('status_description', 'Status Description'),
      enumOf('lead_source', 'Lead Source', O.LEAD_SOURCES),
      text('lead_source_description', 'Lead Source Description'),
      varchar('refered_by', 'Referred By'),
      enumOf('temperature', 'Temperature', O.TEMPERATURES),
      bool('converted', 'Converted', '0', { editable: false, comment: 'Set when status becomes Converted' }),
      field('contact_id', 'Converted Contact ID', 'id', { len: 36, refModel: 'Contact', editable: false }),
      field('account_id', 'Converted Account ID', 'id', { len: 36, refModel: 'Account', editable: false }),
      field('opportunity_id', 'Converted Opportunity ID', 'id', { len: 36, refModel: 'Opportunity', editable: false }),
      email('email1', 'Email'),
      email('email2', 'Other Email'),
      phone('phone_work', 'Office Phone'),
      phone('phone_mobile', 'Mobile'),
      phone('phone_home', 'Home Phone'),
      phone('phone_fax', 'Fax'),
      url('website', 'Website'),
      ...address('primary_address', 'Primary Address'),
      bool('do_not_call', 'Do Not Call'),
      bool('email_opt_out', 'Email Opt Out'),
      ...ref('campaign', 'Campaign', 'Campaign'),
      text('description', 'Description'),
    ],
    listFields: ['name', 'first_name', 'last_name', 'salutation', 'account_name', 'status'],
    summaryFields: ['name', 'account_name', 'title', 'status', 'lead_source', 'temperature', 'email1', 'phone_work', ...ASSIGNED_SUMMARY],
    searchFields: ['name', 'account_name', 'email1', 'email2', 'phone_work', 'phone_mobile', 'phone_home'],
    filters: [
      'first_name',
      'last_name',
      'account_name',
      'status',
      'lead_source',
      'temperature',
      'campaign',
      anyOf('any_email', 'Any Email', 'email', ['email1', 'email2']),
      anyOf('any_phone', 'Any Phone', 'phone', ['phone_work', 'phone_mobile', 'phone_home', 'phone_fax']),
      ...addressFilters(['primary_address']),
    ],
    links: { ...ACTIVITY_LINKS },
    onSave: (next, written) => {
      if (written.has('status') && next.status === 'Converted') next.converted = '1';
    },
  },
  {
    name: 'Opportunity',
    entity: 'opportunity',
    label: 'Opportunity',
    singular: 'opportunity',
    plural: 'opportunities',
    words: ['opportunity', 'deal', 'sale', 'pipeline'],
    prebuilt: true,
    fields: [
      varchar('name', 'Name', 150, { required: true }),
      ...ref('account', 'Account', 'Account', { required: true }),
      ...ref('contact', 'Contact', 'Contact'),
      money('amount', 'Amount', { required: true, min: 0 }),
      usDollar('amount_usdollar', 'Amount (US Dollar)', 'amount'),
      ...currencyFields(),
      enumOf('sales_stage', 'Sales Stage', O.SALES_STAGES, {
        required: true,
        default: 'Prospecting',
        comment: 'A stage change also sets probability and forecast_category unless given',
      }),
      int('probability', 'Probability (%)', { min: 0, max: 100, comment: 'Defaults to the probability of the sales stage' }),
      enumOf('forecast_category', 'Forecast Category', O.FORECAST_CATEGORIES, { required: true, default: 'Pipeline' }),
      date('date_closed', 'Expected Close Date', { required: true }),
      enumOf('opportunity_type', 'Type', O.OPPORTUNITY_TYPES),
      enumOf('lead_source', 'Lead Source', O.LEAD_SOURCES),
      varchar('next_step', 'Next Step', 100),
      ...ref('campaign', 'Campaign', 'Campaign'),
      text('description', 'Description'),
    ],
    listFields: ['name', 'account', 'account_id', 'amount', 'currency_id', 'sales_stage', 'date_closed'],
    summaryFields: [
      'name',
      'account',
      'account_id',
      'amount',
      'currency_id',
      'amount_usdollar',
      'sales_stage',
      'probability',
      'date_closed',
      'next_step',
      ...ASSIGNED_SUMMARY,
    ],
    searchFields: ['name', 'account', 'next_step'],
    filters: ['name', 'account', 'contact', 'sales_stage', 'forecast_category', 'opportunity_type', 'lead_source', 'campaign'],
    links: {
      quotes: { model: 'Quote', via: 'fk', field: 'opportunity_id' },
      contacts: { model: 'Contact', via: 'local', field: 'contact_id' },
      ...ACTIVITY_LINKS,
    },
    onSave: opportunityStageDefaults,
  },
  {
    name: 'aCase',
    entity: 'case',
    label: 'Case',
    singular: 'case',
    plural: 'cases',
    words: ['case', 'ticket', 'issue', 'support request', 'support case', 'complaint', 'incident'],
    prebuilt: true,
    fields: [
      int('case_number', 'Number', { editable: false, autoNumber: true }),
      varchar('name', 'Subject', 255, { required: true }),
      enumOf('status', 'Status', O.CASE_STATUSES, { required: true, default: 'New' }),
      enumOf('priority', 'Priority', O.CASE_PRIORITIES, { required: true, default: 'P2', comment: 'P1 High, P2 Medium, P3 Low' }),
      enumOf('type', 'Type', O.CASE_TYPES),
      ...ref('account', 'Account', 'Account'),
      ...ref('cust_contact', 'Customer Contact', 'Contact'),
      phone('cust_phone_no', 'Customer Phone'),
      varchar('cust_req_no', 'Customer Reference', 100),
      text('description', 'Description'),
      text('resolution', 'Resolution'),
      date('date_closed', 'Date Closed', { comment: 'Set to today when status becomes Closed, unless given' }),
      datetime('last_activity_date', 'Last Activity', { editable: false }),
    ],
    listFields: ['case_number', 'name', 'status', 'priority', 'account'],
    summaryFields: [
      'case_number',
      'name',
      'status',
      'priority',
      'type',
      'account',
      'account_id',
      'cust_contact',
      'cust_contact_id',
      'date_entered',
      ...ASSIGNED_SUMMARY,
    ],
    searchFields: ['name', 'case_number', 'cust_req_no', 'account'],
    filters: ['name', 'case_number', 'account', 'cust_contact', 'status', 'priority', 'type'],
    links: { ...ACTIVITY_LINKS },
    onSave: closeDateOnClose(['Closed', 'Rejected', 'Duplicate']),
    completeWith: { status: 'Closed' },
  },
  {
    name: 'Task',
    entity: 'task',
    label: 'Task',
    singular: 'task',
    plural: 'tasks',
    words: ['task', 'todo', 'reminder'],
    prebuilt: true,
    fields: [
      varchar('name', 'Subject', 255, { required: true }),
      enumOf('status', 'Status', O.TASK_STATUSES, { required: true, default: 'Not Started' }),
      enumOf('priority', 'Priority', O.PRIORITIES, { required: true, default: 'Medium' }),
      datetime('date_start', 'Start Date'),
      datetime('date_due', 'Due Date'),
      ...parent(PARENT_MODELS),
      ...ref('account', 'Account', 'Account'),
      ...ref('contact', 'Contact', 'Contact'),
      text('description', 'Description'),
      bool('is_private', 'Private'),
    ],
    listFields: ['name', 'status', 'priority', 'date_due', 'parent_type', 'parent'],
    summaryFields: [
      'name',
      'status',
      'priority',
      'date_start',
      'date_due',
      'parent_type',
      'parent_id',
      'parent',
      'contact',
      'contact_id',
      ...ASSIGNED_SUMMARY,
    ],
    searchFields: ['name'],
    filters: ['status', 'priority', 'parent_type', 'parent_id', 'account', 'contact'],
    completeWith: { status: 'Completed' },
  },
  {
    name: 'Meeting',
    entity: 'meeting',
    label: 'Meeting',
    singular: 'meeting',
    plural: 'meetings',
    words: ['meeting', 'appointment'],
    prebuilt: true,
    fields: [
      varchar('name', 'Subject', 255, { required: true }),
      enumOf('status', 'Status', O.ACTIVITY_STATUSES, { default: 'Planned' }),
      ...activityFields('60'),
      varchar('location', 'Location', 100),
      ...parent(PARENT_MODELS),
      text('description', 'Description'),
    ],
    listFields: ['name', 'status', 'date_start', 'duration', 'parent_type', 'parent'],
    summaryFields: [
      'name',
      'status',
      'date_start',
      'date_end',
      'duration',
      'location',
      'parent_type',
      'parent_id',
      'parent',
      ...ASSIGNED_SUMMARY,
    ],
    searchFields: ['name', 'location'],
    filters: ['status', 'location', 'parent_type', 'parent_id'],
    completeWith: { status: 'Held' },
  },
  {
    name: 'Call',
    entity: 'call',
    label: 'Call',
    singular: 'call',
    plural: 'calls',
    words: ['call', 'phone call', 'phonecall'],
    prebuilt: true,
    fields: [
      varchar('name', 'Subject', 255, { required: true }),
      enumOf('direction', 'Direction', O.CALL_DIRECTIONS, { default: 'Outbound' }),
      enumOf('status', 'Status', O.ACTIVITY_STATUSES, { default: 'Planned' }),
      ...activityFields('15'),
      ...parent(PARENT_MODELS),
      text('description', 'Description'),
    ],
    listFields: ['name', 'direction', 'status', 'date_start', 'duration', 'parent_type', 'parent'],
    summaryFields: ['name', 'direction', 'status', 'date_start', 'duration', 'parent_type', 'parent_id', 'parent', ...ASSIGNED_SUMMARY],
    searchFields: ['name'],
    filters: ['status', 'direction', 'parent_type', 'parent_id'],
    completeWith: { status: 'Held' },
  },
  {
    name: 'Note',
    entity: 'note',
    label: 'Note',
    singular: 'note',
    plural: 'notes',
    words: ['note', 'comment', 'memo'],
    prebuilt: true,
    fields: [
      varchar('name', 'Subject', 255, { required: true }),
      text('description', 'Note'),
      ...parent(PARENT_MODELS),
      ...ref('account', 'Account', 'Account'),
      ...ref('contact', 'Contact', 'Contact'),
      bool('portal_flag', 'Show in Portal'),
    ],
    listFields: ['name', 'parent_type', 'parent', 'date_entered'],
    summaryFields: [
      'name',
      'description',
      'parent_type',
      'parent_id',
      'parent',
      'contact',
      'contact_id',
      'date_entered',
      ...ASSIGNED_SUMMARY,
    ],
    searchFields: ['name', 'description'],
    filters: ['parent_type', 'parent_id', 'account', 'contact'],
  },
  {
    name: 'Product',
    entity: 'product',
    label: 'Product',
    singular: 'product',
    plural: 'products',
    words: ['product', 'sku', 'catalog item', 'line item'],
    prebuilt: true,
    fields: [
      varchar('name', 'Name', 100, { required: true }),
      enumOf('product_type', 'Type', O.PRODUCT_TYPES, { default: 'Inventory' }),
      varchar('manufacturer', 'Manufacturer', 100),
      varchar('vendor_part_no', 'Vendor Part No.', 100),
      money('cost', 'Cost', { min: 0 }),
      money('list_price', 'List Price', { min: 0 }),
      ...currencyFields(),
      url('url', 'Product URL'),
      bool('is_available', 'Available', '1'),
      text('description', 'Description'),
    ],
    listFields: ['name', 'product_type', 'list_price', 'currency_id'],
    summaryFields: ['name', 'product_type', 'manufacturer', 'vendor_part_no', 'cost', 'list_price', 'currency_id', 'is_available'],
    searchFields: ['name', 'manufacturer', 'vendor_part_no'],
    filters: ['name', 'product_type', 'manufacturer', 'is_available'],
  },
  {
    name: 'Quote',
    entity: 'quote',
    label: 'Quote',
    singular: 'quote',
    plural: 'quotes',
    words: ['quote', 'quotation', 'estimate', 'proposal', 'offer'],
    prebuilt: true,
    fields: [
      varchar('name', 'Subject', 150, { required: true }),
      ...documentNumber('quote_number', 'Quote Number', 'QT-'),
      ...ref('account', 'Account', 'Account', { required: true }),
      ...ref('contact', 'Billing Contact', 'Contact'),
      ...ref('opportunity', 'Opportunity', 'Opportunity'),
      enumOf('quote_stage', 'Quote Stage', O.QUOTE_STAGES, { required: true, default: 'Draft' }),
      date('valid_until', 'Valid Until'),
      money('amount', 'Total', { min: 0, default: '0' }),
      usDollar('amount_usdollar', 'Total (US Dollar)', 'amount'),
      ...currencyFields(),
      enumOf('terms', 'Payment Terms', O.PAYMENT_TERMS),
      text('description', 'Description'),
    ],
    listFields: ['full_number', 'name', 'quote_stage', 'amount', 'currency_id', 'account'],
    summaryFields: [
      'full_number',
      'name',
      'account',
      'account_id',
      'opportunity_id',
      'quote_stage',
      'amount',
      'currency_id',
      'valid_until',
      ...ASSIGNED_SUMMARY,
    ],
    // filter_text also matches quote numbers (C-php; C-live).
    searchFields: ['name', 'full_number', 'quote_number', 'account'],
    filters: ['name', 'account', 'opportunity', 'quote_stage'],
    links: { invoices: { model: 'Invoice', via: 'fk', field: 'quote_id' }, tasks: ACTIVITY_LINKS.tasks, notes: ACTIVITY_LINKS.notes },
  },
  {
    name: 'Invoice',
    entity: 'invoice',
    label: 'Invoice',
    singular: 'invoice',
    plural: 'invoices',
    words: ['invoice', 'bill'],
    prebuilt: true,
    fields: [
      varchar('name', 'Subject', 150, { required: true }),
      ...documentNumber('invoice_number', 'Invoice Number', 'INV-'),
      ...ref('account', 'Account', 'Account', { required: true }),
      ...ref('contact', 'Billing Contact', 'Contact'),
      ...ref('quote', 'Quote', 'Quote'),
      enumOf('status', 'Status', O.INVOICE_STATUSES, { required: true, default: 'Draft' }),
      date('invoice_date', 'Invoice Date'),
      date('due_date', 'Due Date'),
      enumOf('terms', 'Payment Terms', O.PAYMENT_TERMS),
      money('amount', 'Total', { min: 0, default: '0' }),
      money('amount_due', 'Amount Due', { min: 0, comment: 'Defaults to the total on create' }),
      usDollar('amount_usdollar', 'Total (US Dollar)', 'amount'),
      ...currencyFields(),
      text('description', 'Description'),
    ],
    listFields: ['full_number', 'name', 'status', 'amount', 'amount_due', 'currency_id', 'account'],
    summaryFields: [
      'full_number',
      'name',
      'account',
      'account_id',
      'status',
      'invoice_date',
      'due_date',
      'amount',
      'amount_due',
      'currency_id',
      ...ASSIGNED_SUMMARY,
    ],
    searchFields: ['name', 'full_number', 'invoice_number', 'account'],
    filters: ['name', 'account', 'quote', 'status'],
    links: { tasks: ACTIVITY_LINKS.tasks, notes: ACTIVITY_LINKS.notes },
    onSave: (next, written, isNew) => {
      if (isNew && !written.has('amount_due')) next.amount_due = next.amount;
    },
  },
  {
    name: 'Project',
    entity: 'project',
    label: 'Project',
    singular: 'project',
    plural: 'projects',
    words: ['project', 'engagement'],
    prebuilt: false,
    fields: [
      varchar('name', 'Name', 100, { required: true }),
      ...ref('account', 'Account', 'Account'),
      enumOf('status', 'Status', O.PROJECT_STATUSES, { default: 'Planned' }),
      enumOf('priority', 'Priority', O.PRIORITIES, { default: 'Medium' }),
      date('date_starting', 'Start Date'),
      date('date_ending', 'End Date'),
      text('description', 'Description'),
    ],
    listFields: ['name', 'status', 'account', 'date_starting', 'date_ending'],
    summaryFields: ['name', 'status', 'priority', 'account', 'account_id', 'date_starting', 'date_ending', ...ASSIGNED_SUMMARY],
    searchFields: ['name', 'account'],
    filters: ['name', 'account', 'status', 'priority'],
    links: {
      project_tasks: { model: 'ProjectTask', via: 'fk', field: 'parent_id' },
      bookings: { model: 'Booking', via: 'parent' },
      ...ACTIVITY_LINKS,
    },
  },
  {
    name: 'ProjectTask',
    entity: 'project-task',
    label: 'Project Task',
    singular: 'project-task',
    plural: 'project-tasks',
    words: ['project task', 'milestone', 'work package'],
    prebuilt: false,
    fields: [
      varchar('name', 'Name', 100, { required: true }),
      ...ref('parent', 'Project', 'Project', { required: true, comment: 'Id of the Project this task belongs to' }),
      enumOf('status', 'Status', O.TASK_STATUSES, { required: true, default: 'Not Started' }),
      enumOf('priority', 'Priority', O.PRIORITIES, { default: 'Medium' }),
      date('date_start', 'Start Date', { required: true }),
      date('date_due', 'Due Date', { required: true }),
      int('percent_complete', 'Percent Complete', { min: 0, max: 100, default: '0' }),
      bool('milestone_flag', 'Milestone'),
      int('order_number', 'Order', { min: 0 }),
      text('description', 'Description'),
    ],
    listFields: ['name', 'parent', 'status', 'date_start', 'date_due', 'percent_complete'],
    summaryFields: [
      'name',
      'parent',
      'parent_id',
      'status',
      'priority',
      'date_start',
      'date_due',
      'percent_complete',
      'milestone_flag',
      ...ASSIGNED_SUMMARY,
    ],
    searchFields: ['name'],
    filters: ['name', 'parent', 'status', 'priority', 'milestone_flag'],
    completeWith: { status: 'Completed', percent_complete: '100' },
  },
  {
    name: 'Campaign',
    entity: 'campaign',
    label: 'Campaign',
    singular: 'campaign',
    plural: 'campaigns',
    words: ['campaign', 'marketing campaign'],
    prebuilt: false,
    fields: [
      varchar('name', 'Name', 100, { required: true }),
      enumOf('status', 'Status', O.CAMPAIGN_STATUSES, { default: 'Planning' }),
      enumOf('campaign_type', 'Type', O.CAMPAIGN_TYPES),
      date('start_date', 'Start Date'),
      date('end_date', 'End Date'),
      money('budget', 'Budget', { min: 0 }),
      money('expected_cost', 'Expected Cost', { min: 0 }),
      money('actual_cost', 'Actual Cost', { min: 0 }),
      money('expected_revenue', 'Expected Revenue', { min: 0 }),
      ...currencyFields(),
      text('objective', 'Objective'),
    ],
    listFields: ['name', 'status', 'campaign_type', 'start_date', 'end_date'],
    summaryFields: ['name', 'status', 'campaign_type', 'start_date', 'end_date', 'budget', 'expected_revenue', ...ASSIGNED_SUMMARY],
    searchFields: ['name'],
    filters: ['name', 'status', 'campaign_type'],
    links: {
      leads: { model: 'Lead', via: 'fk', field: 'campaign_id' },
      contacts: { model: 'Contact', via: 'fk', field: 'campaign_id' },
      opportunities: { model: 'Opportunity', via: 'fk', field: 'campaign_id' },
    },
  },
  {
    name: 'Document',
    entity: 'document',
    label: 'Document',
    singular: 'document',
    plural: 'documents',
    words: ['document', 'attachment'],
    prebuilt: false,
    fields: [
      varchar('name', 'Name', 255, { required: true }),
      enumOf('status', 'Status', O.DOCUMENT_STATUSES, { default: 'Active' }),
      enumOf('category', 'Category', O.DOCUMENT_CATEGORIES),
      date('active_date', 'Publish Date'),
      date('exp_date', 'Expiration Date'),
      varchar('revision', 'Revision', 25, { default: '1' }),
      varchar('filename', 'File Name', 255, { editable: false, comment: 'Uploads are not emulated' }),
      text('description', 'Description'),
    ],
    listFields: ['name', 'status', 'category', 'revision'],
    summaryFields: ['name', 'status', 'category', 'revision', 'filename', 'active_date', 'exp_date', ...ASSIGNED_SUMMARY],
    searchFields: ['name', 'filename'],
    filters: ['name', 'status', 'category'],
  },
  {
    name: 'User',
    entity: 'user',
    label: 'User',
    singular: 'user',
    plural: 'users',
    words: ['user', 'employee', 'owner', 'staff', 'team member', 'sales rep'],
    prebuilt: false,
    assigned: false,
    fields: [
      varchar('user_name', 'User Name', 60, { required: true }),
      varchar('first_name', 'First Name'),
      varchar('last_name', 'Last Name', 100, { required: true }),
      field('name', 'Full Name', 'name', { editable: false, compute: personName }),
      enumOf('status', 'Status', O.USER_STATUSES, { default: 'Active' }),
      bool('is_admin', 'Administrator'),
      varchar('title', 'Title', 50),
      varchar('department', 'Department', 50),
      email('email1', 'Email'),
      phone('phone_work', 'Work Phone'),
      phone('phone_mobile', 'Mobile'),
    ],
    listFields: ['name', 'user_name', 'status'],
    summaryFields: ['name', 'user_name', 'title', 'department', 'email1', 'status', 'is_admin'],
    searchFields: ['name', 'user_name', 'email1'],
    filters: ['user_name', 'first_name', 'last_name', 'status', 'is_admin', 'department'],
    refDisplayField: 'user_name',
  },
  {
    name: 'Email',
    entity: 'email',
    label: 'Email',
    singular: 'email',
    plural: 'emails',
    words: ['email', 'e-mail', 'mail'],
    prebuilt: false,
    fields: [
      varchar('name', 'Subject', 255, { required: true }),
      datetime('date_start', 'Date Sent'),
      varchar('from_addr', 'From', 255),
      text('to_addrs', 'To'),
      text('cc_addrs', 'Cc'),
      enumOf('type', 'Type', O.EMAIL_TYPES, { default: 'archived' }),
      enumOf('status', 'Status', O.EMAIL_STATUSES, { default: 'sent' }),
      text('description', 'Body'),
      ...parent(PARENT_MODELS),
    ],
    listFields: ['name', 'date_start', 'from_addr', 'type', 'status'],
    summaryFields: [
      'name',
      'date_start',
      'from_addr',
      'to_addrs',
      'type',
      'status',
      'parent_type',
      'parent_id',
      'parent',
      ...ASSIGNED_SUMMARY,
    ],
    searchFields: ['name', 'from_addr', 'to_addrs'],
    filters: ['type', 'status', 'parent_type', 'parent_id'],
  },
  {
    // NOT VERIFIED: the model name of Purchase Orders is a guess.
    name: 'PurchaseOrder',
    entity: 'purchase-order',
    label: 'Purchase Order',
    singular: 'purchase-order',
    plural: 'purchase-orders',
    words: ['purchase order', 'po'],
    prebuilt: false,
    fields: [
      varchar('name', 'Subject', 150, { required: true }),
      ...documentNumber('po_number', 'PO Number', 'PO-'),
      ...ref('supplier', 'Supplier', 'Account', { required: true, comment: 'Id of the supplier Account' }),
      enumOf('shipping_stage', 'Shipping Stage', O.PURCHASE_ORDER_STAGES, { default: 'Pending' }),
      date('due_date', 'Due Date'),
      money('amount', 'Total', { min: 0, default: '0' }),
      usDollar('amount_usdollar', 'Total (US Dollar)', 'amount'),
      ...currencyFields(),
      enumOf('terms', 'Payment Terms', O.PAYMENT_TERMS),
      text('description', 'Description'),
    ],
    listFields: ['full_number', 'name', 'supplier', 'shipping_stage', 'amount'],
    summaryFields: [
      'full_number',
      'name',
      'supplier',
      'supplier_id',
      'shipping_stage',
      'due_date',
      'amount',
      'currency_id',
      ...ASSIGNED_SUMMARY,
    ],
    searchFields: ['name', 'full_number', 'po_number', 'supplier'],
    filters: ['name', 'supplier', 'shipping_stage'],
  },
  {
    // NOT VERIFIED: the model name of Time Entries (Booking) is a guess.
    name: 'Booking',
    entity: 'time-entry',
    label: 'Time Entry',
    singular: 'time-entry',
    plural: 'time-entries',
    words: ['time entry', 'booking', 'timesheet', 'time log'],
    prebuilt: false,
    fields: [
      varchar('name', 'Subject', 255, { required: true }),
      datetime('date_start', 'Start', { required: true }),
      field('quantity', 'Hours', 'double', { required: true, min: 0 }),
      enumOf('booking_category', 'Category', O.BOOKING_CATEGORIES, { default: 'Billable' }),
      enumOf('status', 'Status', O.BOOKING_STATUSES, { default: 'Pending Approval' }),
      ...parent(PARENT_MODELS),
      text('description', 'Description'),
    ],
    listFields: ['name', 'date_start', 'quantity', 'status', 'parent'],
    summaryFields: [
      'name',
      'date_start',
      'quantity',
      'booking_category',
      'status',
      'parent_type',
      'parent_id',
      'parent',
      ...ASSIGNED_SUMMARY,
    ],
    searchFields: ['name'],
    filters: ['status', 'booking_category', 'parent_type', 'parent_id'],
  },
];

function define(spec: ModelSpec): ModelDef {
  const assigned = spec.assigned ?? true;
  const allFields = [...commonFields({ assigned }), ...spec.fields];
  const fieldMap = new Map(allFields.map((f) => [f.name, f]));
  if (fieldMap.size !== allFields.length) throw new Error(`1CRM model ${spec.name}: duplicate field names`);
  const filters = [
    ...standardFilters(spec.searchFields, assigned),
    ...spec.filters.map((fl) => {
      if (typeof fl !== 'string') return fl;
      const f = fieldMap.get(fl);
      if (!f) throw new Error(`1CRM model ${spec.name}: filter on unknown field ${fl}`);
      return fieldFilter(f);
    }),
  ];
  for (const name of [...spec.listFields, ...spec.summaryFields, ...spec.searchFields]) {
    if (!fieldMap.has(name)) throw new Error(`1CRM model ${spec.name}: unknown field ${name}`);
  }
  const displayField = spec.displayField ?? 'name';
  return {
    ...spec,
    assigned,
    displayField,
    refDisplayField: spec.refDisplayField ?? displayField,
    links: spec.links ?? {},
    allFields,
    fieldMap,
    filterMap: new Map(filters.map((fl) => [fl.name, fl])),
  };
}

export const MODELS: readonly ModelDef[] = MODEL_SPECS.map(define);

const BY_NAME = new Map(MODELS.map((m) => [m.name, m]));
const BY_ENTITY = new Map(MODELS.map((m) => [m.entity, m]));

/** Exact, case-sensitive model name lookup, as the API does it ("Model Acount not found"). */
export function modelByName(name: string): ModelDef | undefined {
  return BY_NAME.get(name);
}

export function modelByEntity(entity: string): ModelDef | undefined {
  return BY_ENTITY.get(entity);
}

/** A near miss for a 404 hint: a case-insensitive match, or aCase for "Case". */
export function suggestModel(name: string): ModelDef | undefined {
  const lower = name.toLowerCase().replace(/s$/, '');
  return MODELS.find((m) => m.name.toLowerCase() === lower || m.label.toLowerCase().replace(/ /g, '') === lower);
}
