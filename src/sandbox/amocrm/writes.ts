// POST and PATCH bodies the AmoCRM way: arrays for create and batch update (each element
// validated, errors reported per `request_id`, nothing written unless every element is valid),
// a single object for `PATCH /{entity}/{id}`. Callers run these inside a store transaction.
import type { HttpResponse } from '../emulator-types.js';
import { MAX_BATCH } from './constants.js';
import { hal, notFound, requestProblem, validationProblem, type ValidationItem } from './responses.js';
import { Issues, isObject, Reader } from './validation.js';

/** Validates one element and returns the deferred write (called only when the whole body is valid). */
export type Prepare<D> = (body: Reader) => () => D;

/** `request_id` as AmoCRM echoes it: the client's string, else the element's index. */
function requestIdOf(element: unknown, index: number): string {
  const raw = isObject(element) ? element.request_id : undefined;
  return typeof raw === 'string' || typeof raw === 'number' ? String(raw) : String(index);
}

function checkArrayBody(body: unknown): unknown[] | HttpResponse {
  if (!Array.isArray(body)) return requestProblem('InvalidType', '', 'This value should be of type array.');
  if (body.length === 0) return requestProblem('NotBlank', '', 'This value should not be blank.');
  if (body.length > MAX_BATCH) {
    return requestProblem('Count', '', `This collection should contain ${MAX_BATCH} elements or less.`);
  }
  return body;
}

/** Stands in for the write of an element that already failed validation; never called. */
function unreachable(): never {
  throw new Error('write of an invalid element');
}

interface Prepared<D> {
  requestId: string;
  requestIdSent: boolean;
  apply: () => D;
}

function prepareAll<D>(elements: unknown[], prepareOne: (reader: Reader, index: number) => () => D): Prepared<D>[] | HttpResponse {
  const failures: ValidationItem[] = [];
  const prepared: Prepared<D>[] = [];
  elements.forEach((element, index) => {
    const requestId = requestIdOf(element, index);
    const issues = new Issues();
    if (!isObject(element)) {
      issues.type('', 'object');
      failures.push({ request_id: requestId, errors: issues.errors });
      return;
    }
    const apply = prepareOne(new Reader(element, issues), index);
    if (issues.ok) prepared.push({ requestId, requestIdSent: element.request_id !== undefined, apply });
    else failures.push({ request_id: requestId, errors: issues.errors });
  });
  return failures.length > 0 ? validationProblem(failures) : prepared;
}

export interface CreateBatch<D> {
  body: unknown;
  /** Collection path after /api/v4 and the `_embedded` key. */
  path: string;
  key: string;
  prepare: Prepare<D>;
  /** Persists the new record. */
  insert: (doc: D) => void;
  /** The response item for a created record, without `request_id` (added here). */
  item: (doc: D) => Record<string, unknown>;
  selfHref: string;
}

export function createBatch<D>(o: CreateBatch<D>): HttpResponse {
  const elements = checkArrayBody(o.body);
  if (!Array.isArray(elements)) return elements;
  const prepared = prepareAll(elements, (reader) => o.prepare(reader));
  if (!Array.isArray(prepared)) return prepared;
  const items = prepared.map(({ requestId, apply }) => {
    const doc = apply();
    o.insert(doc);
    const { _links, ...rest } = o.item(doc);
    return { ...rest, request_id: requestId, _links };
  });
  return hal({ _links: { self: { href: o.selfHref } }, _embedded: { [o.key]: items } });
}

export interface PatchTarget<D> {
  find: (id: number) => D | undefined;
  prepare: (doc: D, body: Reader) => () => D;
  save: (doc: D) => void;
  /** Response item: `{id, updated_at, ..., _links}`. */
  item: (doc: D) => Record<string, unknown>;
}

/** `PATCH /{entity}` with an array of `{id, ...}`; an unknown id fails the whole batch (nothing is written). */
export function patchBatch<D>(body: unknown, key: string, selfHref: string, target: PatchTarget<D>): HttpResponse {
  const elements = checkArrayBody(body);
  if (!Array.isArray(elements)) return elements;
  const prepared = prepareAll(elements, (reader) => {
    const id = reader.requiredInt('id');
    const doc = id === undefined ? undefined : target.find(id);
    if (id !== undefined && !doc) reader.issues.add('NotFound', 'id', 'Entity with this id was not found.');
    if (!doc) return unreachable;
    return target.prepare(doc, reader);
  });
  if (!Array.isArray(prepared)) return prepared;
  const items = prepared.map(({ requestId, requestIdSent, apply }) => {
    const doc = apply();
    target.save(doc);
    const { _links, ...rest } = target.item(doc);
    return requestIdSent ? { ...rest, request_id: requestId, _links } : { ...rest, _links };
  });
  return hal({ _links: { self: { href: selfHref } }, _embedded: { [key]: items } });
}

/** `PATCH /{entity}/{id}` with one object; answers the flat `{id, updated_at, _links}`. */
export function patchOne<D>(body: unknown, id: number, notFoundDetail: string, target: PatchTarget<D>): HttpResponse {
  const doc = target.find(id);
  if (!doc) return notFound(notFoundDetail);
  if (!isObject(body)) return requestProblem('InvalidType', '', 'This value should be of type object.');
  const issues = new Issues();
  const apply = target.prepare(doc, new Reader(body, issues));
  if (!issues.ok) return validationProblem([{ request_id: requestIdOf(body, 0), errors: issues.errors }]);
  const updated = apply();
  target.save(updated);
  return hal(target.item(updated));
}
