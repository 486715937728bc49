// Companies: fields, filters and write rules of `/api/v4/companies`. Phone, email, web and
// address are custom fields (PHONE, EMAIL, WEB, ADDRESS codes).
import { type CollectionSpec, auditedWrites } from './collection.js';
import type { ApiContext } from './common.js';
import { applyCustomFieldWrites, customFieldText, fieldDefs, readCustomFieldWrites } from './custom-fields.js';
import { partyFilters } from './filters.js';
import type { CompanyDoc } from './model.js';
import { contactIdsOfCompany, embeddedRef, leadIdsOfCompany, partyResource } from './relations.js';
import { applyTagWrites, readTagWrites } from './tags.js';
import type { Reader } from './validation.js';

const filters = partyFilters<CompanyDoc>();

function render(company: CompanyDoc, ctx: ApiContext): Record<string, unknown> {
  const embedded: Record<string, unknown> = { tags: company._embedded.tags };
  if (ctx.with.has('contacts')) embedded.contacts = contactIdsOfCompany(ctx.repo, company.id).map((id) => embeddedRef('contacts', id));
  if (ctx.with.has('leads')) embedded.leads = leadIdsOfCompany(ctx.repo, company.id).map((id) => embeddedRef('leads', id));
  return partyResource('companies', company, embedded, ctx.repo);
}

function readCompanyWrite(body: Reader, ctx: ApiContext): (company: CompanyDoc) => CompanyDoc {
  const { repo } = ctx;
  const name = body.string('name', { max: 255 });
  const customFields = readCustomFieldWrites(body, fieldDefs(repo, 'companies'));
  const tags = readTagWrites(body, body.object('_embedded'), repo, 'companies');
  return (company) => ({
    ...company,
    name: name ?? company.name,
    custom_fields_values: applyCustomFieldWrites(company.custom_fields_values, customFields),
    _embedded: { tags: applyTagWrites(repo, 'companies', company._embedded.tags, tags) },
  });
}

export const companies: CollectionSpec<'companies'> = {
  key: 'companies',
  notFound: 'Company not found',
  orderFields: ['created_at', 'updated_at', 'id'],
  filters,
  searchTexts: (c) => [c.name, ...customFieldText(c.custom_fields_values)],
  render,
  ...auditedWrites('companies', readCompanyWrite, (r) => ({
    id: r.id,
    name: '',
    ...r.audit,
    group_id: 0,
    is_deleted: false,
    custom_fields_values: null,
    account_id: r.accountId,
    _embedded: { tags: [] },
  })),
};
