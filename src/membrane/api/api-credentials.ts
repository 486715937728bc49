// The API backend's credentials, read from the environment only (never flags: those show in `ps`; never the
// settings: those are printed by the doctor). In this order: MEMBRANE_ACCESS_TOKEN (a JWT or a `pat-` token), or
// MEMBRANE_WORKSPACE_KEY + MEMBRANE_WORKSPACE_SECRET + MEMBRANE_TENANT_KEY, from which the SDK mints and renews
// a tenant token. A partial set is a configuration error that names what is missing.
import { ConfigError } from '../../config.js';
import { addSecret } from '../../redact.js';
import { looksLikeToken } from '../identifiers.js';

export const API_ENV = {
  token: 'MEMBRANE_ACCESS_TOKEN',
  workspaceKey: 'MEMBRANE_WORKSPACE_KEY',
  workspaceSecret: 'MEMBRANE_WORKSPACE_SECRET',
  tenantKey: 'MEMBRANE_TENANT_KEY',
} as const;

/** Every variable the API backend reads, for the doctor's client configurations (names only). */
export const API_CREDENTIAL_VARIABLES: readonly string[] = Object.values(API_ENV);

export type ApiCredentials =
  { kind: 'token'; token: string } | { kind: 'workspace'; workspaceKey: string; workspaceSecret: string; tenantKey: string };

/** The variables that hold these credentials (names, for messages and the doctor). */
export function credentialVariables(c: ApiCredentials): string[] {
  return c.kind === 'token' ? [API_ENV.token] : [API_ENV.workspaceKey, API_ENV.workspaceSecret, API_ENV.tenantKey];
}

function value(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

/** True when any API credential variable is set (then `auto` means the API backend). */
export function hasApiCredentials(env: NodeJS.ProcessEnv): boolean {
  return API_CREDENTIAL_VARIABLES.some((name) => value(env, name) !== undefined);
}

/**
 * The credentials in `env`, or undefined when none is set. Throws ConfigError for a token that is neither a JWT
 * nor a `pat-` token, or a workspace set with a variable missing. The values are registered with the redaction,
 * so no log line, error or result can show them.
 */
export function readApiCredentials(env: NodeJS.ProcessEnv): ApiCredentials | undefined {
  const token = value(env, API_ENV.token);
  if (token) {
    if (!looksLikeToken(token)) {
      throw new ConfigError(`${API_ENV.token} is neither a JWT nor a \`pat-\` token: set it to a Membrane access token`);
    }
    addSecret(token);
    return { kind: 'token', token };
  }
  const workspaceKey = value(env, API_ENV.workspaceKey);
  const workspaceSecret = value(env, API_ENV.workspaceSecret);
  const tenantKey = value(env, API_ENV.tenantKey);
  if (!workspaceKey && !workspaceSecret && !tenantKey) return undefined;
  const missing = [
    [API_ENV.workspaceKey, workspaceKey],
    [API_ENV.workspaceSecret, workspaceSecret],
    [API_ENV.tenantKey, tenantKey],
  ]
    .filter(([, v]) => !v)
    .map(([name]) => name!);
  if (missing.length || !workspaceKey || !workspaceSecret || !tenantKey) {
    const set = [API_ENV.workspaceKey, API_ENV.workspaceSecret, API_ENV.tenantKey].filter((n) => !missing.includes(n));
    throw new ConfigError(
      `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing: ${set.join(' and ')} ${set.length > 1 ? 'are' : 'is'} set, and the API ` +
        `backend needs ${API_ENV.workspaceKey}, ${API_ENV.workspaceSecret} and ${API_ENV.tenantKey} together (or ${API_ENV.token} alone)`,
    );
  }
  addSecret(workspaceSecret);
  return { kind: 'workspace', workspaceKey, workspaceSecret, tenantKey };
}
