// Hand-written material the seed draws from: an international mix of companies and people with
// believable roles, products, task texts and note texts. Pure data; seed.ts adds ids and dates.

export interface CountryPhone {
  prefix: string;
  /** `X` = a random digit. */
  pattern: string;
}

export const PHONE_FORMATS: Record<string, CountryPhone> = {
  RU: { prefix: '+7', pattern: '9XX XXX-XX-XX' },
  KZ: { prefix: '+7', pattern: '70X XXX-XX-XX' },
  DE: { prefix: '+49', pattern: '15X XXXXXXXX' },
  CH: { prefix: '+41', pattern: '7X XXX XX XX' },
  JP: { prefix: '+81', pattern: '90-XXXX-XXXX' },
  CL: { prefix: '+56', pattern: '9 XXXX XXXX' },
  EE: { prefix: '+372', pattern: '5XXX XXXX' },
  FR: { prefix: '+33', pattern: '6 XX XX XX XX' },
  CA: { prefix: '+1', pattern: '416-XXX-XXXX' },
  KE: { prefix: '+254', pattern: '7XX XXX XXX' },
  TR: { prefix: '+90', pattern: '5XX XXX XX XX' },
  IN: { prefix: '+91', pattern: '9XXXX XXXXX' },
  PT: { prefix: '+351', pattern: '9XX XXX XXX' },
  NO: { prefix: '+47', pattern: '4XX XX XXX' },
  IT: { prefix: '+39', pattern: '3XX XXX XXXX' },
  AU: { prefix: '+61', pattern: '4XX XXX XXX' },
  PL: { prefix: '+48', pattern: '5XX XXX XXX' },
  CN: { prefix: '+86', pattern: '13X XXXX XXXX' },
  ES: { prefix: '+34', pattern: '6XX XXX XXX' },
  AE: { prefix: '+971', pattern: '50 XXX XXXX' },
  GH: { prefix: '+233', pattern: '24 XXX XXXX' },
  IE: { prefix: '+353', pattern: '8X XXX XXXX' },
  BR: { prefix: '+55', pattern: '11 9XXXX-XXXX' },
  VN: { prefix: '+84', pattern: '9X XXX XX XX' },
  GB: { prefix: '+44', pattern: '7XXX XXXXXX' },
};

export interface SeedCompany {
  name: string;
  country: string;
  domain: string;
  address: string;
}

export const COMPANIES: SeedCompany[] = [
  { name: 'Nordwind Logistik GmbH', country: 'DE', domain: 'nordwind-logistik.de', address: 'Hafenstraße 12, 20457 Hamburg, Germany' },
  { name: 'Sakura Foods K.K.', country: 'JP', domain: 'sakura-foods.jp', address: '2-4-1 Shiba-koen, Minato-ku, Tokyo, Japan' },
  { name: 'Volga Trade LLC', country: 'RU', domain: 'volgatrade.ru', address: 'ul. Rozhdestvenskaya 21, Nizhny Novgorod, Russia' },
  { name: 'Andes Mining S.A.', country: 'CL', domain: 'andesmining.cl', address: 'Av. Apoquindo 3000, Las Condes, Santiago, Chile' },
  { name: 'Baltic Timber OÜ', country: 'EE', domain: 'baltictimber.ee', address: 'Pärnu mnt 105, 11312 Tallinn, Estonia' },
  {
    name: 'Lumière Cosmétiques SARL',
    country: 'FR',
    domain: 'lumiere-cosmetiques.fr',
    address: '18 rue de la République, 69002 Lyon, France',
  },
  {
    name: 'Maple Leaf Analytics Inc.',
    country: 'CA',
    domain: 'mapleleafanalytics.ca',
    address: '100 King St W, Toronto, ON M5X 1A9, Canada',
  },
  { name: 'Savanna Solar Ltd', country: 'KE', domain: 'savannasolar.co.ke', address: 'Westlands Road 44, Nairobi, Kenya' },
  {
    name: 'Istanbul Textile A.Ş.',
    country: 'TR',
    domain: 'istanbultextile.com.tr',
    address: 'Büyükdere Cad. 185, Şişli, Istanbul, Turkey',
  },
  {
    name: 'Ganges Software Pvt Ltd',
    country: 'IN',
    domain: 'gangessoftware.in',
    address: 'Outer Ring Road, Bellandur, Bengaluru 560103, India',
  },
  { name: 'Porto Vinhos Lda', country: 'PT', domain: 'portovinhos.pt', address: 'Rua de Santa Catarina 250, 4000-442 Porto, Portugal' },
  { name: 'Ural Machinery JSC', country: 'RU', domain: 'uralmachinery.ru', address: 'pr. Kosmonavtov 18, Yekaterinburg, Russia' },
  { name: 'Fjord Seafood AS', country: 'NO', domain: 'fjordseafood.no', address: 'Bryggen 7, 5003 Bergen, Norway' },
  { name: 'Milano Design S.r.l.', country: 'IT', domain: 'milanodesign.it', address: 'Via Tortona 31, 20144 Milano, Italy' },
  {
    name: 'Pacific Rim Imports Pty Ltd',
    country: 'AU',
    domain: 'pacificrimimports.com.au',
    address: '88 Phillip St, Sydney NSW 2000, Australia',
  },
];

