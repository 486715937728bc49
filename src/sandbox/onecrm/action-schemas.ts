// JSON Schemas of the 1CRM actions, derived from the model table. Inputs use natural JSON types
// (number for money, boolean for flags); the actions convert them to the API's strings. Outputs describe
// records as the API returns them: string or null values in 1CRM's own field names.
// Only standard draft-07 keywords, so Ajv's strict mode accepts them (nullable values use type unions;
// a nullable enum is anyOf [enum, null], since Membrane's data schemas allow only strings in `enum`).
import type { JsonSchema } from '../emulator-types.js';
import { isWritable, type FieldDef } from './fields.js';
import { FILTER_SEMANTICS, type FilterDef } from './filters.js';
import type { ModelDef } from './models.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from './query.js';

const sentence = (s: string) => (s.endsWith('.') ? s : `${s}.`);

function fieldDescription(f: FieldDef): string {
  const parts = [sentence(f.vname)];
  if (f.type === 'date') parts.push('Date "YYYY-MM-DD".');
  if (f.type === 'datetime') parts.push('Datetime "YYYY-MM-DD HH:MM:SS" in GMT (ISO 8601 with an offset is accepted).');
  if (f.type === 'currency') parts.push('Amount in the record currency.');
  if (f.options?.some((o) => o.label !== o.value)) {
    parts.push(`Values: ${f.options.map((o) => `${o.value} (${o.label})`).join(', ')}.`);
  }
  if (f.refModel === '@parent') parts.push('Id of a record of the model named in parent_type.');
  else if (f.refModel) parts.push(`Id of the linked ${f.refModel} record.`);
  if (f.default !== undefined) parts.push(`Default "${f.default}".`);
  if (f.comment && !f.refModel) parts.push(sentence(f.comment));
  return parts.join(' ');
}

/** Schema of one writable field's natural value; `nullable` lets an update clear it. */
function inputValueSchema(f: FieldDef, nullable: boolean): JsonSchema {
  let s: Record<string, unknown>;
  switch (f.type) {
    case 'bool':
      s = { type: 'boolean' };
      break;
    case 'int':
      s = { type: 'integer' };
      break;
    case 'double':
    case 'currency':
      s = { type: 'number' };
      break;
    case 'enum':
      s = { type: 'string', enum: f.options?.map((o) => o.value) ?? [] };
      break;
    case 'date':
      s = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };
      break;
    default:
      s = { type: 'string' };
      if (f.len !== undefined && f.type !== 'datetime') s.maxLength = f.len;
  }
  if (f.min !== undefined && (f.type === 'int' || f.type === 'double' || f.type === 'currency')) s.minimum = f.min;
  if (f.max !== undefined && f.type === 'int') s.maximum = f.max;
  // Membrane's data schemas allow only strings in `enum`, so a clearable enum is a union with null.
  if (nullable && Array.isArray(s.enum)) return { anyOf: [s, { type: 'null' }], description: fieldDescription(f) };
  if (nullable) s.type = [s.type as string, 'null'];
  return { ...s, description: fieldDescription(f) };
}

/** Required on create: required in metadata and not filled in by a default. */
export function requiredOnCreate(f: FieldDef): boolean {
  return !!f.required && f.default === undefined && !f.defaultsToCurrentUser && isWritable(f);
}

/** Writable fields, the model's own first and the common ones (assigned_user_id) after them. */
export const writableFields = (model: ModelDef): FieldDef[] =>
  [...model.fields, ...model.allFields.filter((f) => !model.fields.includes(f))].filter(isWritable);

const idProperty = (model: ModelDef): JsonSchema => ({
  type: 'string',
  minLength: 1,
  description: `Id of the ${model.label} (36-character 1CRM id).`,
});

export function createInputSchema(model: ModelDef): JsonSchema {
  const fields = writableFields(model);
  return {
    type: 'object',
    properties: Object.fromEntries(fields.map((f) => [f.name, inputValueSchema(f, false)])),
    required: fields.filter(requiredOnCreate).map((f) => f.name),
    additionalProperties: false,
  };
}

