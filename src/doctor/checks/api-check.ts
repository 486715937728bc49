// The REST API the server would call: its address and which credential variables were found (names only, never
// values), completed with the SDK's version once the client has loaded it. For sandbox-api, the sandbox's REST
// front the doctor started as the server would, and where it listened.
import { API_CREDENTIAL_VARIABLES, credentialVariables } from '../../membrane/api/api-credentials.js';
import type { ApiTarget } from '../../membrane/create-client.js';
import type { BackendInfo } from '../../membrane/membrane-client.js';
import type { Check } from '../check-types.js';

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

/** The sandbox's REST front the server starts for itself (sandbox-api): where it listened for this check. */
export function sandboxApiCheck(info: BackendInfo): Check {
  return { id: 'api', title: 'Sandbox API', status: 'ok', summary: info.version ?? 'the Membrane SDK', details: info.details };
}