export interface SeedPerson {
  first: string;
  last: string;
  country: string;
  /** Index into COMPANIES, or null for a private customer. */
  company: number | null;
  position: string | null;
}

export const PEOPLE: SeedPerson[] = [
  { first: 'Hans', last: 'Müller', country: 'DE', company: 0, position: 'Head of Procurement' },
  { first: 'Katrin', last: 'Schneider', country: 'DE', company: 0, position: 'Logistics Manager' },
  { first: 'Haruto', last: 'Tanaka', country: 'JP', company: 1, position: 'Export Director' },
  { first: 'Yui', last: 'Nakamura', country: 'JP', company: 1, position: 'Purchasing Specialist' },
  { first: 'Dmitry', last: 'Volkov', country: 'RU', company: 2, position: 'CEO' },
  { first: 'Olga', last: 'Smirnova', country: 'RU', company: 2, position: 'Chief Accountant' },
  { first: 'Sergey', last: 'Kuznetsov', country: 'RU', company: 2, position: 'Sales Manager' },
  { first: 'Carlos', last: 'Rojas', country: 'CL', company: 3, position: 'Operations Manager' },
  { first: 'Valentina', last: 'Muñoz', country: 'CL', company: 3, position: 'CFO' },
  { first: 'Kristjan', last: 'Tamm', country: 'EE', company: 4, position: 'Owner' },
  { first: 'Liis', last: 'Kask', country: 'EE', company: 4, position: 'Office Manager' },
  { first: 'Chloé', last: 'Dubois', country: 'FR', company: 5, position: 'Marketing Director' },
  { first: 'Julien', last: 'Moreau', country: 'FR', company: 5, position: 'IT Manager' },
  { first: 'Emily', last: 'Clarke', country: 'CA', company: 6, position: 'VP Engineering' },
  { first: 'Liam', last: 'Tremblay', country: 'CA', company: 6, position: 'Data Team Lead' },
  { first: 'Wanjiru', last: 'Kamau', country: 'KE', company: 7, position: 'Managing Director' },
  { first: 'Otieno', last: 'Odhiambo', country: 'KE', company: 7, position: 'Project Engineer' },
  { first: 'Ayşe', last: 'Yılmaz', country: 'TR', company: 8, position: 'Procurement Manager' },
  { first: 'Mehmet', last: 'Demir', country: 'TR', company: 8, position: 'General Manager' },
  { first: 'Priya', last: 'Sharma', country: 'IN', company: 9, position: 'CTO' },
  { first: 'Arjun', last: 'Mehta', country: 'IN', company: 9, position: 'Account Manager' },
  { first: 'João', last: 'Ferreira', country: 'PT', company: 10, position: 'Export Manager' },
  { first: 'Ana', last: 'Sousa', country: 'PT', company: 10, position: 'Owner' },
  { first: 'Ivan', last: 'Sokolov', country: 'RU', company: 11, position: 'Chief Engineer' },
  { first: 'Elena', last: 'Morozova', country: 'RU', company: 11, position: 'Procurement Specialist' },
  { first: 'Sven', last: 'Johansen', country: 'NO', company: 12, position: 'Sales Director' },
  { first: 'Ingrid', last: 'Larsen', country: 'NO', company: 12, position: 'Quality Manager' },
  { first: 'Giulia', last: 'Romano', country: 'IT', company: 13, position: 'Creative Director' },
  { first: 'Matteo', last: 'Ricci', country: 'IT', company: 13, position: 'Founder' },
  { first: 'Jack', last: 'Wilson', country: 'AU', company: 14, position: 'Buyer' },
  { first: 'Olivia', last: 'Nguyen', country: 'AU', company: 14, position: 'Operations Lead' },
  { first: 'Anna', last: 'Kowalska', country: 'PL', company: null, position: null },
  { first: 'Wei', last: 'Zhang', country: 'CN', company: null, position: 'Independent consultant' },
  { first: 'Lucía', last: 'García', country: 'ES', company: null, position: null },
  { first: 'Fatima', last: 'Al-Sayed', country: 'AE', company: null, position: 'Interior designer' },
  { first: 'Kwame', last: 'Mensah', country: 'GH', company: null, position: null },
  { first: 'Aoife', last: 'Murphy', country: 'IE', company: null, position: 'Freelance photographer' },
  { first: 'Mariana', last: 'Costa', country: 'BR', company: null, position: null },
  { first: 'Aigerim', last: 'Bekova', country: 'KZ', company: null, position: 'Restaurant owner' },
  { first: 'Minh', last: 'Tran', country: 'VN', company: null, position: null },
  { first: 'Oliver', last: 'Bennett', country: 'GB', company: null, position: 'Architect' },
  { first: 'Maria', last: 'Ivanova', country: 'RU', company: null, position: null },
  { first: 'Noah', last: 'Fischer', country: 'CH', company: null, position: 'Private investor' },
  { first: 'Zofia', last: 'Wiśniewska', country: 'PL', company: null, position: null },
];

