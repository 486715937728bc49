// Typed access to the RecordStore for one request. Reads of a whole model are cached for the
// request's lifetime (list rendering looks up related records many times); writes go to the store
// and to the cache, so a request that writes and then reads sees its own writes.
import type { RecordStore } from '../store.js';
import { CONNECTOR, MODEL, SEQUENCE } from './constants.js';
import type {
  AccountDoc,
  CompanyDoc,
  ContactDoc,
  CustomFieldDef,
  LeadDoc,
  NoteDoc,
  PipelineDoc,
  TagDoc,
  TaskDoc,
  UserDoc,
} from './model.js';

export interface DocsByModel {
  account: AccountDoc;
  users: UserDoc;
  pipelines: PipelineDoc;
  custom_fields: CustomFieldDef;
  tags: TagDoc;
  leads: LeadDoc;
  contacts: ContactDoc;
  companies: CompanyDoc;
  tasks: TaskDoc;
  notes: NoteDoc;
}

export type ModelName = keyof DocsByModel;
export type SequenceName = keyof typeof SEQUENCE;

type Cache = { [M in ModelName]?: Map<number, DocsByModel[M]> };

export class Repo {
  private readonly cache: Cache = {};

  constructor(readonly store: RecordStore) {}

  all<M extends ModelName>(model: M): DocsByModel[M][] {
    return [...this.map(model).values()];
  }

  get<M extends ModelName>(model: M, id: number): DocsByModel[M] | undefined {
    return this.map(model).get(id);
  }

  has(model: ModelName, id: number): boolean {
    return this.map(model).has(id);
  }

  insert<M extends ModelName>(model: M, doc: DocsByModel[M] & { id: number }): void {
    this.store.insert(CONNECTOR, model, String(doc.id), doc);
    this.map(model).set(doc.id, doc);
  }

  update<M extends ModelName>(model: M, doc: DocsByModel[M] & { id: number }): void {
    this.store.update(CONNECTOR, model, String(doc.id), doc);
    this.map(model).set(doc.id, doc);
  }

  /** Next id of an entity sequence; call inside a write transaction. */
  nextId(sequence: SequenceName): number {
    const { name, start } = SEQUENCE[sequence];
    return this.store.nextInt(name, start);
  }

  account(): AccountDoc {
    const [account] = this.all(MODEL.account);
    if (!account) throw new Error('AmoCRM sandbox is not seeded (no account record)');
    return account;
  }

  private map<M extends ModelName>(model: M): Map<number, DocsByModel[M]> {
    let map = this.cache[model] as Map<number, DocsByModel[M]> | undefined;
    if (!map) {
      map = new Map();
      for (const record of this.store.list<DocsByModel[M]>(CONNECTOR, model)) map.set(Number(record.id), record.data);
      (this.cache as Record<string, unknown>)[model] = map;
    }
    return map;
  }
}
