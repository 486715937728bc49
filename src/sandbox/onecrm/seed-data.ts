// Word lists and fixed rows the 1CRM seed draws from. Fictional companies and people.

export const USERS = [
  { user_name: 'admin', first_name: 'Alex', last_name: 'Morgan', title: 'CRM Administrator', department: 'Operations', is_admin: true },
  { user_name: 'jchen', first_name: 'Jamie', last_name: 'Chen', title: 'Sales Manager', department: 'Sales', is_admin: false },
  { user_name: 'pkumar', first_name: 'Priya', last_name: 'Kumar', title: 'Account Executive', department: 'Sales', is_admin: false },
  { user_name: 'mrossi', first_name: 'Marco', last_name: 'Rossi', title: 'Support Lead', department: 'Support', is_admin: false },
  { user_name: 'ewalker', first_name: 'Emma', last_name: 'Walker', title: 'Sales Representative', department: 'Sales', is_admin: false },
] as const;

export const COMPANY_STEMS = [
  'Acme',
  'Northwind',
  'Blue Harbor',
  'Summit Peak',
  'Granite',
  'Redwood',
  'Silver Lake',
  'Brightline',
  'Cobalt',
  'Evergreen',
  'Ironclad',
  'Lumen',
  'Maple Ridge',
  'Nimbus',
  'Oakmont',
  'Pioneer',
  'Quantum Leap',
  'Riverside',
  'Sterling',
  'Tidewater',
  'Vertex',
  'Westbrook',
  'Harborview',
  'Keystone',
  'Aurora',
  'Bluefin',
  'Copperfield',
  'Driftwood',
];

/** Industry → name endings that fit it. */
export const INDUSTRY_SUFFIXES: Record<string, string[]> = {
  Technology: ['Systems', 'Software', 'Labs'],
  Manufacturing: ['Industries', 'Manufacturing'],
  Healthcare: ['Health', 'Medical'],
  Finance: ['Capital', 'Financial'],
  Retail: ['Outfitters', 'Stores'],
  Energy: ['Energy', 'Power'],
  Transportation: ['Logistics', 'Freight'],
  Consulting: ['Consulting', 'Partners'],
  Hospitality: ['Hotels', 'Hospitality'],
  Education: ['Learning', 'Academy'],
  Telecommunications: ['Telecom', 'Networks'],
  Construction: ['Builders', 'Construction'],
};

export interface Place {
  city: string;
  state: string | null;
  postalcode: string;
  country: string;
  dial: string;
  legal: string;
}

export const PLACES: Place[] = [
  { city: 'San Francisco', state: 'CA', postalcode: '94105', country: 'USA', dial: '+1 415', legal: 'Inc.' },
  { city: 'Austin', state: 'TX', postalcode: '78701', country: 'USA', dial: '+1 512', legal: 'LLC' },
  { city: 'Chicago', state: 'IL', postalcode: '60601', country: 'USA', dial: '+1 312', legal: 'Inc.' },
  { city: 'Boston', state: 'MA', postalcode: '02110', country: 'USA', dial: '+1 617', legal: 'Corp.' },
  { city: 'Seattle', state: 'WA', postalcode: '98101', country: 'USA', dial: '+1 206', legal: 'Inc.' },
  { city: 'New York', state: 'NY', postalcode: '10001', country: 'USA', dial: '+1 212', legal: 'LLC' },
  { city: 'Denver', state: 'CO', postalcode: '80202', country: 'USA', dial: '+1 303', legal: 'Inc.' },
  { city: 'Toronto', state: 'ON', postalcode: 'M5H 2N2', country: 'Canada', dial: '+1 416', legal: 'Ltd.' },
  { city: 'London', state: null, postalcode: 'EC2A 4NE', country: 'United Kingdom', dial: '+44 20', legal: 'Ltd.' },
  { city: 'Manchester', state: null, postalcode: 'M1 1AE', country: 'United Kingdom', dial: '+44 161', legal: 'Ltd.' },
  { city: 'Berlin', state: null, postalcode: '10115', country: 'Germany', dial: '+49 30', legal: 'GmbH' },
  { city: 'Munich', state: 'Bavaria', postalcode: '80331', country: 'Germany', dial: '+49 89', legal: 'GmbH' },
];

export const STREETS = [
  'Market Street',
  'Main Street',
  'Harbor Way',
  'Oak Avenue',
  'Industrial Parkway',
  'King Street',
  'Elm Street',
  'Commerce Drive',
  'Park Lane',
  'River Road',
  'Station Road',
  'Mill Lane',
];

