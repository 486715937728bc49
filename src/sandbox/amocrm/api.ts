// The REST router: maps `/api/v4/...` paths to resource handlers. Path ids must be numeric;
// anything unmatched is a 404 problem, a known path with a method it lacks is a 405.
import type { EmulatorContext, HttpRequest, HttpResponse } from '../emulator-types.js';
import { handleAccount } from './account.js';
import { handleCollection, handleRecord, type CollectionKey, type CollectionSpec } from './collection.js';
import { makeApiContext, type ApiContext } from './common.js';
import { companies } from './companies.js';
import { contacts } from './contacts.js';
import { handleCustomFields, handleTags } from './definitions.js';
import { notFound } from './responses.js';
import { leads } from './leads.js';
import type { EntityType } from './model.js';
import { handleNotesOfEntity, handleNotesOfType } from './notes.js';
import { handlePipelines } from './pipelines.js';
import { parseWith } from './query.js';
import { Repo } from './repo.js';
import { tasks } from './tasks.js';
import { handleUsers } from './users.js';

const COLLECTIONS: { [K in CollectionKey]: CollectionSpec<K> } = { leads, contacts, companies, tasks };

function isCollectionKey(segment: string): segment is CollectionKey {
  return segment in COLLECTIONS;
}

function isEntityType(segment: string): segment is EntityType {
  return segment === 'leads' || segment === 'contacts' || segment === 'companies';
}

/** A path id: digits only (AmoCRM ids are positive integers). */
function idOf(segment: string | undefined): number | undefined {
  return segment !== undefined && /^\d{1,15}$/.test(segment) ? Number(segment) : undefined;
}

function routeNotFound(): HttpResponse {
  return notFound('Route not found');
}

/** Agents often drop the version prefix; say where the API lives instead of a bare 404. */
function outsideApi(): HttpResponse {
  return notFound('Route not found; AmoCRM API v4 paths start with /api/v4/, e.g. /api/v4/leads');
}

function collectionRoute<K extends CollectionKey>(key: K, ctx: ApiContext, req: HttpRequest, rest: string[]): HttpResponse {
  const spec = COLLECTIONS[key] as CollectionSpec<K>;
  if (rest.length === 0) return handleCollection(spec, ctx, req);
  const id = idOf(rest[0]);
  if (rest.length === 1 && id !== undefined) return handleRecord(spec, ctx, req, id);
  return routeNotFound();
}

/** Sub-resources of leads/contacts/companies: notes, custom_fields, tags (and pipelines for leads). */
function entitySubRoute(entityType: EntityType, ctx: ApiContext, req: HttpRequest, rest: string[]): HttpResponse | undefined {
  const [first, second, third, fourth] = rest;
  if (entityType === 'leads' && first === 'pipelines') {
    const pipelineId = idOf(second);
    if (rest.length === 1) return handlePipelines(req, ctx);
    if (pipelineId === undefined) return routeNotFound();
    if (rest.length === 2) return handlePipelines(req, ctx, pipelineId);
    if (third !== 'statuses') return routeNotFound();
    if (rest.length === 3) return handlePipelines(req, ctx, pipelineId, true);
    const statusId = idOf(fourth);
    return rest.length === 4 && statusId !== undefined ? handlePipelines(req, ctx, pipelineId, true, statusId) : routeNotFound();
  }
  if (first === 'notes') {
    if (rest.length === 1) return handleNotesOfType(req, ctx, entityType);
    const noteId = idOf(second);
    return rest.length === 2 && noteId !== undefined ? handleNotesOfType(req, ctx, entityType, noteId) : routeNotFound();
  }
  if (first === 'custom_fields') {
    if (rest.length === 1) return handleCustomFields(req, ctx, entityType);
    const fieldId = idOf(second);
    return rest.length === 2 && fieldId !== undefined ? handleCustomFields(req, ctx, entityType, fieldId) : routeNotFound();
  }
  if (first === 'tags' && rest.length === 1) return handleTags(req, ctx, entityType);
  const entityId = idOf(first);
  if (entityId !== undefined && second === 'notes') {
    if (rest.length === 2) return handleNotesOfEntity(req, ctx, entityType, entityId);
    const noteId = idOf(third);
    return rest.length === 3 && noteId !== undefined ? handleNotesOfEntity(req, ctx, entityType, entityId, noteId) : routeNotFound();
  }
  return undefined;
}

function route(ctx: ApiContext, req: HttpRequest, segments: string[]): HttpResponse {
  const [resource, ...rest] = segments;
  if (resource === 'account' && rest.length === 0) return handleAccount(req, ctx);
  if (resource === 'users') {
    if (rest.length === 0) return handleUsers(req, ctx);
    const userId = idOf(rest[0]);
    return rest.length === 1 && userId !== undefined ? handleUsers(req, ctx, userId) : routeNotFound();
  }
  if (isEntityType(resource) && rest.length > 0) {
    const sub = entitySubRoute(resource, ctx, req, rest);
    if (sub) return sub;
  }
  if (isCollectionKey(resource)) return collectionRoute(resource, ctx, req, rest);
  return routeNotFound();
}

/** `Emulator.handle`: one request against the store. HEAD is answered as GET without a body. */
export function handleRequest(ctx: EmulatorContext, req: HttpRequest): HttpResponse {
  const segments = req.path.split('/').filter((s) => s !== '');
  if (segments[0] !== 'api' || segments[1] !== 'v4') return outsideApi();
  const isHead = req.method === 'HEAD';
  const effective: HttpRequest = isHead ? { ...req, method: 'GET' } : req;
  const apiCtx = makeApiContext(new Repo(ctx.store), ctx.now(), parseWith(req.query));
  const response = route(apiCtx, effective, segments.slice(2));
  return isHead ? { ...response, body: null } : response;
}
