// Whether the CLI is logged in, from `<cli> status --json`.
import { loginNextStep } from '../../membrane/cli/cli-failures.js';
import { findJson } from '../../membrane/cli/cli-output.js';
import type { ProcessResult } from '../../membrane/cli/cli-runner.js';
import { toErrorData } from '../../membrane/response-schemas.js';
import { redact } from '../../redact.js';
import type { Check } from '../check-types.js';
import { errorLine, firstLine, userFix, type CliFound } from './check-helpers.js';

/** `<cli> status --json` gets this long (it may ask Membrane). */
export const STATUS_TIMEOUT_MS = 15_000;

export interface Login {
  check: Check;
  /** false when the CLI said it is not logged in; undefined when unknown. */
  loggedIn?: boolean;
  /** `status` ran out of time: the next call would too. */
  timedOut?: boolean;
}

/** The tools' own LOGIN_REQUIRED next step, for people. */
export function loginFix(found: Pick<CliFound, 'command'>): string {
  return userFix(loginNextStep(found.command))!;
}

function who(doc: Record<string, unknown>): string {
  const user = doc.user && typeof doc.user === 'object' ? (doc.user as Record<string, unknown>) : undefined;
  const name = typeof user?.name === 'string' ? user.name : undefined;
  const email = typeof user?.email === 'string' ? user.email : undefined;
  const where = [
    typeof doc.workspaceKey === 'string' ? `workspace ${doc.workspaceKey}` : '',
    typeof doc.tenantKey === 'string' ? `tenant ${doc.tenantKey}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const person = name && email ? `${name} <${email}>` : (name ?? email);
  return redact(`logged in${person ? ` as ${person}` : ''}${where ? ` (${where})` : ''}`);
}

export function loginCheck(result: ProcessResult, found: Pick<CliFound, 'command'>): Login {
  const base = { id: 'login', title: 'Login' };
  const notLoggedIn = (summary: string): Login => ({ check: { ...base, status: 'fail', summary, fix: loginFix(found) }, loggedIn: false });
  // A banner before the JSON is tolerated, and an error document may come on stderr (as for every command).
  const parsed = findJson(result.stdout);
  const onStderr = parsed.found ? parsed : findJson(result.stderr);
  const doc = onStderr.found ? onStderr.value : undefined;
  if (doc && typeof doc === 'object' && !Array.isArray(doc) && typeof (doc as { loggedIn?: unknown }).loggedIn === 'boolean') {
    const o = doc as Record<string, unknown>;
    if (!o.loggedIn) return notLoggedIn('not logged in');
    const details = [
      typeof o.apiUri === 'string' ? `API: ${redact(o.apiUri)}` : '',
      typeof o.db === 'string' ? `sandbox database: ${o.db}` : '',
    ].filter(Boolean);
    return { check: { ...base, status: 'ok', summary: who(o), ...(details.length ? { details } : {}) }, loggedIn: true };
  }
  const err = toErrorData(doc);
  const text = `${result.stdout}\n${result.stderr}`;
  if (err?.key?.toLowerCase() === 'not_authenticated' || /not logged in|not authenticated|login required/i.test(err?.message ?? text)) {
    return notLoggedIn(`not logged in${err ? ` (${firstLine(err.message)})` : ''}`);
  }
  if (result.exitCode === 0 && /\blogged in\b/i.test(text))
    return { check: { ...base, status: 'ok', summary: firstLine(text.trim()) }, loggedIn: true };
  const why = err
    ? firstLine(err.message)
    : result.exitCode !== 0
      ? `exited ${result.exitCode ?? result.signal}: ${errorLine(result.stderr || result.stdout) || 'no output'}`
      : `printed ${firstLine(result.stdout) ? `"${firstLine(result.stdout)}"` : 'nothing'}`;
  return {
    check: {
      ...base,
      status: 'warn',
      summary: `login state unknown: \`status --json\` ${why}`,
      fix: `Run \`${found.command} status\` to see the login state (to log in: \`${found.command} login --tenant\`).`,
    },
  };
}
