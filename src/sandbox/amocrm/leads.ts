// Leads (deals): fields, filters and write rules of `/api/v4/leads`.
import { STATUS_LOST } from './constants.js';
import { type CollectionSpec, auditedWrites } from './collection.js';
import { readLinkIds, type ApiContext } from './common.js';
import { applyCustomFieldWrites, customFieldText, fieldDefs, readCustomFieldWrites } from './custom-fields.js';
import { customFieldFilter, type FilterSpec } from './filters.js';
import { selfLink } from './hal.js';
import type { ContactLink, IdRef, LeadDoc } from './model.js';
import { closestTaskAt, embeddedRef } from './relations.js';
import { isClosedStatus, resolveStage } from './stages.js';
import { applyTagWrites, readTagWrites } from './tags.js';
import { scalars, subtree } from './query.js';
import { requestProblem } from './responses.js';
import type { Reader } from './validation.js';

/** `filter[statuses][i][pipeline_id]` + `[status_id]`: a lead matches any listed pair. */
const statusesFilter: FilterSpec<LeadDoc>[string] = {
  kind: 'custom',
  build(node, path) {
    const entries = Array.isArray(node) ? node : Object.values(subtree(node) ?? {});
    const pairs: { pipeline?: number; status?: number }[] = [];
    for (const entry of entries) {
      const pair = subtree(entry);
      if (!pair) return requestProblem('InvalidType', path, 'This value should be of type array.');
      const [pipelineRaw] = scalars(pair.pipeline_id);
      const [statusRaw] = scalars(pair.status_id);
      const pipeline = pipelineRaw === undefined ? undefined : Number(pipelineRaw);
      const status = statusRaw === undefined ? undefined : Number(statusRaw);
      if ((pipeline !== undefined && !Number.isInteger(pipeline)) || (status !== undefined && !Number.isInteger(status))) {
        return requestProblem('InvalidType', path, 'This value should be of type int.');
      }
      pairs.push({ pipeline, status });
    }
    return (lead) =>
      pairs.some(
        (p) => (p.pipeline === undefined || p.pipeline === lead.pipeline_id) && (p.status === undefined || p.status === lead.status_id),
      );
  },
};

const filters: FilterSpec<LeadDoc> = {
  id: { kind: 'int', get: (l) => l.id },
  name: { kind: 'string', get: (l) => l.name },
  price: { kind: 'int', get: (l) => l.price },
  created_by: { kind: 'int', get: (l) => l.created_by },
  updated_by: { kind: 'int', get: (l) => l.updated_by },
  responsible_user_id: { kind: 'int', get: (l) => l.responsible_user_id },
  created_at: { kind: 'int', get: (l) => l.created_at },
  updated_at: { kind: 'int', get: (l) => l.updated_at },
  closed_at: { kind: 'int', get: (l) => l.closed_at },
  pipeline_id: { kind: 'int', get: (l) => l.pipeline_id },
  statuses: statusesFilter,
  custom_fields_values: customFieldFilter((l) => l.custom_fields_values),
};

function render(lead: LeadDoc, ctx: ApiContext): Record<string, unknown> {
  const { _embedded, ...fields } = lead;
  const embedded: Record<string, unknown> = {
    tags: _embedded.tags,
    companies: _embedded.companies.map((c) => embeddedRef('companies', c.id)),
  };
  if (ctx.with.has('contacts')) {
    embedded.contacts = _embedded.contacts.map((c) => ({ id: c.id, is_main: c.is_main, _links: selfLink(`/contacts/${c.id}`) }));
  }
  return {
    ...fields,
    closest_task_at: closestTaskAt(ctx.repo, 'leads', lead.id),
    _links: selfLink(`/leads/${lead.id}`),
    _embedded: embedded,
  };
}

/** `_embedded.contacts` with the main contact flagged (the first one unless the body says otherwise). */
function contactLinks(items: Reader[]): ContactLink[] {
  const links = items.map((r) => ({ id: r.obj.id as number, is_main: r.bool('is_main') ?? false }));
  if (links.length > 0 && !links.some((l) => l.is_main)) links[0].is_main = true;
  return links;
}

function companyLinks(items: Reader[]): IdRef[] {
  return items.map((r) => ({ id: r.obj.id as number }));
}

/**
 * Validates the writable lead fields of a POST/PATCH element and returns the change to apply.
 * `current` is the lead being patched (undefined on create, where defaults apply).
 */
function readLeadWrite(body: Reader, ctx: ApiContext, current?: LeadDoc): (lead: LeadDoc) => LeadDoc {
  const { repo } = ctx;
  const name = body.nullableString('name', { max: 255 });
  const price = body.nullableInt('price', { min: 0 });
  const stage = resolveStage(
    repo,
    body.issues,
    { pipeline: 'pipeline_id', status: 'status_id' },
    { pipeline_id: body.int('pipeline_id'), status_id: body.int('status_id') },
    current,
  );
  const lossReason = body.nullableInt('loss_reason_id', { min: 0 });
  const closedAt = body.nullableInt('closed_at', { min: 0 });
  const customFields = readCustomFieldWrites(body, fieldDefs(repo, 'leads'));
  const embedded = body.object('_embedded');
  const tags = readTagWrites(body, embedded, repo, 'leads');
  const contactReaders = readLinkIds(embedded, 'contacts', repo, 'contacts');
  const contacts = contactReaders ? contactLinks(contactReaders) : undefined;
  const companyReaders = readLinkIds(embedded, 'companies', repo, 'companies', 1);
  const companies = companyReaders ? companyLinks(companyReaders) : undefined;
  return (lead) => {
    const next: LeadDoc = {
      ...lead,
      name: name !== undefined ? name : lead.name,
      price: price !== undefined ? price : lead.price,
      custom_fields_values: applyCustomFieldWrites(lead.custom_fields_values, customFields),
      _embedded: {
        tags: applyTagWrites(repo, 'leads', lead._embedded.tags, tags),
        contacts: contacts ?? lead._embedded.contacts,
        companies: companies ?? lead._embedded.companies,
      },
    };
    // Only called when validation passed, so the stage resolved.
    if (stage) {
      const wasClosed = current !== undefined && isClosedStatus(current.status_id);
      next.pipeline_id = stage.pipeline_id;
      next.status_id = stage.status_id;
      // closed_at follows the status: set when a lead reaches 142/143, cleared when it leaves them.
      if (isClosedStatus(stage.status_id)) next.closed_at = closedAt ?? (wasClosed ? lead.closed_at : ctx.now);
      else next.closed_at = null;
    }
    // A loss reason only makes sense on a lost lead (the SDK sends it only with status 143).
    next.loss_reason_id = next.status_id === STATUS_LOST ? (lossReason !== undefined ? lossReason : lead.loss_reason_id) : null;
    return next;
  };
}

export const leads: CollectionSpec<'leads'> = {
  key: 'leads',
  notFound: 'Lead not found',
  orderFields: ['created_at', 'updated_at', 'id'],
  filters,
  searchTexts: (l) => [l.name, ...customFieldText(l.custom_fields_values), ...l._embedded.tags.map((t) => t.name)],
  render,
  ...auditedWrites('leads', readLeadWrite, (r) => ({
    id: r.id,
    name: null,
    price: null,
    ...r.audit,
    group_id: 0,
    status_id: 0,
    pipeline_id: 0,
    loss_reason_id: null,
    closed_at: null,
    is_deleted: false,
    custom_fields_values: null,
    score: null,
    account_id: r.accountId,
    labor_cost: null,
    _embedded: { tags: [], companies: [], contacts: [] },
  })),
};
