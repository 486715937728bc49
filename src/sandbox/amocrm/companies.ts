// Companies: fields, filters and write rules of `/api/v4/companies`. Phone, email, web and
// address are custom fields (PHONE, EMAIL, WEB, ADDRESS codes).
import type { CollectionSpec } from './collection.js';
import { auditOnCreate, auditOnUpdate, readAudit, type ApiContext } from './common.js';
import { applyCustomFieldWrites, customFieldText, fieldDefs, readCustomFieldWrites } from './custom-fields.js';
import { partyFilters } from './filters.js';
import { selfLink } from './hal.js';
import type { CompanyDoc } from './model.js';
import { closestTaskAt, contactIdsOfCompany, embeddedRef, leadIdsOfCompany } from './relations.js';
import { applyTagWrites, readTagWrites } from './tags.js';
import type { Reader } from './validation.js';

const filters = partyFilters<CompanyDoc>();

function render(company: CompanyDoc, ctx: ApiContext): Record<string, unknown> {
  const { _embedded, ...fields } = company;
  const embedded: Record<string, unknown> = { tags: _embedded.tags };
  if (ctx.with.has('contacts')) embedded.contacts = contactIdsOfCompany(ctx.repo, company.id).map((id) => embeddedRef('contacts', id));
  if (ctx.with.has('leads')) embedded.leads = leadIdsOfCompany(ctx.repo, company.id).map((id) => embeddedRef('leads', id));
  return {
    ...fields,
    closest_task_at: closestTaskAt(ctx.repo, 'companies', company.id),
    _links: selfLink(`/companies/${company.id}`),
    _embedded: embedded,
  };
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
  prepareCreate(body, ctx) {
    const audit = readAudit(body, ctx.repo);
    const write = readCompanyWrite(body, ctx);
    return () =>
      write({
        id: ctx.repo.nextId('companies'),
        name: '',
        ...auditOnCreate(audit, ctx),
        group_id: 0,
        is_deleted: false,
        custom_fields_values: null,
        account_id: ctx.repo.account().id,
        _embedded: { tags: [] },
      });
  },
  preparePatch(company, body, ctx) {
    const audit = readAudit(body, ctx.repo);
    const write = readCompanyWrite(body, ctx);
    return () => ({ ...write(company), ...auditOnUpdate(audit, company, ctx) });
  },
};