export const FIRST_NAMES = [
  'Olivia',
  'Liam',
  'Sophia',
  'Noah',
  'Ava',
  'Ethan',
  'Mia',
  'Lucas',
  'Isabella',
  'Mason',
  'Charlotte',
  'Logan',
  'Amelia',
  'James',
  'Harper',
  'Benjamin',
  'Ella',
  'Daniel',
  'Grace',
  'Samuel',
  'Chloe',
  'David',
  'Hannah',
  'Jonas',
  'Lena',
  'Mateo',
  'Aisha',
  'Kenji',
  'Fatima',
  'Oscar',
];

export const LAST_NAMES = [
  'Anderson',
  'Baker',
  'Carter',
  'Diaz',
  'Evans',
  'Fischer',
  'Garcia',
  'Hughes',
  'Ito',
  'Johnson',
  'Klein',
  'Lopez',
  'Martin',
  'Nguyen',
  'OBrien',
  'Patel',
  'Quinn',
  'Russo',
  'Schmidt',
  'Thompson',
  'Ueda',
  'Vargas',
  'Wright',
  'Young',
  'Zimmer',
  'Bennett',
  'Collins',
  'Novak',
  'Sato',
  'Weber',
  'Foster',
  'Gray',
  'Hoffmann',
  'Iverson',
  'Jensen',
  'Keller',
  'Lindqvist',
  'Moreau',
  'Nilsen',
  'Ortiz',
];

/** Contact titles with the business role they imply (null: none). */
export const TITLES: [string, string | null][] = [
  ['CEO', 'CEO'],
  ['CFO', 'CFO'],
  ['IT Director', 'MIS'],
  ['VP Sales', 'Sales'],
  ['Head of Procurement', 'Admin'],
  ['Operations Manager', null],
  ['Purchasing Manager', 'Admin'],
  ['Marketing Director', null],
  ['Office Manager', 'Admin'],
  ['Controller', 'CFO'],
  ['Project Manager', null],
  ['Sales Engineer', 'Sales'],
];

export const DEPARTMENTS = ['Management', 'Finance', 'IT', 'Sales', 'Purchasing', 'Operations', 'Marketing'];

export const DEAL_TOPICS = [
  'Annual License',
  'Fleet Upgrade',
  'Support Renewal',
  'Pilot Project',
  'Expansion',
  'Consulting Package',
  'Hardware Refresh',
  'Cloud Migration',
  'Training Program',
  'Data Platform',
  'Multi-site Rollout',
  'Service Contract',
];

export const NEXT_STEPS = [
  'Send revised proposal',
  'Schedule demo with IT',
  'Wait for budget approval',
  'Legal review of contract',
  'Call decision maker',
  'Prepare ROI analysis',
  null,
  null,
];

export const CASE_SUBJECTS = [
  'Cannot log in to customer portal',
  'Invoice shows wrong VAT rate',
  'Delivery arrived damaged',
  'Request for API access',
  'Nightly sync with accounting fails',
  'Password reset email not received',
  'Wrong product shipped',
  'Upgrade to enterprise plan',
  'Report export times out',
  'Duplicate charge on card',
  'Need updated W-9 form',
  'Feature request: bulk import',
  'Mobile app crashes on start',
  'Cancel subscription at renewal',
  'Missing items in order',
  'Reschedule training session',
  'SLA breach complaint',
  'Data migration question',
  'Integration returns error 500',
  'Warranty claim for unit',
  'Cannot add new users',
  'Slow page loads in EU region',
];

export const RESOLUTIONS = [
  'Reset the account and confirmed access with the customer.',
  'Issued a corrected invoice.',
  'Shipped a replacement; carrier claim filed.',
  'Explained the configuration; customer confirmed it works.',
];

export const TASK_SUBJECTS = [
  'Call back about pricing',
  'Send proposal',
  'Prepare contract draft',
  'Follow up on demo',
  'Schedule onboarding',
  'Check payment status',
  'Update account details',
  'Review case resolution',
  'Send product brochure',
  'Confirm delivery date',
  'Collect signed NDA',
  'Book quarterly review',
  'Chase overdue invoice',
  'Qualify inbound lead',
  'Prepare renewal quote',
];

export const MEETING_SUBJECTS = [
  'Quarterly business review',
  'Product demo',
  'Project kickoff',
  'Contract negotiation',
  'Onboarding workshop',
  'Pipeline review',
  'Site visit',
  'Executive briefing',
  'Requirements workshop',
  'Renewal planning',
];

export const MEETING_LOCATIONS = ['Zoom', 'Microsoft Teams', 'Customer office', 'HQ, Room 2', 'Google Meet'];

export const CALL_SUBJECTS = [
  'Discovery call',
  'Follow-up call',
  'Renewal discussion',
  'Support escalation call',
  'Intro call',
  'Reference call',
  'Pricing call',
  'Check-in call',
];

