// The emulated 1CRM REST API (`https://{host}/api.php/...`) as its public docs describe it: routes, envelopes,
// status codes and error bodies. Paths arrive without the `/api.php` prefix (a leading one is tolerated).
import type { EmulatorContext, HttpRequest, HttpResponse } from '../emulator-types.js';
import type { ApiRecord } from './fields.js';
import { badRequest, errorResponse, json, notFound, type ApiError } from './responses.js';
import { isAcceptableId } from './record-ids.js';
import { modelMetadata } from './meta.js';
import { modelByName, suggestModel, type LinkDef, type ModelDef } from './models.js';
import { parseListQuery, runList } from './query.js';
import { Repo } from './repo.js';
import { boolString } from './values.js';
import { createRecord, softDelete, updateRecord, type WriteResult } from './writes.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a route needs to answer. */
interface Call {
  ctx: EmulatorContext;
  req: HttpRequest;
  repo: Repo;
  method: Method;
}

const OVERRIDABLE = new Set(['PUT', 'PATCH', 'DELETE']);

/** POST + `X-HTTP-Method-Override: PUT|PATCH|DELETE` stands for that method (C-doc). HEAD is answered as GET. */
function effectiveMethod(req: HttpRequest): Method {
  if (req.method === 'HEAD') return 'GET';
  const override = req.headers['x-http-method-override']?.trim().toUpperCase();
  if (req.method === 'POST' && override && OVERRIDABLE.has(override)) return override as Method;
  return req.method;
}

function segmentsOf(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  return parts[0] === 'api.php' ? parts.slice(1) : parts;
}

const methodNotAllowed = (method: string, path: string, allowed: Method[]): ApiError => ({
  status: 405,
  message: `Method ${method} is not allowed on ${path}`,
  error: 'method_not_allowed',
  hint: `Allowed: ${allowed.join(', ')}`,
  headers: { allow: allowed.join(', ') },
});

function modelNotFound(name: string): ApiError {
  const near = suggestModel(name);
  return notFound(`Model ${name} not found`, near && near.name !== name ? `Did you mean ${near.name}?` : undefined);
}

const recordNotFound = (): ApiError => notFound('Not found');

function validationError(model: ModelDef, fields: Record<string, string>): ApiError {
  const summary = Object.entries(fields)
    .map(([f, reason]) => `${f}: ${reason}`)
    .join('; ');
  return {
    status: 400,
    message: `Validation failed for ${model.name}: ${summary}`,
    error: 'validation_error',
    hint: `GET /meta/fields/${model.name} lists the fields, their types, options and which are required`,
    fields,
  };
}

function writeFailure(model: ModelDef, r: Exclude<WriteResult, { ok: true }>): ApiError {
  return r.reason === 'not_found' ? recordNotFound() : validationError(model, r.fields);
}

/** The `data` object of a create/update body, or why the body is unusable. */
function dataOf(body: unknown): { data: Record<string, unknown>; create: boolean } | ApiError {
  if (typeof body === 'string') return badRequest('invalid_json', 'Request body is not valid JSON');
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(body) || !isObject(body.data)) {
    return badRequest('invalid_request', 'Request body must be a JSON object with a "data" object', 'e.g. {"data":{"name":"Acme"}}');
  }
  return { data: body.data, create: boolString(body.create) === '1' };
}

const isApiError = (v: unknown): v is ApiError => typeof v === 'object' && v !== null && 'status' in v && 'error' in v;

// ---- /data ----

function listRecords(call: Call, model: ModelDef, scope?: (s: ApiRecord) => boolean): HttpResponse {
  const parsed = parseListQuery(model, call.req.query);
  if (!parsed.ok) return errorResponse(parsed.error);
  return json(200, runList(call.repo, model, parsed.value, scope));
}

function getRecord(call: Call, model: ModelDef, id: string): HttpResponse {
  const stored = call.repo.live(model, id);
  if (!stored) return errorResponse(recordNotFound());
  const full = call.repo.materialize(model, stored);
  const parsed = parseListQuery(model, call.req.query);
  if (!parsed.ok) return errorResponse(parsed.error);
  const fields = parsed.value.fields;
  if (!fields) return json(200, { record: full });
  const record: ApiRecord = {};
  for (const f of fields) record[f] = full[f] ?? null;
  record.id = full.id;
  return json(200, { record });
}

