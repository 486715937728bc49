// `GET /api/v4/users` and `/api/v4/users/{id}`: users with their rights; `with=role,group`
// adds `_embedded.roles` / `_embedded.groups`. Lists report `_total_items` and `_page_count`.
import type { HttpRequest, HttpResponse } from '../emulator-types.js';
import type { ApiContext } from './common.js';
import { MODEL } from './constants.js';
import { selfLink } from './hal.js';
import { hal, methodNotAllowed, notFound } from './responses.js';
import { listResponse } from './listing.js';
import type { UserDoc } from './model.js';

function render(user: UserDoc, ctx: ApiContext): Record<string, unknown> {
  const { role, group, ...fields } = user;
  const body: Record<string, unknown> = { ...fields, _links: selfLink(`/users/${user.id}`) };
  const embedded: Record<string, unknown> = {};
  if (ctx.with.has('role')) embedded.roles = role ? [{ ...role, _links: selfLink(`/roles/${role.id}`) }] : [];
  if (ctx.with.has('group')) embedded.groups = [group];
  if (Object.keys(embedded).length > 0) body._embedded = embedded;
  return body;
}

export function handleUsers(req: HttpRequest, ctx: ApiContext, userId?: number): HttpResponse {
  if (req.method !== 'GET') return methodNotAllowed('GET');
  if (userId !== undefined) {
    const user = ctx.repo.get(MODEL.users, userId);
    return user ? hal(render(user, ctx)) : notFound('User not found');
  }
  return listResponse(req, {
    path: '/users',
    key: 'users',
    docs: ctx.repo.all(MODEL.users),
    render: (user) => render(user, ctx),
    withTotals: true,
  });
}
