// Tolerant schemas of what Membrane sends (CLI output and API bodies share these shapes). Unknown fields pass through; an optional field
// of an unexpected type is dropped instead of failing the whole document (`.catch(undefined)`); only ids
// are mandatory. Normalizers turn parsed documents into the shapes of membrane-client.ts.
import { z } from 'zod';
import { redact } from '../redact.js';
import type { Action, ClientAction, Connection, ProxyResponse, RunResult } from './membrane-client.js';

const optStr = z.string().optional().catch(undefined);
const optBool = z.boolean().optional().catch(undefined);
const id = z.union([z.string().min(1), z.number()]).transform(String);
const jsonObject = z.record(z.string(), z.unknown());

export const ErrorDataSchema = z.looseObject({
  message: z.string(),
  type: optStr,
  key: optStr,
  data: z.unknown().optional(),
});
export type ErrorData = z.infer<typeof ErrorDataSchema>;

const ClientActionSchema = z.looseObject({
  type: optStr,
  description: optStr,
  uiUrl: optStr,
  agentInstructions: optStr,
});

const ConnectionSchema = z.looseObject({
  id,
  name: optStr,
  key: optStr,
  state: optStr,
  disconnected: optBool,
  connectorKey: optStr,
  integrationKey: optStr,
  integration: z.looseObject({ key: optStr, name: optStr }).optional().catch(undefined),
  connector: z.looseObject({ key: optStr }).optional().catch(undefined),
  clientAction: ClientActionSchema.optional().catch(undefined),
  error: z.unknown().optional(),
});

const ActionSchema = z.looseObject({
  id,
  key: optStr,
  name: optStr,
  description: optStr,
  type: optStr,
  state: optStr,
  connectionId: optStr,
  inputSchema: jsonObject.optional().catch(undefined),
  outputSchema: jsonObject.optional().catch(undefined),
  isReadOnly: optBool,
  // A relevance outside 0–1 cannot be read as one: dropped, as if the backend had given none.
  score: z.number().min(0).max(1).optional().catch(undefined),
  error: z.unknown().optional(),
  errors: z.array(z.unknown()).optional().catch(undefined),
});

/** A list printed as `{items: [...]}` or as a bare array. Items that do not parse are skipped. */
function listItems(doc: unknown): unknown[] | undefined {
  if (Array.isArray(doc)) return doc;
  if (doc && typeof doc === 'object' && Array.isArray((doc as { items?: unknown }).items)) return (doc as { items: unknown[] }).items;
  return undefined;
}

function errorText(e: unknown): string | undefined {
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string') return (e as { message: string }).message;
  return undefined;
}

/** Error texts the CLI puts on connections and actions reach results: cleaned like all CLI output. */
function redactedErrorText(e: unknown): string | undefined {
  const text = errorText(e);
  return text === undefined ? undefined : redact(text);
}

function toClientAction(c: z.infer<typeof ClientActionSchema> | undefined): ClientAction | undefined {
  if (!c) return undefined;
  const out: ClientAction = {};
  if (c.type) out.type = c.type;
  if (c.description) out.description = c.description;
  if (c.uiUrl) out.uiUrl = c.uiUrl;
  if (c.agentInstructions) out.agentInstructions = c.agentInstructions;
  return Object.keys(out).length ? out : undefined;
}

export function toConnection(doc: unknown): Connection | undefined {
  const r = ConnectionSchema.safeParse(doc);
  if (!r.success) return undefined;
  const c = r.data;
  const disconnected = c.disconnected ?? c.state === 'CLIENT_ACTION_REQUIRED';
  return {
    id: c.id,
    ...(c.key ? { key: c.key } : {}),
    name: c.name ?? c.key ?? c.id,
    state: c.state ?? (disconnected ? 'CLIENT_ACTION_REQUIRED' : 'READY'),
    disconnected,
    connectorKey: c.connectorKey ?? c.integrationKey ?? c.integration?.key ?? c.connector?.key,
    clientAction: toClientAction(c.clientAction),
    error: redactedErrorText(c.error),
  };
}

export function toConnections(doc: unknown): Connection[] | undefined {
  const items = listItems(doc);
  return items?.map(toConnection).filter((c): c is Connection => c !== undefined);
}

export function toAction(doc: unknown): Action | undefined {
  const r = ActionSchema.safeParse(doc);
  if (!r.success) return undefined;
  const a = r.data;
  const out: Action = { id: a.id, name: a.name ?? a.key ?? a.id };
  if (a.key) out.key = a.key;
  if (a.description) out.description = a.description;
  if (a.type) out.type = a.type;
  if (a.state) out.state = a.state;
  if (a.connectionId) out.connectionId = a.connectionId;
  if (a.inputSchema) out.inputSchema = a.inputSchema;
  if (a.outputSchema) out.outputSchema = a.outputSchema;
  if (a.isReadOnly !== undefined) out.isReadOnly = a.isReadOnly;
  if (a.score !== undefined) out.score = a.score;
  const error = redactedErrorText(a.error) ?? a.errors?.map(redactedErrorText).find(Boolean);
  if (error) out.error = error;
  return out;
}

export function toActions(doc: unknown): Action[] | undefined {
  const items = listItems(doc);
  return items?.map(toAction).filter((a): a is Action => a !== undefined);
}

/** `{output, actionRunId}`; a document without `output` is taken whole as the output. */
export function toRunResult(doc: unknown): RunResult {
  if (doc && typeof doc === 'object' && !Array.isArray(doc) && 'output' in doc) {
    const { output, actionRunId } = doc as { output: unknown; actionRunId?: unknown };
    return typeof actionRunId === 'string' ? { output, actionRunId } : { output };
  }
  return { output: doc };
}

const EnvelopeSchema = z.looseObject({
  status: z.number().int().min(100).max(599).optional().catch(undefined),
  statusCode: z.number().int().min(100).max(599).optional().catch(undefined),
  headers: z.record(z.string(), z.unknown()).optional().catch(undefined),
});

/**
 * The proxied response. The sandbox prints `{status, headers, body}`; the real CLI's shape is unknown
 * (undocumented), so `{statusCode, data}` is accepted too, and anything else is taken as a bare body.
 */
export function toProxyResponse(doc: unknown, fallbackStatus: number): ProxyResponse {
  const r = EnvelopeSchema.safeParse(doc);
  if (r.success) {
    const status = r.data.status ?? r.data.statusCode;
    const hasBody = 'body' in (doc as object) || 'data' in (doc as object);
    if (status !== undefined && hasBody) {
      const d = doc as { body?: unknown; data?: unknown };
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.data.headers ?? {})) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
      return { status, headers, body: 'body' in d ? d.body : d.data };
    }
  }
  return { status: fallbackStatus, headers: {}, body: doc };
}

/** Finds an ErrorData in any of the envelopes the contract allows: ErrorData, {error: ErrorData}, {error: "<code>", message}. */
export function toErrorData(doc: unknown): ErrorData | undefined {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return undefined;
  const o = doc as Record<string, unknown>;
  if (o.error && typeof o.error === 'object') {
    const inner = ErrorDataSchema.safeParse(o.error);
    if (inner.success) return inner.data;
  }
  if (typeof o.error === 'string') {
    return {
      message: typeof o.message === 'string' ? o.message : o.error,
      key: o.error,
      type: typeof o.type === 'string' ? o.type : undefined,
      data: o.data,
    };
  }
  const direct = ErrorDataSchema.safeParse(doc);
  if (direct.success && (direct.data.type !== undefined || direct.data.key !== undefined)) return direct.data;
  return undefined;
}
