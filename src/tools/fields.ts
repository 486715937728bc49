// Argument and output fields shared by several tools, defined once. Checks that agents do not need to
// read (id character sets) are refinements: enforced by our strict parse, left out of the JSON Schema
// to keep tools/list small.
import { z } from 'zod';
import { ID_PATTERN } from '../membrane/identifiers.js';

export function idString(what: string) {
  return z.string().refine((v) => ID_PATTERN.test(v), `must be ${what}: letters, digits and _ . : @ -, not starting with -`);
}
export const connectionIdField = idString('a connection id').optional();
/**
 * Free text that goes on to Membrane (an intent, a description) never holds a NUL character: a CLI argument cannot
 * carry one, so it is refused here, the same way on every backend.
 */
export function freeText(min: number, max: number) {
  return z
    .string()
    .min(min)
    .max(max)
    .refine((v) => !v.includes('\u0000'), 'must not contain a NUL character');
}
// Undescribed in the listing: a truncated result's nextStep says exactly how to page it.
export const resultIdField = z
  .string()
  .refine((v) => /^r_[A-Za-z0-9_-]{6,40}$/.test(v), 'must be a truncated.resultId')
  .optional();
export const offsetField = z.number().int().min(0).optional();

/** {returned, total, omitted, nextOffset?, resultId?, nextStep}: see results/paging.ts (an object; untyped in the listing). */
export const truncatedOut = z.unknown();

/**
 * A tool's output schema, shallow on purpose (it is sent with every tools/list) and open to fields it
 * does not list (jsonText when a result is paged as text, hidden, warning, and `error`). Clients validate
 * structuredContent against it even on isError results (the SDK client does), so error results
 * `{backend, connector, error: {code, message, retryable, nextStep?, uiUrl?, details?}}` must fit too:
 * every success field is optional. backend ("membrane" or "sandbox") and connector are in every result (the
 * instructions say so, tests check it) but not listed: tools/list is paid for by every session.
 */
export function outputSchema<S extends z.ZodRawShape>(success: S) {
  return z.looseObject(z.object(success).partial().shape);
}

/** Arrays in outputs (of objects whose fields the tool description names; not spelled out in the listing). */
export const listOf = () => z.array(z.unknown());

/** Confirmation and repeat-guard arguments of every tool that may change data (run_action, proxy_request). */
export const writeGateFields = {
  confirm: z.string().max(100).optional().describe('Token from CONFIRMATION_REQUIRED'),
  allowRepeat: z.boolean().optional().describe('Repeat an identical write'),
};

/** Result shape of run_action and proxy_request. */
export const shapeField = z.enum(['compact', 'raw']).optional().describe('Default compact; raw: as the CRM sent it');

/** Paging of a truncated earlier result, served from the result store. */
export const pagingFields = {
  resultId: resultIdField,
  offset: offsetField,
};

/** The arguments the tools that may change CRM data (run_action, proxy_request) end with, in this order. */
export const changingCallFields = {
  shape: shapeField,
  connectionId: connectionIdField,
  ...writeGateFields,
  ...pagingFields,
};
