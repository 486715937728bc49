// The output budget: no result is larger than `maxChars` characters of JSON text.
// Results are cut where the cut is meaningful and the rest can be fetched:
//   1. the largest (or the preferred) array is cut at an item boundary, whole items only (the rest is paged by item offset);
//   2. if not even one item fits (one huge object, long strings, deep nesting), the JSON text itself is paged by
//      character offset; the first answer shows the document with long strings shortened (visible marker) when that fits.
// The result is always valid JSON; truncation is always explicit.

export type JsonPath = (string | number)[];

export type Pageable = { kind: 'items'; path: JsonPath; items: unknown[] } | { kind: 'text'; text: string };

export interface Cut {
  /** How the rest is reached: by item offset in `path`, or by character offset in the JSON text. */
  pageable: Pageable;
  /** Offset of the first item/character in this slice. */
  offset: number;
  returned: number;
  total: number;
  /** Strings shortened (with a visible marker) in a preview of the whole document. */
  shortenedStrings: number;
  /** Values nested deeper than the depth cap, replaced by a marker in this slice (the full text stays pageable). */
  deepValues?: number;
}

export interface Fitted {
  value: Record<string, unknown>;
  cut?: Cut;
}

const MAX_DEPTH = 48;
const MIN_STRING_CAP = 120;
/** Room kept for the `truncated` object the caller adds (ids, counts, next step). */
export const TRUNCATION_RESERVE = 700;

const size = (v: unknown) => JSON.stringify(v).length;

/** JSON-safe copy with a depth cap, so hostile nesting cannot blow the stack or the budget. `capped` counts cut-off values. */
export function sanitize(value: unknown, depth = 0, capped?: { n: number }): unknown {
  if (value === null || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') {
    return typeof value === 'number' && !Number.isFinite(value) ? null : value;
  }
  if (depth >= MAX_DEPTH) {
    if (capped) capped.n++;
    return `[nested deeper than ${MAX_DEPTH} levels]`;
  }
  if (Array.isArray(value)) return value.map((v) => sanitize(v, depth + 1, capped) ?? null);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const s = sanitize(v, depth + 1, capped);
      if (s !== undefined) out[k] = s;
    }
    return out;
  }
  return undefined; // functions, symbols, bigint: not JSON
}

/** The value at `path`, or undefined where the path leaves the document (a null or a scalar on the way). */
export function getAt(root: unknown, path: JsonPath): unknown {
  let cur = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

export function setAt(root: Record<string, unknown>, path: JsonPath, value: unknown): Record<string, unknown> {
  if (path.length === 0) return value as Record<string, unknown>;
  const [head, ...rest] = path;
  const copy: Record<string | number, unknown> = Array.isArray(root) ? ([...root] as unknown as Record<number, unknown>) : { ...root };
  copy[head] = setAt(copy[head] as Record<string, unknown>, rest, value);
  return copy as Record<string, unknown>;
}

/** The array with the largest JSON text (and at least one item), searched breadth-first. */
function largestArray(root: unknown): JsonPath | undefined {
  let best: { path: JsonPath; size: number } | undefined;
  const queue: { v: unknown; path: JsonPath }[] = [{ v: root, path: [] }];
  // An index, not queue.shift(): shifting a queue of every node of a 10,000-item result is quadratic.
  for (let head = 0; head < queue.length; head++) {
    const { v, path } = queue[head];
    if (Array.isArray(v)) {
      if (v.length > 0) {
        const s = size(v);
        if (!best || s > best.size) best = { path, size: s };
      }
      v.forEach((item, i) => queue.push({ v: item, path: [...path, i] }));
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) queue.push({ v: child, path: [...path, k] });
    }
  }
  return best?.path;
}

/** Cuts a string without splitting a surrogate pair. */
function cutString(s: string, n: number): string {
  let end = n;
  const code = s.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return s.slice(0, end);
}

function shortenStrings(v: unknown, cap: number, count: { n: number }): unknown {
  if (typeof v === 'string') {
    if (v.length <= cap) return v;
    count.n++;
    const head = cutString(v, cap);
    return `${head}…[${v.length - head.length} more characters]`;
  }
  if (Array.isArray(v)) return v.map((x) => shortenStrings(x, cap, count));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = shortenStrings(x, cap, count);
    return out;
  }
  return v;
}

function longestString(v: unknown): number {
  if (typeof v === 'string') return v.length;
  if (Array.isArray(v)) return v.reduce<number>((m, x) => Math.max(m, longestString(x)), 0);
  if (v && typeof v === 'object') return Object.values(v).reduce<number>((m, x) => Math.max(m, longestString(x)), 0);
  return 0;
}

