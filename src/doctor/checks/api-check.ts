// The REST API the server would call: its address and which credential variables were found (names only, never
// values), completed with the SDK's version once the client has loaded it. For sandbox-api, the sandbox's REST
// front the doctor started as the server would, and where it listened.
import { API_CREDENTIAL_VARIABLES, credentialVariables } from '../../membrane/api/api-credentials.js';
import type { ApiTarget } from '../../membrane/create-client.js';
import type { BackendInfo } from '../../membrane/membrane-client.js';
import type { Check } from '../check-types.js';
import { SANDBOX_FALLBACK } from './check-helpers.js';

export function apiCheck(target: ApiTarget, env: NodeJS.ProcessEnv, info: BackendInfo): Check {
  const used = credentialVariables(target.credentials);
  const ignored = API_CREDENTIAL_VARIABLES.filter((name) => !used.includes(name) && env[name]?.trim());
  const details = [
    ...info.details,
    ...(ignored.length ? [`ignored: ${ignored.join(', ')} (${used[0]} comes first)`] : []),
    ...(target.credentials.kind === 'workspace' ? ['the SDK mints a tenant token from them (renewed before it expires)'] : []),
  ];
  return {
    id: 'api',
    title: 'Membrane API',
    status: 'ok',
    summary: info.version ?? 'the Membrane SDK',
    details,
  };
}

/**
 * The sandbox's REST front the server starts for itself (sandbox-api): where it listened for this check. A sandbox the
 * server falls back to (nothing else set up) is flagged, as with its CLI.
 */
export function sandboxApiCheck(info: BackendInfo, fallback: boolean): Check {
  const base = { id: 'api', title: 'Sandbox API', details: info.details };
  if (fallback) return { ...base, status: 'warn', ...SANDBOX_FALLBACK };
  return {
    ...base,
    status: 'ok',
    summary: `sandbox (--sandbox / MEMBRANE_CRM_SANDBOX) through its REST API, with ${info.version ?? 'the Membrane SDK'}`,
  };
}
