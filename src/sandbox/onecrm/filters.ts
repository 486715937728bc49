// List filter definitions. 1CRM only accepts `filters[name]` for names its metadata defines
// (C-php examples/filter-contacts.md: "You cannot use arbitrary fields for filtering"); these are ours,
// shaped like the Contact filters in C-php meta.md.
import type { FieldDef } from './fields.js';
import type { EnumOption } from './options.js';

/** Filter types as 1CRM metadata names them; `id` (exact id match) is the sandbox's own. */
export type FilterType = 'unified_search' | 'owner' | 'ref' | 'varchar' | 'enum' | 'bool' | 'phone' | 'email' | 'id';

export interface FilterDef {
  name: string;
  vname: string;
  type: FilterType;
  /** Fields the filter looks at. */
  fields: string[];
  options?: readonly EnumOption[];
}

/** How each filter type matches, for metadata readers and schema descriptions. */
export const FILTER_SEMANTICS: Record<FilterType, string> = {
  unified_search: 'case-insensitive substring over the name-like, email, phone and number fields',
  owner: 'all | mine | not_mine, relative to the API user',
  ref: 'the linked record id, or the start of its name (case-insensitive)',
  varchar: 'start of the value (case-insensitive), as 1CRM name filters match "John" to "Johnathan"',
  enum: 'exact option value; repeat as filters[name][]=a&filters[name][]=b for any of several',
  bool: '1/0 (true/false accepted)',
  phone: 'digits contained in any of the phone fields',
  email: 'case-insensitive substring of any of the email fields',
  id: 'exact id',
};

/** Filter on one field, typed after the field (enum/bool/ref/id keep their type, text becomes a prefix match). */
export function fieldFilter(f: FieldDef): FilterDef {
  const base = { name: f.name, vname: f.vname, fields: [f.name] };
  switch (f.type) {
    case 'enum':
      return { ...base, type: 'enum', options: f.options };
    case 'bool':
      return { ...base, type: 'bool' };
    case 'ref':
      return { ...base, type: 'ref', fields: [f.name, f.ref?.idName ?? `${f.name}_id`] };
    case 'id':
      return { ...base, type: 'id' };
    case 'email':
      return { ...base, type: 'email' };
    case 'phone':
      return { ...base, type: 'phone' };
    default:
      return { ...base, type: 'varchar' };
  }
}

/** A filter over several fields (any_email, any_phone, address_city…). */
export function anyOf(name: string, vname: string, type: FilterType, fields: string[]): FilterDef {
  return { name, vname, type, fields };
}

export const addressFilters = (prefixes: string[]): FilterDef[] =>
  (['city', 'state', 'postalcode', 'country'] as const).map((part) =>
    anyOf(
      `address_${part}`,
      `Any ${part === 'postalcode' ? 'Postal Code' : part[0].toUpperCase() + part.slice(1)}`,
      'varchar',
      prefixes.map((p) => `${p}_${part}`),
    ),
  );

export const OWNER_OPTIONS: EnumOption[] = [
  { value: 'all', label: 'Any' },
  { value: 'mine', label: 'Mine' },
  { value: 'not_mine', label: 'Not Mine' },
];

/** Filters every model with an assigned user offers. */
export function standardFilters(searchFields: string[], assigned: boolean): FilterDef[] {
  const filters: FilterDef[] = [anyOf('filter_text', 'Search Text', 'unified_search', searchFields)];
  if (assigned) {
    filters.push({ name: 'filter_owner', vname: 'Owner', type: 'owner', fields: ['assigned_user_id'], options: OWNER_OPTIONS });
    filters.push(anyOf('assigned_user_id', 'Assigned User ID', 'id', ['assigned_user_id']));
  }
  return filters;
}
