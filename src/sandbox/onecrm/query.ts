// List semantics of `GET /data/{Model}` (and related lists): offset/limit paging (max 200), `fields[]`,
// `filters[name]` restricted to the model's filter names, `filter_text`, `order` ("field" or "field DESC").
import type { ApiRecord } from './fields.js';
import { FILTER_SEMANTICS, type FilterDef } from './filters.js';
import { badRequest, type ApiError } from './responses.js';
import type { ModelDef } from './models.js';
import type { Repo } from './repo.js';
import { boolString } from './values.js';

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 200;

export interface ListQuery {
  offset: number;
  limit: number;
  /** Requested fields; undefined = the model's default list fields. */
  fields?: string[];
  /** Filter name → accepted values (any of). */
  filters: Map<string, string[]>;
  order?: { field: string; desc: boolean };
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: ApiError };

const fail = (error: ApiError): Parsed<never> => ({ ok: false, error });

function nonNegativeInt(q: URLSearchParams, name: string): number | undefined | null {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  return /^\d+$/.test(raw.trim()) ? Number(raw) : null;
}

/** `fields[]=a&fields[]=b`, `fields[0]=a`, or `fields=a,b`. */
function requestedFields(q: URLSearchParams): string[] | undefined {
  const names: string[] = [];
  for (const [key, value] of q) {
    if (key === 'fields' || key === 'fields[]' || /^fields\[\d+\]$/.test(key)) {
      names.push(
        ...value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      );
    }
  }
  return names.length ? names : undefined;
}

/** `filters[name]=v`, `filters[name][]=v` (repeatable), and the top-level `filter_text` shortcut. */
function requestedFilters(q: URLSearchParams): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (name: string, value: string) => {
    if (value.trim() === '') return;
    out.set(name, [...(out.get(name) ?? []), value.trim()]);
  };
  for (const [key, value] of q) {
    const m = /^filters\[([^\]]+)\](?:\[\d*\])?$/.exec(key);
    if (m) add(m[1], value);
  }
  const text = q.get('filter_text');
  if (text) add('filter_text', text);
  return out;
}

function filterValueProblem(def: FilterDef, value: string): string | undefined {
  if ((def.type === 'enum' || def.type === 'owner') && !def.options?.some((o) => o.value === value)) {
    return `must be one of: ${def.options?.map((o) => o.value).join(', ')}`;
  }
  if (def.type === 'bool' && boolString(value) === undefined) return 'must be 1 or 0';
  if (def.type === 'phone' && !/\d/.test(value)) return 'must contain digits';
  return undefined;
}

export function parseListQuery(model: ModelDef, q: URLSearchParams): Parsed<ListQuery> {
  const offset = nonNegativeInt(q, 'offset');
  if (offset === null) return fail(badRequest('invalid_parameter', 'offset must be a non-negative integer'));
  const limit = nonNegativeInt(q, 'limit');
  if (limit === null || limit === 0) {
    return fail(badRequest('invalid_parameter', `limit must be an integer from 1 to ${MAX_LIMIT}`));
  }

  const fields = requestedFields(q);
  const unknownFields = fields?.filter((f) => !model.fieldMap.has(f)) ?? [];
  if (unknownFields.length) {
    return fail(
      badRequest(
        'invalid_field',
        `Unknown field${unknownFields.length > 1 ? 's' : ''} for ${model.name}: ${unknownFields.join(', ')}`,
        `GET /meta/fields/${model.name} lists the fields`,
      ),
    );
  }

  const filters = requestedFilters(q);
  for (const [name, values] of filters) {
    const def = model.filterMap.get(name);
    if (!def) {
      return fail(
        badRequest(
          'invalid_filter',
          `Unknown filter '${name}' for ${model.name}`,
          `Filters must be filter names defined for the model: ${[...model.filterMap.keys()].join(', ')}`,
        ),
      );
    }
    for (const v of values) {
      const problem = filterValueProblem(def, v);
      if (problem) return fail(badRequest('invalid_filter', `Filter '${name}' ${problem}`, `${name}: ${FILTER_SEMANTICS[def.type]}`));
    }
  }

  let order: ListQuery['order'];
  const rawOrder = q.get('order');
  if (rawOrder && rawOrder.trim()) {
    const m = /^\s*([A-Za-z0-9_]+)(?:\s+(asc|desc))?\s*$/i.exec(rawOrder);
    if (!m || !model.fieldMap.has(m[1])) {
      return fail(
        badRequest(
          'invalid_order',
          `Cannot order ${model.name} by '${rawOrder}'`,
          'order is "<field>" or "<field> DESC" with a field of the model',
        ),
      );
    }
    order = { field: m[1], desc: m[2]?.toLowerCase() === 'desc' };
  }

  return {
    ok: true,
    value: { offset: offset ?? 0, limit: Math.min(limit ?? DEFAULT_LIMIT, MAX_LIMIT), fields, filters, order },
  };
}

