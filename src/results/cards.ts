// Compact action cards for search_actions and create_action: what an agent needs to pick and call an action,
// in about 500 characters instead of the full action (which carries input and output JSON Schemas). Inputs
// are listed required first, then the optional ones most likely to matter, then `"+N more"` naming the rest:
// a list is never cut silently, and includeSchemas (or an INVALID_INPUT's details) gives the full schema.
import type { Action, JsonSchema } from '../membrane/membrane-client.js';
import { type ActionKind, classifyAction } from '../policy/action-kind.js';

/** A card's size goal in characters of JSON; a little below 500 leaves room for fields a search adds (e.g. match). */
export const CARD_CHARS = 470;
/** The one card create_action returns: the agent is about to fill its inputs, so it gets more of them. */
export const BUILT_CARD_CHARS = 1200;
/** Inputs always get at least this much room, however long the rest of the card is. */
const MIN_INPUTS_CHARS = 160;
const DESCRIPTION_CHARS = 120;
/** A nested object's summary is cut to this many characters of field list (at least; roomier cards allow more). */
const NESTED_CHARS = 120;
/** Enums with more values show this many, then the count. */
const ENUM_SHOWN = 3;

function enumText(values: unknown[]): string {
  const shown = values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  return shown.length <= ENUM_SHOWN + 1 ? shown.join('|') : `${shown.slice(0, ENUM_SHOWN).join('|')}|…(${shown.length} values)`;
}

function typeOf(schema: unknown): string {
  if (!schema || typeof schema !== 'object') return 'any';
  const s = schema as JsonSchema & {
    enum?: unknown[];
    const?: unknown;
    type?: unknown;
    items?: unknown;
    anyOf?: unknown[];
    oneOf?: unknown[];
  };
  if (Array.isArray(s.enum)) return enumText(s.enum);
  if (s.const !== undefined) return JSON.stringify(s.const);
  const alternatives = s.anyOf ?? s.oneOf;
  if (Array.isArray(alternatives)) return [...new Set(alternatives.map(typeOf))].join(' or ');
  const t = Array.isArray(s.type)
    ? s.type.filter((x) => x !== 'null').join('|') || 'null'
    : typeof s.type === 'string'
      ? s.type
      : undefined;
  if (t === 'array') return `${typeOf(s.items)}[]`;
  if (t === 'object' || (!t && s.properties)) return 'object';
  return t ?? 'any';
}

/** `{field?: type, …}` of an object schema, one level deep, cut with `+N more` when long. */
function objectSummary(schema: JsonSchema, maxChars: number): string {
  const props = (schema.properties ?? {}) as Record<string, unknown>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const entries = Object.entries(props).map(([k, v]) => `${k}${required.has(k) ? '' : '?'}: ${typeOf(v)}`);
  if (entries.length === 0) return 'object';
  const shown: string[] = [];
  let chars = 0;
  for (const e of entries) {
    if (shown.length > 0 && chars + e.length > maxChars) break;
    shown.push(e);
    chars += e.length + 2;
  }
  const rest = entries.length - shown.length;
  return `{${shown.join(', ')}${rest ? `, +${rest} more` : ''}}`;
}

function fieldType(sub: unknown, nestedChars: number): string {
  const s = (sub ?? {}) as JsonSchema;
  const isObject = s.type === 'object' || (!s.type && s.properties);
  return isObject && s.properties ? objectSummary(s, nestedChars) : typeOf(s);
}

/** Optional fields that most CRM tasks set or filter on, shown before the rest. */
const COMMON_FIELD =
  /^(email1?|phone|phone_office|phone_mobile|website|status|status_id|stage|sales_stage|pipeline_id|amount|price|due_date|date_due|date_start|date_end|assigned_user_id|responsible_user_id|owner)$/i;

/** Key of the entry that names the inputs a card leaves out. */
const MORE = /^\+\d+ more$/;

/**
 * `{ "name": "string", "price?": "integer", "status?": "open|won|lost|…(7 values)", "+12 more": "a, b, …" }`:
 * required fields (bare) first, then optional ones (`?`): those the description mentions, then in schema order,
 * while the summary fits `maxChars` of JSON; the rest are named, as far as they fit, under `+N more`.
 */
