// The output budget (DESIGN.md §8.5): no result is larger than `maxChars` characters of JSON text.
// Results are cut where the cut is meaningful and the rest can be fetched:
//   1. strings longer than half the budget are shortened, with a visible marker;
//   2. the largest array is cut at an item boundary (the rest is paged by item offset);
//   3. if that is not enough (one huge object, deep nesting), the JSON text itself is paged by character offset.
// The result is always valid JSON; truncation is always explicit.

export type JsonPath = (string | number)[];

export type Pageable =
  | { kind: 'items'; path: JsonPath; items: unknown[] }
  | { kind: 'text'; text: string };

export interface Cut {
  /** How the rest is reached: by item offset in `path`, or by character offset in the JSON text. */
  pageable: Pageable;
  /** Offset of the first item/character in this slice. */
  offset: number;
  returned: number;
  total: number;
  /** Strings shortened by step 1. */
  shortenedStrings: number;
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

/** JSON-safe copy with a depth cap, so hostile nesting cannot blow the stack or the budget. */
export function sanitize(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') {
    return typeof value === 'number' && !Number.isFinite(value) ? null : value;
  }
  if (depth >= MAX_DEPTH) return `[nested deeper than ${MAX_DEPTH} levels]`;
  if (Array.isArray(value)) return value.map((v) => sanitize(v, depth + 1) ?? null);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const s = sanitize(v, depth + 1);
      if (s !== undefined) out[k] = s;
    }
    return out;
  }
  return undefined; // functions, symbols, bigint: not JSON
}

function getAt(root: unknown, path: JsonPath): unknown {
  let cur = root;
  for (const key of path) cur = (cur as Record<string | number, unknown>)[key];
  return cur;
}

function setAt(root: Record<string, unknown>, path: JsonPath, value: unknown): Record<string, unknown> {
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
  while (queue.length) {
    const { v, path } = queue.shift()!;
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
    return `${cutString(v, cap)}…[${v.length - cap} more characters]`;
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

/**
 * Fits `doc` into `maxChars`. `preferred` names the array to page (e.g. ['output', 'records']) when the
 * caller knows it; otherwise the largest array is used.
 */
export function fitToBudget(input: Record<string, unknown>, maxChars: number, preferred?: JsonPath): Fitted {
  const doc = sanitize(input) as Record<string, unknown>;
  if (size(doc) <= maxChars) return { value: doc };
  const limit = maxChars - TRUNCATION_RESERVE;

  const path = preferred && Array.isArray(getAt(doc, preferred)) ? preferred : largestArray(doc);
  if (path) {
    const items = getAt(doc, path) as unknown[];
    let work = doc;
    let k = itemsThatFit(work, path, items, limit);
    if (k === 0) {
      // Not even one item fits whole: shorten long strings to the cap at which the first item fits.
      const cap = chooseCap(setAt(doc, path, items.slice(0, 1)), limit);
      work = shortenStrings(doc, cap, { n: 0 }) as Record<string, unknown>;
      k = itemsThatFit(work, path, getAt(work, path) as unknown[], limit);
    }
    if (k >= 1) {
      const kept = (getAt(work, path) as unknown[]).slice(0, k);
      return {
        value: setAt(work, path, kept),
        cut: { pageable: { kind: 'items', path, items }, offset: 0, returned: k, total: items.length, shortenedStrings: countShortened(kept) },
      };
    }
  }

  const text = JSON.stringify(doc);
  const count = { n: 0 };
  const shortened = shortenStrings(doc, chooseCap(doc, limit), count) as Record<string, unknown>;
  if (count.n > 0 && size(shortened) <= limit) {
    // Whole document, long strings shortened; the full text stays reachable by character offset.
    return { value: shortened, cut: { pageable: { kind: 'text', text }, offset: 0, returned: 0, total: text.length, shortenedStrings: count.n } };
  }
  const slice = textSlice(text, 0, maxChars);
  return { value: slice.value, cut: { pageable: { kind: 'text', text }, offset: 0, returned: slice.returned, total: text.length, shortenedStrings: 0 } };
}

function countShortened(v: unknown): number {
  if (typeof v === 'string') return /…\[\d+ more characters\]$/.test(v) ? 1 : 0;
  if (Array.isArray(v)) return v.reduce<number>((n, x) => n + countShortened(x), 0);
  if (v && typeof v === 'object') return Object.values(v).reduce<number>((n, x) => n + countShortened(x), 0);
  return 0;
}

/** The next page of an items cut: `items[offset…]` placed back into the template, fitted again. */
export function pageItems(template: Record<string, unknown>, path: JsonPath, items: unknown[], offset: number, maxChars: number): Fitted {
  const rest = items.slice(offset);
  const fitted = fitToBudget(setAt(template, path, rest), maxChars, path);
  if (!fitted.cut) return { value: fitted.value, cut: { pageable: { kind: 'items', path, items }, offset, returned: rest.length, total: items.length, shortenedStrings: 0 } };
  if (fitted.cut.pageable.kind === 'text') return fitted;
  return { value: fitted.value, cut: { ...fitted.cut, pageable: { kind: 'items', path, items }, offset } };
}

export { getAt, setAt };
