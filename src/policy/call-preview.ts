// What a person is shown before a risky call runs: the confirmation dialog (elicitation) and the preview of
// CONFIRMATION_REQUIRED, which the agent is told to show. Names, keys, inputs, paths and bodies are chosen by
// the agent (or whoever built the action), and the agent may be following injected text, so every such string
// is quoted, kept on one line (control, format and line-separator characters escaped, so no newline, Unicode
// line separator or right-to-left override survives) and capped. What the server itself knows (the kind, the
// connection, the action id and type) comes first, so no name can push it out of view. An input or body lists
// every key of its first two levels with each value capped on its own (a long value cannot hide the keys after
// it), and whatever was cut says so; proxy headers are shown too, since they are sent.
import { sanitize } from '../results/budget.js';
import type { ActionKind } from './action-kind.js';

/** Longest agent-chosen name, key or path shown, in characters of the original. */
const NAME_CHARS = 120;
const PATH_CHARS = 300;
/** Longest scalar input, query or body shown (its one-line JSON). */
const VALUE_CHARS = 600;
/** Longest top-level key, and value of one key or item, shown. */
const KEY_CHARS = 60;
const PART_CHARS = 200;
/** Characters of values shown in one input or body in all; past it, values are only marked (their keys still show). */
const PARTS_BUDGET = 2400;
/** Top-level keys or items listed at most; the rest are counted. */
const PARTS_SHOWN = 60;

