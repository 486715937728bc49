// `--limit` / `--cursor` paging for the sandbox's own lists (connections, actions, search):
// the Membrane envelope `{items, cursor?}` with an opaque cursor that is absent on the last page.
import { badRequest } from './error-data.js';

export interface Page<T> {
  items: T[];
  cursor?: string;
}

export function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const m = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw badRequest(`Invalid cursor '${cursor}'`);
  return Number(m[1]);
}

export function paginate<T>(all: readonly T[], limit: number | undefined, cursor: string | undefined): Page<T> {
  const start = cursor === undefined ? 0 : decodeCursor(cursor);
  const end = limit === undefined ? all.length : start + limit;
  const items = all.slice(start, end);
  return end < all.length ? { items, cursor: encodeCursor(end) } : { items };
}
