// Custom field values: writes accept a field by `field_id` or `field_code` and values with
// `enum_id` and/or `enum_code`; storage and reads use the full read shape
// (field_id, field_name, field_code, field_type, values[{value, enum_id, enum_code}]).
import type { CustomFieldDef, CustomFieldValue, CustomFieldValueItem, EntityType, EnumValue } from './model.js';
import type { Repo } from './repo.js';
import { MODEL } from './constants.js';
import { type Reader } from './validation.js';

export interface CustomFieldWrite {
  def: CustomFieldDef;
  /** Empty means "clear this field". */
  values: CustomFieldValueItem[];
}

export function fieldDefs(repo: Repo, entityType: EntityType): CustomFieldDef[] {
  return repo.all(MODEL.customFields).filter((d) => d.entity_type === entityType);
}

function findDef(defs: CustomFieldDef[], field: Reader): CustomFieldDef | undefined {
  const id = field.int('field_id');
  if (id !== undefined) {
    const def = defs.find((d) => d.id === id);
    if (!def) field.issues.choice(field.path('field_id'));
    return def;
  }
  const code = field.string('field_code');
  if (code !== undefined) {
    const def = defs.find((d) => d.code !== null && d.code.toUpperCase() === code.toUpperCase());
    if (!def) field.issues.choice(field.path('field_code'));
    return def;
  }
  field.issues.blank(field.path('field_id'));
  return undefined;
}

const DATE_TYPES = new Set(['date', 'date_time', 'birthday']);
const ENUM_TYPES = new Set(['select', 'multiselect', 'radiobutton']);

/** Unix seconds from an int or an RFC 3339 / ISO date string (both are accepted on write). */
function toUnix(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return Math.floor(ms / 1000);
  }
  return undefined;
}

function normalizeItem(def: CustomFieldDef, item: Reader): CustomFieldValueItem | undefined {
  const { issues } = item;
  const raw = item.obj.value;
  if (def.type === 'multitext') {
    const value = item.requiredString('value');
    const enumId = item.int('enum_id');
    const enumCode = item.string('enum_code');
    const enums = def.enums ?? [];
    let chosen: EnumValue | undefined = enums[0];
    if (enumId !== undefined) {
      chosen = enums.find((e) => e.id === enumId);
      if (!chosen) issues.choice(item.path('enum_id'));
    } else if (enumCode !== undefined) {
      chosen = enums.find((e) => e.value.toUpperCase() === enumCode.toUpperCase());
      if (!chosen) issues.choice(item.path('enum_code'));
    }
    if (value === undefined || !chosen) return undefined;
    return { value, enum_id: chosen.id, enum_code: chosen.value };
  }
  if (ENUM_TYPES.has(def.type)) {
    const enumId = item.int('enum_id');
    const enums = def.enums ?? [];
    const chosen =
      enumId !== undefined ? enums.find((e) => e.id === enumId) : enums.find((e) => typeof raw === 'string' && e.value === raw);
    if (!chosen) {
      issues.choice(item.path(enumId !== undefined ? 'enum_id' : 'value'));
      return undefined;
    }
    return { value: chosen.value, enum_id: chosen.id };
  }
  if (DATE_TYPES.has(def.type)) {
    const unix = toUnix(raw);
    if (unix === undefined) issues.add('InvalidType', item.path('value'), 'This value should be a unix timestamp or an RFC 3339 date.');
    return unix === undefined ? undefined : { value: unix };
  }
  if (def.type === 'numeric' || def.type === 'price' || def.type === 'monetary') {
    const num = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof num !== 'number' || !Number.isFinite(num)) {
      issues.type(item.path('value'), 'int');
      return undefined;
    }
    return { value: num };
  }
  if (def.type === 'checkbox') {
    const flag = item.bool('value');
    if (flag === undefined && raw === undefined) issues.blank(item.path('value'));
    return flag === undefined ? undefined : { value: flag };
  }
  const text = item.requiredString('value');
  return text === undefined ? undefined : { value: text };
}

/** Reads `custom_fields_values` of a write body; records issues; undefined when the key is absent. */
export function readCustomFieldWrites(body: Reader, defs: CustomFieldDef[]): CustomFieldWrite[] | undefined {
  const fields = body.objects('custom_fields_values');
  if (!fields) return undefined;
  const writes: CustomFieldWrite[] = [];
  for (const field of fields) {
    const def = findDef(defs, field);
    const itemReaders = field.obj.values === null ? [] : field.objects('values');
    if (!def || !itemReaders) continue;
    const values = itemReaders.map((r) => normalizeItem(def, r)).filter((v): v is CustomFieldValueItem => v !== undefined);
    writes.push({ def, values });
  }
  return writes;
}

/** Applies writes to the current values: each written field is replaced (or removed when empty). */
export function applyCustomFieldWrites(
  current: CustomFieldValue[] | null,
  writes: CustomFieldWrite[] | undefined,
): CustomFieldValue[] | null {
  if (!writes) return current;
  const result = [...(current ?? [])];
  for (const { def, values } of writes) {
    const index = result.findIndex((v) => v.field_id === def.id);
    const next: CustomFieldValue = { field_id: def.id, field_name: def.name, field_code: def.code, field_type: def.type, values };
    if (values.length === 0) {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) result[index] = next;
    else result.push(next);
  }
  // AmoCRM answers null, not [], for an entity without custom field values.
  return result.length > 0 ? result : null;
}

/** Every value as text, for `query` search. */
export function customFieldText(values: CustomFieldValue[] | null): string[] {
  return (values ?? []).flatMap((f) => f.values.map((v) => String(v.value)));
}
