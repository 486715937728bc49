// argv for every `membrane` command we run, spelled as @membranehq/cli 1.x spells them. Rules, enforced here as the last line of defence:
// - every value travels as one `--flag=value` element, so a value that starts with `-` can never become a flag;
// - positional identifiers must match ID_PATTERN (cannot start with `-`), the proxy path must start with `/`;
// - free text positionals (the action description) go after `--`;
// - no value may contain NUL (the OS would reject the argv) or exceed MAX_ARG_CHARS UTF-8 bytes (Linux MAX_ARG_STRLEN is 128 KiB).
import { ToolError } from '../../errors.js';
import { HEADER_NAME, ID_PATTERN } from '../identifiers.js';
import type { ActionCreateQuery, ActionGetQuery, ActionListQuery, ActionRunQuery, HttpMethod, ProxyRequest } from '../membrane-client.js';

export const MAX_ARG_CHARS = 120_000;

function checkValue(field: string, value: string): string {
  if (value.includes('\u0000')) {
    throw new ToolError('INVALID_INPUT', `${field} contains a NUL character`, {
      details: { fields: [{ field, problem: 'NUL character' }] },
    });
  }
  // The OS limit is in bytes: count UTF-8 bytes, so 70,000 Cyrillic characters (140 kB) fail here, not as E2BIG at spawn.
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_ARG_CHARS) {
    throw new ToolError('INVALID_INPUT', `${field} is ${bytes} bytes (UTF-8); the limit is ${MAX_ARG_CHARS}`, {
      nextStep: 'Split the write into smaller calls.',
      details: { fields: [{ field, problem: `longer than ${MAX_ARG_CHARS} bytes (UTF-8)` }] },
    });
  }
  return value;
}

function checkId(field: string, value: string): string {
  if (!ID_PATTERN.test(value)) {
    throw new ToolError('INVALID_INPUT', `${field} "${value.slice(0, 60)}" is not a valid identifier`, {
      details: { fields: [{ field, problem: `must match ${ID_PATTERN.source}` }] },
    });
  }
  return value;
}

const flag = (name: string, value: string) => `--${name}=${checkValue(name, value)}`;

export function connectionListArgs(cursor?: string): string[] {
  return cursor ? ['connection', 'list', flag('cursor', cursor), '--json'] : ['connection', 'list', '--json'];
}

export function actionListArgs(q: ActionListQuery): string[] {
  return [
    'action',
    'list',
    flag('connectionId', checkId('connectionId', q.connectionId)),
    ...(q.intent === undefined ? [] : [flag('intent', q.intent)]),
    flag('limit', String(q.limit)),
    '--json',
  ];
}

export function actionGetArgs(q: ActionGetQuery): string[] {
  const args = ['action', 'get', checkId('actionId', q.id)];
  if (q.connectionId) args.push(flag('connectionId', checkId('connectionId', q.connectionId)));
  if (q.wait) {
    args.push('--wait');
    if (q.timeoutSeconds !== undefined) args.push(flag('timeout', String(Math.max(1, Math.min(60, Math.round(q.timeoutSeconds))))));
  }
  args.push('--json');
  return args;
}

export function actionCreateArgs(q: ActionCreateQuery): string[] {
  const args = ['action', 'create', flag('connectionId', checkId('connectionId', q.connectionId))];
  if (q.name) args.push(flag('name', q.name));
  args.push('--json', '--', checkValue('description', q.description));
  return args;
}

export function actionRunArgs(q: ActionRunQuery): string[] {
  const args = ['action', 'run', checkId('actionId', q.actionId), flag('connectionId', checkId('connectionId', q.connectionId))];
  if (q.input !== undefined) args.push(flag('input', JSON.stringify(q.input)));
  args.push('--json');
  return args;
}

/**
 * `membrane request <connectionId> <path>` with the proxy flags. `--json` comes last: in `request` a `--json`
 * followed by a value could be read as a body shorthand in the CLI, so nothing ever follows it.
 */
export function requestArgs(q: ProxyRequest): string[] {
  if (!q.path.startsWith('/')) {
    throw new ToolError('INVALID_INPUT', 'path must be a relative API path starting with "/"', {
      details: { fields: [{ field: 'path', problem: 'must start with /' }] },
    });
  }
  const args = [
    'request',
    checkId('connectionId', q.connectionId),
    checkValue('path', q.path),
    flag('method', q.method satisfies HttpMethod),
  ];
  const headers: Record<string, string> = { ...q.headers };
  if (q.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['Content-Type'] = 'application/json';
  }
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name) || /[\r\n]/.test(value)) {
      throw new ToolError('INVALID_INPUT', `header "${name.slice(0, 40)}" is not a valid header`, {
        details: { fields: [{ field: `headers.${name}`, problem: 'invalid name or CR/LF in value' }] },
      });
    }
    args.push(flag('header', `${name}: ${value}`));
  }
  for (const [key, raw] of Object.entries(q.query ?? {})) {
    for (const value of Array.isArray(raw) ? raw : [raw]) args.push(flag('query', `${key}=${value}`));
  }
  if (q.body !== undefined) args.push(flag('data', typeof q.body === 'string' ? q.body : JSON.stringify(q.body)));
  args.push('--json');
  return args;
}
