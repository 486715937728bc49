// Field definitions and the small builders the model table (models.ts) is written with.
// One FieldDef drives storage, REST validation, /meta/fields and the action JSON Schemas.
import { CURRENCIES, currencyOf, SALUTATIONS, type EnumOption } from './options.js';

/** Field types as 1CRM metadata names them (C-php meta.md). */
export type FieldType =
  | 'id'
  | 'name'
  | 'varchar'
  | 'text'
  | 'enum'
  | 'bool'
  | 'int'
  | 'double'
  | 'currency'
  | 'date'
  | 'datetime'
  | 'email'
  | 'phone'
  | 'url'
  | 'ref';

/** 1CRM returns every value as a string, or null when empty. */
export type ApiValue = string | null;
export type ApiRecord = Record<string, ApiValue>;

/** Stand-in model name for a link whose target model is the record's `parent_type`. */
export const PARENT = '@parent';

export interface FieldDef {
  name: string;
  /** Human label, as `vname` in 1CRM metadata. */
  vname: string;
  type: FieldType;
  /** Required in metadata. Fields with a default or `defaultsToCurrentUser` never fail the required check. */
  required?: boolean;
  /** false: set by the system (ids, timestamps, numbers, balances, computed values); writes are rejected. */
  editable?: boolean;
  len?: number;
  options?: readonly EnumOption[];
  /** API string applied on create when the write leaves the field empty. */
  default?: string;
  /** `ref` display fields: the model named (PARENT = parent_type) and the `*_id` field holding the link. */
  ref?: { model: string; idName: string };
  /** `*_id` fields: the model the id must exist in (PARENT = parent_type). */
  refModel?: string;
  /** Computed on every read from the stored fields; never stored. */
  compute?: (r: ApiRecord) => ApiValue;
  /** Filled on create from a per-model counter (case numbers, quote numbers). */
  autoNumber?: boolean;
  /** On create, the current (API) user's id when the write gives none. */
  defaultsToCurrentUser?: boolean;
  min?: number;
  max?: number;
  /** Extra explanation, served as `comment` in metadata and appended to schema descriptions. */
  comment?: string;
}

type Extra = Partial<Omit<FieldDef, 'name' | 'vname' | 'type'>>;

export const field = (name: string, vname: string, type: FieldType, extra: Extra = {}): FieldDef => ({
  name,
  vname,
  type,
  ...extra,
});

export const varchar = (name: string, vname: string, len = 100, extra: Extra = {}) => field(name, vname, 'varchar', { len, ...extra });
export const text = (name: string, vname: string, extra: Extra = {}) => field(name, vname, 'text', extra);
export const enumOf = (name: string, vname: string, options: readonly EnumOption[], extra: Extra = {}) =>
  field(name, vname, 'enum', { options, ...extra });
export const bool = (name: string, vname: string, defaultValue = '0', extra: Extra = {}) =>
  field(name, vname, 'bool', { default: defaultValue, ...extra });
export const int = (name: string, vname: string, extra: Extra = {}) => field(name, vname, 'int', extra);
export const money = (name: string, vname: string, extra: Extra = {}) => field(name, vname, 'currency', extra);
export const date = (name: string, vname: string, extra: Extra = {}) => field(name, vname, 'date', extra);
export const datetime = (name: string, vname: string, extra: Extra = {}) => field(name, vname, 'datetime', extra);
export const email = (name: string, vname: string) => field(name, vname, 'email', { len: 100 });
export const phone = (name: string, vname: string) => field(name, vname, 'phone', { len: 100 });
export const url = (name: string, vname: string) => field(name, vname, 'url', { len: 255 });

/**
 * A reference as 1CRM exposes it: a read-only display field (`account`, type ref) plus the id field that
 * writes set (`account_id`). The display value is resolved from the target record on every read.
 */
export function ref(
  name: string,
  vname: string,
  model: string,
  extra: { required?: boolean; idName?: string; comment?: string; editable?: boolean; defaultsToCurrentUser?: boolean } = {},
): FieldDef[] {
  const idName = extra.idName ?? `${name}_id`;
  return [
    field(name, vname, 'ref', { ref: { model, idName }, editable: false, required: extra.required }),
    field(idName, `${vname} ID`, 'id', {
      len: 36,
      refModel: model,
      required: extra.required,
      editable: extra.editable,
      defaultsToCurrentUser: extra.defaultsToCurrentUser,
      comment: extra.comment ?? `Id of the ${model} record`,
    }),
  ];
}