// Controls (C0, C1, DEL), format characters (bidi overrides and isolates, zero-width joiners, BOM), line and
// paragraph separators, and lone surrogates.
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(ch: string): string {
  const short = SHORT_ESCAPES[ch];
  if (short) return short;
  const code = ch.codePointAt(0)!;
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` on one line: unsafe characters escaped (and `"` and `\` too when `quote`), at most `max` characters of
 * the original, then `… (N characters)` when it was cut. Code points are never split.
 */
function oneLine(text: string, max: number, quote: boolean): string {
  let out = '';
  let shown = 0;
  let total = 0;
  for (const ch of text) {
    total++;
    if (shown >= max) continue;
    shown++;
    if (quote && (ch === '"' || ch === '\\')) out += `\\${ch}`;
    else out += UNSAFE.test(ch) ? escapeChar(ch) : ch;
  }
  const body = quote ? `"${out}"` : out;
  return total > max ? `${body}… (${total} characters)` : body;
}

/** An agent-chosen string as people see it: `"quoted, escaped"`, capped. */
export function quoted(text: string, max = NAME_CHARS): string {
  return oneLine(text, max, true);
}

/** `text` with its unsafe characters escaped, unquoted and uncut (the caller caps it): a value to offer as is. */
export function escaped(text: string): string {
  return oneLine(text, Number.POSITIVE_INFINITY, false);
}

/** A value the server knows (an id, a type) on one line, escaped all the same: it came from outside the process. */
function plain(text: string): string {
  return oneLine(text, NAME_CHARS, false);
}

/** A JSON value (input, query, body) as one escaped line, capped; nesting past a fixed depth is shown as a marker. */
export function jsonLine(value: unknown, max = VALUE_CHARS): string {
  const text = JSON.stringify(sanitize(value)) ?? 'undefined';
  // JSON.stringify already escapes quotes, backslashes and C0 controls; the rest is escaped here.
  return oneLine(text, max, false);
}

/** Levels whose keys are all listed: the value and what it holds (AmoCRM write bodies are arrays of objects). */
const LISTED_LEVELS = 2;
/** Characters of key names listed after PARTS_SHOWN keys (the keys past them still show by name). */
const MORE_KEYS_CHARS = 600;

/**
 * An input, query or body on one line: an object lists every key (up to PARTS_SHOWN, then the names of the
 * rest) with its value capped on its own, an array its items the same way, and so do the objects and arrays
 * inside it, so no long or reordered value can push a later key out of view. Uncut, it is the value's JSON;
 * every cut says so (`… (N characters)`).
 */
export function valueLine(value: unknown): string {
  if (value === null || typeof value !== 'object') return jsonLine(value);
  return listed(value, 1, { used: 0 });
}

function listed(value: object, level: number, budget: { used: number }): string {
  const array = Array.isArray(value);
  // The value's own keys (also `__proto__`), each value sanitised on its own.
  const entries: [string | undefined, unknown][] = array
    ? (value as unknown[]).map((v) => [undefined, v])
    : Object.keys(value).map((k) => [k, (value as Record<string, unknown>)[k]]);
  const parts: string[] = [];
  for (const [i, [key, v]] of entries.entries()) {
    if (i >= PARTS_SHOWN) {
      parts.push(array ? `… (${entries.length - i} more items)` : moreKeys(entries.slice(i).map(([k]) => k!)));
      break;
    }
    const shown = v !== null && typeof v === 'object' && level < LISTED_LEVELS ? listed(v, level + 1, budget) : leaf(v, budget);
    parts.push(key === undefined ? shown : `${keyText(key)}:${shown}`);
  }
  return array ? `[${parts.join(',')}]` : `{${parts.join(',')}}`;
}

/** One value as its JSON, capped on its own and within what is left of the budget. */
function leaf(v: unknown, budget: { used: number }): string {
  const text = JSON.stringify(sanitize(v)) ?? 'null';
  const room = Math.min(PART_CHARS, PARTS_BUDGET - budget.used);
  budget.used += Math.min(text.length, Math.max(room, 0));
  // With no room left, only the marker shows: `… (N characters)`.
  return oneLine(text, Math.max(room, 0), false);
}

function keyText(key: string): string {
  return oneLine(JSON.stringify(key), KEY_CHARS, false);
}

/** The keys not listed, named (values left out) as far as MORE_KEYS_CHARS allows. */
function moreKeys(keys: string[]): string {
  const names: string[] = [];
  let used = 0;
  for (const key of keys) {
    const name = keyText(key);
    if (used + name.length > MORE_KEYS_CHARS) break;
    names.push(name);
    used += name.length + 2;
  }
  const unnamed = keys.length - names.length;
  return `… (${keys.length} more keys: ${names.join(', ')}${unnamed ? `, and ${unnamed} more` : ''})`;
}

/** Request headers as people see them: each `"Name: value"` quoted and escaped, in the order given. */
function headersLine(headers: Record<string, string>): string {
  return Object.entries(headers)
    .map(([name, v]) => quoted(`${name}: ${v}`))
    .join(', ');
}

/** Ordered label → one-line text: server-known lines first, agent-chosen (quoted) lines last. */
export type CallPreview = Record<string, string>;

/** What every preview starts with: the kind of call, the CRM and the connection (all known to the server). */
interface PreviewHead {
  kind: ActionKind;
  connector: string;
  connectionId: string;
}

function previewHead(p: PreviewHead): CallPreview {
  return { kind: p.kind, connector: plain(p.connector), connectionId: plain(p.connectionId) };
}

export function actionPreview(
  p: PreviewHead & { action: { id: string; key?: string; name: string; type?: string }; input: Record<string, unknown> },
): CallPreview {
  return {
    ...previewHead(p),
    actionId: plain(p.action.id),
    ...(p.action.type ? { actionType: plain(p.action.type) } : {}),
    input: valueLine(p.input),
    ...(p.action.key ? { actionKey: quoted(p.action.key) } : {}),
    actionName: quoted(p.action.name),
  };
}

export function requestPreview(
  p: PreviewHead & { method: string; path: string; query?: unknown; body?: unknown; headers?: Record<string, string> },
): CallPreview {
  return {
    ...previewHead(p),
    request: `${p.method} ${quoted(p.path, PATH_CHARS)}`,
    ...(p.query !== undefined ? { query: valueLine(p.query) } : {}),
    ...(p.body !== undefined ? { body: valueLine(p.body) } : {}),
    ...(p.headers && Object.keys(p.headers).length ? { headers: headersLine(p.headers) } : {}),
  };
}

/** The confirmation dialog's text: the question, one `label: value` line per preview entry, and what the quotes mean. */
export function previewMessage(kind: ActionKind, preview: CallPreview): string {
  const lines = Object.entries(preview).map(([label, value]) => `${label}: ${value}`);
  return [`Allow this ${kind} call?`, ...lines, '(Quoted values were chosen by the agent or by whoever built the action.)'].join('\n');
}
