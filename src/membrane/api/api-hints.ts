// What users must do, in the API backend's terms: which environment variable to fix (and that the server must
// restart to read it), or the page Membrane gave. Connecting a CRM needs a browser, which the REST API cannot
// open: the Membrane console or the Membrane CLI (logged in to the same workspace and tenant) does it.
// Every text here goes out through redaction, so none is worded like a credential field (`token: …`).
import type { UserActionHints, UserStep } from '../membrane-client.js';
import { API_ENV, type ApiCredentials, credentialVariables } from './api-credentials.js';

/** The variable that points the server at another API, when it is set: a wrong address looks like refused credentials too. */
const API_URI_VARIABLE = 'MEMBRANE_API_URI';

/**
 * Connecting and reconnecting, which the REST API cannot do (it needs a browser): the page Membrane gave, else
 * the Membrane console or the Membrane CLI logged in to `sameTenant`. No `command`: the CLI is one way among two
 * here, and the server does not run it.
 */
function connectSteps(sameTenant: string): Pick<UserActionHints, 'connect' | 'reconnect'> {
  return {
    connect(connector): UserStep {
      return {
        action: `connect ${connector.displayName} for ${sameTenant} in the Membrane console, or with the Membrane CLI logged in to that tenant (run \`membrane connect --connectorKey=${connector.key}\`)`,
      };
    },
    reconnect(connection): UserStep {
      const uiUrl = connection.clientAction?.uiUrl;
      if (uiUrl) return { action: `open ${uiUrl} to reconnect`, uiUrl };
      return {
        action: `reconnect connection ${connection.id ?? '(its id)'} in the Membrane console, or with the Membrane CLI logged in to ${sameTenant} (run \`membrane connect --connectionId=${connection.id ?? '<id>'}\`)`,
      };
    },
  };
}

export function apiHints(credentials: ApiCredentials, customApiUri: boolean): UserActionHints {
  const variables = credentialVariables(credentials);
  const uri = customApiUri ? ` and ${API_URI_VARIABLE}` : '';
  const sameTenant =
    credentials.kind === 'token'
      ? `the workspace and tenant of ${API_ENV.token}`
      : `workspace ${API_ENV.workspaceKey}, tenant ${API_ENV.tenantKey}`;
  return {
    login(): UserStep {
      return credentials.kind === 'token'
        ? {
            action: `replace ${API_ENV.token}${uri} in the MCP server's environment (Membrane refused the token as wrong, revoked or expired) and restart the server`,
          }
        : {
            action: `check ${variables.join(', ')}${uri} in the MCP server's environment (Membrane refused the token minted from them: a wrong or rotated secret, or a key of another workspace) and restart the server`,
          };
    },
    ...connectSteps(sameTenant),
    checkAccess(operation): UserStep {
      if (operation === 'action create') {
        return {
          action:
            credentials.kind === 'token'
              ? `give the server credentials allowed to create actions: Membrane refused ${API_ENV.token} (a tenant token may not create actions; a workspace admin token may), or create the action in the Membrane console`
              : `give the server credentials allowed to create actions: the tenant token minted from ${API_ENV.workspaceKey} and ${API_ENV.tenantKey} was refused (a tenant token may not create actions; set ${API_ENV.token} to a workspace admin token instead), or create the action in the Membrane console`,
        };
      }
      return { action: `check that ${variables.join(', ')} belong to the workspace and tenant that own this connection` };
    },
  };
}

/**
 * The hints of a server that calls Membrane with each caller's own token (`--http-auth membrane`): the caller,
 * not the server's operator, fixes the token, in the MCP client's Authorization header.
 */
export function callerHints(customApiUri: boolean): UserActionHints {
  const sameTenant = 'the workspace and tenant of your access token';
  return {
    login(): UserStep {
      return {
        action: `send a valid Membrane access token (a JWT or \`pat-\` token) as your MCP client's bearer token (the Authorization header, Bearer scheme); Membrane refused this one (wrong, revoked or expired)${customApiUri ? `, or the server's ${API_URI_VARIABLE} is wrong` : ''}`,
      };
    },
    ...connectSteps(sameTenant),
    checkAccess(operation): UserStep {
      if (operation === 'action create') {
        return {
          action:
            'use an access token allowed to create actions (a tenant token may not; a workspace admin token may), or create the action in the Membrane console',
        };
      }
      return { action: 'check that your access token belongs to the workspace and tenant that own this connection' };
    },
  };
}
