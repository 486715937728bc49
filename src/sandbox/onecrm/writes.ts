// Write side: the one path every create, update and soft delete takes — REST calls, actions and the seed.
// Validates against the model table, fills defaults, system fields and derived values, then stores.
import { PARENT, isStored, isWritable, type ApiRecord, type ApiValue } from './fields.js';
import { runtimeId } from './record-ids.js';
import type { ModelDef } from './models.js';
import { CONNECTOR, type Repo } from './repo.js';
import { coerceValue, formatDateTime } from './values.js';

export interface WriteOptions {
  /** Record id for a create (upsert via PATCH create:true, seed); a fresh id otherwise. */
  id?: string;
  /** Clock for date_entered/date_modified (ms). */
  at: number;
  /** Seed only: may set system fields (balances, timestamps) that clients cannot. */
  system?: boolean;
}

export type WriteResult =
  { ok: true; id: string } | { ok: false; reason: 'validation'; fields: Record<string, string> } | { ok: false; reason: 'not_found' };

type Written = Map<string, ApiValue>;

/** Checks field names and converts values; collects every problem instead of stopping at the first. */
function coerceAll(model: ModelDef, data: Record<string, unknown>, system: boolean, errors: Record<string, string>): Written {
  const written: Written = new Map();
  for (const [name, raw] of Object.entries(data)) {
    const f = model.fieldMap.get(name);
    if (!f) {
      errors[name] = `Unknown field for ${model.name}`;
      continue;
    }
    const allowed = system ? isStored(f) && name !== 'id' : isWritable(f);
    if (!allowed) {
      errors[name] = f.ref ? `Read-only; set ${f.ref.idName} instead` : 'Read-only field';
      continue;
    }
    const c = coerceValue(f, raw);
    if (c.ok) written.set(name, c.value);
    else errors[name] = c.reason.charAt(0).toUpperCase() + c.reason.slice(1);
  }
  return written;
}

/** Referenced ids must name live records; parent_type and parent_id go together. */
function checkReferences(repo: Repo, model: ModelDef, next: ApiRecord, written: Written, errors: Record<string, string>): void {
  for (const name of written.keys()) {
    const f = model.fieldMap.get(name);
    const id = next[name];
    if (!f?.refModel || !id || errors[name]) continue;
    const target = f.refModel === PARENT ? next.parent_type : f.refModel;
    if (!target) errors[name] = 'Set parent_type together with parent_id';
    else if (!repo.exists(target, id)) errors[name] = `No ${target} record with id '${id}'`;
  }
  if (model.fieldMap.has('parent_type') && model.fieldMap.get('parent_id')?.refModel === PARENT) {
    const touched = written.has('parent_type') || written.has('parent_id');
    if (touched && !next.parent_type !== !next.parent_id) {
      errors[next.parent_type ? 'parent_id' : 'parent_type'] = 'parent_type and parent_id must be set (or cleared) together';
    }
    if (written.has('parent_type') && !written.has('parent_id') && next.parent_id && next.parent_type && !errors.parent_type) {
      if (!repo.exists(next.parent_type, next.parent_id)) errors.parent_id = `No ${next.parent_type} record with id '${next.parent_id}'`;
    }
  }
}

function checkRequired(model: ModelDef, next: ApiRecord, names: Iterable<string>, errors: Record<string, string>): void {
  for (const name of names) {
    const f = model.fieldMap.get(name);
    if (f?.required && isStored(f) && !f.defaultsToCurrentUser && (next[name] === null || next[name] === undefined)) {
      errors[name] ??= 'Required field';
    }
  }
}

function blank(model: ModelDef): ApiRecord {
  const r: ApiRecord = {};
  for (const f of model.allFields) if (isStored(f)) r[f.name] = f.default ?? null;
  return r;
}

export function createRecord(repo: Repo, model: ModelDef, data: Record<string, unknown>, opts: WriteOptions): WriteResult {
  return repo.store.transaction(() => {
    const errors: Record<string, string> = {};
    const written = coerceAll(model, data, !!opts.system, errors);
    const me = repo.currentUserId();
    const stamp = formatDateTime(opts.at);
    const next: ApiRecord = {
      ...blank(model),
      id: opts.id ?? runtimeId(),
      deleted: '0',
      date_entered: stamp,
      date_modified: stamp,
      created_by: me,
      modified_user_id: me,
    };
    if (model.assigned) next.assigned_user_id = me;
    for (const [name, value] of written) next[name] = value;
    checkReferences(repo, model, next, written, errors);
    checkRequired(model, next, model.fieldMap.keys(), errors);
    if (Object.keys(errors).length) return { ok: false, reason: 'validation', fields: errors };

    for (const f of model.allFields) {
      if (f.autoNumber) next[f.name] = String(repo.store.nextInt(`${CONNECTOR}.${model.name}.${f.name}`, 1));
    }
    model.onSave?.(next, new Set(written.keys()), true, opts.at);
    // A soft-deleted record with this id (upsert of a deleted id) is replaced in place.
    if (repo.raw(model, next.id as string)) repo.store.update(CONNECTOR, model.name, next.id as string, next);
    else repo.store.insert(CONNECTOR, model.name, next.id as string, next);
    repo.invalidate();
    return { ok: true, id: next.id as string };
  });
}

export function updateRecord(repo: Repo, model: ModelDef, id: string, data: Record<string, unknown>, opts: WriteOptions): WriteResult {
  return repo.store.transaction(() => {
    const existing = repo.live(model, id);
    if (!existing) return { ok: false, reason: 'not_found' };
    const errors: Record<string, string> = {};
    const written = coerceAll(model, data, !!opts.system, errors);
    const next: ApiRecord = { ...existing };
    for (const [name, value] of written) next[name] = value;
    checkReferences(repo, model, next, written, errors);
    checkRequired(model, next, written.keys(), errors);
    if (Object.keys(errors).length) return { ok: false, reason: 'validation', fields: errors };

    if (!written.has('date_modified')) next.date_modified = formatDateTime(opts.at);
    next.modified_user_id = repo.currentUserId();
    model.onSave?.(next, new Set(written.keys()), false, opts.at);
    repo.store.update(CONNECTOR, model.name, id, next);
    repo.invalidate();
    return { ok: true, id };
  });
}

/** Soft delete: `deleted` becomes "1" and the record disappears from lists and gets. */
export function softDelete(repo: Repo, model: ModelDef, id: string, at: number): boolean {
  return repo.store.transaction(() => {
    const existing = repo.live(model, id);
    if (!existing) return false;
    const next: ApiRecord = { ...existing, deleted: '1', date_modified: formatDateTime(at), modified_user_id: repo.currentUserId() };
    repo.store.update(CONNECTOR, model.name, id, next);
    repo.invalidate();
    return true;
  });
}
