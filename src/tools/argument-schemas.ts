// What agents see of a tool (its JSON Schemas) and how its arguments are checked are kept apart on purpose:
//
// 1. The SDK validates arguments against the registered zod schema before our handler runs, and answers a
//    failure with an uncoded text ("MCP error -32602: …"). Agents need INVALID_INPUT with the fields, so
//    the SDK gets a pass-through schema (each property z.unknown()) and our wrapper validates with the
//    strict schema (tools/registry.ts), which enforces every limit and names the field that broke it.
// 2. The pass-through schema carries, as zod metadata, the JSON Schema the SDK lists: the strict schema's,
//    compacted. Limits an agent never needs to read (maximum string lengths, key patterns, the largest safe
//    integer) and default-valued keywords are dropped: tools/list is sent to every session and costs tokens.
// test/unit/tool-schemas.test.ts checks that what the SDK lists is exactly listedSchema(strict).
import { z } from 'zod';
import { ToolError } from '../errors.js';

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

/** A zod object that accepts anything and renders, through the SDK, to `listedSchema(strict, io)`. */
export function passThrough(strict: z.ZodObject, io: 'input' | 'output'): z.ZodObject {
  const json = listedSchema(strict, io);
  const properties = (json.properties ?? {}) as Record<string, JsonObject>;
  const shape: Record<string, z.ZodType> = {};
  for (const [key, propSchema] of Object.entries(properties)) shape[key] = z.unknown().meta(propSchema).optional();
  const { type: _t, properties: _p, ...objectKeywords } = json;
  // Undefined metadata drops what the SDK's conversion would add: the draft-07 `$schema` line and the
  // loose object's `additionalProperties: {}`.
  return z.looseObject(shape).meta({ $schema: undefined, additionalProperties: undefined, ...objectKeywords });
}

function fieldName(path: PropertyKey[]): string {
  return path.map(String).join('.') || '(arguments)';
}

/** Turns zod issues on tool arguments into INVALID_INPUT with one entry per field. */
export function invalidArguments(error: z.ZodError, tool: string): ToolError {
  const fields: { field: string; problem: string }[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) fields.push({ field: fieldName([...issue.path, key]), problem: 'is not an argument of this tool' });
    } else {
      fields.push({ field: fieldName(issue.path), problem: issue.message });
    }
  }
  const summary = fields.map((f) => `${f.field} ${f.problem}`).join('; ');
  return new ToolError('INVALID_INPUT', `Invalid arguments for ${tool}: ${summary}`, {
    nextStep: `Fix the listed arguments (see the input schema of ${tool}) and call again.`,
    retryable: false,
    details: { fields },
  });
}