function createFromBody(call: Call, model: ModelDef): HttpResponse {
  const body = dataOf(call.req.body);
  if (isApiError(body)) return errorResponse(body);
  const r = createRecord(call.repo, model, body.data, { at: call.ctx.now() });
  return r.ok ? json(200, { id: r.id }) : errorResponse(writeFailure(model, r));
}

function updateFromBody(call: Call, model: ModelDef, id: string): HttpResponse {
  const body = dataOf(call.req.body);
  if (isApiError(body)) return errorResponse(body);
  const at = call.ctx.now();
  // One transaction: two processes upserting the same id must not both decide to insert.
  return call.repo.store.transaction(() => {
    if (!call.repo.live(model, id) && body.create) {
      if (!isAcceptableId(id))
        return errorResponse(badRequest('invalid_id', 'Record ids are 1 to 36 characters of A-Z, a-z, 0-9, "-" or "_"'));
      const r = createRecord(call.repo, model, body.data, { at, id });
      return r.ok ? json(200, { result: true }) : errorResponse(writeFailure(model, r));
    }
    const r = updateRecord(call.repo, model, id, body.data, { at });
    return r.ok ? json(200, { result: true }) : errorResponse(writeFailure(model, r));
  });
}

// ---- related lists ----

function linkScope(link: LinkDef, owner: ModelDef, ownerRecord: ApiRecord): (s: ApiRecord) => boolean {
  switch (link.via) {
    case 'fk':
      return (s) => s[link.field] === ownerRecord.id;
    case 'parent':
      return (s) => s.parent_type === owner.name && s.parent_id === ownerRecord.id;
    case 'local':
      return (s) => !!ownerRecord[link.field] && s.id === ownerRecord[link.field];
  }
}

function resolveLink(model: ModelDef, linkName: string): { link: LinkDef; target: ModelDef } | ApiError {
  const link = model.links[linkName];
  const target = link && modelByName(link.model);
  if (!link || !target) {
    const names = Object.keys(model.links);
    const hint = names.length ? `Links of ${model.name}: ${names.join(', ')}` : `${model.name} has no links`;
    return notFound(`Link ${linkName} not found for ${model.name}`, hint);
  }
  return { link, target };
}

/** `POST /data/{Model}/{id}/{link}` with `{records:[ids], records_with_data:[{id,…}]}` links existing records. */
function addRelated(call: Call, model: ModelDef, owner: ApiRecord, link: LinkDef, target: ModelDef): HttpResponse {
  const body = call.req.body;
  const ids: string[] = [];
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const b = body as { records?: unknown; records_with_data?: unknown };
    if (Array.isArray(b.records)) ids.push(...b.records.filter((x): x is string => typeof x === 'string'));
    // Relationship fields (extra keys) are not emulated; only the ids count.
    if (Array.isArray(b.records_with_data)) {
      for (const r of b.records_with_data as unknown[]) {
        const id = typeof r === 'object' && r !== null ? (r as { id?: unknown }).id : undefined;
        if (typeof id === 'string') ids.push(id);
      }
    }
  }
  if (!ids.length) return errorResponse(badRequest('invalid_request', 'Body must be {"records":["<id>",…]}'));
  if (link.via === 'local' && ids.length > 1) {
    return errorResponse(badRequest('invalid_request', `${model.name} links to at most one ${target.name} through ${link.field}`));
  }
  const missing = ids.filter((id) => !call.repo.live(target, id));
  if (missing.length) return errorResponse(notFound('Not found', `No ${target.name} record with id ${missing.join(', ')}`));

  const at = call.ctx.now();
  const failure = call.repo.store.transaction(() => {
    for (const id of ids) {
      const r =
        link.via === 'local'
          ? updateRecord(call.repo, model, owner.id as string, { [link.field]: id }, { at })
          : updateRecord(
              call.repo,
              target,
              id,
              link.via === 'fk' ? { [link.field]: owner.id } : { parent_type: model.name, parent_id: owner.id },
              { at },
            );
      if (!r.ok) return writeFailure(link.via === 'local' ? model : target, r);
    }
    return undefined;
  });
  return failure ? errorResponse(failure) : json(200, { result: true });
}

