// Tools as data: each tool file exports one ToolSpec (name suffix, title, description, input and output
// schemas, annotations, handler). tools/registry.ts turns specs into registered MCP tools per connector or shared.
import type { ToolAnnotations } from '@modelcontextprotocol/server';
import type { z } from 'zod';
import type { Settings } from '../config.js';
import type { Connector } from '../connectors.js';
import { nextPart } from './handler-helpers.js';
import type { CallContext, ServerContext } from './tool-context.js';

/** What a description is written for: one connector (per-connector mode) or all of them (shared mode). */
export interface DescribeTarget {
  connectors: Connector[];
  /** Tool name of a sibling, e.g. ref('run_action') → `amocrm_run_action` or `crm_run_action`. */
  ref(suffix: string): string;
  /** Whether the sibling tool is offered under these settings (see ToolSpec.offeredWhen). */
  offers(suffix: string): boolean;
  settings: Settings;
}

export interface ToolSpec<I extends z.ZodObject = z.ZodObject> {
  suffix: string;
  title: string;
  description(target: DescribeTarget): string;
  input: I;
  output: z.ZodObject;
  annotations(settings: Settings): Required<Omit<ToolAnnotations, 'title'>>;
  /** Whether the server offers the tool under these settings (default: always). A tool not offered is neither listed nor callable. */
  offeredWhen?(settings: Settings): boolean;
  handle(args: z.output<I>, ctx: ServerContext, call: CallContext): Promise<Record<string, unknown>>;
}

/**
 * A tool whose input has the paging fields (fields.ts pagingFields) serves its `resultId` calls from the
 * result store: the next part of an earlier cut result, without its handler and without a backend call.
 */
export function defineTool<I extends z.ZodObject>(spec: ToolSpec<I>): ToolSpec<I> {
  if (!('resultId' in spec.input.shape)) return spec;
  const handle = spec.handle.bind(spec);
  return {
    ...spec,
    handle(args, ctx, call) {
      const paging = args as { resultId?: string; offset?: number };
      return paging.resultId ? nextPart({ resultId: paging.resultId, offset: paging.offset }, ctx, call) : handle(args, ctx, call);
    },
  };
}

/** Display name(s) for descriptions. */
export function crmName(t: DescribeTarget): string {
  return t.connectors.length === 1 ? t.connectors[0].displayName : 'CRM';
}

/** Annotations of a tool that may change CRM data (run_action, proxy_request); with --read-only it only reads. */
export function changingToolAnnotations(s: Settings): Required<Omit<ToolAnnotations, 'title'>> {
  return s.readOnly
    ? { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true }
    : { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true };
}
