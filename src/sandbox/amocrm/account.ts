// `GET /api/v4/account`: the account the token belongs to, with the optional `with=` parts
// (task_types, users_groups, amojo_id, version).
import type { HttpRequest, HttpResponse } from '../emulator-types.js';
import type { ApiContext } from './common.js';
import { TASK_TYPES } from './constants.js';
import { selfLink } from './hal.js';
import { hal, methodNotAllowed } from './responses.js';

export function handleAccount(req: HttpRequest, ctx: ApiContext): HttpResponse {
  if (req.method !== 'GET') return methodNotAllowed('GET');
  const { users_groups, amojo_id, version, ...account } = ctx.repo.account();
  const body: Record<string, unknown> = { ...account };
  const embedded: Record<string, unknown> = {};
  if (ctx.with.has('amojo_id')) body.amojo_id = amojo_id;
  if (ctx.with.has('version')) body.version = version;
  if (ctx.with.has('users_groups')) embedded.users_groups = users_groups;
  if (ctx.with.has('task_types')) {
    embedded.task_types = TASK_TYPES.map((t) => ({ id: t.id, name: t.name, color: null, icon_id: null, code: t.code }));
  }
  body._links = selfLink('/account');
  if (Object.keys(embedded).length > 0) body._embedded = embedded;
  return hal(body);
}
