// Which backend answers, decided once at start-up, and the client for it: the server and the doctor use the same
// choice. `--backend` (MEMBRANE_CRM_BACKEND, config `backend`):
//   auto  API credentials in the environment → api; else a `membrane` CLI (--membrane-cli or PATH) → cli;
//         else the bundled sandbox, announced loudly because its data is not a real CRM
//   api   the REST API; its credentials must be set
//   cli   the `membrane` CLI; when it is missing, calls fail with CLI_NOT_FOUND (no quiet fallback to demo data)
// `--sandbox` always means the sandbox, reached through its CLI (sandbox-cli).
// `--http-auth membrane` is the REST API with each caller's own token (chooseCallerBackend, createCallerClient).
import type { Settings } from '../config.js';
import { ConfigError } from '../config.js';
import type { Logger } from '../log.js';
import { ApiMembraneClient } from './api/api-client.js';
import {
  type ApiCredentials,
  API_CREDENTIAL_VARIABLES,
  API_ENV,
  credentialVariables,
  hasApiCredentials,
  readApiCredentials,
} from './api/api-credentials.js';
import { apiHints, callerHints } from './api/api-hints.js';
import { NoCallerClient } from './api/no-caller-client.js';
import { sdkTransport } from './api/sdk-transport.js';
import { withCallSafety } from './call-safety.js';
import { createCliClient } from './cli/cli-setup.js';
import { type ResolvedCli, resolveCli } from './cli/resolve-cli.js';
import type { Backend, MembraneClient, UserActionHints } from './membrane-client.js';

/** Membrane's own API, the SDK's default (checked against the SDK in the tests). */
export const DEFAULT_API_URI = 'https://api.getmembrane.com';

export interface ApiTarget {
  credentials: ApiCredentials;
  apiUri: string;
  /** True when MEMBRANE_API_URI (--api-uri) names another API than Membrane's own. */
  customApiUri: boolean;
}

export type BackendChoice =
  | { kind: 'api'; backend: Extract<Backend, 'membrane-api'>; api: ApiTarget; reason: string; fallback: false }
  | { kind: 'cli'; backend: ResolvedCli['backend']; cli: ResolvedCli; reason: string; fallback: boolean };

export interface ChoiceContext {
  env: NodeJS.ProcessEnv;
  /** The CLI's working directory (--cli-cwd, else where the server starts). */
  cwd: string;
  /** Path of the bundled sandbox's cli.js. */
  sandboxCli: string;
}

/** The backend these settings and this environment select. Throws ConfigError (exit 2) for a setup that cannot work. */
export function chooseBackend(settings: Settings, ctx: ChoiceContext): BackendChoice {
  if (settings.httpAuth === 'membrane') {
    throw new ConfigError(
      `--http-auth membrane uses each caller's token and holds none of its own: to check one caller's access, run the doctor without --http-auth and with ${API_ENV.token}=<that token>`,
    );
  }
  const cliChoice = (fallbackToSandbox: boolean): BackendChoice => {
    const cli = resolveCli(
      { sandbox: settings.sandbox, membraneCli: settings.membraneCli, cwd: ctx.cwd, sandboxCli: ctx.sandboxCli, fallbackToSandbox },
      ctx.env,
    );
    return { kind: 'cli', backend: cli.backend, cli, reason: cli.reason, fallback: cli.fallback };
  };
  if (settings.sandbox) {
    // The sandbox's REST front (`membrane-sandbox serve`) will make this the sandbox-api backend: start it, read the
    // credentials it prints, and give them to apiClient() below with backend 'sandbox-api'.
    if (settings.backend === 'api') {
      throw new ConfigError(
        '--sandbox with --backend=api needs the sandbox to serve the Membrane REST API, which this build cannot do yet: drop --backend=api (the sandbox then runs through its CLI)',
      );
    }
    return cliChoice(false);
  }
  // A partial set of credentials stops the server even in auto mode: the user meant the API and would get something else.
  const credentials = settings.backend === 'cli' ? undefined : readApiCredentials(ctx.env);
  if (credentials) {
    const api = { credentials, apiUri: settings.apiUri ?? DEFAULT_API_URI, customApiUri: settings.apiUri !== undefined };
    const names = credentialVariables(credentials).join(', ');
    const why = settings.backend === 'api' ? '--backend=api' : 'API credentials in the environment';
    return { kind: 'api', backend: 'membrane-api', api, reason: `Membrane REST API at ${api.apiUri} (${why}: ${names})`, fallback: false };
  }
  if (settings.backend === 'api') {
    throw new ConfigError(
      `--backend=api needs credentials in the environment: ${API_ENV.token} (a JWT or \`pat-\` token), or ${API_ENV.workspaceKey}, ${API_ENV.workspaceSecret} and ${API_ENV.tenantKey}`,
    );
  }
  return cliChoice(settings.backend === 'auto');
}

