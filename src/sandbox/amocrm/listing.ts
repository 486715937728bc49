// The one list pipeline every GET collection goes through: paging → filters → `query` → order →
// page slice → 204 when empty, HAL envelope otherwise.
import type { HttpRequest, HttpResponse } from '../emulator-types.js';
import { buildFilter, matchesQuery, type FilterSpec } from './filters.js';
import { listEnvelope } from './hal.js';
import { hal, noContent } from './responses.js';
import { isResponse, parseOrder, parsePaging, parseQuery } from './query.js';

export interface ListSource<D extends { id: number }> {
  /** Collection path after /api/v4, used in `_links`. */
  path: string;
  /** Key under `_embedded`. */
  key: string;
  docs: D[];
  filters?: FilterSpec<D>;
  /** Fields `order[...]` accepts; none means ordering is not supported (the parameter is ignored). */
  orderFields?: readonly string[];
  /** Texts `query` searches; without it `query` is ignored. */
  searchTexts?: (doc: D) => (string | null | undefined)[];
  render: (doc: D) => unknown;
  /** Users and custom fields report `_total_items` and `_page_count`. */
  withTotals?: boolean;
}

function orderValue(doc: object, field: string): number {
  const value = (doc as Record<string, unknown>)[field];
  return typeof value === 'number' ? value : 0;
}

export function listResponse<D extends { id: number }>(req: HttpRequest, source: ListSource<D>): HttpResponse {
  const paging = parsePaging(req.query);
  if (isResponse(paging)) return paging;
  const tree = parseQuery(req.query);

  let docs = source.docs;
  if (source.filters) {
    const predicate = buildFilter(tree, source.filters);
    if (isResponse(predicate)) return predicate;
    docs = docs.filter(predicate);
  }
  const query = req.query.get('query');
  if (query !== null && source.searchTexts) {
    const texts = source.searchTexts;
    docs = docs.filter((d) => matchesQuery(query, d.id, texts(d)));
  }

  // Default order: by id ascending, which is also creation order.
  let field = 'id';
  let sign = 1;
  if (source.orderFields) {
    const order = parseOrder(tree, source.orderFields);
    if (isResponse(order)) return order;
    if (order) {
      field = order.field;
      sign = order.direction === 'asc' ? 1 : -1;
    }
  }
  docs = [...docs].sort((a, b) => sign * (orderValue(a, field) - orderValue(b, field)) || sign * (a.id - b.id));

  const start = (paging.page - 1) * paging.limit;
  const pageDocs = docs.slice(start, start + paging.limit);
  if (pageDocs.length === 0) return noContent();
  return hal(
    listEnvelope({
      path: source.path,
      query: req.query,
      paging,
      hasNext: start + paging.limit < docs.length,
      key: source.key,
      items: pageDocs.map(source.render),
      totalItems: source.withTotals ? source.docs.length : undefined,
    }),
  );
}
