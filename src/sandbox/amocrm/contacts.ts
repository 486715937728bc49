// Contacts: fields, filters and write rules of `/api/v4/contacts`. Phones and emails are not
// top-level fields; they are the PHONE/EMAIL multitext custom fields.
import { type CollectionSpec, auditedWrites } from './collection.js';
import { readLinkIds, type ApiContext } from './common.js';
import { applyCustomFieldWrites, customFieldText, fieldDefs, readCustomFieldWrites } from './custom-fields.js';
import { partyFilters } from './filters.js';
import type { ContactDoc } from './model.js';
import { embeddedRef, leadIdsOfContact, partyResource } from './relations.js';
import { applyTagWrites, readTagWrites } from './tags.js';
import type { Reader } from './validation.js';

const filters = partyFilters<ContactDoc>();

function render(contact: ContactDoc, ctx: ApiContext): Record<string, unknown> {
  const embedded: Record<string, unknown> = {
    tags: contact._embedded.tags,
    companies: contact._embedded.companies.map((c) => embeddedRef('companies', c.id)),
  };
  if (ctx.with.has('leads')) embedded.leads = leadIdsOfContact(ctx.repo, contact.id).map((id) => embeddedRef('leads', id));
  return partyResource('contacts', contact, embedded, ctx.repo);
}

/** `name` wins; otherwise it is built from first_name + last_name (as AmoCRM does). */
function fullName(first: string, last: string): string {
  return [first, last].filter((part) => part.trim() !== '').join(' ');
}

function readContactWrite(body: Reader, ctx: ApiContext): (contact: ContactDoc) => ContactDoc {
  const { repo } = ctx;
  const name = body.string('name', { max: 255 });
  const firstName = body.string('first_name', { max: 255 });
  const lastName = body.string('last_name', { max: 255 });
  const customFields = readCustomFieldWrites(body, fieldDefs(repo, 'contacts'));
  const embedded = body.object('_embedded');
  const tags = readTagWrites(body, embedded, repo, 'contacts');
  // A contact belongs to at most one company in AmoCRM.
  const companyReaders = readLinkIds(embedded, 'companies', repo, 'companies', 1);
  const companies = companyReaders?.map((r) => ({ id: r.obj.id as number }));
  return (contact) => {
    const first_name = firstName ?? contact.first_name;
    const last_name = lastName ?? contact.last_name;
    const nameChanged = firstName !== undefined || lastName !== undefined;
    return {
      ...contact,
      first_name,
      last_name,
      name: name ?? (nameChanged ? fullName(first_name, last_name) : contact.name),
      custom_fields_values: applyCustomFieldWrites(contact.custom_fields_values, customFields),
      _embedded: {
        tags: applyTagWrites(repo, 'contacts', contact._embedded.tags, tags),
        companies: companies ?? contact._embedded.companies,
      },
    };
  };
}

export const contacts: CollectionSpec<'contacts'> = {
  key: 'contacts',
  notFound: 'Contact not found',
  orderFields: ['created_at', 'updated_at', 'id'],
  filters,
  searchTexts: (c) => [c.name, c.first_name, c.last_name, ...customFieldText(c.custom_fields_values)],
  render,
  ...auditedWrites('contacts', readContactWrite, (r) => ({
    id: r.id,
    name: '',
    first_name: '',
    last_name: '',
    ...r.audit,
    group_id: 0,
    is_deleted: false,
    is_unsorted: false,
    custom_fields_values: null,
    account_id: r.accountId,
    _embedded: { tags: [], companies: [] },
  })),
  createdExtras: (c) => ({ is_deleted: c.is_deleted, is_unsorted: c.is_unsorted }),
  patchedExtras: (c) => ({ name: c.name }),
};