/** The largest string cap (≥ MIN_STRING_CAP) at which `doc` fits in `limit`, or MIN_STRING_CAP when none does. */
function chooseCap(doc: unknown, limit: number): number {
  let lo = MIN_STRING_CAP;
  let hi = Math.max(MIN_STRING_CAP, longestString(doc));
  let best = MIN_STRING_CAP;
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (size(shortenStrings(doc, mid, { n: 0 })) <= limit) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

/** Largest k such that the document with items.slice(0, k) at `path` fits in `limit`. */
function itemsThatFit(doc: Record<string, unknown>, path: JsonPath, items: unknown[], limit: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (size(setAt(doc, path, items.slice(0, mid))) <= limit) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Text paging: a slice of the document's JSON text. */
export function textSlice(text: string, offset: number, maxChars: number): { value: Record<string, unknown>; returned: number } {
  const room = Math.max(MIN_STRING_CAP, maxChars - TRUNCATION_RESERVE - 200);
  let end = Math.min(text.length, offset + room);
  // JSON escaping can grow the slice (quotes, control characters); shrink until it fits.
  while (end > offset && size(text.slice(offset, end)) > room) end = offset + Math.floor((end - offset) * 0.8);
  const slice = cutString(text.slice(offset, end), end - offset);
  return { value: { jsonText: slice }, returned: slice.length };
}

/** `preferred` for a document whose arrays must not be cut apart (a JSON Schema): it is paged as JSON text. */
export const AS_TEXT = 'text';

/**
 * Fits `doc` into `maxChars`. `preferred` names the array to page (e.g. ['output', 'records']) when the
 * caller knows it, or AS_TEXT to page the JSON text; otherwise the largest array is used.
 */
export function fitToBudget(input: Record<string, unknown>, maxChars: number, preferred?: JsonPath | typeof AS_TEXT): Fitted {
  const capped = { n: 0 };
  const doc = sanitize(input, 0, capped) as Record<string, unknown>;
  const limit = maxChars - TRUNCATION_RESERVE;
  if (capped.n > 0) return fitDeep(input, doc, capped.n, limit, maxChars);
  if (size(doc) <= maxChars) return { value: doc };

  const path = preferred === AS_TEXT ? undefined : preferred && Array.isArray(getAt(doc, preferred)) ? preferred : largestArray(doc);
  if (path) {
    const items = getAt(doc, path) as unknown[];
    // Only whole items: when not even the first one fits, the JSON text is paged instead (below), so a
    // shortened string is never the only copy the agent can reach.
    const k = itemsThatFit(doc, path, items, limit);
    if (k >= 1) {
      return {
        value: setAt(doc, path, items.slice(0, k)),
        cut: { pageable: { kind: 'items', path, items }, offset: 0, returned: k, total: items.length, shortenedStrings: 0 },
      };
    }
  }

  const text = JSON.stringify(doc);
  const count = { n: 0 };
  const shortened = shortenStrings(doc, chooseCap(doc, limit), count) as Record<string, unknown>;
  if (count.n > 0 && size(shortened) <= limit) {
    // Whole document, long strings shortened; the full text stays reachable by character offset.
    return {
      value: shortened,
      cut: { pageable: { kind: 'text', text }, offset: 0, returned: 0, total: text.length, shortenedStrings: count.n },
    };
  }
  const slice = textSlice(text, 0, maxChars);
  return {
    value: slice.value,
    cut: { pageable: { kind: 'text', text }, offset: 0, returned: slice.returned, total: text.length, shortenedStrings: 0 },
  };
}

/**
 * Nesting deeper than the depth cap: the sanitized copy (markers in place of the deepest values) is shown
 * when it fits, else a slice; the full JSON text, when it can be produced, stays pageable by character offset.
 */
function fitDeep(input: unknown, doc: Record<string, unknown>, deepValues: number, limit: number, maxChars: number): Fitted {
  let full: string | undefined;
  try {
    full = JSON.stringify(input);
  } catch {
    full = undefined; // cyclic or too deep to serialize: the sanitized copy (with its markers) is all there is
  }
  const text = full ?? JSON.stringify(doc);
  const pageable: Pageable = { kind: 'text', text };
  if (size(doc) <= limit)
    return { value: doc, cut: { pageable, offset: 0, returned: 0, total: text.length, shortenedStrings: 0, deepValues } };
  const slice = textSlice(text, 0, maxChars);
  const cut: Cut = { pageable, offset: 0, returned: slice.returned, total: text.length, shortenedStrings: 0 };
  if (full === undefined) cut.deepValues = deepValues;
  return { value: slice.value, cut };
}

/** The next page of an items cut: `items[offset…]` placed back into the template, fitted again. */
export function pageItems(template: Record<string, unknown>, path: JsonPath, items: unknown[], offset: number, maxChars: number): Fitted {
  const rest = items.slice(offset);
  const doc = setAt(template, path, rest);
  let fitted = fitToBudget(doc, maxChars, path);
  // Every page carries a `truncated` object (the last one says so): the page itself must leave room for it.
  // The rest fits the budget but not that room: fewer whole items (fitToBudget would take the room off twice).
  if (!fitted.cut && size(fitted.value) > maxChars - TRUNCATION_RESERVE) {
    const clean = fitted.value;
    const k = itemsThatFit(clean, path, rest, maxChars - TRUNCATION_RESERVE);
    fitted =
      k >= 1
        ? {
            value: setAt(clean, path, (getAt(clean, path) as unknown[]).slice(0, k)),
            cut: { pageable: { kind: 'items', path, items: rest }, offset: 0, returned: k, total: rest.length, shortenedStrings: 0 },
          }
        : fitToBudget(doc, maxChars - TRUNCATION_RESERVE, path);
  }
  if (!fitted.cut)
    return {
      value: fitted.value,
      cut: { pageable: { kind: 'items', path, items }, offset, returned: rest.length, total: items.length, shortenedStrings: 0 },
    };
  if (fitted.cut.pageable.kind === 'text') return fitted;
  // The fitted cut counts within `rest`; the page is described against the whole stored list.
  return { value: fitted.value, cut: { ...fitted.cut, pageable: { kind: 'items', path, items }, offset, total: items.length } };
}
