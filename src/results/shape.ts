// Compact shapes for raw CRM API responses. HAL (AmoCRM) spends most of its bytes on `_links`;
// 1CRM wraps lists in {records, total_results}. Compact keeps the data and the paging, nothing else.
// `raw` returns the body exactly as the CRM sent it.

export type Shape = 'compact' | 'raw';

export interface NextPage {
  path: string;
  /** Repeated keys (`filter[id][]=1&filter[id][]=2`) as arrays, which proxy_request's `query` repeats. */
  query: Record<string, string | string[]>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Removes HAL `_links` at every level. */
function dropLinks(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropLinks);
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === '_links') continue;
    out[k] = dropLinks(x);
  }
  return out;
}

/** `_links.next.href` as a path + query the agent can pass straight back to proxy_request. */
function nextPageOf(body: Record<string, unknown>): NextPage | undefined {
  const href = ((body._links as Record<string, unknown> | undefined)?.next as { href?: unknown } | undefined)?.href;
  if (typeof href !== 'string') return undefined;
  try {
    const url = new URL(href, 'https://placeholder.invalid');
    const query: Record<string, string | string[]> = {};
    for (const key of new Set(url.searchParams.keys())) {
      const values = url.searchParams.getAll(key);
      query[key] = values.length > 1 ? values : values[0];
    }
    return { path: url.pathname, query };
  } catch {
    return undefined;
  }
}

function shapeHal(body: Record<string, unknown>): Record<string, unknown> {
  const embedded = body._embedded;
  const out: Record<string, unknown> = {};
  const listKeys = isObject(embedded) ? Object.keys(embedded).filter((k) => Array.isArray(embedded[k])) : [];
  // A list envelope: exactly one embedded collection and paging/total fields around it.
  if (
    isObject(embedded) &&
    listKeys.length === 1 &&
    ('_page' in body || '_total_items' in body || Object.keys(body).every((k) => k.startsWith('_')))
  ) {
    out.items = dropLinks(embedded[listKeys[0]]);
    out.entity = listKeys[0];
    if (typeof body._page === 'number') out.page = body._page;
    if (typeof body._total_items === 'number') out.total = body._total_items;
    if (typeof body._page_count === 'number') out.pageCount = body._page_count;
    const next = nextPageOf(body);
    if (next) out.nextPage = next;
    for (const [k, v] of Object.entries(body)) {
      if (!k.startsWith('_')) out[k] = dropLinks(v);
    }
    return out;
  }
  return dropLinks(body) as Record<string, unknown>;
}

function looksHal(body: Record<string, unknown>): boolean {
  return '_links' in body || '_embedded' in body;
}

export function shapeBody(body: unknown, shape: Shape): unknown {
  if (shape === 'raw' || !isObject(body)) return body;
  if (Array.isArray(body.records) && 'total_results' in body) {
    const { records, total_results, ...rest } = body;
    const total = Number(total_results);
    return { items: records, ...(Number.isFinite(total) ? { total } : {}), ...rest };
  }
  if (looksHal(body)) return shapeHal(body);
  return body;
}

function isEmpty(v: unknown): boolean {
  return v === null || v === '' || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
}

/** Drops null and empty fields of objects at every level (array items keep their places), and HAL `_links`. */
function withoutEmpty(v: unknown, keep: ReadonlySet<string>, depth: number): unknown {
  if (Array.isArray(v)) return v.map((x) => withoutEmpty(x, keep, depth + 1));
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === '_links') continue;
    const shaped = withoutEmpty(x, keep, depth + 1);
    // A field the call set (its input names it) stays even when empty: clearing it is what the call changed.
    if (isEmpty(shaped) && !(depth <= 2 && keep.has(k))) continue;
    out[k] = shaped;
  }
  return out;
}

/**
 * An action's output in the compact shape: records without null or empty fields (a 1CRM create echoes
 * dozens of `"x": null`), ids, names and set values kept, and the fields named in `input` kept even when the
 * call emptied them. `raw` returns the output as the CRM gave it.
 */
export function shapeOutput(output: unknown, shape: Shape, input: Record<string, unknown> = {}): unknown {
  if (shape === 'raw') return output;
  return withoutEmpty(output, new Set(Object.keys(input)), 0);
}

const COMPACT_HEADERS = new Set(['content-type', 'retry-after', 'location', 'x-ratelimit-remaining', 'x-ratelimit-limit', 'x-total-count']);
const NEVER_HEADERS = new Set(['set-cookie', 'authorization', 'proxy-authorization', 'cookie', 'www-authenticate']);

/** Headers sit outside the budgeted body, so they are bounded here: per value and in total. */
const MAX_HEADER_VALUE = 500;
const MAX_HEADERS_CHARS = 4000;

export function shapeHeaders(headers: Record<string, string>, shape: Shape): Record<string, string> {
  const out: Record<string, string> = {};
  let chars = 0;
  let omitted = 0;
  for (const [k, v] of Object.entries(headers)) {
    const name = k.toLowerCase();
    if (NEVER_HEADERS.has(name)) continue;
    if (shape === 'compact' && !COMPACT_HEADERS.has(name)) continue;
    const value = v.length > MAX_HEADER_VALUE ? `${v.slice(0, MAX_HEADER_VALUE)}…[${v.length - MAX_HEADER_VALUE} more characters]` : v;
    if (chars + name.length + value.length > MAX_HEADERS_CHARS) {
      omitted++;
      continue;
    }
    chars += name.length + value.length;
    out[name] = value;
  }
  if (omitted) out['x-omitted-headers'] = `${omitted} more header(s) left out to fit the output budget`;
  return out;
}
