// Argument and output fields shared by several tools, defined once. Checks that agents do not need to
// read (id character sets) are refinements: enforced by our strict parse, left out of the JSON Schema
// to keep tools/list small.
import { z } from 'zod';
import { ID_PATTERN } from '../membrane/identifiers.js';

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

/** Confirmation and repeat-guard arguments of every tool that may change data (run_action, proxy_request). */
export const writeGateFields = {
  confirm: z.string().max(100).optional().describe('Token from CONFIRMATION_REQUIRED'),
  allowRepeat: z.boolean().optional().describe('Repeat an identical write within 60 s'),
};

/** Paging of a truncated earlier result, served from the result store. */
export const pagingFields = {
  resultId: resultIdField,
  offset: offsetField,
};
