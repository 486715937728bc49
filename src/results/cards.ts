// Compact action cards for search_actions: what an agent needs to pick and call an action, in a
// fraction of the tokens of the full action (which carries input and output JSON Schemas).
import type { Action, JsonSchema } from '../membrane/types.js';

export type ActionKind = 'read' | 'write' | 'destructive' | 'unknown';

const TYPE_KIND: Record<string, ActionKind> = {
  'list-data-records': 'read',
  'find-data-record-by-id': 'read',
  'search-data-record': 'read',
  'match-data-record': 'read',
  'create-data-record': 'write',
  'update-data-record': 'write',
  'find-or-create-data-record': 'write',
  'delete-data-record': 'destructive',
};

// Verbs are read from the key and name ("delete-invoice", "List leads"). Destructive wins over write, write
// over read. Words that are often nouns ("call log", "blog post", "merge fields") count only as the leading
// word; unambiguous verbs count anywhere ("Find or create contact" is a write).
const DESTRUCTIVE = /\b(delete|remove|destroy|purge|erase|archive|void|cancel|unlink|disconnect|revoke|wipe)\b/;
const DESTRUCTIVE_LEADING = /^(merge|drop)$/;
const WRITE = /\b(create|add|update|edit|send|patch|upsert|complete|assign|move|convert|mark|import|upload|attach|change|insert|register|enable|disable|reassign|rename|transfer)\b/;
const WRITE_LEADING = /^(set|post|put|link|close|log|start|stop|schedule|reschedule|reopen|submit|book)$/;
const READ = /\b(get|list|search|find|fetch|read|retrieve|lookup|look up|show|count|export|download|query|describe|view|check)\b/;

/** The kind its key and name suggest (verbs), or undefined when they suggest none. */
export function kindFromName(action: Pick<Action, 'key' | 'name'>): ActionKind | undefined {
  const key = (action.key ?? '').toLowerCase().replace(/[-_.]+/g, ' ').trim();
  const name = action.name.toLowerCase().replace(/[-_.]+/g, ' ').trim();
  const words = `${key} ${name}`;
  const leading = [key.split(' ')[0], name.split(' ')[0]];
  if (DESTRUCTIVE.test(words) || leading.some((w) => DESTRUCTIVE_LEADING.test(w))) return 'destructive';
  if (WRITE.test(words) || leading.some((w) => WRITE_LEADING.test(w))) return 'write';
  if (READ.test(words)) return 'read';
  return undefined;
}

export interface Classification {
  kind: ActionKind;
  /**
   * True when the kind comes from Membrane (a data-record `type`, or `isReadOnly`), not from words an
   * agent can choose (a built action's name). Only a trusted read passes --read-only or is retried.
   */
  trusted: boolean;
  /** The kind the Membrane type implies, when the type is a known one. */
  typeKind?: ActionKind;
}

export function classifyAction(action: Pick<Action, 'type' | 'key' | 'name' | 'isReadOnly'>): Classification {
  const typeKind = action.type ? TYPE_KIND[action.type] : undefined;
  if (typeKind) return { kind: typeKind, trusted: true, typeKind };
  if (action.isReadOnly === true) return { kind: 'read', trusted: true };
  const named = kindFromName(action);
  // Membrane says it writes, or does not say: a name that sounds like a read proves nothing.
  if (named === 'read' && action.isReadOnly === false) return { kind: 'unknown', trusted: false };
  return { kind: named ?? 'unknown', trusted: false };
}

export function actionKind(action: Pick<Action, 'type' | 'key' | 'name' | 'isReadOnly'>): ActionKind {
  return classifyAction(action).kind;
}

function typeOf(schema: unknown): string {
  if (!schema || typeof schema !== 'object') return 'any';
  const s = schema as JsonSchema & { enum?: unknown[]; const?: unknown; type?: unknown; items?: unknown; anyOf?: unknown[]; oneOf?: unknown[] };
  if (Array.isArray(s.enum)) {
    const values = s.enum.slice(0, 12).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
    return values.join('|') + (s.enum.length > 12 ? '|…' : '');
  }
  if (s.const !== undefined) return JSON.stringify(s.const);
  const alternatives = s.anyOf ?? s.oneOf;
  if (Array.isArray(alternatives)) return [...new Set(alternatives.map(typeOf))].join(' or ');
  const t = Array.isArray(s.type) ? s.type.filter((x) => x !== 'null').join('|') || 'null' : typeof s.type === 'string' ? s.type : undefined;
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

export interface ActionCard {
  id: string;
  key?: string;
  name: string;
  description: string;
  kind: ActionKind;
  inputs: Record<string, string>;
  state?: string;
  inputSchema?: JsonSchema;
  outputSchema?: JsonSchema;
}

export function actionCard(action: Action, includeSchemas = false): ActionCard {
  const card: ActionCard = {
    id: action.id,
    ...(action.key ? { key: action.key } : {}),
    name: action.name,
    description: oneLine(action.description),
    kind: actionKind(action),
    inputs: inputsSummary(action.inputSchema),
  };
  if (action.state && action.state !== 'READY') card.state = action.state;
  if (includeSchemas) {
    if (action.inputSchema) card.inputSchema = action.inputSchema;
    if (action.outputSchema) card.outputSchema = action.outputSchema;
  }
  return card;
}