/** `parent_type` + `parent_id` + read-only `parent` (display name of the parent record). */
export function parent(models: readonly string[], required = false): FieldDef[] {
  return [
    enumOf(
      'parent_type',
      'Parent Type',
      models.map((m) => ({ value: m, label: m })),
      {
        required,
        comment: 'Model name of the parent record; set together with parent_id',
      },
    ),
    field('parent_id', 'Parent ID', 'id', {
      len: 36,
      refModel: PARENT,
      required,
      comment: 'Id of the parent record (a record of the model in parent_type)',
    }),
    field('parent', 'Parent', 'ref', { ref: { model: PARENT, idName: 'parent_id' }, editable: false }),
  ];
}

/** `<prefix>_street/city/state/postalcode/country`. */
export function address(prefix: string, label: string): FieldDef[] {
  return [
    varchar(`${prefix}_street`, `${label} Street`, 150),
    varchar(`${prefix}_city`, `${label} City`),
    varchar(`${prefix}_state`, `${label} State`),
    varchar(`${prefix}_postalcode`, `${label} Postal Code`, 20),
    varchar(`${prefix}_country`, `${label} Country`),
  ];
}

/** Fields every 1CRM model carries (C-php meta.md). User has no assigned user. */
export function commonFields(opts: { assigned: boolean } = { assigned: true }): FieldDef[] {
  return [
    field('id', 'ID', 'id', { len: 36, editable: false, required: true, comment: 'Unique identifier' }),
    bool('deleted', 'Deleted', '0', { editable: false }),
    datetime('date_entered', 'Date Created', { editable: false }),
    datetime('date_modified', 'Last Modified', { editable: false }),
    ...ref('modified_user', 'Modified by', 'User', { editable: false }),
    ...(opts.assigned
      ? ref('assigned_user', 'Assigned to', 'User', {
          required: true,
          defaultsToCurrentUser: true,
          comment: 'Id of the User the record is assigned to (defaults to the API user)',
        })
      : []),
    ...ref('created_by_user', 'Created by', 'User', { idName: 'created_by', editable: false }),
  ];
}

/** Computed person name as 1CRM shows it: "[salutation ]first last". */
export function personName(r: ApiRecord): ApiValue {
  const parts = [r.salutation, r.first_name, r.last_name].filter((p): p is string => !!p);
  return parts.length ? parts.join(' ') : null;
}

export function personFields(lastNameRequired = true): FieldDef[] {
  return [
    enumOf('salutation', 'Salutation', SALUTATIONS),
    varchar('first_name', 'First Name'),
    varchar('last_name', 'Last Name', 100, { required: lastNameRequired }),
    field('name', 'Name', 'name', { editable: false, compute: personName, comment: 'Computed from salutation, first_name, last_name' }),
  ];
}

/** `currency_id` (enum of the sandbox currencies) + computed `currency` label and `exchange_rate`. */
export function currencyFields(): FieldDef[] {
  return [
    enumOf('currency_id', 'Currency', CURRENCIES, { default: '-99', comment: '-99 is the base currency (US Dollar)' }),
    field('currency', 'Currency Name', 'ref', {
      editable: false,
      compute: (r) => currencyOf(r.currency_id)?.label ?? null,
    }),
    field('exchange_rate', 'Exchange Rate', 'double', {
      editable: false,
      compute: (r) => String(currencyOf(r.currency_id)?.rate ?? 1),
    }),
  ];
}

/** `<amountField>_usdollar`-style conversion into the base currency, computed on read. */
export function usDollar(name: string, vname: string, amountField: string): FieldDef {
  return money(name, vname, {
    editable: false,
    compute: (r) => {
      const amount = r[amountField];
      if (amount === null || amount === undefined) return null;
      const rate = currencyOf(r.currency_id)?.rate ?? 1;
      return String(Math.round((Number(amount) / rate) * 100) / 100);
    },
  });
}

/** `prefix` + auto-numbered `<numberField>` + computed `full_number` (Quote, Invoice, PurchaseOrder). */
export function documentNumber(numberField: string, vname: string, prefix: string): FieldDef[] {
  return [
    varchar('prefix', 'Prefix', 20, { default: prefix }),
    int(numberField, vname, { editable: false, autoNumber: true }),
    varchar('full_number', 'Full Number', 60, {
      editable: false,
      compute: (r) => (r[numberField] ? `${r.prefix ?? ''}${r[numberField]}` : null),
    }),
  ];
}

/** Stored (not computed, not a resolved display) fields: what a record document in the store holds. */
export function isStored(f: FieldDef): boolean {
  return !f.compute && f.type !== 'ref';
}

/** Fields a client may write. */
export function isWritable(f: FieldDef): boolean {
  return isStored(f) && f.editable !== false;
}
