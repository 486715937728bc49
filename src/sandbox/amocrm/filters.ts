// `filter[...]` semantics shared by every list: ints match one value, a list (`[]` or `[0]`), or a
// `[from]`/`[to]` range; strings match exactly (case-insensitive); booleans take 1/0/true/false.
// Unknown filter keys are ignored (AmoCRM ignores what it does not know); malformed values are a 400.
import type { HttpResponse } from '../emulator-types.js';
import { requestProblem } from './responses.js';
import type { CustomFieldValue } from './model.js';
import { scalars, subtree, type QueryNode, type QueryTree } from './query.js';

export type Predicate<D> = (doc: D) => boolean;

export type FilterRule<D> =
  | { kind: 'int'; get: (doc: D) => number | null }
  | { kind: 'string'; get: (doc: D) => string | null }
  | { kind: 'bool'; get: (doc: D) => boolean }
  | { kind: 'custom'; build: (node: QueryNode, path: string) => Predicate<D> | HttpResponse };

export type FilterSpec<D> = Record<string, FilterRule<D>>;

function invalidInt(path: string): HttpResponse {
  return requestProblem('InvalidType', path, 'This value should be of type int.');
}

function parseInts(values: string[], path: string): number[] | HttpResponse {
  const ints: number[] = [];
  for (const raw of values) {
    if (!/^-?\d+$/.test(raw.trim())) return invalidInt(path);
    ints.push(Number(raw.trim()));
  }
  return ints;
}

/** Exact value, value list, or `{from, to}` range over an int field. */
export function intPredicate<D>(node: QueryNode, path: string, get: (doc: D) => number | null): Predicate<D> | HttpResponse {
  const tree = subtree(node);
  if (tree && ('from' in tree || 'to' in tree)) {
    const bounds = parseInts([...scalars(tree.from), ...scalars(tree.to)], path);
    if (!Array.isArray(bounds)) return bounds;
    const from = tree.from !== undefined ? Number(scalars(tree.from)[0]) : -Infinity;
    const to = tree.to !== undefined ? Number(scalars(tree.to)[0]) : Infinity;
    return (doc) => {
      const v = get(doc);
      return v !== null && v >= from && v <= to;
    };
  }
  const ints = parseInts(scalars(node), path);
  if (!Array.isArray(ints)) return ints;
  const set = new Set(ints);
  return (doc) => {
    const v = get(doc);
    return v !== null && set.has(v);
  };
}

function stringPredicate<D>(node: QueryNode, get: (doc: D) => string | null): Predicate<D> {
  const wanted = new Set(scalars(node).map((s) => s.trim().toLowerCase()));
  return (doc) => {
    const v = get(doc);
    return v !== null && wanted.has(v.trim().toLowerCase());
  };
}

function boolPredicate<D>(node: QueryNode, path: string, get: (doc: D) => boolean): Predicate<D> | HttpResponse {
  const [raw] = scalars(node);
  const value = raw?.trim().toLowerCase();
  if (value !== '1' && value !== '0' && value !== 'true' && value !== 'false') {
    return requestProblem('InvalidType', path, 'This value should be of type bool (1 or 0).');
  }
  const wanted = value === '1' || value === 'true';
  return (doc) => get(doc) === wanted;
}

function isResponse<D>(p: Predicate<D> | HttpResponse): p is HttpResponse {
  return typeof p !== 'function';
}

/** Combines every known `filter[...]` key of the query into one predicate (AND). */
export function buildFilter<D>(tree: QueryTree, spec: FilterSpec<D>): Predicate<D> | HttpResponse {
  const filter = subtree(tree.filter);
  if (!filter) return () => true;
  const predicates: Predicate<D>[] = [];
  for (const [key, node] of Object.entries(filter)) {
    const rule = spec[key];
    if (!rule) continue;
    const path = `filter.${key}`;
    let predicate: Predicate<D> | HttpResponse;
    if (rule.kind === 'int') predicate = intPredicate(node, path, rule.get);
    else if (rule.kind === 'string') predicate = stringPredicate(node, rule.get);
    else if (rule.kind === 'bool') predicate = boolPredicate(node, path, rule.get);
    else predicate = rule.build(node, path);
    if (isResponse(predicate)) return predicate;
    predicates.push(predicate);
  }
  return (doc) => predicates.every((p) => p(doc));
}