export const NOTE_SUBJECTS: [string, string][] = [
  ['Budget confirmed', 'Budget for next fiscal year is approved; decision expected end of quarter.'],
  ['Competitor in play', 'They are also evaluating a competing vendor; price is the main concern.'],
  ['Key contact changed', 'Our champion moved to another department; new contact introduced by email.'],
  ['Prefers email', 'Customer asked to be contacted by email rather than phone.'],
  ['Renewal risk', 'Usage dropped by 30% last quarter; schedule a health check.'],
  ['Call summary', 'Discussed timeline and rollout plan; next step is a technical workshop.'],
  ['Shipping address', 'Deliveries go to the warehouse, not the head office.'],
  ['Payment terms', 'Finance requested Net 45 instead of Net 30.'],
  ['Upsell opportunity', 'Interested in the analytics add-on for the sales team.'],
];

export const PRODUCTS = [
  { name: 'CloudSync Standard License', product_type: 'Service', manufacturer: 'Vertex Software', cost: 120, list_price: 299 },
  { name: 'CloudSync Enterprise License', product_type: 'Service', manufacturer: 'Vertex Software', cost: 400, list_price: 899 },
  { name: 'Onboarding Package', product_type: 'Service', manufacturer: null, cost: 800, list_price: 1500 },
  { name: 'Premium Support (12 months)', product_type: 'Service', manufacturer: null, cost: 900, list_price: 2400 },
  { name: 'Barcode Scanner BX-200', product_type: 'Inventory', manufacturer: 'Ironclad Devices', cost: 85, list_price: 179 },
  { name: 'Thermal Label Printer TP-40', product_type: 'Inventory', manufacturer: 'Ironclad Devices', cost: 210, list_price: 449 },
  { name: 'Rugged Tablet RT-10', product_type: 'Inventory', manufacturer: 'Nimbus Hardware', cost: 520, list_price: 999 },
  { name: 'Docking Station DS-3', product_type: 'Inventory', manufacturer: 'Nimbus Hardware', cost: 60, list_price: 139 },
  { name: 'Label Rolls (box of 12)', product_type: 'Non-Inventory', manufacturer: 'Granite Supplies', cost: 18, list_price: 42 },
  { name: 'Data Migration Service', product_type: 'Service', manufacturer: null, cost: 1200, list_price: 3200 },
  { name: 'Custom Report Pack', product_type: 'Service', manufacturer: null, cost: 300, list_price: 750 },
  { name: 'On-site Training Day', product_type: 'Service', manufacturer: null, cost: 600, list_price: 1400 },
];

export const CAMPAIGNS = [
  { name: 'Spring Webinar Series 2026', campaign_type: 'Web', status: 'Active', budget: 5000, expected_revenue: 60000 },
  { name: 'Logistics Trade Show Berlin', campaign_type: 'Print', status: 'Planning', budget: 18000, expected_revenue: 150000 },
  { name: 'Q1 Customer Newsletter', campaign_type: 'Newsletter', status: 'Complete', budget: 800, expected_revenue: 12000 },
  { name: 'Customer Referral Program', campaign_type: 'Email', status: 'Active', budget: 2500, expected_revenue: 40000 },
];

export const PROJECTS = [
  {
    name: 'Warehouse Scanner Rollout',
    status: 'Active',
    tasks: ['Site survey', 'Device configuration', 'Pilot in one warehouse', 'Full rollout', 'Staff training'],
  },
  { name: 'CRM Data Migration', status: 'Active', tasks: ['Export legacy data', 'Field mapping', 'Test import', 'Final cutover'] },
  { name: 'Support Portal Launch', status: 'Planned', tasks: ['Requirements', 'Portal design', 'Content migration'] },
  { name: 'Analytics Add-on Pilot', status: 'On Hold', tasks: ['Define KPIs', 'Dashboard prototype'] },
];

export const DOCUMENTS = [
  { name: 'Master Services Agreement (template)', category: 'Legal', status: 'Active' },
  { name: 'Price List 2026', category: 'Sales', status: 'Active' },
  { name: 'Product Brochure', category: 'Marketing', status: 'Active' },
  { name: 'Customer Onboarding Guide', category: 'Support', status: 'Active' },
  { name: 'Mutual NDA (template)', category: 'Legal', status: 'Under Review' },
  { name: 'Security Whitepaper', category: 'Knowledge Base', status: 'Draft' },
];

export const EMAIL_SUBJECTS = [
  'Re: Proposal for next year',
  'Meeting follow-up',
  'Your support request',
  'Invoice attached',
  'Re: Delivery schedule',
  'Welcome aboard!',
  'Question about pricing',
  'Re: Contract redlines',
  'Training dates',
  'Thanks for your time today',
];
