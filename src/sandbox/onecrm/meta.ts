// `GET /meta/fields/{Model}`: field and filter metadata in the shape of C-php meta.md, trimmed to the keys
// a client uses (vname, type, required, editable, options[{label,value}], len, id_name, bean_name, comment).
// `editable` reflects what this emulation accepts: `*_id` fields are writable, `ref` display fields are not.
import { PARENT, isWritable, type FieldDef } from './fields.js';
import { FILTER_SEMANTICS, type FilterDef } from './filters.js';
import type { ModelDef } from './models.js';

function fieldMeta(f: FieldDef): Record<string, unknown> {
  const m: Record<string, unknown> = {
    name: f.name,
    vname: f.vname,
    type: f.type,
    required: !!f.required,
    editable: isWritable(f),
  };
  if (f.len !== undefined) m.len = f.len;
  if (f.options) m.options = f.options.map((o) => ({ label: o.label, value: o.value }));
  if (f.default !== undefined) m.default = f.default;
  if (f.ref) {
    m.id_name = f.ref.idName;
    if (f.ref.model !== PARENT) m.bean_name = f.ref.model;
    else m.dynamic_module = 'parent_type';
  }
  if (f.refModel && f.refModel !== PARENT) m.for_ref_model = f.refModel;
  if (f.min !== undefined) m.min = f.min;
  if (f.max !== undefined) m.max = f.max;
  if (f.compute || f.autoNumber) m.source = { type: f.autoNumber ? 'auto_number' : 'non-db' };
  if (f.comment) m.comment = f.comment;
  return m;
}

function filterMeta(fl: FilterDef): Record<string, unknown> {
  const m: Record<string, unknown> = { name: fl.name, vname: fl.vname, type: fl.type, fields: fl.fields };
  // Filter options are a value → label map in 1CRM metadata (unlike field options).
  if (fl.options) m.options = Object.fromEntries(fl.options.map((o) => [o.value, o.label]));
  m.comment = FILTER_SEMANTICS[fl.type];
  return m;
}

export function modelMetadata(model: ModelDef): { fields: Record<string, unknown>; filters: Record<string, unknown> } {
  return {
    fields: Object.fromEntries(model.allFields.map((f) => [f.name, fieldMeta(f)])),
    filters: Object.fromEntries([...model.filterMap.values()].map((fl) => [fl.name, filterMeta(fl)])),
  };
}
