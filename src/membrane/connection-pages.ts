// Membrane pages the connection list with a cursor (the CLI prints it, the API answers it): both backends follow
// it the same way, within one deadline and a page limit.
import type { Connection } from './membrane-client.js';

/** A workspace with more connections than 20 pages hold is not one an agent should pick from blindly. */
const MAX_CONNECTION_PAGES = 20;

/** One page of the list and the cursor of the next, as the backend gave it (anything but a new string ends the list). */
export interface ConnectionPage {
  connections: Connection[];
  cursor: unknown;
}

/**
 * Every connection: pages fetched in turn, each with the time left of one deadline, until a page is empty, has
 * no cursor or repeats the last one (a backend that does not page, or pages in a loop), or 20 pages were read.
 */
export async function allConnections(
  timeoutMs: number,
  page: (cursor: string | undefined, timeoutMs: number) => Promise<ConnectionPage>,
): Promise<Connection[]> {
  const deadline = Date.now() + timeoutMs;
  const all: Connection[] = [];
  let cursor: string | undefined;
  for (let n = 0; n < MAX_CONNECTION_PAGES; n++) {
    const { connections, cursor: next } = await page(cursor, Math.max(1, deadline - Date.now()));
    all.push(...connections);
    if (typeof next !== 'string' || !next || next === cursor || connections.length === 0) break;
    cursor = next;
  }
  return all;
}
