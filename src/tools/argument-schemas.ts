// What agents see of a tool (its JSON Schemas) and how its arguments are checked are kept apart on purpose:
//
// 1. Our tools/call wrapper (tools/registry.ts) validates arguments with the strict zod schema, which
//    enforces every limit and names the field that broke it (INVALID_INPUT with the fields), after a depth
//    check that runs before anything walks the arguments recursively.
// 2. tools/list shows listedSchema(strict): the strict schema's JSON Schema, compacted. Limits an agent
//    never needs to read (maximum string lengths, key patterns, the largest safe integer) and
//    default-valued keywords are dropped: tools/list is sent to every client and costs tokens.
// test/unit/tool-schemas.test.ts checks that what a client receives is exactly listedSchema(strict).
import { z } from 'zod';
import { ToolError } from '../errors.js';
import { shortened } from '../results/tool-result.js';

type JsonObject = Record<string, unknown>;

const DROPPED_KEYWORDS = new Set(['$schema', 'propertyNames', 'maxLength', 'minLength', 'maxItems', 'minItems']);

function compact(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(compact);
  if (!node || typeof node !== 'object') return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node as JsonObject)) {
    if (DROPPED_KEYWORDS.has(key)) continue;
    if (key === 'maximum' && typeof value === 'number' && value >= 1e6) continue;
    // `additionalProperties: {}` and `properties: {}` say what JSON Schema assumes anyway.
    if ((key === 'additionalProperties' || key === 'properties') && value && typeof value === 'object' && Object.keys(value).length === 0)
      continue;
    if (key === 'anyOf' && Array.isArray(value)) {
      // anyOf inside anyOf (zod renders unions of unions that way) is one anyOf.
      out.anyOf = value.flatMap((v) => ((v as JsonObject)?.anyOf as unknown[] | undefined) ?? [v]).map(compact);
      continue;
    }
    out[key] = compact(value);
  }
  return out;
}

/**
 * The JSON Schema agents see for a strict zod object. The root's `additionalProperties: false` is left out
 * too: unknown arguments are still refused, by the strict parse, with the argument named.
 */
export function listedSchema(strict: z.ZodObject, io: 'input' | 'output'): JsonObject {
  const { additionalProperties: _closed, ...json } = compact(z.toJSONSchema(strict, { target: 'draft-7', io })) as JsonObject;
  return json;
}

/** Longest argument name (or path segment) echoed back: a hostile 5 MB key must not come back whole. */
const ECHOED_NAME_CHARS = 80;
/** Field problems named in the message; all of them (up to the output budget) stay in details. */
const FIELDS_IN_MESSAGE = 10;

function fieldName(path: PropertyKey[]): string {
  return path.map((p) => shortened(String(p), ECHOED_NAME_CHARS)).join('.') || '(arguments)';
}

/** Turns zod issues on tool arguments into INVALID_INPUT with one entry per field. */
export function invalidArguments(error: z.ZodError, tool: string): ToolError {
  const fields: { field: string; problem: string }[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) fields.push({ field: fieldName([...issue.path, key]), problem: 'is not an argument of this tool' });
    } else {
      fields.push({ field: fieldName(issue.path), problem: shortened(issue.message, 300) });
    }
  }
  const listed = fields.slice(0, FIELDS_IN_MESSAGE).map((f) => `${f.field} ${f.problem}`);
  if (fields.length > FIELDS_IN_MESSAGE) listed.push(`and ${fields.length - FIELDS_IN_MESSAGE} more (see details)`);
  return new ToolError('INVALID_INPUT', `Invalid arguments for ${tool}: ${listed.join('; ')}`, {
    nextStep: `Fix the listed arguments (see the input schema of ${tool}) and call again.`,
    retryable: false,
    details: { fields },
  });
}

/** Arguments nested deeper than this are refused before anything serialises or validates them. */
export const MAX_ARGUMENT_DEPTH = 64;

/**
 * INVALID_INPUT when `value` nests objects or arrays deeper than `limit`, naming where; undefined otherwise.
 * Iterative, so hostile depth (10,000 levels) cannot overflow the stack here either.
 */
export function nestingProblem(value: unknown, limit: number): ToolError | undefined {
  const stack: { v: unknown; depth: number; path: string[] }[] = [{ v: value, depth: 0, path: [] }];
  while (stack.length) {
    const { v, depth, path } = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    if (depth >= limit) {
      const field = fieldName(path.slice(0, 3)) + (path.length > 3 ? '.….' + fieldName(path.slice(-1)) : '');
      return new ToolError('INVALID_INPUT', `Arguments nest deeper than ${limit} levels (at ${field})`, {
        nextStep: `Flatten the value: no argument may nest objects or arrays more than ${limit} levels deep.`,
        retryable: false,
        details: { fields: [{ field, problem: `nests deeper than ${limit} levels` }] },
      });
    }
    for (const [k, child] of Object.entries(v))
      if (child && typeof child === 'object') stack.push({ v: child, depth: depth + 1, path: [...path, k] });
  }
  return undefined;
}