const digits = (s: string) => s.replace(/\D/g, '');

function matches(def: FilterDef, values: string[], r: ApiRecord, me: string | null): boolean {
  const fieldValues = def.fields.map((f) => r[f] ?? null);
  return values.some((v) => {
    const lower = v.toLowerCase();
    // "+1 (415) 555-0100" finds "+1 415 555 0100": a phone-looking search compares digits only.
    const phoneLike = digits(v).length >= 3 && /^[\d\s()+.-]+$/.test(v);
    switch (def.type) {
      case 'unified_search':
        return fieldValues.some((fv) => fv !== null && (fv.toLowerCase().includes(lower) || (phoneLike && digits(fv).includes(digits(v)))));
      case 'owner':
        return v === 'all' || (v === 'mine' ? r.assigned_user_id === me : r.assigned_user_id !== me);
      case 'ref': {
        const [display, id] = fieldValues;
        return id === v || (display ?? '').toLowerCase().startsWith(lower);
      }
      case 'varchar':
        return fieldValues.some((fv) => fv !== null && fv.toLowerCase().startsWith(lower));
      case 'enum':
      case 'id':
        return fieldValues.some((fv) => fv === v);
      case 'bool':
        return fieldValues.some((fv) => (fv ?? '0') === boolString(v));
      case 'phone':
        return fieldValues.some((fv) => fv !== null && digits(fv).includes(digits(v)));
      case 'email':
        return fieldValues.some((fv) => fv !== null && fv.toLowerCase().includes(lower));
    }
  });
}

const NUMERIC = new Set(['int', 'double', 'currency']);

function compareBy(model: ModelDef, order: NonNullable<ListQuery['order']>) {
  const numeric = NUMERIC.has(model.fieldMap.get(order.field)?.type ?? '');
  const dir = order.desc ? -1 : 1;
  return (a: ApiRecord, b: ApiRecord): number => {
    const x = a[order.field] ?? null;
    const y = b[order.field] ?? null;
    if (x === y) return 0;
    // NULLs first ascending, last descending, as MySQL orders them.
    if (x === null) return -dir;
    if (y === null) return dir;
    if (numeric) return (Number(x) - Number(y)) * dir;
    const xl = x.toLowerCase();
    const yl = y.toLowerCase();
    return (xl < yl ? -1 : xl > yl ? 1 : x < y ? -1 : 1) * dir;
  };
}

export interface ListBody {
  records: ApiRecord[];
  total_results: number;
}

/**
 * Runs a parsed list query over the live records of `model` (optionally narrowed by `scope`, for related
 * lists). Rows hold the requested fields (or the default list fields), `id` and `_display`.
 */
export function runList(repo: Repo, model: ModelDef, query: ListQuery, scope?: (stored: ApiRecord) => boolean): ListBody {
  const me = repo.currentUserId();
  const rows = repo
    .liveAll(model)
    .filter((s) => !scope || scope(s))
    .map((stored) => ({ stored, full: repo.materialize(model, stored) }))
    .filter(({ full }) => [...query.filters].every(([name, values]) => matches(model.filterMap.get(name) as FilterDef, values, full, me)));

  if (query.order) {
    const cmp = compareBy(model, query.order);
    // Array.prototype.sort is stable, so ties keep insertion order.
    rows.sort((a, b) => cmp(a.full, b.full));
  }

  const page = rows.slice(query.offset, query.offset + query.limit);
  const names = query.fields ?? model.listFields;
  return {
    records: page.map(({ stored, full }) => {
      const row: ApiRecord = {};
      if (!query.fields) row.id = full.id;
      for (const n of names) row[n] = full[n] ?? null;
      row.id = full.id;
      row._display = repo.display(model, stored);
      return row;
    }),
    total_results: rows.length,
  };
}
