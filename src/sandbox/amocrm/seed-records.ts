// Seed of the customer records: companies, their contacts (phones and e-mails as PHONE/EMAIL
// multitext values), and leads spread over pipelines, stages and owners.
import { ACCOUNT_ID, MODEL, STATUS_LOST, STATUS_TYPE_UNSORTED, STATUS_WON } from './constants.js';
import type { CompanyDoc, ContactDoc, CustomFieldValue, LeadDoc, PipelineDoc, StatusDoc, TagRef, UserDoc } from './model.js';
import { COMPANIES, PEOPLE, PRIVATE_EMAIL_DOMAINS, PRODUCTS, RUSSIAN_SPEAKING, type SeedPerson } from './seed-data.js';
import { phoneOf, slug, timestamps, type Seeder } from './seed-kit.js';
import { fieldValue, multitextItem, type FieldsByCode } from './seed-reference.js';

const LEAD_COUNT = 45;

export function seedCompanies(s: Seeder, users: UserDoc[], fields: FieldsByCode, tags: TagRef[]): CompanyDoc[] {
  return COMPANIES.map((c) => {
    const owner = s.dice.pick(users);
    const company: CompanyDoc = {
      id: s.repo.nextId('companies'),
      name: c.name,
      responsible_user_id: owner.id,
      group_id: 0,
      created_by: owner.id,
      updated_by: owner.id,
      ...timestamps(s, 60, 360),
      is_deleted: false,
      custom_fields_values: [
        fieldValue(fields.PHONE, [multitextItem(fields.PHONE, phoneOf(s, c.country), 'WORK')]),
        fieldValue(fields.EMAIL, [multitextItem(fields.EMAIL, `info@${c.domain}`, 'WORK')]),
        fieldValue(fields.WEB, [{ value: `https://www.${c.domain}` }]),
        fieldValue(fields.ADDRESS, [{ value: c.address }]),
      ],
      account_id: ACCOUNT_ID,
      _embedded: { tags: s.dice.some(tags, 1) },
    };
    s.repo.insert(MODEL.companies, company);
    return company;
  });
}

function contactFields(s: Seeder, person: SeedPerson, fields: FieldsByCode): CustomFieldValue[] {
  const phones = [multitextItem(fields.PHONE, phoneOf(s, person.country), person.company === null ? 'MOB' : 'WORK')];
  if (person.company !== null && s.dice.chance(0.4)) phones.push(multitextItem(fields.PHONE, phoneOf(s, person.country), 'MOB'));
  const [first, last] = person.latin ?? [person.first, person.last];
  const local = `${slug(first)}.${slug(last)}`;
  const email =
    person.company === null
      ? multitextItem(fields.EMAIL, `${local}@${s.dice.pick(PRIVATE_EMAIL_DOMAINS)}`, 'PRIV')
      : multitextItem(fields.EMAIL, `${local}@${COMPANIES[person.company].domain}`, 'WORK');
  const values = [fieldValue(fields.PHONE, phones), fieldValue(fields.EMAIL, [email])];
  if (person.position) values.push(fieldValue(fields.POSITION, [{ value: person.position }]));
  return values;
}

export function seedContacts(s: Seeder, users: UserDoc[], fields: FieldsByCode, tags: TagRef[], companies: CompanyDoc[]): ContactDoc[] {
  return PEOPLE.map((person) => {
    const owner = s.dice.pick(users);
    const contact: ContactDoc = {
      id: s.repo.nextId('contacts'),
      name: `${person.first} ${person.last}`,
      first_name: person.first,
      last_name: person.last,
      responsible_user_id: owner.id,
      group_id: 0,
      created_by: owner.id,
      updated_by: owner.id,
      ...timestamps(s, 20, 300),
      is_deleted: false,
      is_unsorted: false,
      custom_fields_values: contactFields(s, person, fields),
      account_id: ACCOUNT_ID,
      _embedded: { tags: s.dice.some(tags, 1), companies: person.company === null ? [] : [{ id: companies[person.company].id }] },
    };
    s.repo.insert(MODEL.contacts, contact);
    return contact;
  });
}

/** Stage weights: more leads in the middle of the funnel, some won and lost. */
function pickStatus(s: Seeder, pipeline: PipelineDoc): StatusDoc {
  const weighted = pipeline.statuses.flatMap((status) => {
    const weight = status.type === STATUS_TYPE_UNSORTED ? 1 : status.id === STATUS_LOST ? 2 : 3;
    return Array.from({ length: weight }, () => status);
  });
  return s.dice.pick(weighted);
}

export function seedLeads(
  s: Seeder,
  users: UserDoc[],
  pipelines: PipelineDoc[],
  fields: FieldsByCode,
  tags: TagRef[],
  contacts: ContactDoc[],
  companies: CompanyDoc[],
): LeadDoc[] {
  const leads: LeadDoc[] = [];
  for (let i = 0; i < LEAD_COUNT; i++) {
    // Every contact gets at least one lead; the rest are spread at random.
    const contact = i < contacts.length ? contacts[i] : s.dice.pick(contacts);
    const companyRef = contact._embedded.companies[0];
    const company = companyRef ? companies.find((c) => c.id === companyRef.id) : undefined;
    const pipeline = s.dice.chance(0.75) ? pipelines[0] : pipelines[1];
    const status = pickStatus(s, pipeline);
    const owner = s.dice.pick(users);
    const times = timestamps(s, 1, 180);
    const closed = status.id === STATUS_WON || status.id === STATUS_LOST;
    const colleague = company ? contacts.find((c) => c.id !== contact.id && c._embedded.companies[0]?.id === company.id) : undefined;
    const linked = [{ id: contact.id, is_main: true }];
    if (colleague && s.dice.chance(0.3)) linked.push({ id: colleague.id, is_main: false });
    const custom: CustomFieldValue[] = [];
    if (s.dice.chance(0.6)) {
      const source = fields.Source;
      const option = s.dice.pick(source.enums ?? []);
      custom.push(fieldValue(source, [{ value: option.value, enum_id: option.id }]));
    }
    if (s.dice.chance(0.3)) custom.push(fieldValue(fields['Budget approved'], [{ value: true }]));
    // A lead is named in its client's language: Russian for Russian-speaking companies and people.
    const country = company ? COMPANIES[companies.indexOf(company)].country : PEOPLE[contacts.indexOf(contact)].country;
    const product = s.dice.pick(PRODUCTS)[RUSSIAN_SPEAKING.has(country) ? 1 : 0];
    const lead: LeadDoc = {
      id: s.repo.nextId('leads'),
      name: `${company ? company.name : contact.name}: ${product}`,
      price: s.dice.int(3, 400) * 5000,
      responsible_user_id: owner.id,
      group_id: 0,
      status_id: status.id,
      pipeline_id: pipeline.id,
      loss_reason_id: null,
      created_by: owner.id,
      updated_by: owner.id,
      ...times,
      closed_at: closed ? times.updated_at : null,
      is_deleted: false,
      custom_fields_values: custom.length > 0 ? custom : null,
      score: null,
      account_id: ACCOUNT_ID,
      labor_cost: null,
      _embedded: { tags: s.dice.some(tags, 2), companies: company ? [{ id: company.id }] : [], contacts: linked },
    };
    s.repo.insert(MODEL.leads, lead);
    leads.push(lead);
  }
  return leads;
}