/**
 * `filter[custom_fields_values][<field_id>][]=value` (any value or enum id equals) or
 * `filter[custom_fields_values][<field_id>][from|to]=n` (numeric/date range).
 */
export function customFieldFilter<D>(get: (doc: D) => CustomFieldValue[] | null): FilterRule<D> {
  return {
    kind: 'custom',
    build(node, path) {
      const byField = subtree(node);
      if (!byField) return requestProblem('InvalidType', path, 'This value should be of type array.');
      const checks: Predicate<D>[] = [];
      for (const [fieldKey, valueNode] of Object.entries(byField)) {
        const fieldId = Number(fieldKey);
        if (!Number.isInteger(fieldId)) return invalidInt(`${path}.${fieldKey}`);
        const valuesOf = (doc: D) => (get(doc) ?? []).find((f) => f.field_id === fieldId)?.values ?? [];
        const range = subtree(valueNode);
        if (range && ('from' in range || 'to' in range)) {
          const from = range.from !== undefined ? Number(scalars(range.from)[0]) : -Infinity;
          const to = range.to !== undefined ? Number(scalars(range.to)[0]) : Infinity;
          if (Number.isNaN(from) || Number.isNaN(to)) return invalidInt(`${path}.${fieldKey}`);
          checks.push((doc) => valuesOf(doc).some((v) => Number(v.value) >= from && Number(v.value) <= to));
          continue;
        }
        const wanted = new Set(scalars(valueNode).map((s) => s.toLowerCase()));
        checks.push((doc) =>
          valuesOf(doc).some(
            (v) => wanted.has(String(v.value).toLowerCase()) || (v.enum_id !== undefined && wanted.has(String(v.enum_id))),
          ),
        );
      }
      return (doc) => checks.every((c) => c(doc));
    },
  };
}

/** Digits only, so "+7 (912) 345-67-89" and "79123456789" compare equal. */
function digits(text: string): string {
  return text.replace(/\D+/g, '');
}

/**
 * AmoCRM's `query`: a full-text match over the entity's filled fields. Emulated as a
 * case-insensitive substring match over the given texts, a digits-only match for phone-like
 * queries, and an exact id match for numeric queries.
 */
export function matchesQuery(query: string, id: number, texts: (string | null | undefined)[]): boolean {
  const needle = query.trim().toLowerCase();
  if (!needle) return true;
  if (/^\d+$/.test(needle) && String(id) === needle) return true;
  const needleDigits = digits(needle);
  const phoneLike = needleDigits.length >= 3 && /^[\d\s()+\-.]+$/.test(needle);
  for (const text of texts) {
    if (!text) continue;
    if (text.toLowerCase().includes(needle)) return true;
    if (phoneLike && digits(text).includes(needleDigits)) return true;
  }
  return false;
}

/** The filters the v4 API documents for contacts and for companies alike. */
export function partyFilters<
  D extends {
    id: number;
    name: string;
    created_by: number;
    updated_by: number;
    responsible_user_id: number;
    created_at: number;
    updated_at: number;
    custom_fields_values: CustomFieldValue[] | null;
  },
>(): FilterSpec<D> {
  return {
    id: { kind: 'int', get: (c) => c.id },
    name: { kind: 'string', get: (c) => c.name },
    created_by: { kind: 'int', get: (c) => c.created_by },
    updated_by: { kind: 'int', get: (c) => c.updated_by },
    responsible_user_id: { kind: 'int', get: (c) => c.responsible_user_id },
    created_at: { kind: 'int', get: (c) => c.created_at },
    updated_at: { kind: 'int', get: (c) => c.updated_at },
    custom_fields_values: customFieldFilter((c) => c.custom_fields_values),
  };
}
