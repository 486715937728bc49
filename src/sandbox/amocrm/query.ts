// Query-string handling: PHP-style bracket keys (`filter[id][]`, `filter[statuses][0][status_id]`,
// `order[updated_at]`) into a tree, plus the paging, `with` and `order` parameters every list shares.
import { DEFAULT_LIMIT, MAX_LIMIT } from './constants.js';
import { requestProblem } from './responses.js';
import type { HttpResponse } from '../emulator-types.js';

/** A parsed query value: a string, a list of strings (`[]` keys), or a nested object. */
export type QueryNode = string | QueryNode[] | { [key: string]: QueryNode };
export type QueryTree = { [key: string]: QueryNode };

function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0 || !key.endsWith(']')) return [key];
  const segments = [key.slice(0, open)];
  for (const match of key.slice(open).matchAll(/\[([^\]]*)\]/g)) segments.push(match[1]);
  return segments;
}

function isTree(node: QueryNode | undefined): node is QueryTree {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

/** Builds the bracket tree; later scalars win over earlier ones, `[]` appends. */
export function parseQuery(params: URLSearchParams): QueryTree {
  const root: QueryTree = {};
  for (const [key, value] of params) {
    const segments = splitKey(key);
    let node: QueryTree | QueryNode[] = root;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i];
      const last = i === segments.length - 1;
      if (Array.isArray(node)) {
        // `a[][x]` style keys are not used by AmoCRM; keep the scalar and stop descending.
        if (last) node.push(value);
        break;
      }
      if (last) {
        node[segment] = value;
        break;
      }
      const nextIsAppend = segments[i + 1] === '';
      let child: QueryNode | undefined = node[segment];
      if (nextIsAppend) {
        if (!Array.isArray(child)) child = node[segment] = typeof child === 'string' ? [child] : [];
        child.push(value);
        break;
      }
      if (!isTree(child)) child = node[segment] = {};
      node = child;
    }
  }
  return root;
}

/** Every scalar under a node: `x`, `[x, y]` and `{0: x, 1: y}` all flatten to strings. */
export function scalars(node: QueryNode | undefined): string[] {
  if (node === undefined) return [];
  if (typeof node === 'string') return [node];
  if (Array.isArray(node)) return node.flatMap(scalars);
  return Object.values(node).flatMap(scalars);
}

export function subtree(node: QueryNode | undefined): QueryTree | undefined {
  return isTree(node) ? node : undefined;
}

export interface Paging {
  page: number;
  limit: number;
}

function parsePositiveInt(raw: string): number | undefined {
  return /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : undefined;
}

/** `page` from 1, `limit` 1..250 (default 50); anything else is a 400 validation problem. */
export function parsePaging(params: URLSearchParams): Paging | HttpResponse {
  const rawLimit = params.get('limit');
  const rawPage = params.get('page');
  let limit = DEFAULT_LIMIT;
  let page = 1;
  if (rawLimit !== null) {
    const parsed = parsePositiveInt(rawLimit);
    if (parsed === undefined) return requestProblem('InvalidType', 'limit', 'This value should be of type int.');
    if (parsed < 1) return requestProblem('GreaterThanOrEqual', 'limit', 'This value should be greater than or equal to 1.');
    if (parsed > MAX_LIMIT) {
      return requestProblem('LessThanOrEqual', 'limit', `This value should be less than or equal to ${MAX_LIMIT}.`);
    }
    limit = parsed;
  }
  if (rawPage !== null) {
    const parsed = parsePositiveInt(rawPage);
    if (parsed === undefined) return requestProblem('InvalidType', 'page', 'This value should be of type int.');
    if (parsed < 1) return requestProblem('GreaterThanOrEqual', 'page', 'This value should be greater than or equal to 1.');
    page = parsed;
  }
  return { page, limit };
}

/** `with=contacts,leads` as a set of lower-case names. */
export function parseWith(params: URLSearchParams): Set<string> {
  const names = params
    .getAll('with')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);
  return new Set(names);
}

export interface Order {
  field: string;
  direction: 'asc' | 'desc';
}

/** `order[<field>]=asc|desc` restricted to the fields the entity can be ordered by. */
export function parseOrder(tree: QueryTree, allowed: readonly string[]): Order | undefined | HttpResponse {
  const order = tree.order;
  if (order === undefined) return undefined;
  if (!isTree(order)) return requestProblem('InvalidType', 'order', 'This value should be of type array.');
  const entries = Object.entries(order);
  if (entries.length !== 1) return requestProblem('InvalidOrder', 'order', 'Exactly one order field is supported.');
  const [field, dirNode] = entries[0];
  if (!allowed.includes(field)) {
    return requestProblem('NotSupportedChoice', `order.${field}`, `Ordering is possible by: ${allowed.join(', ')}.`);
  }
  const direction = typeof dirNode === 'string' ? dirNode.toLowerCase() : '';
  if (direction !== 'asc' && direction !== 'desc') {
    return requestProblem('NotSupportedChoice', `order.${field}`, 'The value you selected is not a valid choice (asc or desc).');
  }
  return { field, direction };
}

/** Query string with brackets left readable, as AmoCRM's `_links` hrefs show them. */
export function serializeQuery(params: URLSearchParams): string {
  return params.toString().replace(/%5B/gi, '[').replace(/%5D/gi, ']');
}

export function isResponse(value: unknown): value is HttpResponse {
  return typeof value === 'object' && value !== null && 'status' in value && 'headers' in value && 'body' in value;
}