export function updateInputSchema(model: ModelDef): JsonSchema {
  const fields = writableFields(model);
  return {
    type: 'object',
    properties: {
      id: idProperty(model),
      ...Object.fromEntries(fields.map((f) => [f.name, inputValueSchema(f, !f.required)])),
    },
    required: ['id'],
    minProperties: 2,
    additionalProperties: false,
  };
}

export function idInputSchema(model: ModelDef): JsonSchema {
  return { type: 'object', properties: { id: idProperty(model) }, required: ['id'], additionalProperties: false };
}

function filterSchema(fl: FilterDef): JsonSchema {
  const description = `${fl.vname}: ${FILTER_SEMANTICS[fl.type]}.`;
  if (fl.type === 'bool') return { type: 'boolean', description };
  if (fl.type === 'enum' || fl.type === 'owner') {
    return { type: 'string', enum: fl.options?.map((o) => o.value) ?? [], description };
  }
  return { type: 'string', minLength: 1, description };
}

const paging = {
  limit: {
    type: 'integer',
    minimum: 1,
    maximum: MAX_LIMIT,
    default: DEFAULT_LIMIT,
    description: `Records per page, 1–${MAX_LIMIT} (default ${DEFAULT_LIMIT}).`,
  },
  cursor: { type: 'string', description: 'The cursor of the previous page; omit for the first page.' },
};

export function listInputSchema(model: ModelDef): JsonSchema {
  return {
    type: 'object',
    properties: {
      ...paging,
      filter: {
        type: 'object',
        description: `Filters (all must match). Only these names exist for ${model.name}.`,
        properties: Object.fromEntries([...model.filterMap.values()].map((fl) => [fl.name, filterSchema(fl)])),
        additionalProperties: false,
      },
      order: {
        type: 'string',
        description: 'Sort: a field name, optionally followed by " DESC" (e.g. "date_modified DESC"). Default: creation order.',
      },
      fields: {
        type: 'array',
        items: { type: 'string', enum: model.allFields.map((f) => f.name) },
        uniqueItems: true,
        description: `Fields of each row (id and _display always come). Default: ${model.summaryFields.join(', ')}.`,
      },
    },
    additionalProperties: false,
  };
}

export function searchInputSchema(model: ModelDef): JsonSchema {
  return {
    type: 'object',
    properties: {
      query: {
        type: 'string',
        minLength: 1,
        description: `Text to look for (case-insensitive, part of a word is enough) in: ${model.searchFields.join(', ')}.`,
      },
      ...paging,
    },
    required: ['query'],
    additionalProperties: false,
  };
}

// ---- outputs ----

const stringOrNull = (description: string): JsonSchema => ({ type: ['string', 'null'], description });

export function recordSchema(model: ModelDef, fieldNames?: string[]): JsonSchema {
  const fields = fieldNames ? fieldNames.map((n) => model.fieldMap.get(n) as FieldDef) : model.allFields;
  return {
    type: 'object',
    description: `A 1CRM ${model.name} record: every value is a string (numbers and flags too, "1"/"0") or null.`,
    properties: {
      id: { type: 'string', description: 'Record id.' },
      ...Object.fromEntries(fields.filter((f) => f.name !== 'id').map((f) => [f.name, stringOrNull(sentence(f.vname))])),
      ...(fieldNames ? { _display: stringOrNull('Display name of the record.') } : {}),
    },
    required: ['id'],
  };
}

export function listOutputSchema(model: ModelDef): JsonSchema {
  return {
    type: 'object',
    properties: {
      records: { type: 'array', items: recordSchema(model, model.summaryFields) },
      cursor: { type: 'string', description: 'Pass as cursor to get the next page; absent on the last page.' },
    },
    required: ['records'],
  };
}

export function writeOutputSchema(model: ModelDef): JsonSchema {
  return {
    type: 'object',
    properties: { id: { type: 'string', description: `Id of the ${model.label}.` }, record: recordSchema(model) },
    required: ['id', 'record'],
  };
}

export function deleteOutputSchema(model: ModelDef): JsonSchema {
  return {
    type: 'object',
    properties: { id: { type: 'string', description: `Id of the deleted ${model.label}.` }, deleted: { const: true } },
    required: ['id', 'deleted'],
  };
}
