// HAL pieces: absolute `_links` and the list envelope (`_page`, `_links.self/first/prev/next`,
// `_embedded.<entity>`). `next` appears only when another page exists, as in AmoCRM.
import { API_PREFIX, BASE_URL } from './constants.js';
import { serializeQuery, type Paging } from './query.js';

export interface Link {
  href: string;
}

export function href(path: string): string {
  return `${BASE_URL}${API_PREFIX}${path}`;
}

export function selfLink(path: string): { self: Link } {
  return { self: { href: href(path) } };
}

function pageHref(path: string, query: URLSearchParams, page: number, limit: number): string {
  const params = new URLSearchParams(query);
  params.set('page', String(page));
  params.set('limit', String(limit));
  return `${href(path)}?${serializeQuery(params)}`;
}

export function pageLinks(path: string, query: URLSearchParams, paging: Paging, hasNext: boolean): Record<string, Link> {
  const { page, limit } = paging;
  const links: Record<string, Link> = { self: { href: pageHref(path, query, page, limit) } };
  if (hasNext) links.next = { href: pageHref(path, query, page + 1, limit) };
  links.first = { href: pageHref(path, query, 1, limit) };
  if (page > 1) links.prev = { href: pageHref(path, query, page - 1, limit) };
  return links;
}

export interface ListEnvelopeOptions {
  /** Collection path after /api/v4, e.g. '/leads'. */
  path: string;
  query: URLSearchParams;
  paging: Paging;
  hasNext: boolean;
  /** Key under `_embedded`, e.g. 'leads'. */
  key: string;
  items: unknown[];
  /** Users, pipelines and custom fields report totals; leads, contacts, companies, tasks and notes do not. */
  totalItems?: number;
}

export function listEnvelope(o: ListEnvelopeOptions): Record<string, unknown> {
  const totals =
    o.totalItems === undefined ? {} : { _total_items: o.totalItems, _page_count: Math.max(1, Math.ceil(o.totalItems / o.paging.limit)) };
  return {
    ...totals,
    _page: o.paging.page,
    _links: pageLinks(o.path, o.query, o.paging, o.hasNext),
    _embedded: { [o.key]: o.items },
  };
}
