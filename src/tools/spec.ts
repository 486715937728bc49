// Tools as data: each tool file exports one ToolSpec (name suffix, title, description, input and output
// schemas, annotations, handler). tools/index.ts turns specs into registered MCP tools per connector or shared.
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Settings } from '../config.js';
import type { Connector } from '../connectors.js';
import { ToolError } from '../errors.js';
import { ID_PATTERN } from '../membrane/argv.js';
import { pageResult } from '../results/paging.js';
import type { CallContext, ServerContext } from './context.js';

/** What a description is written for: one connector (per-connector mode) or all of them (shared mode). */
export interface DescribeTarget {
  connectors: Connector[];
  /** Tool name of a sibling, e.g. ref('run_action') → `amocrm_run_action` or `crm_run_action`. */
  ref(suffix: string): string;
  settings: Settings;
}

export interface ToolSpec<I extends z.ZodObject = z.ZodObject> {
  suffix: string;
  title: string;
  description(target: DescribeTarget): string;
  input: I;
  output: z.ZodObject;
  annotations(settings: Settings): Required<Omit<ToolAnnotations, 'title'>>;
  handle(args: z.output<I>, ctx: ServerContext, call: CallContext): Promise<Record<string, unknown>>;
}

export function defineTool<I extends z.ZodObject>(spec: ToolSpec<I>): ToolSpec<I> {
  return spec;
}

/** Display name(s) for descriptions. */
export function crmName(t: DescribeTarget): string {
  return t.connectors.length === 1 ? t.connectors[0].displayName : 'CRM';
}

// Fields shared by several tools. Checks that agents do not need to read (id character sets) are
// refinements: enforced by our strict parse, left out of the JSON Schema to keep tools/list small.
export function idString(what: string) {
  return z.string().refine((v) => ID_PATTERN.test(v), `must be ${what}: letters, digits and _ . : @ -, not starting with -`);
}
export const connectionIdField = idString('a connection id').optional();
export const resultIdField = z
  .string()
  .refine((v) => /^r_[A-Za-z0-9_-]{6,40}$/.test(v), 'must be a truncated.resultId')
  .optional()
  .describe('Page a truncated result');
export const offsetField = z.number().int().min(0).optional().describe('truncated.nextOffset');

/** {returned, total, omitted, nextOffset?, resultId?, nextStep}: see results/paging.ts. */
export const truncatedOut = z.looseObject({});

/**
 * A tool's output schema, shallow on purpose (it is sent with every tools/list) and open to fields it
 * does not list (jsonText when a result is paged as text, hidden, warning, and `error`). Clients validate
 * structuredContent against it even on isError results (the SDK client does), so error results
 * `{backend, connector, error: {code, message, retryable, nextStep?, uiUrl?, details?}}` must fit too:
 * only backend and connector are required and success fields are optional.
 */
export function outputSchema<S extends z.ZodRawShape>(success: S) {
  return z.looseObject({
    // "membrane" or "sandbox"; a plain string in the listing (the instructions explain it), checked in tests.
    backend: z.string(),
    connector: z.string(),
    ...z.object(success).partial().shape,
  });
}

/** Arrays in outputs: items are objects whose fields the tool description names. */
export const listOf = () => z.array(z.looseObject({}));

/** Annotations of a tool that may change CRM data (run_action, proxy_request); with --read-only it only reads. */
export function changingToolAnnotations(s: Settings): Required<Omit<ToolAnnotations, 'title'>> {
  return s.readOnly
    ? { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true }
    : { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true };
}

/** The next part of an earlier truncated result, served from the result store (no CLI call). */
export function nextPart(args: { resultId?: string; offset?: number }, ctx: ServerContext, call: CallContext): Record<string, unknown> {
  const fixed = { backend: ctx.client.backend, connector: call.connector.key };
  return pageResult(call.tool, fixed, args.resultId!, args.offset ?? 0, ctx.settings.maxResultChars, ctx.results);
}

/** INVALID_INPUT for an argument that is optional in the schema (resultId calls omit it) but needed here. */
export function missingArgument(field: string, nextStep?: string): ToolError {
  return new ToolError('INVALID_INPUT', `${field} is required`, { nextStep, retryable: false, details: { fields: [{ field, problem: 'is required' }] } });
}
