// Compact action cards for search_actions: what an agent needs to pick and call an action, in a
// fraction of the tokens of the full action (which carries input and output JSON Schemas).
import type { Action, JsonSchema } from '../membrane/membrane-client.js';
import { type ActionKind, classifyAction } from '../policy/action-kind.js';

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
  if (Array.isArray(s.enum)) {
    const values = s.enum.slice(0, 12).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
    return values.join('|') + (s.enum.length > 12 ? '|…' : '');
  }
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

/** One level of an object schema: `{field?: type}` keys, `?` marking optional ones. */
function objectSummary(schema: JsonSchema): string {
  const props = (schema.properties ?? {}) as Record<string, unknown>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const entries = Object.entries(props).map(([k, v]) => `${k}${required.has(k) ? '' : '?'}: ${typeOf(v)}`);
  return entries.length ? `{${entries.join(', ')}}` : 'object';
}

/**
 * `{ "name": "string", "price?": "integer", "entity_type": "leads|contacts|companies", "filter?": "{pipeline_id?: integer}" }`:
 * required fields without `?`, types, enums, nested objects one level deep.
 */
export function inputsSummary(schema: JsonSchema | undefined): Record<string, string> {
  if (!schema || typeof schema !== 'object') return {};
  const props = (schema.properties ?? {}) as Record<string, unknown>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const out: Record<string, string> = {};
  for (const [key, sub] of Object.entries(props)) {
    const s = (sub ?? {}) as JsonSchema;
    const isObject = s.type === 'object' || (!s.type && s.properties);
    out[`${key}${required.has(key) ? '' : '?'}`] = isObject && s.properties ? objectSummary(s) : typeOf(s);
  }
  return out;
}

/** The first sentence of a description, at most `max` characters. */
export function oneLine(text: string | undefined, max = 160): string {
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

/** `withMatch`: a search result, which says how well it fits the intent. */
export function actionCard(action: Action, includeSchemas = false, withMatch = false): ActionCard {
  const card: ActionCard = {
    id: action.id,
    ...(action.key ? { key: action.key } : {}),
    name: action.name,
    description: oneLine(action.description),
    kind: classifyAction(action).kind,
    ...(withMatch ? { match: matchStrength(action) } : {}),
    inputs: inputsSummary(action.inputSchema),
  };
  if (action.state && action.state !== 'READY') card.state = action.state;
  if (includeSchemas) {
    if (action.inputSchema) card.inputSchema = action.inputSchema;
    if (action.outputSchema) card.outputSchema = action.outputSchema;
  }
  return card;
}
