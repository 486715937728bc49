// Per-entity-type dictionaries: custom field definitions (`/api/v4/{et}/custom_fields[/{id}]`,
// paged with totals) and tags (`/api/v4/{et}/tags`, paged, searchable by `query`).
import type { HttpRequest, HttpResponse } from '../emulator-types.js';
import type { ApiContext } from './common.js';
import { MODEL } from './constants.js';
import { selfLink } from './hal.js';
import { hal, methodNotAllowed, notFound } from './responses.js';
import { listResponse } from './listing.js';
import type { CustomFieldDef, EntityType, TagDoc } from './model.js';

function renderField(def: CustomFieldDef): Record<string, unknown> {
  return { ...def, _links: selfLink(`/${def.entity_type}/custom_fields/${def.id}`) };
}

export function handleCustomFields(req: HttpRequest, ctx: ApiContext, entityType: EntityType, fieldId?: number): HttpResponse {
  if (req.method !== 'GET') return methodNotAllowed('GET');
  const defs = ctx.repo.all(MODEL.customFields).filter((d) => d.entity_type === entityType);
  if (fieldId !== undefined) {
    const def = defs.find((d) => d.id === fieldId);
    return def ? hal(renderField(def)) : notFound('Custom field not found');
  }
  return listResponse(req, {
    path: `/${entityType}/custom_fields`,
    key: 'custom_fields',
    docs: defs,
    render: renderField,
    withTotals: true,
  });
}

function renderTag(tag: TagDoc): Record<string, unknown> {
  return { id: tag.id, name: tag.name, color: tag.color };
}

export function handleTags(req: HttpRequest, ctx: ApiContext, entityType: EntityType): HttpResponse {
  if (req.method !== 'GET') return methodNotAllowed('GET');
  return listResponse(req, {
    path: `/${entityType}/tags`,
    key: 'tags',
    docs: ctx.repo.all(MODEL.tags).filter((t) => t.entity_type === entityType),
    filters: { id: { kind: 'int', get: (t) => t.id }, name: { kind: 'string', get: (t) => t.name } },
    searchTexts: (t) => [t.name],
    render: renderTag,
  });
}