export const PRIVATE_EMAIL_DOMAINS = ['gmail.com', 'outlook.com', 'yahoo.com', 'proton.me', 'mail.ru'] as const;

export const USERS = [
  { name: 'Anna Petrova', email: 'anna.petrova@sandbox-trading.example', lang: 'ru', admin: true },
  { name: 'James Carter', email: 'james.carter@sandbox-trading.example', lang: 'en', admin: false },
  { name: 'Sofía Martínez', email: 'sofia.martinez@sandbox-trading.example', lang: 'es', admin: false },
] as const;

export interface SeedStatus {
  name: string;
  color: string;
  /** 0 normal, 1 unsorted/incoming. */
  type: 0 | 1;
}

export const PIPELINES: { name: string; stages: SeedStatus[] }[] = [
  {
    name: 'Sales',
    stages: [
      { name: 'Incoming leads', color: '#c1c1c1', type: 1 },
      { name: 'Qualified', color: '#99ccff', type: 0 },
      { name: 'Proposal sent', color: '#ffff99', type: 0 },
      { name: 'Negotiation', color: '#ffcc66', type: 0 },
      { name: 'Contract signing', color: '#deff81', type: 0 },
    ],
  },
  {
    name: 'Partnerships',
    stages: [
      { name: 'Incoming leads', color: '#c1c1c1', type: 1 },
      { name: 'Initial call', color: '#98cbff', type: 0 },
      { name: 'Due diligence', color: '#f9deff', type: 0 },
      { name: 'Agreement', color: '#87f2c0', type: 0 },
    ],
  },
];

export const PRODUCTS = [
  'CRM licences (25 seats)',
  'Annual support contract',
  'Warehouse automation pilot',
  'Website redesign',
  'Cloud migration',
  'Sales team training',
  'Fleet tracking units',
  'Packaging supply 2026',
  'Data analytics dashboard',
  'Solar panels for the new plant',
  'Cold-chain monitoring',
  'Trade show stand',
  'Spare parts framework agreement',
  'Loyalty programme integration',
  'Office furniture order',
  'Distribution agreement',
  'Mobile app development',
  'Consulting retainer',
] as const;

export const LEAD_SOURCES = ['Website', 'Referral', 'Cold call', 'Exhibition', 'Partner'] as const;

export const TAGS = {
  leads: ['VIP', 'Website', 'Referral', 'Upsell', 'Q1-2026', 'Partner'],
  contacts: ['decision-maker', 'newsletter', 'event-2025'],
  companies: ['key-account', 'distributor', 'prospect'],
} as const;

export const TASK_TEXTS = [
  'Call back to discuss the proposal',
  'Send the updated price list',
  'Prepare the contract draft',
  'Schedule a product demo',
  'Follow up after the meeting',
  'Confirm the delivery date',
  'Check the payment status',
  'Meeting at the client’s office',
  'Send case studies from similar clients',
  'Clarify technical requirements',
  'Agree on the discount with the manager',
  'Introduce the new account manager',
] as const;

export const TASK_RESULTS = [
  'Client confirmed, moving to the next stage',
  'Sent by email, waiting for feedback',
  'Done, the client asked for a call next week',
  'Meeting held, notes added to the lead',
  'No answer, will try again',
] as const;

export const NOTE_TEXTS = [
  'Client is comparing us with two other vendors; price is the main concern.',
  'Asked for a 10% discount for a two-year commitment.',
  'Decision expected after their board meeting at the end of the month.',
  'Prefers communication in English by email.',
  'Interested in the premium support package.',
  'Budget approved, waiting for the purchase order.',
  'Needs integration with their existing ERP.',
  'Met at the trade fair in Berlin, very interested.',
  'Sent the proposal and the reference list.',
  'Legal team is reviewing the contract terms.',
] as const;

export const CALL_RESULTS = ['Discussed pricing', 'Left a voicemail', 'Agreed on a demo date', 'Clarified delivery terms'] as const;
