// Routes of a core entity collection (leads, contacts, companies, tasks): GET/POST/PATCH on the
// collection, GET/PATCH on one record. Entity modules supply the data rules; this supplies the
// HTTP behaviour they share.
import type { HttpRequest, HttpResponse } from '../emulator-types.js';
import { type ApiContext, auditOnCreate, auditOnUpdate, readAudit } from './common.js';
import type { FilterSpec } from './filters.js';
import { href, selfLink } from './hal.js';
import { hal, methodNotAllowed, notFound } from './responses.js';
import { listResponse } from './listing.js';
import type { DocsByModel } from './repo.js';
import type { Reader } from './validation.js';
import { createBatch, patchBatch, patchOne, type PatchTarget } from './writes.js';

export type CollectionKey = 'leads' | 'contacts' | 'companies' | 'tasks';

export interface CollectionSpec<K extends CollectionKey> {
  key: K;
  /** 404 detail for a missing record, e.g. "Lead not found". */
  notFound: string;
  orderFields: readonly string[];
  filters: FilterSpec<DocsByModel[K]>;
  searchTexts: (doc: DocsByModel[K]) => (string | null | undefined)[];
  render: (doc: DocsByModel[K], ctx: ApiContext) => Record<string, unknown>;
  prepareCreate: (body: Reader, ctx: ApiContext) => () => DocsByModel[K];
  preparePatch: (doc: DocsByModel[K], body: Reader, ctx: ApiContext) => () => DocsByModel[K];
  /** Extra fields in a POST response item (contacts echo is_deleted/is_unsorted). */
  createdExtras?: (doc: DocsByModel[K]) => Record<string, unknown>;
  /** Extra fields in a single-PATCH response (contacts add name). */
  patchedExtras?: (doc: DocsByModel[K]) => Record<string, unknown>;
  /** Checks on the list query beyond the generic filters (e.g. tasks' entity_id needs entity_type). */
  checkListQuery?: (req: HttpRequest) => HttpResponse | undefined;
}

/** What a new record starts from: its id, its audit fields (the body's, or AmoCRM's defaults) and the account. */
export interface NewRecord {
  id: number;
  audit: ReturnType<typeof auditOnCreate>;
  accountId: number;
}

/**
 * prepareCreate and preparePatch of an entity whose writes follow AmoCRM's one pattern: the body's audit fields
 * and the entity's own fields are read first (a bad body fails before anything is saved); a create applies them
 * to the entity's blank record, a patch to the current one, with the update's audit fields on top.
 */
export function auditedWrites<K extends CollectionKey>(
  key: K,
  readWrite: (body: Reader, ctx: ApiContext, current?: DocsByModel[K]) => (doc: DocsByModel[K]) => DocsByModel[K],
  blank: (r: NewRecord) => DocsByModel[K],
): Pick<CollectionSpec<K>, 'prepareCreate' | 'preparePatch'> {
  return {
    prepareCreate(body, ctx) {
      const audit = readAudit(body, ctx.repo);
      const write = readWrite(body, ctx);
      return () => write(blank({ id: ctx.repo.nextId(key), audit: auditOnCreate(audit, ctx), accountId: ctx.repo.account().id }));
    },
    preparePatch(doc, body, ctx) {
      const audit = readAudit(body, ctx.repo);
      const write = readWrite(body, ctx, doc);
      return () => ({ ...write(doc), ...auditOnUpdate(audit, doc, ctx) });
    },
  };
}

function patchTarget<K extends CollectionKey>(spec: CollectionSpec<K>, ctx: ApiContext, single: boolean): PatchTarget<DocsByModel[K]> {
  return {
    find: (id) => ctx.repo.get(spec.key, id),
    prepare: (doc, body) => spec.preparePatch(doc, body, ctx),
    save: (doc) => ctx.repo.update(spec.key, doc),
    item: (doc) => ({
      id: doc.id,
      ...(single && spec.patchedExtras ? spec.patchedExtras(doc) : {}),
      updated_at: doc.updated_at,
      _links: selfLink(`/${spec.key}/${doc.id}`),
    }),
  };
}

/** `/api/v4/{key}`. */
export function handleCollection<K extends CollectionKey>(spec: CollectionSpec<K>, ctx: ApiContext, req: HttpRequest): HttpResponse {
  const { repo } = ctx;
  switch (req.method) {
    case 'GET': {
      const problem = spec.checkListQuery?.(req);
      if (problem) return problem;
      return listResponse(req, {
        path: `/${spec.key}`,
        key: spec.key,
        docs: repo.all(spec.key),
        filters: spec.filters,
        orderFields: spec.orderFields,
        searchTexts: spec.searchTexts,
        render: (doc) => spec.render(doc, ctx),
      });
    }
    case 'POST':
      return repo.store.transaction(() =>
        createBatch({
          body: req.body,
          path: `/${spec.key}`,
          key: spec.key,
          prepare: (body) => spec.prepareCreate(body, ctx),
          insert: (doc) => repo.insert(spec.key, doc),
          item: (doc) => ({ id: doc.id, ...(spec.createdExtras?.(doc) ?? {}), _links: selfLink(`/${spec.key}/${doc.id}`) }),
          selfHref: href(`/${spec.key}`),
        }),
      );
    case 'PATCH':
      return repo.store.transaction(() => patchBatch(req.body, spec.key, href(`/${spec.key}`), patchTarget(spec, ctx, false)));
    default:
      // The v4 API has no DELETE (or PUT) for these entities; see responses.ts methodNotAllowed.
      return methodNotAllowed();
  }
}

/** `/api/v4/{key}/{id}`. A missing id answers 404 problem+json (the real API's choice between 204 and 404 is undocumented). */
export function handleRecord<K extends CollectionKey>(
  spec: CollectionSpec<K>,
  ctx: ApiContext,
  req: HttpRequest,
  id: number,
): HttpResponse {
  switch (req.method) {
    case 'GET': {
      const doc = ctx.repo.get(spec.key, id);
      return doc ? hal(spec.render(doc, ctx)) : notFound(spec.notFound);
    }
    case 'PATCH':
      return ctx.repo.store.transaction(() => patchOne(req.body, id, spec.notFound, patchTarget(spec, ctx, true)));
    default:
      return methodNotAllowed();
  }
}
