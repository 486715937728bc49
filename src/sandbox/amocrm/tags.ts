// Tags are per entity type (AmoCRM `/api/v4/{entity_type}/tags`). Writes name a tag by `id` or by
// `name`; an unknown name creates the tag. Creation is deferred to the apply step so that a
// rejected batch leaves no stray tags behind.
import { MODEL } from './constants.js';
import type { EntityType, TagDoc, TagRef } from './model.js';
import type { Repo } from './repo.js';
import type { Reader } from './validation.js';

export type TagSpec = { id: number } | { name: string };

/** Reads `[{id}|{name}]` under `key`; unknown ids are recorded as issues. */
export function readTagSpecs(body: Reader, key: string, repo: Repo, entityType: EntityType): TagSpec[] | undefined {
  const items = body.objects(key);
  if (!items) return undefined;
  const specs: TagSpec[] = [];
  for (const item of items) {
    const id = item.int('id');
    if (id !== undefined) {
      const tag = repo.get(MODEL.tags, id);
      if (!tag || tag.entity_type !== entityType) item.issues.choice(item.path('id'));
      else specs.push({ id });
      continue;
    }
    const name = item.string('name', { nonEmpty: true, max: 255 });
    if (name !== undefined) specs.push({ name: name.trim() });
    else if (!item.has('name')) item.issues.blank(item.path('name'));
  }
  return specs;
}

function findOrCreate(repo: Repo, entityType: EntityType, spec: TagSpec): TagRef {
  const existing =
    'id' in spec
      ? repo.get(MODEL.tags, spec.id)
      : repo.all(MODEL.tags).find((t) => t.entity_type === entityType && t.name.toLowerCase() === spec.name.toLowerCase());
  if (existing) return { id: existing.id, name: existing.name, color: existing.color };
  const name = 'name' in spec ? spec.name : String(spec.id);
  const doc: TagDoc = { id: repo.nextId('tags'), name, color: null, entity_type: entityType };
  repo.insert(MODEL.tags, doc);
  return { id: doc.id, name: doc.name, color: doc.color };
}

export function resolveTags(repo: Repo, entityType: EntityType, specs: TagSpec[]): TagRef[] {
  const refs: TagRef[] = [];
  for (const spec of specs) {
    const ref = findOrCreate(repo, entityType, spec);
    if (!refs.some((r) => r.id === ref.id)) refs.push(ref);
  }
  return refs;
}

/** Tag writes of one body: `_embedded.tags` replaces the set; `tags_to_add` / `tags_to_delete` edit it. */
export interface TagWrites {
  replace?: TagSpec[];
  add?: TagSpec[];
  remove?: TagSpec[];
}

export function readTagWrites(body: Reader, embedded: Reader | undefined, repo: Repo, entityType: EntityType): TagWrites {
  return {
    replace: embedded ? readTagSpecs(embedded, 'tags', repo, entityType) : undefined,
    add: readTagSpecs(body, 'tags_to_add', repo, entityType),
    remove: readTagSpecs(body, 'tags_to_delete', repo, entityType),
  };
}

export function applyTagWrites(repo: Repo, entityType: EntityType, current: TagRef[], writes: TagWrites): TagRef[] {
  let tags = writes.replace ? resolveTags(repo, entityType, writes.replace) : [...current];
  if (writes.add) {
    for (const ref of resolveTags(repo, entityType, writes.add)) if (!tags.some((t) => t.id === ref.id)) tags.push(ref);
  }
  if (writes.remove) {
    const removeIds = new Set<number>();
    const removeNames = new Set<string>();
    for (const spec of writes.remove) {
      if ('id' in spec) removeIds.add(spec.id);
      else removeNames.add(spec.name.toLowerCase());
    }
    tags = tags.filter((t) => !removeIds.has(t.id) && !removeNames.has(t.name.toLowerCase()));
  }
  return tags;
}
