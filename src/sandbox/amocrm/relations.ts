// Links between records as AmoCRM renders them: `_embedded` references with their own `_links`,
// reverse lookups for `with=leads` / `with=contacts`, and `closest_task_at` from open tasks.
import { MODEL } from './constants.js';
import { selfLink } from './hal.js';
import type { EntityType } from './model.js';
import type { Repo } from './repo.js';

export function embeddedRef(entityType: EntityType, id: number): { id: number; _links: ReturnType<typeof selfLink> } {
  return { id, _links: selfLink(`/${entityType}/${id}`) };
}

export function leadIdsOfContact(repo: Repo, contactId: number): number[] {
  return repo
    .all(MODEL.leads)
    .filter((l) => l._embedded.contacts.some((c) => c.id === contactId))
    .map((l) => l.id);
}

export function leadIdsOfCompany(repo: Repo, companyId: number): number[] {
  return repo
    .all(MODEL.leads)
    .filter((l) => l._embedded.companies.some((c) => c.id === companyId))
    .map((l) => l.id);
}

export function contactIdsOfCompany(repo: Repo, companyId: number): number[] {
  return repo
    .all(MODEL.contacts)
    .filter((c) => c._embedded.companies.some((co) => co.id === companyId))
    .map((c) => c.id);
}

const closestTaskIndexes = new WeakMap<Repo, Map<string, number>>();

/**
 * A contact or a company as the API returns it: its fields, the due time of its nearest open task, its self
 * link, and `embedded` (what the render chose to embed) in place of the stored `_embedded`.
 */
export function partyResource(
  key: 'contacts' | 'companies',
  doc: { id: number; _embedded: unknown },
  embedded: Record<string, unknown>,
  repo: Repo,
): Record<string, unknown> {
  const { _embedded: _stored, ...fields } = doc;
  return { ...fields, closest_task_at: closestTaskAt(repo, key, doc.id), _links: selfLink(`/${key}/${doc.id}`), _embedded: embedded };
}

/** Earliest `complete_till` of the entity's open tasks, or null (computed once per request). */
export function closestTaskAt(repo: Repo, entityType: EntityType, id: number): number | null {
  let index = closestTaskIndexes.get(repo);
  if (!index) {
    index = new Map();
    for (const task of repo.all(MODEL.tasks)) {
      if (task.is_completed || task.entity_id === null || task.entity_type === null) continue;
      const key = `${task.entity_type}:${task.entity_id}`;
      const current = index.get(key);
      if (current === undefined || task.complete_till < current) index.set(key, task.complete_till);
    }
    closestTaskIndexes.set(repo, index);
  }
  return index.get(`${entityType}:${id}`) ?? null;
}
