// Conversions from friendly action inputs to AmoCRM API values.
import { InvalidInput } from '../../emulator-types.js';
import type { QueryPairs } from './client.js';

/** Unix seconds from an integer or an ISO date-time string. */
export function toUnixSeconds(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return Math.floor(ms / 1000);
  }
  throw new InvalidInput(`${field} must be unix seconds or an ISO 8601 date-time`, field);
}

export function optionalString(input: Record<string, unknown>, key: string): string | undefined {
  const v = input[key];
  return typeof v === 'string' ? v : undefined;
}

/** A friendly input that becomes a custom field write: `phone` → the PHONE multitext field. */
export type CustomFieldInput = [input: string, fieldCode: string, kind: 'multitext' | 'text'];

/**
 * The body a contact or a company is created or updated with: the `plain` inputs copied as given, the others
 * written as their custom fields (an empty string clears one).
 */
export function partyBody(input: Record<string, unknown>, plain: string[], custom: CustomFieldInput[]): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const key of plain) if (input[key] !== undefined) body[key] = input[key];
  const fields = custom.flatMap(([name, code, kind]) => {
    const value = optionalString(input, name);
    if (value === undefined) return [];
    return [kind === 'multitext' ? multitextWrite(code, value) : textWrite(code, value)];
  });
  if (fields.length > 0) body.custom_fields_values = fields;
  return body;
}

export function optionalInt(input: Record<string, unknown>, key: string): number | undefined {
  const v = input[key];
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

export function intList(input: Record<string, unknown>, key: string): number[] | undefined {
  const v = input[key];
  return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number' && Number.isInteger(x)) : undefined;
}

/** `filter[<name>][]` for each id, `filter[<name>]` for a scalar. */
export function pushFilter(query: QueryPairs, name: string, value: number | string | boolean | number[] | undefined): void {
  if (value === undefined) return;
  if (Array.isArray(value)) for (const v of value) query.push([`filter[${name}][]`, v]);
  else query.push([`filter[${name}]`, typeof value === 'boolean' ? (value ? 1 : 0) : value]);
}

/** `filter[<name>][from|to]` from `<name>_from` / `<name>_to` inputs (unix seconds or ISO). */
export function pushRange(query: QueryPairs, filter: Record<string, unknown>, name: string, isTime: boolean): void {
  for (const edge of ['from', 'to'] as const) {
    const raw = filter[`${name}_${edge}`];
    if (raw === undefined) continue;
    const value = isTime ? toUnixSeconds(raw, `filter.${name}_${edge}`) : raw;
    query.push([`filter[${name}][${edge}]`, typeof value === 'number' ? value : String(value)]);
  }
}

/**
 * A multitext custom field write (PHONE/EMAIL) with one WORK value; an empty string clears the field.
 * Uses `field_code`, which AmoCRM accepts instead of `field_id` on write.
 */
export function multitextWrite(code: string, value: string): Record<string, unknown> {
  return value.trim() === '' ? { field_code: code, values: null } : { field_code: code, values: [{ value, enum_code: 'WORK' }] };
}

/** A single-value custom field write by code; an empty string clears the field. */
export function textWrite(code: string, value: string): Record<string, unknown> {
  return value.trim() === '' ? { field_code: code, values: null } : { field_code: code, values: [{ value }] };
}