/** `DELETE /data/{Model}/{id}/{link}/{related_id}` unlinks (the related record itself stays). */
function removeRelated(call: Call, model: ModelDef, owner: ApiRecord, link: LinkDef, target: ModelDef, relatedId: string): HttpResponse {
  const related = call.repo.live(target, relatedId);
  if (!related || !linkScope(link, model, owner)(related)) return errorResponse(recordNotFound());
  const at = call.ctx.now();
  const r =
    link.via === 'local'
      ? updateRecord(call.repo, model, owner.id as string, { [link.field]: null }, { at })
      : updateRecord(call.repo, target, relatedId, link.via === 'fk' ? { [link.field]: null } : { parent_type: null, parent_id: null }, {
          at,
        });
  return r.ok ? json(200, { result: true }) : errorResponse(writeFailure(link.via === 'local' ? model : target, r));
}

function dataRoute(call: Call, parts: string[], path: string): HttpResponse {
  const [modelName, id, linkName, relatedId] = parts;
  const model = modelByName(modelName);
  if (!model) return errorResponse(modelNotFound(modelName));
  const m = call.method;

  if (id === undefined) {
    if (m === 'GET') return listRecords(call, model);
    if (m === 'POST') return createFromBody(call, model);
    return errorResponse(methodNotAllowed(m, path, ['GET', 'POST']));
  }
  if (linkName === undefined) {
    if (m === 'GET') return getRecord(call, model, id);
    if (m === 'PATCH' || m === 'PUT') return updateFromBody(call, model, id);
    if (m === 'DELETE')
      return softDelete(call.repo, model, id, call.ctx.now()) ? json(200, { result: true }) : errorResponse(recordNotFound());
    return errorResponse(methodNotAllowed(m, path, ['GET', 'PATCH', 'PUT', 'DELETE']));
  }

  const allowed: Method[] = relatedId === undefined ? ['GET', 'POST'] : ['DELETE'];
  if (!allowed.includes(m)) return errorResponse(methodNotAllowed(m, path, allowed));
  const owner = call.repo.live(model, id);
  if (!owner) return errorResponse(recordNotFound());
  const resolved = resolveLink(model, linkName);
  if (isApiError(resolved)) return errorResponse(resolved);
  const { link, target } = resolved;
  if (relatedId !== undefined) return removeRelated(call, model, owner, link, target, relatedId);
  if (m === 'POST') return addRelated(call, model, owner, link, target);
  return listRecords(call, target, linkScope(link, model, owner));
}

// ---- utility endpoints ----

/** `GET /me`: the API user, in the shape of C-php utility.md (`id` is "Users:<id>"). */
function me(call: Call): HttpResponse {
  const userModel = modelByName('User');
  const id = call.repo.currentUserId();
  const stored = userModel && id ? call.repo.live(userModel, id) : undefined;
  if (!userModel || !stored) return errorResponse({ status: 401, message: 'Not authenticated', error: 'unauthorized' });
  const u = call.repo.materialize(userModel, stored);
  return json(200, {
    id: `Users:${u.id}`,
    name: u.name,
    first_name: u.first_name,
    last_name: u.last_name,
    role: u.is_admin === '1' ? 'admin' : 'user',
    groups: [],
    email: u.email1,
    timezone: 'UTC',
    is_partner: false,
  });
}

function route(call: Call, path: string): HttpResponse {
  const parts = segmentsOf(path);
  const [head, ...rest] = parts;
  const onlyGet = (answer: () => HttpResponse) =>
    call.method === 'GET' ? answer() : errorResponse(methodNotAllowed(call.method, path, ['GET']));

  if (head === 'data' && rest.length >= 1 && rest.length <= 4) return dataRoute(call, rest, path);
  if (head === 'version' && rest.length === 0) {
    return onlyGet(() => json(200, { version: '8.5.0', authenticated: true, products: ['enterprise'] }));
  }
  if (head === 'me' && rest.length === 0) return onlyGet(() => me(call));
  if (head === 'meta' && rest[0] === 'fields' && rest.length === 2) {
    return onlyGet(() => {
      const model = modelByName(rest[1]);
      return model ? json(200, modelMetadata(model)) : errorResponse(modelNotFound(rest[1]));
    });
  }
  return errorResponse(
    notFound(`Unknown endpoint ${path}`, 'Endpoints: /data/{Model}[/{id}[/{link}]], /meta/fields/{Model}, /me, /version'),
  );
}

export function handle(ctx: EmulatorContext, req: HttpRequest): HttpResponse {
  const call: Call = { ctx, req, repo: new Repo(ctx.store), method: effectiveMethod(req) };
  const res = route(call, req.path);
  return req.method === 'HEAD' ? { ...res, body: null } : res;
}
