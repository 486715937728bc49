// Pieces every write and render shares: the request's clock and user, and the reading of the
// audit fields (responsible/created/updated by and at) that leads, contacts, companies and tasks all carry.
import { MODEL, unixSeconds } from './constants.js';
import type { EntityType } from './model.js';
import type { Repo } from './repo.js';
import type { Reader } from './validation.js';

export interface ApiContext {
  repo: Repo;
  /** Unix seconds of this request (ctx.now()). */
  now: number;
  /** The user the token belongs to (account.current_user_id): the default author and owner. */
  userId: number;
  /** `with=` values of the request. */
  with: Set<string>;
}

export function makeApiContext(repo: Repo, nowMs: number, withValues: Set<string>): ApiContext {
  return { repo, now: unixSeconds(nowMs), userId: repo.account().current_user_id, with: withValues };
}

/** A user id field: must name an existing user. */
export function readUserId(body: Reader, key: string, repo: Repo): number | undefined {
  const id = body.int(key);
  if (id !== undefined && !repo.has(MODEL.users, id)) {
    body.issues.choice(body.path(key));
    return undefined;
  }
  return id;
}

/** `created_by`/`updated_by` may be 0 (system) or a user. */
function readAuthor(body: Reader, key: string, repo: Repo): number | undefined {
  const id = body.int(key, { min: 0 });
  if (id !== undefined && id !== 0 && !repo.has(MODEL.users, id)) {
    body.issues.choice(body.path(key));
    return undefined;
  }
  return id;
}

export interface AuditWrite {
  responsible_user_id?: number;
  created_by?: number;
  updated_by?: number;
  created_at?: number;
  updated_at?: number;
}

export function readAudit(body: Reader, repo: Repo): AuditWrite {
  return {
    responsible_user_id: readUserId(body, 'responsible_user_id', repo),
    created_by: readAuthor(body, 'created_by', repo),
    updated_by: readAuthor(body, 'updated_by', repo),
    created_at: body.int('created_at', { min: 0 }),
    updated_at: body.int('updated_at', { min: 0 }),
  };
}

/** Audit fields of a new record, with AmoCRM's defaults: the current user, now. */
export function auditOnCreate(a: AuditWrite, ctx: ApiContext) {
  const created_at = a.created_at ?? ctx.now;
  return {
    responsible_user_id: a.responsible_user_id ?? ctx.userId,
    created_by: a.created_by ?? ctx.userId,
    updated_by: a.updated_by ?? a.created_by ?? ctx.userId,
    created_at,
    updated_at: a.updated_at ?? created_at,
  };
}

/** Audit fields after an update: `updated_at` is now unless the body sets it. */
export function auditOnUpdate(a: AuditWrite, current: { responsible_user_id: number; updated_by: number }, ctx: ApiContext) {
  return {
    responsible_user_id: a.responsible_user_id ?? current.responsible_user_id,
    updated_by: a.updated_by ?? ctx.userId,
    updated_at: a.updated_at ?? ctx.now,
  };
}

/** `_embedded.{contacts|companies}: [{id}]` links; each id must exist. */
export function readLinkIds(
  embedded: Reader | undefined,
  key: string,
  repo: Repo,
  entityType: EntityType,
  max?: number,
): Reader[] | undefined {
  if (!embedded) return undefined;
  const items = embedded.objects(key);
  if (!items) return undefined;
  if (max !== undefined && items.length > max) {
    embedded.issues.add('Count', embedded.path(key), `This collection should contain ${max} element${max === 1 ? '' : 's'} or less.`);
    return undefined;
  }
  const valid: Reader[] = [];
  for (const item of items) {
    const id = item.requiredInt('id');
    if (id === undefined) continue;
    if (!repo.has(entityType, id)) item.issues.choice(item.path('id'));
    else valid.push(item);
  }
  return valid.length === items.length ? valid : undefined;
}
