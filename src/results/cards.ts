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

// Verbs are read from the key and name ("delete-invoice", "List leads"). Destructive wins over write, write over read.
const DESTRUCTIVE = /\b(delete|remove|destroy|purge|erase|archive|void|cancel|unlink|disconnect|revoke|drop|wipe|merge)\b/;
const WRITE = /\b(create|add|update|edit|set|send|post|put|patch|upsert|complete|assign|move|link|convert|mark|close|import|upload|attach|change|insert|register|schedule|log|start|stop|enable|disable)\b/;
const READ = /\b(get|list|search|find|fetch|read|retrieve|lookup|look up|show|count|export|download|query|describe|view|check)\b/;

export function actionKind(action: Pick<Action, 'type' | 'key' | 'name'>): ActionKind {
  const byType = action.type ? TYPE_KIND[action.type] : undefined;
  if (byType) return byType;
  const words = `${action.key ?? ''} ${action.name}`.toLowerCase().replace(/[-_.]+/g, ' ');
  if (DESTRUCTIVE.test(words)) return 'destructive';
  if (WRITE.test(words)) return 'write';
  if (READ.test(words)) return 'read';
  return 'unknown';
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
  const t = Array.isArray(s.type) ? s.type.filter((x) => x !== 'null').join('|') : typeof s.type === 'string' ? s.type : undefined;
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
  const sentence = /^(.+?[.!?])(\s|$)/.exec(flat)?.[1] ?? flat;
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