/** The REST API that `--http-auth membrane` calls with each caller's token. */
export interface CallerBackend {
  backend: Extract<Backend, 'membrane-api'>;
  apiUri: string;
  customApiUri: boolean;
  reason: string;
}

/**
 * The backend of `--http-auth membrane`. The server holds no Membrane credentials of its own there, so API
 * credentials in its environment are refused (ConfigError, exit 2) rather than kept unused.
 */
export function chooseCallerBackend(settings: Settings, env: NodeJS.ProcessEnv): CallerBackend {
  if (hasApiCredentials(env)) {
    const set = API_CREDENTIAL_VARIABLES.filter((n) => env[n]?.trim());
    throw new ConfigError(
      `--http-auth membrane calls Membrane with each caller's own token and holds no credentials of its own: unset ${set.join(', ')}`,
    );
  }
  const apiUri = settings.apiUri ?? DEFAULT_API_URI;
  return {
    backend: 'membrane-api',
    apiUri,
    customApiUri: settings.apiUri !== undefined,
    reason: `Membrane REST API at ${apiUri} with each caller's bearer token (--http-auth membrane)`,
  };
}

/** The client of one caller: the api backend with their token, for their requests only. */
export function createCallerClient(settings: Settings, target: CallerBackend, token: string, log: Logger): MembraneClient {
  const api = { credentials: { kind: 'token' as const, token }, apiUri: target.apiUri, customApiUri: target.customApiUri };
  return apiClient(settings, api, target.backend, callerHints(target.customApiUri), log, ["the caller's bearer token"]);
}

/** The server's own client under `--http-auth membrane`: no credentials, no calls; it tells whether the API answers. */
export function createCallerlessClient(target: CallerBackend): MembraneClient {
  return new NoCallerClient({ apiUri: target.apiUri, customApiUri: target.customApiUri, hints: callerHints(target.customApiUri) });
}

/**
 * The API client for a target: Membrane's API (membrane-api, hints that name the variables to fix), or the sandbox's
 * REST front (sandbox-api: the credentials it prints, and the sandbox CLI's hints, whose commands reach the same store).
 */
function apiClient(
  settings: Settings,
  target: ApiTarget,
  backend: Extract<Backend, 'membrane-api' | 'sandbox-api'>,
  hints: UserActionHints,
  log: Logger,
  credentialNames = credentialVariables(target.credentials),
): MembraneClient {
  const defaultTimeoutMs = settings.cliTimeout * 1000;
  const client = new ApiMembraneClient({
    transport: sdkTransport(target.credentials, target.customApiUri ? target.apiUri : undefined),
    backend,
    hints,
    apiUri: target.apiUri,
    customApiUri: target.customApiUri,
    credentialNames,
    log,
    defaultTimeoutMs,
    maxConcurrency: settings.maxConcurrency,
    maxResponseBytes: Math.round(settings.cliMaxOutputMb * 1024 * 1024),
  });
  return withCallSafety(client, { log, defaultTimeoutMs });
}

/** The client for a choice, with the shared retry and write rules around it. Async: a backend may need to start something first. */
export async function createMembraneClient(
  settings: Settings,
  choice: BackendChoice,
  opts: { cwd: string; log: Logger },
): Promise<MembraneClient> {
  switch (choice.kind) {
    case 'api':
      return apiClient(settings, choice.api, choice.backend, apiHints(choice.api.credentials, choice.api.customApiUri), opts.log);
    case 'cli':
      return createCliClient(settings, choice.cli, opts.cwd, opts.log);
  }
}
