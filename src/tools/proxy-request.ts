import { z } from 'zod';
import type { ActionKind } from '../policy/action-kind.js';
import { shapeBody, shapeHeaders } from '../results/shape.js';
import { applyPathParams, checkBody, checkHeaders, checkPath, checkQuery } from '../policy/proxy-rules.js';
import { changingToolAnnotations, crmName, defineTool } from './spec.js';
import { changingCallFields, outputSchema, truncatedOut } from './fields.js';
import { budgeted, missingArgument, resultHead } from './handler-helpers.js';
import { gatedWrite } from '../policy/write-gate.js';
import { quoted, requestPreview } from '../policy/call-preview.js';

type Scalar = string | number | boolean;
const isScalar = (v: unknown): v is Scalar => ['string', 'number', 'boolean'].includes(typeof v);

/** Query values: a scalar, or an array of scalars (the key repeats). Checked here, not spelled out in the listing. */
const queryField = z.record(z.string().max(200), z.unknown()).superRefine((q, ctx) => {
  for (const [k, v] of Object.entries(q)) {
    const ok = isScalar(v) || (Array.isArray(v) && v.length <= 100 && v.every(isScalar));
    if (!ok) ctx.addIssue({ code: 'custom', path: [k], message: 'must be a string, number, boolean or an array of them' });
  }
});

/** Header values: strings of at most 2,000 characters. Checked here, not spelled out in the listing. */
const headersField = z.record(z.string().max(100), z.unknown()).superRefine((h, ctx) => {
  for (const [k, v] of Object.entries(h)) {
    if (typeof v !== 'string' || v.length > 2000)
      ctx.addIssue({ code: 'custom', path: [k], message: 'must be a string of at most 2000 characters' });
  }
});

const METHOD_KIND: Record<string, ActionKind> = {
  GET: 'read',
  HEAD: 'read',
  POST: 'write',
  PUT: 'write',
  PATCH: 'write',
  DELETE: 'destructive',
};

function toQuery(query: Record<string, unknown> | undefined): Record<string, string | string[]> | undefined {
  if (!query) return undefined;
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(query)) out[k] = Array.isArray(v) ? v.map(String) : String(v);
  return out;
}

export const proxyRequest = defineTool({
  suffix: 'proxy_request',
  title: 'API request',
  description: (t) => {
    const hints = t.connectors.map((c) => c.apiHint).join(' ');
    return `Call the ${crmName(t)} REST API through Membrane (auth added) when no action fits. ${hints}`;
  },
  input: z.strictObject({
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']).optional().describe('Default GET'),
    path: z.string().min(1).max(2000).optional().describe('Relative API path, {name} from pathParams'),
    query: queryField.optional().describe('Scalars or arrays (key repeats)'),
    headers: headersField.optional().describe('No auth headers'),
    body: z.unknown().optional(),
    pathParams: z
      .record(z.string().max(50), z.unknown())
      .refine((p) => Object.values(p).every((v) => typeof v === 'string' || typeof v === 'number'), 'values must be strings or numbers')
      .optional()
      .describe('Fill {name} in path'),
    ...changingCallFields,
  }),
  output: outputSchema({
    status: z.number().optional(),
    headers: z.looseObject({}),
    body: z.unknown(),
    truncated: truncatedOut,
  }),
  annotations: changingToolAnnotations,

  async handle(args, ctx, call) {
    const { connector } = call;
    if (!args.path) throw missingArgument('path');
    const method = args.method ?? 'GET';
    // Checked once the {name} placeholders are filled: the path that goes out is the one that counts.
    const path = applyPathParams(args.path, args.pathParams as Record<string, string | number> | undefined);
    checkPath(path);
    checkQuery(args.query);
    const headers = args.headers as Record<string, string> | undefined;
    checkHeaders(headers);
    checkBody(method, args.body);
    const denial = ctx.policy.methodDenial(connector.key, method);
    if (denial) throw denial;

    const connectionId = await ctx.connections.resolve(connector, args.connectionId, call);
    const query = toQuery(args.query);
    const kind = METHOD_KIND[method];
    call.doing(`${method} ${quoted(path, 80)} on ${connector.displayName}`);
    const res = await gatedWrite(
      ctx,
      call,
      {
        kind,
        connectionId,
        fingerprint: { connector: connector.key, connectionId, method, path, query, body: args.body, headers },
        preview: requestPreview({ kind, connector: connector.displayName, connectionId, method, path, query, body: args.body, headers }),
        confirm: args.confirm,
        allowRepeat: args.allowRepeat,
      },
      () => ctx.client.request({ connectionId, method, path, query, headers, body: args.body }, { signal: call.signal }),
    );

    const shape = args.shape ?? 'compact';
    const head = { ...resultHead(ctx, call, connectionId), status: res.status, headers: shapeHeaders(res.headers, shape) };
    const payload = { body: shapeBody(res.body, shape) ?? null };
    const items = (payload.body as { items?: unknown } | null)?.items;
    return budgeted(ctx, call, head, payload, Array.isArray(items) ? ['body', 'items'] : undefined);
  },
});
