// Read side of the 1CRM record store. The store keeps only stored fields; reference display names
// (`account`, `assigned_user`, `parent`) and computed values (`name` of people, `full_number`, currency)
// are filled in on every read, so renaming an account shows at once on its contacts.
import type { RecordStore } from '../store.js';
import { PARENT, isStored, type ApiRecord, type ApiValue } from './fields.js';
import { modelByName, type ModelDef } from './models.js';

export const CONNECTOR = '1crm';

export const isDeleted = (r: ApiRecord): boolean => r.deleted === '1';

/** One request's view of the store; caches display names it has looked up. */
export class Repo {
  private readonly displayCache = new Map<string, ApiValue>();
  private me: string | null = null;

  constructor(readonly store: RecordStore) {}

  /** Stored document, deleted or not. */
  raw(model: ModelDef, id: string): ApiRecord | undefined {
    return this.store.get<ApiRecord>(CONNECTOR, model.name, id)?.data;
  }

  /** Stored document unless missing or soft-deleted. */
  live(model: ModelDef, id: string): ApiRecord | undefined {
    const r = this.raw(model, id);
    return r && !isDeleted(r) ? r : undefined;
  }

  /** All non-deleted stored documents in insertion order. */
  liveAll(model: ModelDef): ApiRecord[] {
    return this.store
      .list<ApiRecord>(CONNECTOR, model.name)
      .map((r) => r.data)
      .filter((r) => !isDeleted(r));
  }

  /** Whether `id` names a live record of `modelName`. */
  exists(modelName: string, id: string): boolean {
    const model = modelByName(modelName);
    return !!model && !!this.live(model, id);
  }

  /** Forgets cached display names; called after every write. */
  invalidate(): void {
    this.displayCache.clear();
  }

  /** Name shown for a reference to (model, id); null when it does not resolve. */
  refDisplay(modelName: string | null, id: string | null): ApiValue {
    if (!modelName || !id) return null;
    const key = `${modelName}:${id}`;
    if (this.displayCache.has(key)) return this.displayCache.get(key) ?? null;
    const model = modelByName(modelName);
    const target = model ? this.raw(model, id) : undefined;
    const value = model && target ? this.fieldValue(model, target, model.refDisplayField) : null;
    this.displayCache.set(key, value);
    return value;
  }

  /** The full record as the API returns it: every field in metadata order, strings or null. */
  materialize(model: ModelDef, stored: ApiRecord): ApiRecord {
    const out: ApiRecord = {};
    for (const f of model.allFields) out[f.name] = this.fieldValue(model, stored, f.name);
    return out;
  }

  /** `_display` of a record. */
  display(model: ModelDef, stored: ApiRecord): ApiValue {
    return this.fieldValue(model, stored, model.displayField);
  }

  private fieldValue(model: ModelDef, stored: ApiRecord, name: string): ApiValue {
    const f = model.fieldMap.get(name);
    if (!f) return null;
    if (f.compute) return f.compute(stored);
    if (f.ref) {
      const target = f.ref.model === PARENT ? stored.parent_type : f.ref.model;
      return this.refDisplay(target ?? null, stored[f.ref.idName] ?? null);
    }
    return isStored(f) ? (stored[name] ?? null) : null;
  }

  /** The API user: the seeded administrator (user_name "admin"), else the first user; null on an empty store. */
  currentUserId(): string | null {
    if (this.me) return this.me;
    const userModel = modelByName('User');
    const users = userModel ? this.liveAll(userModel) : [];
    // Not cached while null: the seed creates users through this same Repo.
    this.me = (users.find((u) => u.user_name === 'admin') ?? users[0])?.id ?? null;
    return this.me;
  }
}
