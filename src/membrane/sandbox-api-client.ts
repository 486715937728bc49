// The sandbox-api backend: the api backend, talking to the bundled sandbox's REST front that the server starts as a
// child (sandbox-api-process.ts). The client exists at once; the child starts in the background and the first call
// waits for it (within that call's own timeout and cancel), so the MCP handshake never does.
// What users must do is said in the sandbox CLI's words (its commands reach the same store), except for a refused
// token: the server made it up for this start, so a restart is the fix.
import { ToolError } from '../errors.js';
import type { Logger } from '../log.js';
import { ApiMembraneClient, type ApiClientOptions } from './api/api-client.js';
import { type ApiTransport, sdkTransport } from './api/sdk-transport.js';
import { cliHints } from './cli/cli-hints.js';
import { sandboxCommand } from './cli/resolve-cli.js';
import type { UserActionHints } from './membrane-client.js';
import { type SandboxApiEndpoint, startSandboxApiProcess } from './sandbox-api-process.js';

/**
 * Connecting is done with the sandbox CLI's commands (same store). A refused token or operation can only be the
 * sandbox doing it on purpose (MEMBRANE_SANDBOX_FAULT), or a child that is not ours any more: a restart fixes both.
 */
function sandboxApiHints(sandboxCli: string, env: NodeJS.ProcessEnv): UserActionHints {
  const hints = cliHints(sandboxCommand(sandboxCli, env).display, 'sandbox-api');
  return {
    ...hints,
    login: () => ({
      action:
        'restart the MCP server: it gives its sandbox a fresh token on every start (if MEMBRANE_SANDBOX_FAULT is set to expired-token or not-logged-in, the sandbox refuses every token on purpose: unset it)',
    }),
    checkAccess: (operation) => ({
      action:
        operation === 'action create'
          ? 'unset MEMBRANE_SANDBOX_FAULT=action-create-forbidden and restart the MCP server: the sandbox then lets its token create actions'
          : `unset MEMBRANE_SANDBOX_FAULT and restart the MCP server: the sandbox refused "${operation}" on purpose`,
    }),
  };
}

function startFailure(e: unknown): ToolError {
  if (e instanceof ToolError) return e;
  return new ToolError('MEMBRANE_ERROR', `The bundled sandbox could not start: ${e instanceof Error ? e.message : String(e)}`, {
    nextStep: 'Ask the user to read the server log (stderr) for the cause and restart the MCP server.',
    retryable: false,
    details: { started: false },
  });
}

/** Waits for the endpoint, giving up when the request's signal aborts (its timeout or cancel then names what stopped it). */
function untilReady(ready: Promise<SandboxApiEndpoint>, signal: AbortSignal): Promise<SandboxApiEndpoint> {
  if (signal.aborted) return Promise.reject(new Error('aborted while the sandbox was starting'));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted while the sandbox was starting'));
    signal.addEventListener('abort', onAbort, { once: true });
    ready.then(
      (endpoint) => {
        signal.removeEventListener('abort', onAbort);
        resolve(endpoint);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(startFailure(e));
      },
    );
  });
}

export type SandboxApiClientOptions = Omit<ApiClientOptions, 'transport' | 'backend' | 'hints' | 'apiUri' | 'customApiUri' | 'host'> & {
  sandboxCli: string;
  /** The environment the child starts with (the sandbox's own variables: store, faults, build time). */
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** Told when the child fails to start or ends while the server uses it: the server cannot answer any more. */
  onFailure?: (why: string) => void;
};

export function createSandboxApiClient(opts: SandboxApiClientOptions): ApiMembraneClient {
  const { sandboxCli, env, onFailure, ...rest } = opts;
  const child = startSandboxApiProcess({ sandboxCli, env, log: opts.log, onExit: onFailure });
  // After the calls waiting for the start were told why (their rejections run first), not before: stopping the server
  // would turn their answers into CANCELLED.
  child.ready.catch((e: unknown) => setImmediate(() => onFailure?.(startFailure(e).message)));
  let endpoint: SandboxApiEndpoint | undefined;
  let inner: ApiTransport | undefined;
  const transport: ApiTransport = async (req) => {
    if (!inner) {
      endpoint = await untilReady(child.ready, req.signal);
      inner ??= sdkTransport({ kind: 'token', token: endpoint.accessToken }, endpoint.apiUri);
    }
    return inner(req);
  };
  return new ApiMembraneClient({
    ...rest,
    transport,
    backend: 'sandbox-api',
    hints: sandboxApiHints(sandboxCli, env),
    apiUri: () => endpoint?.apiUri ?? 'http://127.0.0.1 (membrane-sandbox serve, starting)',
    customApiUri: false,
    host: {
      ready: async () => {
        try {
          endpoint = await child.ready;
        } catch (e) {
          throw startFailure(e);
        }
      },
      stop: () => child.stop(),
    },
  });
}