export function inputsSummary(
  schema: JsonSchema | undefined,
  opts: { maxChars?: number; description?: string } = {},
): Record<string, string> {
  if (!schema || typeof schema !== 'object') return {};
  const props = (schema.properties ?? {}) as Record<string, unknown>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const mentioned = new Set((opts.description ?? '').toLowerCase().match(/[a-z0-9_]+/g) ?? []);
  const keys = Object.keys(props);
  const tier = (k: string) => (required.has(k) ? 0 : mentioned.has(k.toLowerCase()) ? 1 : COMMON_FIELD.test(k) ? 2 : 3);
  // A stable sort: schema order within each tier.
  const ordered = keys
    .map((k, i) => ({ k, i, t: tier(k) }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map((x) => x.k);
  const max = opts.maxChars ?? Number.POSITIVE_INFINITY;
  const nestedChars = Math.max(NESTED_CHARS, Math.min(max / 3, 1000));
  const out: Record<string, string> = {};
  let size = 2;
  let index = 0;
  for (; index < ordered.length; index++) {
    const key = ordered[index];
    const label = `${key}${required.has(key) ? '' : '?'}`;
    const type = fieldType(props[key], nestedChars);
    const entry = JSON.stringify(label).length + JSON.stringify(type).length + 2;
    // Room stays for the "+N more" entry unless this is the last field.
    const reserve = index < ordered.length - 1 ? 40 : 0;
    if (!required.has(key) && size + entry + reserve > max) break;
    out[label] = type;
    size += entry;
  }
  const rest = ordered.slice(index);
  if (rest.length > 0) {
    const names: string[] = [];
    let room = Math.max(0, max - size - 20);
    for (const name of rest) {
      if (name.length + 2 > room) break;
      names.push(name);
      room -= name.length + 2;
    }
    out[`+${rest.length} more`] = names.length === rest.length ? names.join(', ') : `${[...names, '…'].join(', ')}`;
  }
  return out;
}

/** Field names of an inputs summary, without `?` and without the `+N more` entry. */
export function inputNames(inputs: Record<string, string>): string[] {
  return Object.keys(inputs)
    .filter((k) => !MORE.test(k))
    .map((k) => k.replace(/\?$/, ''));
}

/** The first sentence of a description, at most `max` characters. */
export function oneLine(text: string | undefined, max = DESCRIPTION_CHARS): string {
  if (!text) return '';
  const flat = text.replace(/\s+/g, ' ').trim();
  // A sentence ends at . ! ? followed by a capital letter or the end, not inside "e.g." or "i.e.".
  const sentence = /^(.+?[.!?])(?=\s+[A-Z(]|$)/.exec(flat)?.[1] ?? flat;
  return sentence.length > max ? `${sentence.slice(0, max - 1)}…` : sentence;
}

/**
 * How well a search result fits the intent, from the backend's own relevance score: `strong` (0.5 and
 * up: the intent names the action's record type and operation), `weak` (it only shares words with the
 * intent), or `unknown` when the backend ranks without a score (Membrane's API gives only an order).
 */
export type MatchStrength = 'strong' | 'weak' | 'unknown';

export const STRONG_MATCH_SCORE = 0.5;

export function matchStrength(action: Action): MatchStrength {
  if (action.score === undefined) return 'unknown';
  return action.score >= STRONG_MATCH_SCORE ? 'strong' : 'weak';
}

export interface ActionCard {
  id: string;
  key?: string;
  name: string;
  description: string;
  kind: ActionKind;
  /** search_actions only. */
  match?: MatchStrength;
  inputs: Record<string, string>;
  state?: string;
  inputSchema?: JsonSchema;
  outputSchema?: JsonSchema;
}

export interface CardOptions {
  /** Add the full input and output JSON Schemas (large). */
  includeSchemas?: boolean;
  /** A search result: say how well it fits the intent (`match`). */
  withMatch?: boolean;
  /** About how many characters of JSON the card may take (schemas aside). */
  maxChars?: number;
}

/** The card of an action, about `maxChars` characters of JSON (full schemas added only with includeSchemas). */
export function actionCard(action: Action, opts: CardOptions = {}): ActionCard {
  const { includeSchemas = false, withMatch = false, maxChars = CARD_CHARS } = opts;
  const card: ActionCard = {
    id: action.id,
    ...(action.key ? { key: action.key } : {}),
    name: action.name,
    description: oneLine(action.description),
    kind: classifyAction(action).kind,
    ...(withMatch ? { match: matchStrength(action) } : {}),
    inputs: {},
  };
  if (action.state && action.state !== 'READY') card.state = action.state;
  const room = Math.max(MIN_INPUTS_CHARS, maxChars - JSON.stringify(card).length);
  card.inputs = inputsSummary(action.inputSchema, { maxChars: room, description: action.description });
  if (includeSchemas) {
    if (action.inputSchema) card.inputSchema = action.inputSchema;
    if (action.outputSchema) card.outputSchema = action.outputSchema;
  }
  return card;
}
