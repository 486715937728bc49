// Enum option lists of the emulated 1CRM, as data. Served by /meta/fields, enforced on writes, copied into
// action JSON Schemas. No public source lists 1CRM's real values except Contact `lead_source` and
// `business_role` (C-php meta.md); the rest are plausible SugarCRM-lineage choices (see the README).

export interface EnumOption {
  value: string;
  label: string;
}

/** Options whose label equals the value. */
export function plain(...values: string[]): EnumOption[] {
  return values.map((value) => ({ value, label: value }));
}

/** Verbatim from C-php meta.md (Contact metadata). */
export const LEAD_SOURCES = plain(
  'Cold Call',
  'Existing Customer',
  'Self Generated',
  'Employee',
  'Partner',
  'Public Relations',
  'Direct Mail',
  'Conference',
  'Trade Show',
  'Web Site',
  'Customer Portal',
  'Word of mouth',
  'Email',
  'Other',
);

/** Verbatim from C-php meta.md (Contact filters). */
export const BUSINESS_ROLES = plain('CEO', 'MIS', 'CFO', 'Sales', 'Admin');

export const SALUTATIONS = plain('Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.');

export const ACCOUNT_TYPES = plain(
  'Customer',
  'Supplier',
  'Partner',
  'Reseller',
  'Competitor',
  'Investor',
  'Integrator',
  'Analyst',
  'Press',
  'Prospect',
  'Other',
);

export const INDUSTRIES = plain(
  'Apparel',
  'Banking',
  'Biotechnology',
  'Chemicals',
  'Communications',
  'Construction',
  'Consulting',
  'Education',
  'Electronics',
  'Energy',
  'Engineering',
  'Entertainment',
  'Finance',
  'Government',
  'Healthcare',
  'Hospitality',
  'Insurance',
  'Machinery',
  'Manufacturing',
  'Media',
  'Not For Profit',
  'Retail',
  'Shipping',
  'Technology',
  'Telecommunications',
  'Transportation',
  'Utilities',
  'Other',
);

export const TEMPERATURES = plain('Hot', 'Warm', 'Cold');

export const LEAD_STATUSES = plain('New', 'Assigned', 'In Process', 'Converted', 'Recycled', 'Dead');

/** Sales stages with the probability and forecast category a stage change fills in when the write gives none. */
export const SALES_STAGES: readonly (EnumOption & { probability: number; forecast: string })[] = [
  { value: 'Prospecting', label: 'Prospecting', probability: 10, forecast: 'Pipeline' },
  { value: 'Qualification', label: 'Qualification', probability: 20, forecast: 'Pipeline' },
  { value: 'Needs Analysis', label: 'Needs Analysis', probability: 25, forecast: 'Pipeline' },
  { value: 'Value Proposition', label: 'Value Proposition', probability: 30, forecast: 'Pipeline' },
  { value: 'Id. Decision Makers', label: 'Id. Decision Makers', probability: 40, forecast: 'Pipeline' },
  { value: 'Perception Analysis', label: 'Perception Analysis', probability: 50, forecast: 'Best Case' },
  { value: 'Proposal/Price Quote', label: 'Proposal/Price Quote', probability: 65, forecast: 'Best Case' },
  { value: 'Negotiation/Review', label: 'Negotiation/Review', probability: 80, forecast: 'Commit' },
  { value: 'Closed Won', label: 'Closed Won', probability: 100, forecast: 'Closed' },
  { value: 'Closed Lost', label: 'Closed Lost', probability: 0, forecast: 'Omitted' },
];

export const FORECAST_CATEGORIES = plain('Pipeline', 'Best Case', 'Commit', 'Closed', 'Omitted');
export const OPPORTUNITY_TYPES = plain('New Business', 'Existing Business');

export const CASE_STATUSES = plain('New', 'Assigned', 'Pending Input', 'Closed', 'Rejected', 'Duplicate');
export const CASE_PRIORITIES: EnumOption[] = [
  { value: 'P1', label: 'High' },
  { value: 'P2', label: 'Medium' },
  { value: 'P3', label: 'Low' },
];
export const CASE_TYPES = plain('Administration', 'Product', 'User', 'Billing', 'Other');

export const TASK_STATUSES = plain('Not Started', 'In Progress', 'Completed', 'Pending Input', 'Deferred');
export const PRIORITIES = plain('High', 'Medium', 'Low');

export const ACTIVITY_STATUSES = plain('Planned', 'Held', 'Not Held');
export const CALL_DIRECTIONS = plain('Inbound', 'Outbound');

export const PRODUCT_TYPES = plain('Inventory', 'Non-Inventory', 'Service');

/** "Closed Lost" and "Closed Dead" are seen in C-live; the rest are guesses. */
export const QUOTE_STAGES = plain(
  'Draft',
  'Negotiation',
  'Delivered',
  'On Hold',
  'Confirmed',
  'Closed Accepted',
  'Closed Lost',
  'Closed Dead',
);
export const INVOICE_STATUSES = plain('Draft', 'Sent', 'Partially Paid', 'Paid', 'Overdue', 'Cancelled');
export const PAYMENT_TERMS = plain('Due on Receipt', 'Net 15', 'Net 30', 'Net 45', 'Net 60');
export const PURCHASE_ORDER_STAGES = plain('Pending', 'Ordered', 'Partially Received', 'Received', 'Cancelled');

export const PROJECT_STATUSES = plain('Planned', 'Active', 'On Hold', 'Completed', 'Cancelled');
export const CAMPAIGN_STATUSES = plain('Planning', 'Active', 'Inactive', 'Complete');
export const CAMPAIGN_TYPES = plain('Telesales', 'Mail', 'Email', 'Print', 'Web', 'Radio', 'Television', 'Newsletter');
export const DOCUMENT_STATUSES = plain('Draft', 'Under Review', 'Active', 'Expired');
export const DOCUMENT_CATEGORIES = plain('Marketing', 'Knowledge Base', 'Sales', 'Legal', 'Support');
export const USER_STATUSES = plain('Active', 'Inactive');
export const EMAIL_TYPES = plain('out', 'inbound', 'draft', 'archived');
export const EMAIL_STATUSES = plain('sent', 'received', 'read', 'replied', 'draft');
export const BOOKING_STATUSES = plain('Pending Approval', 'Approved', 'Billed');
export const BOOKING_CATEGORIES = plain('Billable', 'Non-billable', 'Internal');

/**
 * Currencies. `-99` is the base currency id (seen in C-php related.md: `"currency_id":"-99"`,
 * `"currency":"US Dollar: $"`, `"exchange_rate":"1"`); the EUR/GBP ids and rates are ours.
 */
export const CURRENCIES: readonly (EnumOption & { rate: number })[] = [
  { value: '-99', label: 'US Dollar: $', rate: 1 },
  { value: 'EUR', label: 'Euro: €', rate: 0.92 },
  { value: 'GBP', label: 'British Pound: £', rate: 0.79 },
];

export function currencyOf(id: string | null): (EnumOption & { rate: number }) | undefined {
  return CURRENCIES.find((c) => c.value === id);
}
