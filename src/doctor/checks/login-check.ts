// Whether the credentials work: the CLI's login (`status --json`) or the API's token, from the client's checkAccess().
import { askUser } from '../../membrane/membrane-errors.js';
import type { AccessCheck } from '../../membrane/membrane-client.js';
import type { Check } from '../check-types.js';
import { type Target, userFix } from './check-helpers.js';

/** The tools' own LOGIN_REQUIRED next step, for people. */
export function loginFix(target: Pick<Target, 'hints'>): string {
  return userFix(askUser(target.hints.login()))!;
}

export function loginCheck(access: AccessCheck, target: Pick<Target, 'hints'>): Check {
  const base = { id: 'login', title: 'Login', summary: access.summary, ...(access.details?.length ? { details: access.details } : {}) };
  if (access.loggedIn === true) return { ...base, status: 'ok' };
  if (access.loggedIn === false) return { ...base, status: 'fail', fix: loginFix(target) };
  return { ...base, status: 'warn', ...(access.fix ? { fix: access.fix } : {}) };
}
